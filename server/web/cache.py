"""One cache mechanism: what was built from one version of the dataset, per application.

Everything cached here (serialized descriptions, VoID counts, dumps, the
sitemap, the size of the default graph) is a function of the data the
store holds, so an entry is good exactly as long as ``store.version`` is:
when an accepted contribution changes the version, the whole cache is
dropped. Caches live in the application's state (``AppState.caches``), so
nothing outlives an app, and two apps never share an entry (their bodies
carry their own served base).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from server.state import state


class VersionedCache:
    """Values by key for one dataset version, least recently used out first, thread-safe.

    A value is built once: concurrent requests for the same missing key wait
    for the first one's build rather than repeating it (a dump takes seconds).
    """

    def __init__(self, version: Callable[[], str], entries: int = 4096, max_bytes: int | None = None):
        """``max_bytes``: the values are bytes and their total size is bounded too; a larger one is never kept."""
        self._version_of = version
        self._entries = entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._version: str | None = None
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any], coalesce: bool = True) -> Any:
        """The value under ``key``, built when missing.

        ``coalesce`` False: concurrent requests for a missing key each build it, rather than wait for
        the first (a user's query must meet its client's limits, not queue unseen behind another's).
        """
        version = self._version_of()
        with self._lock:
            found = self._lookup(version, key)
            if found is not None:
                return found[0]
            building = self._building.setdefault(key, threading.Lock()) if coalesce else threading.Lock()
        with building:
            with self._lock:
                found = self._lookup(version, key)
                if found is not None:
                    return found[0]
            try:
                value = build()
            except BaseException:  # nothing kept: the next request tries again
                with self._lock:
                    if coalesce:
                        self._building.pop(key, None)
                raise
            with self._lock:
                if self._version == version and self._fits(value):
                    if key in self._values:  # built twice at once (coalesce False)
                        self._bytes -= self._size(self._values[key])
                    self._values[key] = value
                    self._bytes += self._size(value)
                    while len(self._values) > self._entries or (self._max_bytes and self._bytes > self._max_bytes):
                        self._bytes -= self._size(self._values.popitem(last=False)[1])
                if coalesce:
                    self._building.pop(key, None)
            return value

    def _lookup(self, version: str, key: Hashable) -> tuple[Any] | None:
        """The value under ``key`` as a 1-tuple (a value may be None), dropping everything of an older version."""
        if version != self._version:
            self._version = version
            self._values.clear()
            self._bytes = 0
        if key not in self._values:
            return None
        self._values.move_to_end(key)
        return (self._values[key],)


    def _size(self, value) -> int:
        return len(value) if self._max_bytes else 0

    def _fits(self, value) -> bool:
        return not self._max_bytes or self._size(value) <= self._max_bytes


def versioned_cache(concern: str, entries: int = 4096, max_bytes: int | None = None) -> VersionedCache:
    """This application's cache for ``concern`` (descriptions, void, sparql ...), made on first use."""
    app = state()
    cache = app.caches.get(concern)
    if cache is None:
        cache = app.caches.setdefault(concern, VersionedCache(lambda: app.store.version, entries, max_bytes))
    return cache
