"""The README's production command, read from the README so the tests run exactly what it says."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "<!-- the production command: tests/production.py reads the block below -->"


def readme_command() -> list[str]:
    """The argv of the shell block that follows the marker in the README."""
    text = README.read_text(encoding="utf-8")
    found = re.search(re.escape(MARKER) + r"\s*```sh\n(.+?)\n```", text, re.S)
    if not found:
        raise LookupError(f"README.md has no shell block after {MARKER!r}")
    return shlex.split(found.group(1).replace("\\\n", " "))


def production_command(host: str, port: int, *extra: str) -> list[str]:
    """The README's command with a loopback address: only --host, --port and --base-uri change."""
    argv = readme_command()
    if argv[:2] != ["mxus", "serve"]:
        raise LookupError(f"the README's production command is not `mxus serve ...`: {argv}")
    replaced = {"--host": host, "--port": str(port), "--base-uri": f"http://{host}:{port}/"}
    out = [sys.executable, "-m", "server.cli", "serve"]
    rest = iter(argv[2:])
    for arg in rest:
        out += [arg, replaced[arg]] if arg in replaced and next(rest) is not None else [arg]
    return out + [a for option, value in replaced.items() if option not in argv for a in (option, value)] + list(extra)


def get(url: str, timeout: float) -> int:
    """The status of a GET whose answer is read whole (HTTPError for 4xx/5xx)."""
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        reply.read()
        return reply.status


@dataclass
class RunningProduction:
    base: str
    port: int
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_production(folder: Path, *extra: str) -> Iterator[RunningProduction]:
    """The README's production command (with ``extra`` options) on a loopback port, over an instance
    folder in ``folder``, trusting X-Forwarded-For from loopback (as behind a reverse proxy there)."""
    port = _free_port()
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(
            production_command("127.0.0.1", port, "--instance", str(folder / "instance"), "--trusted-proxy", "127.0.0.1", *extra),
            cwd=README.parent, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (folder / "server.log").read_text()
            try:
                get(base + "sparql?query=ASK%7B%7D", 2)
                break
            except OSError:
                assert time.monotonic() < deadline, "no answer within 2 minutes:\n" + (folder / "server.log").read_text()
                time.sleep(0.05)
        yield RunningProduction(base, port, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)  # as Ctrl-C; not SIGINT, which a run started in the background ignores
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
