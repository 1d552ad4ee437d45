"""Reading a submitted body as RDF: the rules shared by /validate and /contributions.

Both answer the same bad input the same way: 400 for an empty or
unparseable body (with line and column), 415 for a media type we do not
read, 413 for too many triples, 422 for statements about our ontology or
shapes. Parsing itself never touches the network (see parsing.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import Graph, URIRef

from .http import ApiError
from .media import UnknownFormat, rdf_format_for_media_type
from .parsing import RdfInputError, parse_rdf, union_graph

PROTECTED_NAMESPACES = ("https://w3id.org/mxus/ontology", "https://w3id.org/mxus/shapes")


@dataclass
class Submission:
    graph: Graph
    media_type: str
    sha256: str


def read_submission(body: bytes, media_type: str | None, max_triples: int, source: str = "request body") -> Submission:
    if not media_type:
        raise ApiError(415, "the request has no Content-Type: send text/turtle, application/trig, application/n-triples, application/n-quads, application/ld+json or application/rdf+xml")
    try:
        fmt = rdf_format_for_media_type(media_type)
    except UnknownFormat as exc:
        raise ApiError(415, str(exc)) from None
    if not body.strip():
        raise ApiError(400, "the request body is empty")
    try:
        graph = union_graph(parse_rdf(body, fmt, source))
    except RdfInputError as exc:
        raise ApiError(400, str(exc)) from None
    if len(graph) > max_triples:
        raise ApiError(413, f"the submission has {len(graph)} triples; the limit is {max_triples}")
    refuse_redefinitions(graph)
    return Submission(graph, fmt.media_type, hashlib.sha256(body).hexdigest())


def refuse_redefinitions(graph: Graph) -> None:
    """A contribution adds statements about the data, never about our vocabulary or shapes."""
    for subject, predicate, _ in graph:
        if isinstance(subject, URIRef) and str(subject).startswith(PROTECTED_NAMESPACES):
            raise ApiError(
                422,
                f"the submission makes statements about <{subject}>, a term of the mxus ontology or shapes; "
                "those are maintained in the repository, not by contribution",
            )
