"""Query execution in a pool of worker processes.

pyoxigraph cannot cancel a running query and a Python signal is handled
only after it returns, so each query runs in a separate process that the
server can kill: past the time limit the worker is killed (its CPU freed at
once) and replaced, and a worker that runs out of its memory limit dies
alone instead of taking the server down. Other requests keep being served
by the other workers meanwhile.
"""

from __future__ import annotations

import logging
import queue
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

log = logging.getLogger(__name__)


class QueryFailed(Exception):
    """A query the engine could not answer; ``status`` is the HTTP status to give."""

    status = 500


class QuerySyntaxError(QueryFailed):
    status = 400


class QueryOverLimit(QueryFailed):
    """A well-formed query that needs more than this endpoint gives one query.

    422: the request is understood but cannot be processed as sent; the
    client can narrow it (a LIMIT, a tighter pattern). Not 408 or 503, which
    invite automatic retries of the same runaway query.
    """

    status = 422


class QueryTimeout(QueryOverLimit):
    pass


class QueryTooLarge(QueryOverLimit):
    pass


class QueryOutOfMemory(QueryOverLimit):
    pass


class EngineBusy(QueryFailed):
    status = 503


class StoreFailed(QueryFailed):
    """The remote SPARQL store could not be reached or failed (remote-store mode).

    502 Bad Gateway: the request was fine, the store behind this server was not.
    """

    status = 502


@dataclass(frozen=True)
class QueryRequest:
    text: str
    media_type: str  # of the answer: a results format or an RDF format
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...] | None


class _Worker:
    """A query worker: ``python -m server.query_worker FD`` over a socket pair.

    A plain subprocess, not multiprocessing's spawn, so that starting a
    worker never re-imports the caller's main module.
    """

    def __init__(self, nquads: bytes, memory_limit: int, max_result_bytes: int, applied: int = 0):
        self.applied = applied  # how many of the pool's later additions this worker has loaded
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.query_worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.connection = Connection(ours.detach())
        self.connection.send((nquads, memory_limit, max_result_bytes))

    def wait_ready(self, timeout: float) -> bool:
        try:
            if not self.connection.poll(timeout):
                return False
            status, details = self.connection.recv()
        except (EOFError, OSError):
            return False
        self.network_isolated = bool(details and details.get("network_isolated"))
        return status == "ready"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.connection.close()


class QueryPool:
    def __init__(self, nquads: bytes, workers: int, timeout: float, memory_limit_mb: int, max_result_bytes: int):
        self._nquads = nquads
        self._timeout = timeout
        self._memory_limit = memory_limit_mb * 1024 * 1024
        self._max_result_bytes = max_result_bytes
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._additions: list[bytes] = []  # N-Quads added after start, loaded by each worker before its next query
        self._additions_lock = threading.Lock()
        started = [self._start_worker() for _ in range(max(1, workers))]
        for worker in started:
            if not worker.wait_ready(120):
                raise RuntimeError("a query worker failed to start")
            self._idle.put(worker)
        self.network_isolated = all(worker.network_isolated for worker in started)
        if not self.network_isolated:
            log.warning("query workers could not be isolated from the network (no user namespaces); "
                        "SERVICE is still refused before execution")

    def _start_worker(self) -> _Worker:
        with self._additions_lock:
            additions = list(self._additions)
        return _Worker(b"".join([self._nquads, *additions]), self._memory_limit, self._max_result_bytes, len(additions))

    def add(self, nquads: bytes) -> None:
        """Add quads for every worker, current and future (loaded before its next query)."""
        with self._additions_lock:
            self._additions.append(nquads)

    def _catch_up(self, worker: _Worker) -> None:
        with self._additions_lock:
            pending = self._additions[worker.applied :]
        for chunk in pending:
            worker.connection.send(("load", chunk))
            if not worker.connection.poll(self._timeout) or worker.connection.recv()[0] != "loaded":
                raise QueryFailed("a query worker failed to load new data")
            worker.applied += 1

    def _replace(self, worker: _Worker) -> None:
        worker.kill()

        def start() -> None:
            fresh = self._start_worker()
            if fresh.wait_ready(120) and not self._closed:
                self._idle.put(fresh)
            else:
                fresh.kill()

        threading.Thread(target=start, daemon=True).start()

    def run(self, request: QueryRequest) -> bytes:
        try:
            worker = self._idle.get(timeout=self._timeout)
        except queue.Empty:
            raise EngineBusy("all query workers are busy; try again shortly") from None
        try:
            self._catch_up(worker)
            worker.connection.send(request)
            if not worker.connection.poll(self._timeout):
                self._replace(worker)
                worker = None
                raise QueryTimeout(f"the query was stopped after the time limit of {self._timeout:g} s")
            status, payload = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            if worker is not None:
                self._replace(worker)
                worker = None
            raise QueryOutOfMemory(
                "the query stopped its worker: it needed more than the memory limit of "
                f"{self._memory_limit // 2**20} MB or nested deeper than the engine allows"
            ) from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "too-large":
            raise QueryTooLarge(
                f"the result ({payload} bytes) exceeds the limit of {self._max_result_bytes} bytes; add a LIMIT"
            )
        raise QueryFailed(payload)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
