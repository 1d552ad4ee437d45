"""End-to-end fixtures: a real ``mxus serve`` process on a free loopback port.

The server runs in its own process group (its query workers are its
children), so stopping it terminates the whole group: nothing outlives the
session.

Every server fixture (``live_server``/``base_url``, ``short_timeout_server``,
``servers``) is parametrized over four modes, so each end-to-end test runs
four times: "embedded" (the pyoxigraph worker pool, data in memory), "disk"
(the same pool over an on-disk store, ``--store-path``), "remote" (``mxus
serve --store URL`` in front of a real Oxigraph server process, from the PyPI
package ``oxigraph``) and "virtuoso" (the same in front of Virtuoso Open
Source, Debian's ``virtuoso-opensource``), each store on loopback ports,
filled by ``mxus load`` (``e2e_stores``: one abstraction for both engines).
The loaded stores of the ``servers`` and ``stores`` tests are given back at
teardown and taken by the next such test (``SpareStores``: a server's start
makes the contribution graphs those of its own instance folder); the others
are stopped with the fixture that started them. A runaway query the front
abandoned may keep running in the store (Oxigraph's own ``--timeout-s`` does
not stop queries that name their dataset, as the front's all do), so the
store of the time-limit test is that test's alone.

The browser tests (modules driving Chromium: they check how pages render and
behave, not what the store answers) run in the "embedded" mode only: every
page's store queries run in every mode through the HTTP tests (every sitemap
URL is fetched in each), and the browser would add minutes for nothing more. Virtuoso missing: its tests are skipped, unless
MXUS_REQUIRE_VIRTUOSO is set (.ci/run), when they fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e_stores import (ENGINES, MODES, PROJECT_ROOT, STARTUP_SECONDS, RunningStore, SpareStores, free_port, load_store,
                        start_store, stop_store)
from tests.production import production_command

ENGINE = {"remote": "oxigraph", "virtuoso": "virtuoso"}  # the store engine of each remote mode
MODE_OF_ENGINE = {engine: mode for mode, engine in ENGINE.items()}
DEFAULT_QUERY_TIMEOUT = 10  # the QUERY_TIMEOUT setting's default, which the long-lived servers keep


@dataclass
class RunningServer:
    base: str  # "http://127.0.0.1:PORT/"
    port: int
    process: subprocess.Popen
    log: Path
    mode: str = "embedded"
    store: RunningStore | None = None  # remote mode: the store it serves from

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/turtle"}), timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_server(log_dir: Path, *extra: str, store: RunningStore | None = None, store_path: Path | None = None) -> RunningServer:
    """``mxus serve`` with ``extra`` arguments; with ``store``, in front of it (remote mode);
    with ``store_path``, over an on-disk store there (disk mode). Without ``--instance`` in
    ``extra``, over a new temporary instance folder: never the repository's instance/. Every request
    comes from one client here (loopback): the per-client limits are lifted, query time forgotten
    after 1 ms (tests/adversarial checks them)."""
    if "--instance" not in extra:
        extra = (*extra, "--instance", tempfile.mkdtemp(prefix="instance-", dir=log_dir))
    extra = ("--client-queries", "100", "--client-window-seconds", "0.001", *extra)
    if store is not None:
        extra = (*extra, "--store", store.url)
    if store_path is not None:
        extra = (*extra, "--store-path", str(store_path))
    port = free_port()
    log = log_dir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            production_command("127.0.0.1", port, *extra),  # the README's production command
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers follow it
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    mode = MODE_OF_ENGINE[store.engine] if store else "disk" if store_path else "embedded"
    server = RunningServer(f"http://127.0.0.1:{port}/", port, process, log, mode, store)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log_text()}")
        if _answers(server.base + "sparql"):
            return server
        time.sleep(0.05)  # a refused connection costs little; a server takes well under a second to start
    stop_server(server)
    raise RuntimeError(f"the server did not answer /sparql within {STARTUP_SECONDS} s:\n{server.log_text()}")


def stop_server(server: RunningServer) -> None:
    """SIGTERM to the server (it exits as on Ctrl-C: its exit handlers stop the workers and remove the
    dumps), then SIGTERM and SIGKILL to whatever is left of its process group.

    Not SIGINT: a shell starts background commands with SIGINT ignored, and the ignoring is inherited,
    so under ``make test &`` (or a script run in the background) every server ignored Ctrl-C and each
    stop waited out the 10 s below: about four minutes of a run spent waiting.
    """
    group = server.process.pid  # the leader of its own session: its pid is the group id
    try:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break  # nothing left in the group
        try:
            server.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.2)


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-logs")


def disk_store_path(mode: str, parent: Path) -> Path | None:
    """Disk mode: a fresh folder for an on-disk store; other modes: None."""
    if mode != "disk":
        return None
    return Path(tempfile.mkdtemp(prefix="store-", dir=parent))


@pytest.fixture(scope="session")
def spare_stores() -> Iterator[SpareStores]:
    """Loaded stores the tests of ``servers`` and ``stores`` take and give back (``e2e_stores.SpareStores``)."""
    spares = SpareStores()
    try:
        yield spares
    finally:
        spares.stop_all()


@pytest.fixture(scope="session")
def remote_stores(server_logs) -> Iterator[dict[str, RunningStore]]:
    """The stores the long-lived remote-mode servers answer from, by engine, each started (and loaded
    with ``mxus load``) when a test first needs it and stopped at the end of the session."""
    started: dict[str, RunningStore] = {}

    class Stores(dict):
        def __missing__(self, engine: str) -> RunningStore:
            started[engine] = self[engine] = start_store(server_logs, DEFAULT_QUERY_TIMEOUT + 5, engine=engine)
            return started[engine]

    try:
        yield Stores()
    finally:
        for store in started.values():
            stop_store(store)


@pytest.fixture(scope="session", params=MODES)
def live_server(request, server_logs) -> Iterator[RunningServer]:
    """The running server, once per mode: embedded engine in memory, on disk, then in front of the Oxigraph
    server and of Virtuoso."""
    store = request.getfixturevalue("remote_stores")[ENGINE[request.param]] if request.param in ENGINE else None
    server = start_server(server_logs, store=store, store_path=disk_store_path(request.param, server_logs))
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """The base URL of the running server, ending in a slash."""
    return live_server.base


@pytest.fixture(scope="module", params=MODES)
def short_timeout_server(request, server_logs) -> Iterator[RunningServer]:
    """A second server whose queries are stopped after 2 seconds (in remote mode with a store of its
    own, stopped with it: the runaway query it is sent goes on there until then)."""
    store = start_store(server_logs, timeout_s=4, engine=ENGINE[request.param]) if request.param in ENGINE else None
    try:
        server = start_server(server_logs, "--query-timeout", "2", store=store,
                              store_path=disk_store_path(request.param, server_logs))
        try:
            yield server
        finally:
            stop_server(server)
    finally:
        if store is not None:
            stop_store(store)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def http_request(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
                 timeout: float = 30) -> Reply:
    """One HTTP exchange, redirects not followed, errors returned rather than raised."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path or "/", body=body, headers=headers or {})
        response = connection.getresponse()
        collected: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            collected[key] = f"{collected[key]}, {value}" if key in collected else value
        return Reply(response.status, collected, response.read())
    finally:
        connection.close()


@pytest.fixture(scope="session")
def fetch():
    """``fetch(url, method="GET", headers=None, body=None)`` -> Reply (status, headers, body)."""
    return http_request


def kill_server(server: RunningServer) -> None:
    """SIGKILL to the whole process group at once (the server and its query workers),
    as a power cut or the OOM killer would: no exit handler runs."""
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.process.wait(10)
    deadline = time.monotonic() + 10
    while group_alive(server) and time.monotonic() < deadline:
        time.sleep(0.05)


def group_alive(server: RunningServer) -> bool:
    """Whether any process of the server's process group is still running.

    Zombies do not count: killed workers whose parent died too wait for init
    to reap them, and a container's init may never do so.
    """
    group = server.process.pid
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited meanwhile
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            return True
    return False


class ServerControl:
    """Start servers with extra arguments (e.g. ``--instance DIR``); whatever is still
    running is stopped at teardown. In remote mode every server of one test answers from
    the same loaded store, taken with the first (``SpareStores``) and given back at teardown:
    the store outlives the servers killed and restarted in front of it."""

    def __init__(self, log_dir: Path, mode: str, spares: SpareStores):
        self.log_dir = log_dir
        self.mode = mode
        self.spares = spares
        self.store: RunningStore | None = None
        self.store_path = disk_store_path(mode, log_dir)  # disk mode: one on-disk store, reopened by each restart
        self.started: list[RunningServer] = []

    def start(self, *extra: str) -> RunningServer:
        if self.mode in ENGINE and self.store is None:
            self.store = self.spares.take(self.log_dir, DEFAULT_QUERY_TIMEOUT + 5, ENGINE[self.mode])
        server = start_server(self.log_dir, *extra, store=self.store, store_path=self.store_path)
        self.started.append(server)
        return server

    def stop(self, server: RunningServer) -> None:
        stop_server(server)

    def stop_store(self) -> None:
        """Remote mode: stop the store the servers answer from (as if it went away)."""
        if self.store is not None:
            stop_store(self.store)

    def kill(self, server: RunningServer) -> None:
        kill_server(server)

    def alive(self, server: RunningServer) -> bool:
        return group_alive(server)

    def close(self) -> None:
        try:
            for server in self.started:
                if server.process.poll() is None or group_alive(server):
                    stop_server(server)
        finally:
            if self.store is not None:
                self.spares.give_back(self.store)  # unless the test stopped it


class StoreControl:
    """Stores of one engine for one test: ``start(load=True, timeout_s=15)``, ``load(store, *args)``
    (`mxus load`, its output), ``stop(store)``. A loaded store is taken from ``SpareStores`` and given
    back at teardown: it may hold the contribution graphs another test left, which the test's first
    server start replaces with its instance folder's. An empty store, or one the test loads itself
    (its published graphs may then be others), is the test's own, stopped at teardown."""

    def __init__(self, log_dir: Path, engine: str, spares: SpareStores):
        self.log_dir = log_dir
        self.engine = engine
        self.spares = spares
        self.started: list[RunningStore] = []
        self.loaded: list[RunningStore] = []

    def start(self, load: bool = True, timeout_s: float = DEFAULT_QUERY_TIMEOUT + 5) -> RunningStore:
        if load:
            store = self.spares.take(self.log_dir, timeout_s, self.engine)
            self.loaded.append(store)
        else:
            store = start_store(self.log_dir, timeout_s, load, self.engine)
            self.started.append(store)
        return store

    def load(self, store: RunningStore, *extra: str) -> str:
        if store in self.loaded:  # what it holds is now this test's: never given back
            self.loaded.remove(store)
            self.started.append(store)
        return load_store(store, *extra)

    def stop(self, store: RunningStore) -> None:
        stop_store(store)

    def close(self) -> None:
        try:
            for store in self.started:
                stop_store(store)
        finally:
            for store in self.loaded:
                self.spares.give_back(store)


@pytest.fixture(params=ENGINES)
def stores(request, server_logs, spare_stores) -> Iterator[StoreControl]:
    """Once per store engine (``stores.engine``)."""
    control = StoreControl(server_logs, request.param, spare_stores)
    try:
        yield control
    finally:
        control.close()


@pytest.fixture(params=MODES)
def servers(request, server_logs, spare_stores) -> Iterator[ServerControl]:
    """``servers.start(*args)`` -> RunningServer, ``servers.kill(server)`` (SIGKILL to its
    group), ``servers.alive(server)`` (is any process of its group left), ``servers.stop(server)``;
    every server started is stopped at teardown. Once per mode (``servers.mode``)."""
    control = ServerControl(server_logs, request.param, spare_stores)
    try:
        yield control
    finally:
        control.close()


BROWSERLESS_MODES = ("disk", "remote", "virtuoso")  # modes the browser tests skip (see the module's description)


@pytest.hookimpl(tryfirst=True)  # pytest-xdist reads the groups in this hook too: before it, or they are not seen
def pytest_collection_modifyitems(config, items):
    """Deselect the browser tests in the modes of ``BROWSERLESS_MODES`` (a module that drives Chromium
    imports ``running_chromium``), and give each end-to-end test an xdist group: a mode's tests together,
    so each mode's servers and store start in one of the processes, and a test without a mode with
    the rest of its file."""
    kept, dropped, here = [], [], Path(__file__).resolve().parent
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if here not in path.parents:
            kept.append(item)
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        modes = {params.get(name) for name in ("live_server", "short_timeout_server", "servers")}
        modes.add(MODE_OF_ENGINE.get(params.get("stores")))
        browser = hasattr(getattr(item, "module", None), "running_chromium")
        (dropped if browser and modes & set(BROWSERLESS_MODES) else kept).append(item)
        mode = next((m for m in MODES if m in modes), None)
        item.add_marker(pytest.mark.xdist_group(f"e2e-{mode}" if mode else f"e2e-{path.stem}"))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
