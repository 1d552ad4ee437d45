"""Repeated requests answered before Flask: the cheap path for what a shared cache could answer.

Most of the cost of a repeated request for a description, a page or a ``304
Not Modified`` is not building the answer (the descriptions are cached per
dataset version already) but the trip through Flask: routing, negotiation and
the hooks that add headers, about a millisecond. A shared cache in front
(nginx's ``proxy_cache``, a CDN) answers such requests itself; this middleware
does the same inside the process. Once the app has answered a ``GET`` or
``HEAD`` with something a shared cache may keep (``Cache-Control: public``,
an ETag; a 200 of at most ``RESPONSE_REPLAY_ENTRY_BYTES``, or a 304), the same
request again (same method, path, query and every header but
``If-None-Match``) gets the same answer without entering the app: the 304 when
its ``If-None-Match`` holds the remembered tag, else the 200. Everything is
remembered for one version only, made of what every ETag is made of (the
dataset's and the code's): a contribution accepted by any process changes it,
and the next request goes through the app again. Requests with credentials
(``Authorization``, cookies) always go through the app.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.http import parse_etags, unquote_etag

from server.web.security import log_access

PRIVATE = ("HTTP_AUTHORIZATION", "HTTP_COOKIE")
IGNORED = ("HTTP_IF_NONE_MATCH",)
DROPPED = ("expires",)  # Werkzeug's send_file sets it from the clock; Cache-Control's max-age says the same
ENTRY_OVERHEAD = 200  # bytes an entry costs beyond its strings: the key, the objects, the table's slot
HEADER_OVERHEAD = 120  # bytes a header costs beyond its characters: a tuple and two strings
MAX_ENTRIES = 20_000


@dataclass
class _Answer:
    """What the app answered to one request: its 200 and its 304, both of one representation."""

    tag: str = ""  # the representation's ETag without a content coding ("X" for "X:gzip")
    full: tuple[str, list, bytes, str] | None = None  # status, headers, body and ETag of the 200
    not_modified: tuple[list, str] | None = None  # headers and ETag of the 304

    def size(self) -> int:
        headers = [*(self.full[1] if self.full else []), *(self.not_modified[0] if self.not_modified else [])]
        return (ENTRY_OVERHEAD + (len(self.full[2]) if self.full else 0)
                + sum(len(name) + len(value) + HEADER_OVERHEAD for name, value in headers))


class ResponseReplay:
    """WSGI middleware: the app's own public answers, replayed for the same request while the version is the same."""

    def __init__(self, app: Callable, version: Callable[[], str], max_bytes: int, entry_bytes: int):
        self._app = app
        self._version_of = version
        self._max_bytes = max_bytes
        self._entry_bytes = entry_bytes
        self._bytes = 0
        self._version: str | None = None
        self._answers: OrderedDict[bytes, _Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable):
        if not _eligible(environ) or self._max_bytes <= 0:
            return self._app(environ, start_response)
        started = time.perf_counter()
        version = self._version_of()
        key = _request_key(environ)
        with self._lock:
            answer = self._answers.get(key) if version == self._version else None
            if answer is not None:
                self._answers.move_to_end(key)
        if answer is not None:
            condition = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
            # The tags the app takes as current (server.web.responses.Caching.current_tag): the plain one or a coded one.
            current = [tag for tag in condition.as_set(include_weak=True) if _plain(tag) == answer.tag]
            if not current and answer.full is not None:
                return self._replay(environ, start_response, *answer.full[:3], started)
            if current and answer.not_modified is not None and condition.contains_weak(answer.not_modified[1]):
                return self._replay(environ, start_response, "304 NOT MODIFIED", answer.not_modified[0], b"", started)

        seen: dict = {}

        def noting(status: str, headers: list[tuple[str, str]], exc_info=None):
            seen.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self._app(environ, noting)
        status, headers = seen.get("status", ""), seen.get("headers", [])
        tag = _public_tag(headers)
        if tag is None or self._version_of() != version:  # not for a shared cache, or the data changed meanwhile
            return body
        kept = [(name, value) for name, value in headers if name.lower() not in DROPPED]
        if status.startswith("304"):
            self._remember(version, key, tag, not_modified=(kept, tag))
        elif status.startswith("200") and _length(headers) is not None and _length(headers) <= self._entry_bytes:
            try:
                content = b"".join(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
            self._remember(version, key, tag, full=(status, kept, content, tag))
            return [content]
        return body

    def _replay(self, environ: dict, start_response: Callable, status: str, headers: list, body: bytes, started: float):
        start_response(status, list(headers))
        log_access(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                   status.split(" ", 1)[0], started)
        return [body] if body else []

    def _remember(self, version: str, key: bytes, tag: str, **parts) -> None:
        with self._lock:
            if version != self._version_of():  # answered for a version already gone: keep nothing
                return
            if version != self._version:
                self._version = version
                self._answers.clear()
                self._bytes = 0
            answer = self._answers.pop(key, None)
            if answer is not None:
                self._bytes -= answer.size()
            if answer is None or answer.tag != _plain(tag):
                answer = _Answer(_plain(tag))
            for name, value in parts.items():
                setattr(answer, name, value)
            self._answers[key] = answer
            self._bytes += answer.size()
            while (self._bytes > self._max_bytes or len(self._answers) > MAX_ENTRIES) and self._answers:
                self._bytes -= self._answers.popitem(last=False)[1].size()


def _eligible(environ: dict) -> bool:
    return environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not any(name in environ for name in PRIVATE)


def _public_tag(headers: list[tuple[str, str]]) -> str | None:
    """The ETag of an answer a shared cache may keep without asking again at once, or None."""
    named = {name.lower(): value for name, value in headers}
    control = {part.strip().lower() for part in named.get("cache-control", "").split(",")}
    if "public" not in control or control & {"max-age=0", "no-cache", "no-store"}:
        return None  # e.g. the contributions' pages: their ETags follow the records, not the dataset version
    if "etag" not in named or "set-cookie" in named:
        return None
    tag, _weak = unquote_etag(named["etag"])
    return tag or None


def _plain(tag: str) -> str:
    """The ETag without the content coding a compressed body adds to it ("X:gzip" -> "X")."""
    return tag.split(":", 1)[0]


def _length(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length" and value.isdigit():
            return int(value)
    return None


def _request_key(environ: dict) -> bytes:
    """A digest of everything the answer may depend on: method, path, query and every header but the condition."""
    parts = [environ.get("REQUEST_METHOD", ""), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
             environ.get("QUERY_STRING", ""), environ.get("wsgi.url_scheme", ""),
             environ.get("CONTENT_TYPE", ""), environ.get("CONTENT_LENGTH", "")]
    parts += sorted(f"{name}={value}" for name, value in environ.items()
                    if name.startswith("HTTP_") and name not in IGNORED)
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogateescape"), digest_size=20).digest()
