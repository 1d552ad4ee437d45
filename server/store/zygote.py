"""Query workers forked from one process that has already loaded the store (a "zygote").

Starting a worker as a new Python process cost its imports and its own copy
of the published files, each time: at every server start (three workers) and
after every runaway query (its worker is killed and replaced). The zygote
pays for both once: it isolates itself from the network, imports pyoxigraph
and loads the published files into memory (nothing, for an on-disk store,
which each worker opens itself); each worker is then ``fork()``-ed from it in
a couple of milliseconds and starts from the loaded store, copy on write (the
pages its queries touch become its own: pyoxigraph counts references as it
reads). What a worker does after the fork is what it did before: its memory
limit, the contributions added since the start, then queries over its own
socket (``server.store.query_worker``).

Workers are the zygote's children, not this process's: ``ForkedProcess`` is
the handle this process keeps (kill, wait), and the zygote reaps them.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.reduction import send_handle

from server.store.errors import LoadFailed, QueryFailed

log = logging.getLogger(__name__)


class ForkedProcess:
    """A worker, held by a pidfd where the kernel has them (Linux 5.3): it is not this process's child
    and the zygote reaps it as soon as it ends, so its pid may later be another process's; the pidfd
    names this one only. Without pidfds, the pid (the old risk of any pid-based kill)."""

    def __init__(self, pid: int):
        self.pid = pid  # for priorities (server.store.lanes), set only while it answers a query
        self._lock = threading.Lock()  # kill (a waiting query shedding it) and wait (its replacement) race
        try:  # opened before the worker gets its first message: until then it waits, so it is this one
            self._pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._pidfd = -1

    def kill(self) -> None:
        with self._lock:
            try:
                if self._pidfd >= 0:
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                elif self._pidfd == -1:
                    os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                self._release()  # ended already: never signalled again
            except OSError:
                pass

    def wait(self, timeout: float) -> bool:
        """True once the process has ended; its pidfd is then closed."""
        with self._lock:
            pidfd = self._pidfd
        if pidfd >= 0:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)  # readable once it has ended
            if not poller.poll(timeout * 1000):
                return False
        elif pidfd == -1:
            deadline = time.monotonic() + timeout
            while _exists(self.pid):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.01)
        with self._lock:
            self._release()
        return True

    def _release(self) -> None:
        """Under the lock: ended, nothing to signal any more (marked before the descriptor is closed)."""
        pidfd, self._pidfd = self._pidfd, -2
        if pidfd >= 0:
            os.close(pidfd)

    def __del__(self, close=os.close) -> None:  # let go without a wait (the server exiting): no descriptor left
        if getattr(self, "_pidfd", -2) >= 0:
            close(self._pidfd)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


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

    def fork(self) -> tuple[ForkedProcess, Connection]:
        """A new worker and this process's end of its socket (a pair made for each attempt: a worker
        forked by a zygote that died before saying so must not share the socket of the next one)."""
        with self._lock:
            for attempt in (1, 2):
                if self._closed:
                    break
                ours, theirs = socket.socketpair()
                forked = None
                try:
                    self._connection.send(("fork",))
                    send_handle(self._connection, theirs.fileno(), self._process.pid)
                    if self._connection.poll(60):
                        status, pid = self._connection.recv()
                        forked = ForkedProcess(pid) if status == "forked" else None
                except (EOFError, OSError) as exc:
                    log.warning("the query workers' parent process failed (%s): started again", exc)
                finally:
                    theirs.close()
                    if forked is None:
                        ours.close()
                if forked is not None:
                    return forked, Connection(ours.detach())
                if attempt == 1 and not self._closed:  # it died (or stopped answering): a new one, once more
                    self._stop()
                    self._start(QueryFailed)
            raise QueryFailed("the query workers' parent process could not start a worker")

    def close(self) -> None:
        """No more workers (those forked already are killed by the pool); waits for a fork under way."""
        self._closed = True
        starting = self._process
        if starting is not None:
            starting.kill()  # a restart under way (fork holds the lock meanwhile) fails at once
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
