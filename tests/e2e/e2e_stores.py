"""The SPARQL stores the remote modes of the end-to-end suite serve from, one abstraction for both engines.

``start_store(log_dir, timeout_s, load, engine)`` starts a private store on free loopback ports and
fills it with ``mxus load``, as a user would; ``stop_store`` stops it and everything it started.

- "oxigraph": Oxigraph server (the PyPI package ``oxigraph``, a test dependency), in memory.
- "virtuoso": Virtuoso Open Source (Debian's ``virtuoso-opensource``): a folder of its own with a copy
  of the package's ``virtuoso.ini`` pointing every file there and the ports at free loopback ones,
  ``virtuoso-t +foreground``. A new database takes ~45 s to build (the package would also install its
  web admin, ~40 s more: left out), so one is built per session with ``SPARQL_UPDATE`` granted to the
  endpoint's user, and every store starts from a copy of it (~2 s); a loaded store from a copy of one that
  ``mxus load`` filled, once per session. Skipped when ``virtuoso-t`` is
  missing, unless MXUS_REQUIRE_VIRTUOSO is set (.ci/run sets it): then the tests fail.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90
ENGINES = ("oxigraph", "virtuoso")
MODES = ("embedded", "disk", "remote", "virtuoso")  # of the e2e servers (conftest): "remote" is Oxigraph server

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_DB_FILES = ("virtuoso.db",)  # what a stopped, checkpointed database is


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningStore:
    """A store process: SPARQL queries at ``url``, updates at ``update_url``."""

    engine: str  # "oxigraph" or "virtuoso"
    url: str
    update_url: str
    process: subprocess.Popen
    log: Path
    folder: Path | None = None  # Virtuoso: its database folder, removed when it stops
    load_output: str = ""  # what `mxus load` printed
    timeout_s: float = 0  # its own time limit

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_store(log_dir: Path, timeout_s: float, load: bool = True, engine: str = "oxigraph") -> RunningStore:
    """A store of ``engine`` whose own time limit is ``timeout_s``, loaded with ``mxus load`` unless ``load`` is false
    (Virtuoso: a copy of a database ``mxus load`` filled once per session, as it would have filled this one)."""
    if engine == "virtuoso":
        return _start_virtuoso(log_dir, timeout_s, load)
    store = _start_oxigraph(log_dir, timeout_s)
    if load:
        try:
            store.load_output = load_store(store)
        except BaseException:
            stop_store(store)
            raise
    return store


def load_store(store: RunningStore, *extra: str) -> str:
    """``mxus load --store URL``: its output; a failure fails the test with what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "load", "--store", store.url, *extra],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mxus load exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


class SpareStores:
    """Loaded stores that tests have finished with, still running, by engine and time limit: a test that wants
    one takes it rather than starting another (a Virtuoso start is about 1.5 s of CPU, a second of it spent
    timing its own query compiler). Only stores whose published graphs no test changed are given back.

    What the last test left in one (its contribution graphs, the accepted graph) the next server sets right:
    at start a server makes the store's contribution graphs and accepted graph those of its own instance
    folder (``RemoteStore.synchronize``), as after a crash or over another instance's store; the tests that
    reuse a store exercise that. ``stop_all`` at the end of the session."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, float], list[RunningStore]] = {}

    def take(self, log_dir: Path, timeout_s: float, engine: str) -> RunningStore:
        idle = self._idle.get((engine, timeout_s), [])
        while idle:
            store = idle.pop()
            if store.process.poll() is None and _answers_ask(store.url):
                return store
            stop_store(store)
        return start_store(log_dir, timeout_s, True, engine)

    def give_back(self, store: RunningStore) -> None:
        if store.process.poll() is None:
            self._idle.setdefault((store.engine, store.timeout_s), []).append(store)
        else:
            stop_store(store)

    def stop_all(self) -> None:
        for idle in self._idle.values():
            while idle:
                stop_store(idle.pop())


def _answers_ask(url: str) -> bool:
    request = urllib.request.Request(f"{url}?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def stop_store(store: RunningStore) -> None:
    _stop(store.process)
    if store.folder is not None:
        for name in VIRTUOSO_DB_FILES + ("virtuoso-temp.db",):
            (store.folder / name).unlink(missing_ok=True)  # 50 MB each; the log stays for a failure's report


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(5)
            break
        except subprocess.TimeoutExpired:
            continue


def _spawn(command: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group, stopped whole


def _wait(process: subprocess.Popen, ready, what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"{what} was not ready within {STARTUP_SECONDS} s:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


# ---------------------------------------------------------------------------- Oxigraph server

def oxigraph_binary() -> str:
    """The ``oxigraph`` command of the PyPI package (a test dependency), next to this Python first."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server is needed for the remote-store tests: pip install oxigraph (the test extra has it)")
    return found


def _start_oxigraph(log_dir: Path, timeout_s: float) -> RunningStore:
    port = free_port()
    log = log_dir / f"oxigraph-{port}.log"
    process = _spawn([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", f"{timeout_s:g}"], log)
    _wait(process, lambda: _listens(port), "oxigraph", log)
    return RunningStore("oxigraph", f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/update", process, log,
                        timeout_s=timeout_s)


def _listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------- Virtuoso

def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if found and shutil.which("isql-vt") and VIRTUOSO_INI.is_file():
        return found
    message = "Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run does)"
    if os.environ.get("MXUS_REQUIRE_VIRTUOSO"):
        pytest.fail(message + "; MXUS_REQUIRE_VIRTUOSO is set")
    pytest.skip(message)


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, timeout_s: float) -> str:
    """The package's virtuoso.ini with every file in ``folder``, loopback ports, and ``timeout_s`` as
    its SPARQL time limit (MaxQueryExecutionTime, whole seconds); its other limits as shipped."""
    changes = {
        "Database": {"DatabaseFile": "virtuoso.db", "ErrorLogFile": "virtuoso.log", "LockFile": "virtuoso.lck",
                     "TransactionFile": "virtuoso.trx", "xa_persistent_file": "virtuoso.pxa"},
        "TempDatabase": {"DatabaseFile": "virtuoso-temp.db", "TransactionFile": "virtuoso-temp.trx"},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}", "VADInstallDir": "vad/"},  # no web admin to install
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "SPARQL": {"MaxQueryExecutionTime": str(math.ceil(timeout_s))},
    }
    lines, section = [], None
    for line in VIRTUOSO_INI.read_text().splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1)
        key = re.match(r"\s*(\w+)\s*=", line)
        if section == "Plugins" and key:
            continue  # wiki and WBXML plugins: not needed
        if key and key.group(1) in changes.get(section, {}):
            value = changes[section][key.group(1)]
            line = f"{key.group(1)} = {value if section in ('Parameters', 'HTTPServer', 'SPARQL') else folder / value}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# (log folder, loaded) -> a stopped database with SPARQL_UPDATE granted (and filled by ``mxus load``), what it printed
_templates: dict[tuple[Path, bool], tuple[Path, str]] = {}


def _virtuoso_process(folder: Path, timeout_s: float) -> tuple[subprocess.Popen, int, int, Path]:
    binary = virtuoso_binary()
    (folder / "vad").mkdir(exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(folder, sql_port, http_port, timeout_s))
    log = folder / "output.log"
    process = _spawn([binary, "+foreground", "+configfile", str(ini)], log, cwd=folder)
    _wait(process, lambda: _answers_ask(f"http://127.0.0.1:{http_port}/sparql"), "virtuoso-t", log)
    return process, sql_port, http_port, log


def _isql(sql_port: int, statement: str) -> None:
    """A statement as the database administrator (the package's default password: a private test instance)."""
    subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"],
                   check=True, capture_output=True, timeout=STARTUP_SECONDS)


def _template(log_dir: Path, loaded: bool) -> tuple[Path, str]:
    """A stopped database to copy, built once per session: SPARQL update granted to the endpoint's user and,
    when ``loaded``, the published graphs loaded by ``mxus load`` (about 1.5 s a store saved); and what
    ``mxus load`` printed."""
    if (log_dir, loaded) not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="virtuoso-template-", dir=log_dir))
        if loaded:
            for name in VIRTUOSO_DB_FILES:
                shutil.copyfile(_template(log_dir, False)[0] / name, folder / name)
        process, sql_port, http_port, log = _virtuoso_process(folder, 60)
        output = ""
        try:
            if loaded:
                url = f"http://127.0.0.1:{http_port}/sparql"
                output = load_store(RunningStore("virtuoso", url, url, process, log, folder))
            else:
                _isql(sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')  # the endpoint's user may update
            _isql(sql_port, "checkpoint; shutdown;")
            process.wait(STARTUP_SECONDS)
        finally:
            _stop(process)
        _templates[(log_dir, loaded)] = folder, output
    return _templates[(log_dir, loaded)]


def _start_virtuoso(log_dir: Path, timeout_s: float, loaded: bool) -> RunningStore:
    template, output = _template(log_dir, loaded)
    folder = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=log_dir))
    for name in VIRTUOSO_DB_FILES:
        shutil.copyfile(template / name, folder / name)
    process, _, http_port, log = _virtuoso_process(folder, timeout_s)
    url = f"http://127.0.0.1:{http_port}/sparql"
    return RunningStore("virtuoso", url, url, process, log, folder, output, timeout_s)
