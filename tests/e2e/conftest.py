"""End-to-end fixtures: a real ``mxus serve`` process on a free loopback port.

The server runs in its own process group (its query workers are its
children), so stopping it terminates the whole group: nothing outlives the
session.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    base: str  # "http://127.0.0.1:PORT/"
    port: int
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/turtle"}), timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_server(log_dir: Path, *extra: str) -> RunningServer:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers follow it
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    server = RunningServer(f"http://127.0.0.1:{port}/", port, process, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log_text()}")
        if _answers(server.base + "sparql"):
            return server
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server did not answer /sparql within {STARTUP_SECONDS} s:\n{server.log_text()}")


def stop_server(server: RunningServer) -> None:
    """Ctrl-C to the server (its exit handlers stop the workers and remove the dumps), then
    SIGTERM and SIGKILL to whatever is left of its process group."""
    group = server.process.pid  # the leader of its own session: its pid is the group id
    try:
        server.process.send_signal(signal.SIGINT)
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


@pytest.fixture(scope="session")
def live_server(server_logs) -> Iterator[RunningServer]:
    server = start_server(server_logs)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """The base URL of the running server, ending in a slash."""
    return live_server.base


@pytest.fixture(scope="module")
def short_timeout_server(server_logs) -> Iterator[RunningServer]:
    """A second server whose queries are stopped after 2 seconds."""
    server = start_server(server_logs, "--query-timeout", "2")
    try:
        yield server
    finally:
        stop_server(server)


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
    from urllib.parse import urlsplit
    import http.client

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
    running is stopped at teardown."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[RunningServer] = []

    def start(self, *extra: str) -> RunningServer:
        server = start_server(self.log_dir, *extra)
        self.started.append(server)
        return server

    def stop(self, server: RunningServer) -> None:
        stop_server(server)

    def kill(self, server: RunningServer) -> None:
        kill_server(server)

    def alive(self, server: RunningServer) -> bool:
        return group_alive(server)

    def close(self) -> None:
        for server in self.started:
            if server.process.poll() is None or group_alive(server):
                stop_server(server)


@pytest.fixture
def servers(server_logs) -> Iterator[ServerControl]:
    """``servers.start(*args)`` -> RunningServer, ``servers.kill(server)`` (SIGKILL to its
    group), ``servers.alive(server)`` (is any process of its group left), ``servers.stop(server)``;
    every server started is stopped at teardown."""
    control = ServerControl(server_logs)
    try:
        yield control
    finally:
        control.close()
