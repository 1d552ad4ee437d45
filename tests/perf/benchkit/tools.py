"""Tools outside Python: rdflib-endpoint in a venv of its own, nginx and wrk from Debian."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .processes import run_to_end

def rdflib_endpoint_venv(work: Path, given: Path | None) -> tuple[Path | None, str]:
    """A separate virtual environment with rdflib-endpoint and uvicorn, or None and why not."""
    venv = given or work / "rdflib-endpoint-venv"
    if (venv / "bin" / "rdflib-endpoint").exists():
        return venv, ""
    print(f"installing rdflib-endpoint into {venv} ...", file=sys.stderr, flush=True)
    try:
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "rdflib-endpoint", "uvicorn"],
                       check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"rdflib-endpoint skipped: installation failed ({exc}; {detail.decode(errors='replace')[-300:]})"
    return venv, ""


STATIC_TOOLS = {"nginx": "nginx", "wrk": "wrk"}  # command: Debian package
APT_TIMEOUT = 300  # seconds for each apt-get step


def find_tool(name: str) -> str | None:
    """The command's path; nginx lives in /usr/sbin, which a non-root PATH often lacks."""
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def apt_install(packages: list[str], work: Path) -> str:
    """Install Debian packages without ever prompting: only as root or with passwordless sudo. Returns ""
    or why not. apt-get update runs only when a first try fails, as it does when the lists are missing."""
    env = ["env", "DEBIAN_FRONTEND=noninteractive"]
    if os.geteuid() == 0:
        prefix = env
    elif find_tool("sudo") and run_to_end(["sudo", "-n", "true"], work / "sudo.log", 10)[0] == 0:
        prefix = ["sudo", "-n"] + env
    else:
        return f"not root and no passwordless sudo to run apt-get install {' '.join(packages)}"
    print(f"installing {' '.join(packages)} with apt-get ...", file=sys.stderr, flush=True)
    install = prefix + ["apt-get", "install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=60", *packages]
    log = work / "apt-get.log"
    code, output = run_to_end(install, log, APT_TIMEOUT)
    if code != 0:
        run_to_end(prefix + ["apt-get", "update"], work / "apt-get-update.log", APT_TIMEOUT)
        code, output = run_to_end(install, log, APT_TIMEOUT)
    if code != 0:
        why = f"timed out after {APT_TIMEOUT} s" if code is None else f"exit {code}: {output.strip()[-300:]}"
        return f"apt-get install {' '.join(packages)} failed ({why})"
    return ""


def static_tools(work: Path) -> tuple[dict[str, str], str]:
    """Paths of nginx and wrk, installing the missing ones; and a note on any still missing and why."""
    missing = [STATIC_TOOLS[name] for name in STATIC_TOOLS if not find_tool(name)]
    note = apt_install(missing, work) if missing else ""
    found = {name: find_tool(name) for name in STATIC_TOOLS}
    still = [name for name, path in found.items() if not path]
    note = f"{' and '.join(still)} missing: {note or 'not found after installation'}" if still else ""
    return {name: path for name, path in found.items() if path}, note


def tool_version(binary: str, flag: str, work: Path) -> str:
    """First line of ``binary flag`` (nginx -v and wrk -v print to stderr; wrk -v exits 1)."""
    _, output = run_to_end([binary, flag], work / "version.log", 10)
    return (output.strip().splitlines() or ["?"])[0].split(" Copyright")[0]


# ---------------------------------------------------------------- workload
