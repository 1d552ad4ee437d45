"""Content negotiation: which media type to answer with, in one place.

Accept q-values are honoured (Werkzeug's best_match); an explicit format
(``?format=`` or a file extension) beats the Accept header; ``negotiate``
answers 406 when nothing offered is acceptable and 400 for a format that is
not offered. ``prefers_html`` is the one rule for when a page for people
answers instead of data.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from server.rdf.media import GRAPH_TYPES, RESULT_TYPES  # noqa: F401  (the tables negotiation offers from)
from server.web.errors import ApiError

# Generic types answered with the specific format they stand for.
SPECIFIC = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml"}
HTML = "text/html"
# The four RDF syntaxes a description (of a resource, the dataset, the
# ontology, a contribution) is offered in, Turtle first.
DESCRIPTION_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
RDFLIB_SERIALIZERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


def serialize_as(graph, media_type: str) -> bytes:
    """An rdflib graph in one of the offered RDF media types.

    JSON-LD is compacted with the usual prefixes as an inline context, so a
    reader sees foaf:name rather than full IRIs, and no context is fetched.
    """
    if media_type == "application/ld+json":
        from server.rdf.namespaces import PREFIXES

        return graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")
    return graph.serialize(format=RDFLIB_SERIALIZERS[media_type], encoding="utf-8")

# ?format= values, each with the media types it can stand for in order of
# preference: "xml" is SPARQL XML results for SELECT but RDF/XML for
# CONSTRUCT, as clients such as SPARQLWrapper send it.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "srj": ("application/sparql-results+json",),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "srx": ("application/sparql-results+xml",),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "ttl": ("text/turtle",),
    "turtle": ("text/turtle",),
    "n3": ("text/turtle",),  # Turtle is a subset of N3: what an N3 client can read
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "rdf": ("application/rdf+xml",),
    "rdfxml": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "nq": ("application/n-quads",),
    "trig": ("application/trig",),
    "html": ("text/html",),
}
EXTENSIONS = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
EXTENSION_FOR = {media_type: ext for ext, media_type in EXTENSIONS.items()}

# Browsers and curl send */*; what they get by default comes first.
CHARSET_TYPES = {"text/turtle", "text/csv", "text/tab-separated-values", "application/n-triples", "text/html"}


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


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type in CHARSET_TYPES else media_type
