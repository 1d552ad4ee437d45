"""Markdown tables and the description of the machine and versions."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

from . import VENV_BIN


def fmt(value, digits=1):
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def environment(venv: Path | None) -> str:
    def version(package):
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    cpu = "?"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    try:
        oxigraph = subprocess.run([str(VENV_BIN / "oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        oxigraph = "?"
    rdflib_endpoint = "-"
    if venv:
        rdflib_endpoint = subprocess.run(
            [str(venv / "bin" / "python"), "-c",
             "import importlib.metadata as m; print(m.version('rdflib-endpoint'), 'rdflib', m.version('rdflib'))"],
            capture_output=True, text=True).stdout.strip()
    return (
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
        f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{mem_kb / 1024 / 1024:.1f} GiB RAM, {cpu}, {platform.system()} {platform.release()}\n"
        f"- versions: Python {platform.python_version()}, pyoxigraph {version('pyoxigraph')}, {oxigraph}, "
        f"rdflib {version('rdflib')}, Flask {version('flask')}, gunicorn {version('gunicorn')}, "
        f"rdflib-endpoint {rdflib_endpoint}"
    )


# ---------------------------------------------------------------- parts
