"""Two lanes of query workers, so that what the public asks never takes what the site needs.

Pages, /data, VoID, dumps and validation read the store through the
"site" lane; queries typed by anyone (/sparql, the query page) through
the "public" lane. Public queries take only public workers; site queries
take a site worker first (reserved: no public query ever holds one) and
borrow an idle public worker when theirs are busy. A runaway query sent by
anonymous clients can then fill the public lane, never the site's.

A public query that has run past ``DEMOTE_AFTER`` seconds is demoted (a
lower CPU priority) so that light queries and the site keep the CPU; a
worker gets its normal priority back before its next query, or, where the
system does not let this process raise a priority again (not root), is
replaced by a fresh one. When a public query finds no free worker, the
oldest of these long queries is stopped (503 with Retry-After to its
client) and the waiting one takes the fresh worker started in its place.
"""

from __future__ import annotations

import os
import threading
import time

SITE, PUBLIC = "site", "public"
DEMOTE_AFTER = 1.0  # seconds a public query runs at normal priority
DEMOTED_NICENESS = 10
SHED_CHECK = 0.2  # seconds between looks for a long query to stop, while a public query waits
REPLACEMENT_WAIT = 5.0  # seconds a query that stopped a long one waits for the worker started in its place (forked: ms)


class IdleWorkers:
    """The idle workers of both lanes, each taken last in, first out (warm caches)."""

    def __init__(self):
        self._ready = threading.Condition()
        self._workers: list = []  # each with a ``lane``
        self._closed = False

    def close(self) -> None:
        """No worker will be taken any more: whoever waits for one gets None at once."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    @property
    def queue(self) -> list:
        """The idle workers, most recently returned last."""
        with self._ready:
            return list(self._workers)

    def qsize(self) -> int:
        with self._ready:
            return len(self._workers)

    def put(self, worker) -> None:
        with self._ready:
            self._workers.append(worker)
            self._ready.notify_all()

    def take(self, public: bool, timeout: float):
        """An idle worker this lane may use, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while True:
                if self._closed:
                    return None
                worker = self._pick(public)
                if worker is not None:
                    self._workers.remove(worker)
                    return worker
                left = deadline - time.monotonic()
                if left <= 0 or not self._ready.wait(left):
                    if self._pick(public) is None:
                        return None

    def _pick(self, public: bool):
        for lane in ((PUBLIC,) if public else (SITE, PUBLIC)):
            for worker in reversed(self._workers):
                if worker.lane == lane:
                    return worker
        return None

    def take_all(self, count: int, timeout: float) -> list | None:
        """``count`` workers, of either lane (to stop them all); None, with none taken, after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while len(self._workers) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._ready.wait(left)
            taken, self._workers = self._workers[:count], self._workers[count:]
            return taken

    def take_nowait(self):
        with self._ready:
            return self._workers.pop() if self._workers else None


class LongQueries:
    """The public queries running past ``DEMOTE_AFTER``, oldest first: the first to yield when
    queries wait for a worker. A runaway query then costs a worker restart, not everyone's turn."""

    def __init__(self):
        self._lock = threading.Lock()
        self._workers: list = []

    def add(self, worker) -> None:
        with self._lock:
            self._workers.append(worker)

    def remove(self, worker) -> bool:
        """No longer running; True when it was stopped to make room (then it must not be reused)."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            return worker.shed

    def shed_oldest(self) -> bool:
        """Stop the oldest long query not stopped yet (its worker is replaced); False when there is none."""
        with self._lock:
            for worker in self._workers:
                if not worker.shed:
                    worker.shed = True
                    worker.process.kill()
                    return True
        return False


def _own_niceness() -> int:
    try:
        return os.getpriority(os.PRIO_PROCESS, 0)
    except (OSError, AttributeError):
        return 0


def demote(pid: int) -> None:
    """Give a long-running worker a lower CPU priority (allowed to any user)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, _own_niceness() + DEMOTED_NICENESS))
    except (OSError, AttributeError):
        pass  # gone already, or no priorities here: it keeps running as it was


def restore(pid: int) -> bool:
    """The worker back at normal priority; False when this process may not raise it (not root)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, _own_niceness())
        return True
    except (OSError, AttributeError):
        return False
