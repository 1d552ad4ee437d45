"""Query execution in a pool of worker processes.

pyoxigraph cannot cancel a running query and a Python signal is handled
only after it returns, so each query runs in a separate process that the
server can kill: past the time limit the worker is killed (its CPU freed at
once) and replaced, and a worker that runs out of its memory limit dies
alone instead of taking the server down. Other requests keep being served
by the other workers meanwhile.

Each worker is forked from a process that loaded the published files once
(``server.store.zygote``): it starts with that store as it is in memory, copy
on write, and parses nothing; with an on-disk store (``StorePlan.path``) it
opens the store read-only: then additions are written by this process while
no worker has it open.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from server.store.lanes import DEMOTE_AFTER, PUBLIC, REPLACEMENT_WAIT, SHED_CHECK, SITE, IdleWorkers, LongQueries, demote, restore
from server.store.zygote import Zygote
from server.store.errors import (EngineBusy, LoadFailed, QueryFailed, QueryOutOfMemory, QueryShed, QuerySyntaxError,
                                 QueryTimeout, QueryTooLarge)

log = logging.getLogger(__name__)
WRITES_WAITED = 3  # on-disk writes a site query waits out before it is answered 503


@dataclass(frozen=True)
class StorePlan:
    """What a worker loads at start: the published files, each into its graph (see server.store.graphs)."""

    files: tuple  # of server.store.graphs.GraphFile
    path: str | None = None  # an on-disk store the workers open read-only (server.store.graphs.disk_store)
    version: str = ""  # of the files: the on-disk store is reloaded when it changes


@dataclass(frozen=True)
class QueryRequest:
    text: str
    media_type: str  # of the answer: a results format or an RDF format
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...] | None
    base_iri: str | None = None  # relative IRIs in the query resolve against it


class _Worker:
    """A query worker, forked by the zygote (``server.store.zygote``), over a socket pair."""

    def __init__(self, zygote: Zygote, plan: StorePlan, additions: bytes, memory_limit: int, max_result_bytes: int,
                 applied: int = 0, lane: str = PUBLIC):
        self.lane = lane  # which requests it serves (server.store.lanes)
        self.applied = applied  # how many of the pool's later additions this worker has loaded
        self.process, self.connection = zygote.fork()
        self.connection.send((plan, additions, memory_limit, max_result_bytes))
        self.failure = ""  # why it could not load the store
        self.shed = False  # stopped to free it for waiting queries

    def wait_ready(self, timeout: float) -> bool:
        try:
            if not self.connection.poll(timeout):
                return False
            status, details = self.connection.recv()
        except (EOFError, OSError):
            return False
        if status == "failed":
            self.failure = details
            return False
        self.network_isolated = bool(details and details.get("network_isolated"))
        return status == "ready"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.connection.close()

    def release(self, timeout: float) -> bool:
        """Close its on-disk store for a write (and keep the process); False when it did not."""
        try:
            self.connection.send(("close",))
            return self.connection.poll(timeout) and self.connection.recv()[0] == "closed"
        except (EOFError, OSError):
            return False

    def reopen(self, timeout: float) -> bool:
        """Open the on-disk store again after a write; False when it did not."""
        try:
            self.connection.send(("reopen",))
        except OSError:
            return False
        return self.wait_ready(timeout)


class QueryPool:
    """The workers, in two lanes (server.store.lanes), each taken last-in-first-out; additions
    (contributions) reach every one of them."""

    def __init__(self, plan: StorePlan, nquads: bytes, workers: int, timeout: float, memory_limit_mb: int, max_result_bytes: int,
                 site_workers: int = 0, public_wait: float | None = None):
        """``plan``: the published files; ``nquads``: more quads loaded after them (contributions).

        ``workers`` serve public queries (and the site when its own are busy); ``site_workers``
        are reserved for the site's queries. A public query waits at most ``public_wait`` seconds
        for a worker (default: the time limit)."""
        self._plan = plan
        self._timeout = timeout
        self._memory_limit = memory_limit_mb * 1024 * 1024
        self._max_result_bytes = max_result_bytes
        self._public_wait = timeout if public_wait is None else public_wait
        # Last in, first out: at low load the same worker answers query after
        # query with its copy of the store warm in the CPU caches (alternating
        # between two copies made a count over 100k triples twice as slow).
        self._idle = IdleWorkers()
        self._long = LongQueries()
        self._closed = False
        self._additions: list[bytes] = []  # loaded by each worker before its next query (in memory)
        self._additions_lock = threading.Lock()
        self._lanes = [PUBLIC] * max(1, workers) + [SITE] * site_workers
        self._size = len(self._lanes)
        self._writing = threading.Lock()
        # On disk: additions not written yet, numbered as they come, and the number of the last written.
        self._unwritten: list[bytes] = []
        self._queued = self._written = 0
        if plan.path:
            from server.store.graphs import prepare_disk_store

            if prepare_disk_store(plan.path, list(plan.files), plan.version, nquads):
                log.info("published files loaded into the store at %s", plan.path)
        elif nquads:
            self._additions.append(nquads)
        self._zygote = Zygote(plan, self._memory_limit)  # LoadFailed when the published files cannot be loaded
        try:
            self._start_all(LoadFailed)
        except BaseException:
            self._zygote.close()
            raise

    def _start_all(self, failure=QueryFailed) -> None:
        started = [self._start_worker(lane) for lane in self._lanes]
        for worker in started:
            if not worker.wait_ready(600):
                for other in started:
                    other.kill()
                raise failure(worker.failure or "a query worker failed to start")
        for worker in started:
            self._idle.put(worker)
        self.network_isolated = all(worker.network_isolated for worker in started)
        if not self.network_isolated:
            log.warning("query workers could not be isolated from the network (no user namespaces); "
                        "SERVICE is still refused before execution")

    def _start_worker(self, lane: str) -> _Worker:
        with self._additions_lock:
            additions = list(self._additions)
        return _Worker(self._zygote, self._plan, b"".join(additions), self._memory_limit, self._max_result_bytes,
                       len(additions), lane)

    def add(self, nquads: bytes) -> None:
        """Add quads for every worker, current and future (loaded before its next query)."""
        if self._plan.path:
            self._write_to_disk_store(nquads)
            return
        with self._additions_lock:
            self._additions.append(nquads)

    def _write_to_disk_store(self, nquads: bytes) -> None:
        """Every worker closes the store, the write, they open it again: an on-disk store has one writer
        and then no readers.

        Additions are contributions and decisions, rare and small; queries
        arriving meanwhile wait for the workers (a fraction of a second).
        Additions that arrive during a write are written together by the next.
        """
        from server.store.graphs import add_to_disk_store

        with self._additions_lock:
            self._unwritten.append(nquads)
            mine = self._queued = self._queued + 1
        with self._writing:
            if self._written >= mine:
                return  # written with an earlier batch
            with self._additions_lock:
                batch, self._unwritten, upto = self._unwritten, [], self._queued
            drained = self._idle.take_all(self._size, self._timeout + 60)  # both lanes
            if drained is None:
                with self._additions_lock:
                    self._unwritten[:0] = batch
                raise QueryFailed("the query workers stayed busy: the addition could not be written") from None
            released, lost = [], []
            for worker in drained:
                if worker.release(self._timeout):
                    released.append(worker)
                else:
                    worker.kill()
                    lost.append(worker.lane)
            try:
                add_to_disk_store(self._plan.path, b"".join(batch))
                self._written = upto
            finally:
                self._reopen_all(released, lost)

    def _reopen_all(self, released: list[_Worker], lost: list[str]) -> None:
        """After a write: the workers that closed the store open it again (no new process, no imports:
        a write costs less than restarting them); any that cannot are started again in their lanes,
        as are the ``lost`` ones."""
        reopened, missing = [], list(lost)
        for worker in released:
            if worker.reopen(600):
                reopened.append(worker)
            else:
                worker.kill()
                missing.append(worker.lane)
        started = [self._start_worker(lane) for lane in missing]
        for worker in started:
            if not worker.wait_ready(600):
                for other in started + reopened:
                    other.kill()
                raise QueryFailed(worker.failure or "a query worker failed to start")
        for worker in reopened + started:
            self._idle.put(worker)

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
            try:
                fresh = self._start_worker(worker.lane)
            except (QueryFailed, OSError) as exc:  # the pool was closed meanwhile, or no worker could be forked
                if not self._closed:
                    log.error("a query worker could not be replaced (its lane is one short): %s", exc)
                return
            if fresh.wait_ready(600) and not self._closed:
                self._idle.put(fresh)
            else:
                fresh.kill()

        threading.Thread(target=start, daemon=True).start()

    def _take_public(self) -> _Worker | None:
        """A public worker within ``public_wait`` seconds; meanwhile, as soon as a query has run long,
        it is stopped to make room and the worker started in its place is awaited (``REPLACEMENT_WAIT``)."""
        deadline = time.monotonic() + self._public_wait
        while True:
            if self._long.shed_oldest():
                return self._idle.take(True, max(deadline - time.monotonic(), REPLACEMENT_WAIT))
            worker = self._idle.take(True, min(SHED_CHECK, max(0.0, deadline - time.monotonic())))
            if worker is not None or self._closed or time.monotonic() >= deadline:
                return worker

    def _take_site(self) -> _Worker | None:
        """A worker for the site's own query within ``timeout`` seconds, not counting on-disk writes.

        A write to an on-disk store stops every worker and starts new ones, which on a busy machine
        takes longer than a query may wait; a validation or a page waiting meanwhile waits for the
        write to end and then for a worker again, at most ``WRITES_WAITED`` times.
        """
        worker = self._idle.take(False, self._timeout)
        for _ in range(WRITES_WAITED):
            if worker is not None or not self._writing.locked():
                break
            with self._writing:  # the write ends (bounded by its own drain and start limits)
                pass
            worker = self._idle.take(False, self._timeout)
        return worker

    def run(self, request: QueryRequest | tuple, timeout: float | None = None, public: bool = False) -> bytes:
        """A query's answer; or, for a ``("dump", ...)`` request, b"" once the worker wrote the file.

        ``public``: a query someone sent (the public lane), demoted after a second of CPU."""
        timeout = self._timeout if timeout is None else timeout
        worker = None if self._closed else self._take_public() if public else self._take_site()
        if self._closed:  # no worker will come back: say so now rather than after the queue's wait
            if worker is not None:
                worker.kill()
            stopping = EngineBusy("the server is shutting down: try again shortly")
            stopping.retry_after = 1
            raise stopping
        if worker is None:
            busy = EngineBusy("all query workers are busy; try again shortly")
            busy.retry_after = max(1, round(self._public_wait if public else self._timeout))
            raise busy
        demoted, taken = False, worker
        try:
            try:
                self._catch_up(worker)
            except QueryFailed:  # its reply may still come: it must not answer the next query with it
                self._replace(worker)
                worker = None
                raise
            worker.connection.send(request)
            if public and timeout > DEMOTE_AFTER and not worker.connection.poll(DEMOTE_AFTER):
                demote(worker.process.pid)
                demoted = True
                self._long.add(worker)
            if not worker.connection.poll(timeout - DEMOTE_AFTER if demoted else timeout):
                self._replace(worker)
                worker = None
                raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s")
            status, payload = worker.connection.recv()
            if demoted and not restore(worker.process.pid):
                self._replace(worker)  # may not be raised again here: a fresh one at normal priority
                worker = None
        except (EOFError, OSError, BrokenPipeError):
            shed = worker is not None and worker.shed
            if worker is not None:
                self._replace(worker)
                worker = None
            if shed:
                raise QueryShed(f"the query ran longer than {DEMOTE_AFTER:g} s while others waited for a worker: it was "
                                "stopped to make room (long queries yield when the endpoint is busy); try again later") from None
            raise QueryOutOfMemory(
                "the query stopped its worker: it needed more than the memory limit of "
                f"{self._memory_limit // 2**20} MB or nested deeper than the engine allows"
            ) from None
        finally:
            if demoted and self._long.remove(taken) and worker is not None:
                self._replace(worker)  # stopped to make room just as it answered: the answer stands
                worker = None
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
        self._idle.close()  # queries waiting for a worker stop waiting
        while (worker := self._idle.take_nowait()) is not None:
            worker.kill()
        self._zygote.close()
