"""Query workers forked from one process that has already loaded the store (a "zygote").

Starting a worker as a new Python process cost its imports and its own copy
of the published files, each time: at every server start (three workers) and
after every runaway query (its worker is killed and replaced). The zygote
pays for both once: it isolates itself from the network, imports pyoxigraph
and loads the published files into memory (nothing, for an on-disk store,
which each worker opens itself); each worker is then ``fork()``-ed from it in
a couple of milliseconds and shares the loaded store with it page by page
until it writes (copy on write). What a worker does after the fork is what
it did before: its memory limit, the contributions added since the start,
then queries over its own socket (``server.store.query_worker``).

Workers are the zygote's children, not this process's: ``ForkedProcess`` is
the handle this process keeps (kill, wait), and the zygote reaps them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.reduction import send_handle

from server.store.errors import LoadFailed, QueryFailed


class ForkedProcess:
    """A worker by its pid: not a child of this process, so it is waited for by polling."""

    def __init__(self, pid: int):
        self.pid = pid

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float) -> bool:
        """True once the process is gone (the zygote reaped it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.005)
        return False


class Zygote:
    """The process workers are forked from; started again if it dies (one retry per fork)."""

    def __init__(self, plan, memory_limit: int):
        """``memory_limit``: the workers' (bytes, 0 for none); the published files must fit in it, as before
        each worker loaded them under its own limit."""
        self._plan = plan
        self._memory_limit = memory_limit
        self._lock = threading.Lock()
        self._closed = False
        self.network_isolated = False
        self._process: subprocess.Popen | None = None
        self._connection: Connection | None = None
        self._start(LoadFailed)

    def _start(self, failure: type[Exception]) -> None:
        ours, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "server.store.query_worker", "--zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._connection = Connection(ours.detach())
        self._connection.send((self._plan, self._memory_limit))
        try:
            ready = self._connection.poll(600) and self._connection.recv()
        except (EOFError, OSError):
            ready = None
        if not ready or ready[0] != "ready":
            self._stop()
            raise failure(ready[1] if ready else "the query workers' parent process failed to start")
        self.network_isolated = bool(ready[1].get("network_isolated"))

    def fork(self, worker_end: socket.socket) -> ForkedProcess:
        """A new worker talking over ``worker_end`` (the other end of a socket pair this process keeps)."""
        with self._lock:
            for attempt in (1, 2):
                if self._closed:
                    break
                try:
                    self._connection.send(("fork",))
                    send_handle(self._connection, worker_end.fileno(), self._process.pid)
                    if self._connection.poll(60):
                        status, pid = self._connection.recv()
                        if status == "forked":
                            return ForkedProcess(pid)
                except (EOFError, OSError):
                    pass
                if attempt == 1 and not self._closed:  # it died (or stopped answering): a new one, once more
                    self._stop()
                    self._start(QueryFailed)
            raise QueryFailed("the query workers' parent process could not start a worker")

    def close(self) -> None:
        """No more workers (those forked already are killed by the pool)."""
        self._closed = True
        self._stop()

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
