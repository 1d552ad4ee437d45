"""Content negotiation: which media type to answer with, in one place.

Accept q-values are honoured (Werkzeug's best_match); an explicit format
(``?format=`` or a file extension) beats the Accept header; when nothing
offered is acceptable the caller answers 406.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",  # what many HTTP clients ask for: answered as SPARQL JSON results
    "application/xml",
)
# Generic types answered with the specific format they stand for.
SPECIFIC = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml"}
GRAPH_TYPES = (
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
)
HTML = "text/html"

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


def negotiate_media_type(accept: MIMEAccept, offered: tuple[str, ...], explicit: str | None = None) -> str:
    """The media type to answer with; raises NotAcceptable (406) or ValueError (bad ``explicit``)."""
    if explicit:
        candidates = FORMAT_NAMES.get(explicit.lower().strip(), (explicit.lower().strip(),))
        for media_type in candidates:
            if media_type in offered:
                return SPECIFIC[media_type] if SPECIFIC.get(media_type) in offered else media_type
        raise ValueError(f"format {explicit!r} is not available here (available: {', '.join(offered)})")
    if not accept:  # no Accept header at all: the first offer
        return offered[0]
    best = accept.best_match(offered)
    if best is None:
        raise NotAcceptable(tuple(t for t in offered if t not in SPECIFIC))
    return SPECIFIC[best] if SPECIFIC.get(best) in offered else best


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type in CHARSET_TYPES else media_type
