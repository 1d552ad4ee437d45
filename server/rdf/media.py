"""One table of RDF and SPARQL-result media types.

Everything that turns a media type, a file extension or a short format name
into a parser or serializer goes through here, so the command line, the
validation service and the endpoint agree on what each format is called.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RdfFormat:
    name: str  # short name, used by --input-format and ?format=
    media_type: str
    rdflib_name: str
    extensions: tuple[str, ...]
    quads: bool = False  # can carry named graphs
    aliases: tuple[str, ...] = ()  # other media types seen in the wild


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "turtle", (".ttl",), aliases=("application/x-turtle",)),
    RdfFormat("trig", "application/trig", "trig", (".trig",), quads=True),
    RdfFormat("ntriples", "application/n-triples", "nt", (".nt",), aliases=("text/plain",)),
    RdfFormat("nquads", "application/n-quads", "nquads", (".nq",), quads=True),
    RdfFormat("jsonld", "application/ld+json", "json-ld", (".jsonld", ".json"), quads=True),
    RdfFormat("rdfxml", "application/rdf+xml", "xml", (".rdf", ".owl", ".xml")),
)


class UnknownFormat(ValueError):
    """Raised when a name, media type or extension names no RDF format we read."""


def rdf_format_by_name(name: str) -> RdfFormat:
    for fmt in RDF_FORMATS:
        if name.lower() in (fmt.name, fmt.rdflib_name):
            return fmt
    known = ", ".join(f.name for f in RDF_FORMATS)
    raise UnknownFormat(f"unknown RDF format {name!r} (known: {known})")


def rdf_format_for_media_type(media_type: str) -> RdfFormat:
    bare = media_type.split(";")[0].strip().lower()
    for fmt in RDF_FORMATS:
        if bare == fmt.media_type or bare in fmt.aliases:
            return fmt
    known = ", ".join(f.media_type for f in RDF_FORMATS)
    raise UnknownFormat(f"unsupported media type {bare!r} (supported: {known})")


def rdf_format_for_filename(filename: str) -> RdfFormat:
    lowered = filename.lower()
    for fmt in RDF_FORMATS:
        if lowered.endswith(fmt.extensions):
            return fmt
    known = ", ".join(ext for f in RDF_FORMATS for ext in f.extensions)
    raise UnknownFormat(
        f"cannot tell the RDF format of {filename!r} from its extension (known: {known}); use --input-format"
    )


# What a SPARQL answer can be sent as, by the form of the query.
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",  # what many HTTP clients ask for: answered as SPARQL JSON results
    "application/xml",
)
GRAPH_TYPES = (
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
)
