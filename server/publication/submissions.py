"""Reading a submitted body as RDF: the rules shared by /validate and /contributions.

Both answer the same bad input the same way: 400 for an empty or
unparseable body (with line and column), 415 for a media type we do not
read, 413 for a body over MAX_BODY_BYTES or too many triples, 422 for
statements about our ontology or shapes. Parsing itself never touches the
network (see parsing.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from server.publication.errors import InputRefused
from server.rdf.media import UnknownFormat, rdf_format_for_media_type
from server.rdf.namespaces import ONTOLOGY_IRI, SH, SHAPES_IRI
from server.rdf.parsing import RdfInputError, parse_rdf, union_graph

PROTECTED_NAMESPACES = (str(ONTOLOGY_IRI), str(SHAPES_IRI))  # the terms and shapes, and the documents themselves


@dataclass
class Submission:
    graph: Graph
    media_type: str
    sha256: str


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
        raise InputRefused("the request has no Content-Type: send text/turtle, application/trig, application/n-triples, application/n-quads, application/ld+json or application/rdf+xml", 415)
    try:
        fmt = rdf_format_for_media_type(media_type)
    except UnknownFormat as exc:
        raise InputRefused(str(exc), 415) from None
    if not body.strip():
        raise InputRefused("the request body is empty", 400)
    checksum = hashlib.sha256(body).hexdigest()
    if incoming is not None:
        try:
            body = incoming(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            pass  # parse_rdf reports where the input stops being UTF-8
    try:
        graph = union_graph(parse_rdf(body, fmt, source))
    except RdfInputError as exc:
        raise InputRefused(str(exc), 400) from None
    if len(graph) > max_triples:
        raise InputRefused(f"the submission has {len(graph)} triples; the limit is {max_triples}", 413)
    refuse_redefinitions(graph)
    return Submission(graph, fmt.media_type, checksum)


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
SHACL = str(SH)


def refuse_redefinitions(graph: Graph) -> None:
    """A contribution adds statements about the data, never about vocabularies or shapes."""
    for subject, predicate, obj in graph:
        about_ours = isinstance(subject, URIRef) and str(subject).startswith(PROTECTED_NAMESPACES)
        points_at_ours = predicate != RDF.type and isinstance(obj, URIRef) and str(obj).startswith(PROTECTED_NAMESPACES)
        if about_ours or points_at_ours:
            term = subject if about_ours else obj
            raise InputRefused(
                f"the submission makes a statement about <{term}>, a term of the mxus ontology or shapes; "
                "those are maintained in the repository, not by contribution",
                422,
            )
        if predicate in SCHEMA_PREDICATES or str(predicate).startswith(SHACL) or (predicate == RDF.type and obj in SCHEMA_CLASSES):
            raise InputRefused(
                f"the submission defines vocabulary (<{subject}> <{predicate}> <{obj}>); a contribution may use "
                "terms but not define classes, properties or shapes",
                422,
            )
