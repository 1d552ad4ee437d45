"""The README's production command, read from the README so the tests run exactly what it says."""

from __future__ import annotations

import re
import shlex
import sys
import urllib.request
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
