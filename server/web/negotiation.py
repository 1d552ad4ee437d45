"""Content negotiation: which media type to answer with, in one place.

Accept q-values are honoured (Werkzeug's best_match); an explicit format
(``?format=`` or a file extension) beats the Accept header; ``negotiate``
answers 406 when nothing offered is acceptable and 400 for a format that is
not offered. ``prefers_html`` is the one rule for when a page for people
answers instead of data. The formats themselves (names, extensions,
aliases) are the table in ``server.rdf.media``.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from server.rdf.media import FORMAT_NAMES, HTML, SPECIFIC
from server.web.errors import ApiError


class NotAcceptable(Exception):
    def __init__(self, offered: tuple[str, ...]):
        super().__init__("none of the offered media types is acceptable: " + ", ".join(offered))
        self.offered = offered


def _named(explicit: str) -> tuple[str, ...]:
    """The media types a ``?format=`` value may stand for: a short name or a media type."""
    value = explicit.lower().strip()
    return FORMAT_NAMES.get(value, (value,))


def negotiate_media_type(accept: MIMEAccept, offered: tuple[str, ...], explicit: str | None = None) -> str:
    """The media type to answer with; raises NotAcceptable (406) or ValueError (bad ``explicit``)."""
    if explicit:
        for media_type in _named(explicit):
            if media_type in offered:
                return SPECIFIC[media_type] if SPECIFIC.get(media_type) in offered else media_type
        raise ValueError(f"format {explicit!r} is not available here (available: {', '.join(offered)})")
    if not accept:  # no Accept header at all: the first offer
        return offered[0]
    best = without_parameters(accept).best_match(offered)
    if best is None:
        raise NotAcceptable(tuple(t for t in offered if t not in SPECIFIC))
    return SPECIFIC[best] if SPECIFIC.get(best) in offered else best


def without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """The Accept header with media-type parameters dropped (q kept).

    ``text/turtle;charset=utf-8`` asks for Turtle; Werkzeug would match it
    only against an offer carrying the same parameter.
    """
    return MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept])


def negotiate(accept: MIMEAccept, offered: tuple[str, ...], explicit: str | None = None) -> str:
    """``negotiate_media_type`` for a response: 406 when nothing offered is acceptable, 400 for a bad format."""
    try:
        return negotiate_media_type(accept, offered, explicit)
    except NotAcceptable as exc:
        raise ApiError(406, str(exc)) from None
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def prefers_html(accept: MIMEAccept, offered: tuple[str, ...], explicit: str | None = None) -> bool:
    """Whether a page for people answers rather than one of ``offered``.

    An explicit format decides (``html``); otherwise the Accept header must
    rate text/html above every offered type, as browsers do. ``*/*`` alone
    (curl, most libraries) rates them equally: the data, not the page.
    """
    if explicit:
        return HTML in _named(explicit)
    return accept.quality(HTML) > max((accept.quality(media_type) for media_type in offered), default=0)

