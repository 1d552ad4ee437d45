"""Reading a submitted body as RDF: the rules shared by /validate and /contributions.

Both answer the same bad input the same way: 400 for an empty or
unparseable body (with line and column), 415 for a media type we do not
read, 413 for a body over MAX_BODY_BYTES or too many triples, 422 for
statements about our ontology or shapes. Parsing itself never touches the
network (see parsing.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from werkzeug.exceptions import RequestEntityTooLarge

from server.publication.validation import ValidationReport, validate_submission
from server.rdf.media import UnknownFormat, rdf_format_for_media_type
from server.rdf.parsing import RdfInputError, parse_rdf, union_graph
from server.store.engine import QueryFailed
from server.web.errors import ApiError

PROTECTED_NAMESPACES = ("https://w3id.org/mxus/ontology", "https://w3id.org/mxus/shapes")


@dataclass
class Submission:
    graph: Graph
    media_type: str
    sha256: str


def request_body(request, max_bytes: int) -> bytes:
    """The raw body of ``request``; 413 naming the limit when it is larger than ``max_bytes``.

    A body without Content-Length (chunked) is read one byte past the limit:
    Werkzeug stops such a stream at the limit without an error, which would
    silently store a truncated submission.
    """
    try:
        if request.content_length is None and request.method == "POST":
            body = request.stream.read(max_bytes + 1)
            if len(body) > max_bytes or request.stream.read(1):
                raise ApiError(413, too_large_message(max_bytes))
            return body
        return request.get_data()
    except RequestEntityTooLarge:
        raise ApiError(413, too_large_message(max_bytes)) from None


def too_large_message(max_bytes: int) -> str:
    return f"the request body is larger than the limit of {max_bytes} bytes (MAX_BODY_BYTES); split the submission"


def read_submission(
    body: bytes,
    media_type: str | None,
    max_triples: int,
    source: str = "request body",
    incoming: Callable[[str], str] | None = None,
) -> Submission:
    """Parse and check a submitted body.

    ``incoming`` maps the served base back to the canonical one (the
    Rewriter's), so a client that names things by the URLs the server gave
    it (http://HOST:PORT/id/...) adds statements about the dataset's own
    resources, and cannot get past the ontology check by using them. The
    checksum is of the body as received.
    """
    if not media_type:
        raise ApiError(415, "the request has no Content-Type: send text/turtle, application/trig, application/n-triples, application/n-quads, application/ld+json or application/rdf+xml")
    try:
        fmt = rdf_format_for_media_type(media_type)
    except UnknownFormat as exc:
        raise ApiError(415, str(exc)) from None
    if not body.strip():
        raise ApiError(400, "the request body is empty")
    checksum = hashlib.sha256(body).hexdigest()
    if incoming is not None:
        try:
            body = incoming(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            pass  # parse_rdf reports where the input stops being UTF-8
    try:
        graph = union_graph(parse_rdf(body, fmt, source))
    except RdfInputError as exc:
        raise ApiError(400, str(exc)) from None
    if len(graph) > max_triples:
        raise ApiError(413, f"the submission has {len(graph)} triples; the limit is {max_triples}")
    refuse_redefinitions(graph)
    return Submission(graph, fmt.media_type, checksum)


# pySHACL evaluates SPARQL-based constraints with rdflib's SPARQL parser, a
# pyparsing grammar that is not thread-safe: two validations parsing at once
# in the threaded server fail with TypeError (Param.postParse2() missing ...).
# Validation is CPU-bound Python, so serializing it costs no throughput.
_VALIDATION_LOCK = threading.Lock()


def validate_in_context(graph: Graph, context) -> ValidationReport:
    """``validate_submission`` against the store's data (a contributions.ValidationContext), one at a time per process."""
    with _VALIDATION_LOCK:
        try:
            return validate_submission(graph, context.published, context.around)
        except QueryFailed as exc:  # the data around the submission could not be read from the store
            raise ApiError(
                exc.status,
                f"{exc}: the submission could not be validated against the published data, "
                "and nothing was stored; send it again later",
            ) from None


# Predicates and classes that make a statement about a vocabulary rather
# than about the data: a contribution may use terms, never define them.
SCHEMA_PREDICATES = {
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf, OWL.disjointWith, OWL.propertyDisjointWith,
    OWL.unionOf, OWL.intersectionOf, OWL.complementOf, OWL.onProperty, OWL.imports,
}
SCHEMA_CLASSES = {
    OWL.Class, RDFS.Class, RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
    OWL.Restriction, OWL.Ontology, OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
}
SHACL = "http://www.w3.org/ns/shacl#"


def refuse_redefinitions(graph: Graph) -> None:
    """A contribution adds statements about the data, never about vocabularies or shapes."""
    for subject, predicate, obj in graph:
        about_ours = isinstance(subject, URIRef) and str(subject).startswith(PROTECTED_NAMESPACES)
        points_at_ours = predicate != RDF.type and isinstance(obj, URIRef) and str(obj).startswith(PROTECTED_NAMESPACES)
        if about_ours or points_at_ours:
            term = subject if about_ours else obj
            raise ApiError(
                422,
                f"the submission makes a statement about <{term}>, a term of the mxus ontology or shapes; "
                "those are maintained in the repository, not by contribution",
            )
        if predicate in SCHEMA_PREDICATES or str(predicate).startswith(SHACL) or (predicate == RDF.type and obj in SCHEMA_CLASSES):
            raise ApiError(
                422,
                f"the submission defines vocabulary (<{subject}> <{predicate}> <{obj}>); a contribution may use "
                "terms but not define classes, properties or shapes",
            )
