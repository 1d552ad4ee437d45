"""Response headers in one place: ETags, conditional requests, caching, Vary, Link.

A route says what a representation is (``Caching``: its ETag, how long it
may be cached, whether it varies by Accept, its alternates) and hands over
a function that builds the body; ``respond`` answers 304 when the client's
copy is current, with the same headers as the 200 would carry (RFC 9110
§15.4.5), and builds the body only otherwise.

The ETag names the dataset version (an accepted contribution changes it),
the code version (an upgrade changes what is served from the same data)
and the representation's parts (resource, format).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Response, request, send_file

from server.rdf.media import EXTENSIONS, HTML
from server.state import state

PACKAGE = Path(__file__).resolve().parents[1]  # server/
SOURCE_SUFFIXES = (".py", ".html", ".xml", ".css", ".js", ".txt", ".po")

# The content codings bodies may be compressed with (server.web.encoding), in the server's order of
# preference; a compressed body's ETag is the plain one with ":coding" (Flask-Compress's convention).
COMPRESSED_CODINGS = ("br", "gzip")

# How long a cache may keep an answer without asking again, in seconds.
DATA_MAX_AGE = 300  # descriptions, pages, the dumps: they change when a contribution is accepted
SITEMAP_MAX_AGE = 3600
STATIC_MAX_AGE = 86400  # robots.txt, favicon.ico


@functools.cache
def code_version() -> str:
    """The installed version of this package and a digest of its sources.

    The version alone is not enough: a checkout changed without a version
    bump (or an editable install) would go on serving the old ETags.
    """
    try:
        version = importlib.metadata.version("mxus-ld")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\x00" + path.read_bytes() + b"\x00")
    return f"{version}+{digest.hexdigest()[:16]}"


def etag_for(*parts: str) -> str:
    """The one ETag: changes when the data, the code or the representation changes."""
    text = "\x00".join((state().store.version, code_version(), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def add_vary(response: Response, name: str) -> None:
    """Add ``name`` to the response's Vary header, keeping what is there."""
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if name.lower() not in (v.lower() for v in present):
        response.headers["Vary"] = ", ".join([*present, name])


def alternates(path: str, page: str | None = None) -> str:
    """A Link header naming the RDF alternates of ``path`` (``path.ttl`` ...) and its page for people."""
    links = [f'<{path}{ext}>; rel="alternate"; type="{media}"' for ext, media in EXTENSIONS.items()]
    links.append(f'<{page or path}>; rel="alternate"; type="{HTML}"')
    return ", ".join(links)


@dataclass(frozen=True)
class Caching:
    """The headers a representation carries, on a 200 and on a 304 alike."""

    etag: str | None = None
    max_age: int | None = DATA_MAX_AGE
    vary_accept: bool = True  # negotiated: a cache must key on Accept
    link: str | None = None
    language: str | None = None  # a page in one language: Content-Language, Vary: Accept-Language

    def apply(self, response: Response) -> Response:
        if self.etag is not None:
            response.set_etag(self.etag)
        if self.vary_accept:
            add_vary(response, "Accept")
        if self.link is not None:
            response.headers["Link"] = self.link
        if self.language is not None:
            response.headers["Content-Language"] = self.language
            add_vary(response, "Accept-Language")
        if self.max_age is not None:
            response.headers["Cache-Control"] = f"public, max-age={self.max_age}"
        return response

    def is_current(self) -> bool:
        """Whether the client's copy (If-None-Match, weak or strong) is this representation."""
        return self.current_tag() is not None

    def current_tag(self) -> str | None:
        """The tag of the client's copy when it is current: the ETag, or that of a body compressed with a
        coding the request accepts ("X:gzip"), whose 304 must carry that tag; None when it is not."""
        if self.etag is None:
            return None
        codings = [coding for coding in COMPRESSED_CODINGS if request.accept_encodings[coding]]
        for tag in (self.etag, *(f"{self.etag}:{coding}" for coding in codings)):
            if request.if_none_match.contains_weak(tag):
                return tag
        return None


def respond(caching: Caching, build: Callable[[], Response]) -> Response:
    """304 Not Modified when the client's copy is current, else what ``build`` makes; the headers of ``caching`` on both."""
    tag = caching.current_tag()
    if tag is not None:
        response = caching.apply(Response(status=304))
        response.set_etag(tag)
        return response
    return caching.apply(build())


def negotiated(response: Response) -> Response:
    """A response whose content was chosen by the Accept header, not cached by us."""
    return Caching(max_age=None).apply(response)


def send_cached_file(path: Path, mimetype: str, download_name: str, as_attachment: bool, caching: Caching) -> Response:
    """A file with Range, If-Range and conditional requests (Werkzeug's), and the headers of ``caching``."""
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=True,
        etag=caching.etag if caching.etag is not None else True,
        max_age=caching.max_age,
    )
    return Caching(etag=None, max_age=caching.max_age, vary_accept=caching.vary_accept, link=caching.link).apply(response)
