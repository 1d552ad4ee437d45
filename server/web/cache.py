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

    def __init__(self, version: Callable[[], str], entries: int = 4096):
        self._version_of = version
        self._entries = entries
        self._version: str | None = None
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        version = self._version_of()
        with self._lock:
            found = self._lookup(version, key)
            if found is not None:
                return found[0]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._lookup(version, key)
                if found is not None:
                    return found[0]
            try:
                value = build()
            except BaseException:  # nothing kept: the next request tries again
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                if self._version == version:
                    self._values[key] = value
                    while len(self._values) > self._entries:
                        self._values.popitem(last=False)
                self._building.pop(key, None)
            return value

    def _lookup(self, version: str, key: Hashable) -> tuple[Any] | None:
        """The value under ``key`` as a 1-tuple (a value may be None), dropping everything of an older version."""
        if version != self._version:
            self._version = version
            self._values.clear()
        if key not in self._values:
            return None
        self._values.move_to_end(key)
        return (self._values[key],)


def versioned_cache(concern: str, entries: int = 4096) -> VersionedCache:
    """This application's cache for ``concern`` (descriptions, void, sparql ...), made on first use."""
    app = state()
    cache = app.caches.get(concern)
    if cache is None:
        cache = app.caches.setdefault(concern, VersionedCache(lambda: app.store.version, entries))
    return cache
