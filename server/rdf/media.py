"""The one table of media types: RDF syntaxes, SPARQL result formats, HTML.

Everything that turns a media type, a file extension or a short format name
(``?format=``, ``--input-format``) into a parser, a serializer or a
Content-Type goes through here, so the command line, the validation
service, the endpoint and the pages agree on what each format is called.
Content negotiation (the algorithm) is ``server.web.negotiation``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from server.rdf.namespaces import FORMATS, PREFIXES


@dataclass(frozen=True)
class RdfFormat:
    name: str  # the name --input-format takes
    media_type: str
    rdflib_name: str
    extensions: tuple[str, ...]  # the first is the one URLs use (/data/x.ttl, /ontology.rdf)
    label: str
    w3c_name: str  # in http://www.w3.org/ns/formats/
    short_names: tuple[str, ...]  # what ?format= takes for it
    quads: bool = False  # can carry named graphs
    aliases: tuple[str, ...] = ()  # other media types seen in the wild
    description: bool = False  # one of the four syntaxes every description is offered in
    charset: bool = False  # a text type whose Content-Type names its charset


# Turtle first: what a client asking for "RDF" gets.
RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "turtle", (".ttl",), "Turtle", "Turtle", ("ttl", "turtle", "n3"),
              aliases=("application/x-turtle",), description=True, charset=True),
    RdfFormat("jsonld", "application/ld+json", "json-ld", (".jsonld", ".json"), "JSON-LD", "JSON-LD",
              ("jsonld", "json-ld", "json"), quads=True, description=True),
    RdfFormat("ntriples", "application/n-triples", "nt", (".nt",), "N-Triples", "N-Triples",
              ("nt", "ntriples", "n-triples"), aliases=("text/plain",), description=True, charset=True),
    RdfFormat("rdfxml", "application/rdf+xml", "xml", (".rdf", ".owl", ".xml"), "RDF/XML", "RDF_XML",
              ("rdf", "rdfxml", "rdf+xml", "xml"), description=True),
    RdfFormat("nquads", "application/n-quads", "nquads", (".nq",), "N-Quads", "N-Quads", ("nq",), quads=True),
    RdfFormat("trig", "application/trig", "trig", (".trig",), "TriG", "TriG", ("trig",), quads=True),
)
# "n3" is Turtle because Turtle is the subset of N3 an N3 client can read; "json" and "xml"
# name SPARQL results for a SELECT and RDF for a CONSTRUCT, as clients such as SPARQLWrapper send them.


@dataclass(frozen=True)
class ResultFormat:
    media_type: str
    label: str
    w3c_name: str | None
    short_names: tuple[str, ...]
    charset: bool = False
    generic_for: str | None = None  # a generic type answered as this specific one


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("application/sparql-results+json", "SPARQL JSON", "SPARQL_Results_JSON", ("json", "srj")),
    ResultFormat("application/sparql-results+xml", "SPARQL XML", "SPARQL_Results_XML", ("xml", "srx")),
    ResultFormat("text/csv", "CSV", "SPARQL_Results_CSV", ("csv",), charset=True),
    ResultFormat("text/tab-separated-values", "TSV", "SPARQL_Results_TSV", ("tsv",), charset=True),
    # What many HTTP clients ask for: answered as SPARQL results.
    ResultFormat("application/json", "JSON", None, (), generic_for="application/sparql-results+json"),
    ResultFormat("application/xml", "XML", None, (), generic_for="application/sparql-results+xml"),
)

HTML = "text/html"
JSON = "application/json"  # our own JSON documents (contributions, search results), not SPARQL results
OPENSEARCH = "application/opensearchdescription+xml"  # an OpenSearch 1.1 description (/opensearch.xml)


@dataclass(frozen=True)
class CitationFormat:
    """A reference-manager format a citation is offered in (/cite/article/{slug}.bib ...)."""

    name: str
    extension: str
    media_type: str
    label: str


CITATION_FORMATS: tuple[CitationFormat, ...] = (
    CitationFormat("bibtex", ".bib", "application/x-bibtex", "BibTeX"),
    CitationFormat("ris", ".ris", "application/x-research-info-systems", "RIS"),
    CitationFormat("csl-json", ".json", "application/vnd.citationstyles.csl+json", "CSL-JSON"),
)

# What a SPARQL answer can be sent as, by the form of the query.
RESULT_TYPES = tuple(f.media_type for f in RESULT_FORMATS)
GRAPH_TYPES = tuple(f.media_type for f in RDF_FORMATS)
# The four RDF syntaxes a description (of a resource, the dataset, the ontology, a contribution) is offered in.
DESCRIPTION_FORMATS = tuple(f for f in RDF_FORMATS if f.description)
DESCRIPTION_TYPES = tuple(f.media_type for f in DESCRIPTION_FORMATS)
# The extension a description's URL takes (/data/x.ttl), by media type and back.
EXTENSIONS = {f.extensions[0]: f.media_type for f in DESCRIPTION_FORMATS}
# Generic types, each answered with the specific type it stands for.
SPECIFIC = {f.media_type: f.generic_for for f in RESULT_FORMATS if f.generic_for}
CHARSET_TYPES = frozenset(
    [f.media_type for f in (*RDF_FORMATS, *RESULT_FORMATS) if f.charset] + [HTML]
    + [f.media_type for f in CITATION_FORMATS if f.name != "csl-json"]  # text; JSON is UTF-8 by definition
)
# W3C format IRIs of everything /sparql can answer with (its service description).
SPARQL_FORMATS = tuple(FORMATS[f.w3c_name] for f in (*RESULT_FORMATS, *RDF_FORMATS) if f.w3c_name)


def _format_names() -> dict[str, tuple[str, ...]]:
    """``?format=`` values, each with the media types it can stand for, results before RDF."""
    names: dict[str, tuple[str, ...]] = {}
    for fmt in (*RESULT_FORMATS, *RDF_FORMATS):
        for short in fmt.short_names:
            names[short] = names.get(short, ()) + (fmt.media_type,)
    names["html"] = (HTML,)
    return names


FORMAT_NAMES = _format_names()


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


def content_type(media_type: str) -> str:
    """The Content-Type header for ``media_type``: text types name their charset."""
    return f"{media_type}; charset=utf-8" if media_type in CHARSET_TYPES else media_type


def serialize_as(graph: Graph, media_type: str) -> bytes:
    """An rdflib graph in one of the RDF media types.

    JSON-LD is compacted with the usual prefixes as an inline context, so a
    reader sees foaf:name rather than full IRIs, and no context is fetched.
    A graph without named graphs in N-Quads is its N-Triples (every triple
    line is a quad of the default graph); rdflib refuses it otherwise.
    """
    fmt = rdf_format_for_media_type(media_type)
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")
    if fmt.name == "nquads" and not graph.context_aware:
        return graph.serialize(format="nt", encoding="utf-8")
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")
