"""Repeated conditional requests answered before Flask: the cheap path for 304s.

Most of the cost of a ``304 Not Modified`` is not deciding it but the trip
through Flask (routing, negotiation, the hooks that add headers), about a
millisecond. A shared cache in front (nginx, a CDN) would answer a repeated
conditional request itself from what it saw the first time; this middleware
does the same inside the process: once the app has answered a request with a
304 that a shared cache may keep (``Cache-Control: public``), the same request
again (same method, path, query and every header but ``If-None-Match``) whose
``If-None-Match`` still holds that tag gets the same 304 without entering the
app, for as long as the dataset version is the same. A contribution accepted
by any process changes the version, and the next such request goes through the
app again. Requests with credentials (``Authorization``, cookies) always go
through the app.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from werkzeug.http import parse_etags, unquote_etag

from server.web.security import shown_path

log = logging.getLogger("mxus.access")

ENTRIES = 8192  # remembered 304s per dataset version (a few hundred bytes each)
PRIVATE = ("HTTP_AUTHORIZATION", "HTTP_COOKIE")
IGNORED = ("HTTP_IF_NONE_MATCH",)


class ConditionalShortcut:
    """WSGI middleware: the app's own 304 answers, replayed for the same request while the data is the same."""

    def __init__(self, app: Callable, version: Callable[[], str], entries: int = ENTRIES):
        self._app = app
        self._version_of = version
        self._entries = entries
        self._version: str | None = None
        self._answers: OrderedDict[bytes, tuple[str, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable):
        if not _eligible(environ):
            return self._app(environ, start_response)
        started = time.perf_counter()
        version = self._version_of()
        key = _request_key(environ)
        with self._lock:
            answer = self._answers.get(key) if version == self._version else None
            if answer is not None:
                self._answers.move_to_end(key)
        if answer is not None and parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains_weak(answer[0]):
            start_response("304 NOT MODIFIED", list(answer[1]))
            log.info("%s %s 304 %.1fms", environ["REQUEST_METHOD"],
                     shown_path(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")),
                     (time.perf_counter() - started) * 1000)
            return []

        def remembering(status: str, headers: list[tuple[str, str]], exc_info=None):
            if status.startswith("304"):
                self._remember(version, key, headers)
            return start_response(status, headers, exc_info)

        return self._app(environ, remembering)

    def _remember(self, version: str, key: bytes, headers: list[tuple[str, str]]) -> None:
        named = {name.lower(): value for name, value in headers}
        if "public" not in named.get("cache-control", "") or "etag" not in named:
            return
        if self._version_of() != version:  # the data changed while the app answered
            return
        tag, _weak = unquote_etag(named["etag"])
        if not tag:
            return
        with self._lock:
            if version != self._version:
                self._version = version
                self._answers.clear()
            self._answers[key] = (tag, list(headers))
            self._answers.move_to_end(key)
            while len(self._answers) > self._entries:
                self._answers.popitem(last=False)


def _eligible(environ: dict) -> bool:
    return (environ.get("REQUEST_METHOD") in ("GET", "HEAD") and "HTTP_IF_NONE_MATCH" in environ
            and not any(name in environ for name in PRIVATE))


def _request_key(environ: dict) -> bytes:
    """A digest of everything the answer may depend on: method, path, query and every header but the condition."""
    parts = [environ.get("REQUEST_METHOD", ""), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
             environ.get("QUERY_STRING", ""), environ.get("wsgi.url_scheme", ""),
             environ.get("CONTENT_TYPE", ""), environ.get("CONTENT_LENGTH", "")]
    parts += sorted(f"{name}={value}" for name, value in environ.items()
                    if name.startswith("HTTP_") and name not in IGNORED)
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogateescape"), digest_size=20).digest()
