"""What the store says about one resource: shared by /data (RDF) and /page (HTML).

Not a blueprint: the resources and pages blueprints both describe a
resource the same way, so the page shows what /data serves.
"""

from __future__ import annotations

from rdflib import Graph

from server.rdf.namespaces import bind_prefixes
from server.state import state
from server.web.responses import alternates

DESCRIBE_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {
  ?r ?p ?o . ?o ?p1 ?o1 . ?o1 ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o rdfs:label ?olabel .
  ?in ?pin ?r . ?in rdfs:label ?inlabel .
} WHERE {
  VALUES ?r { <%s> }
  {
    ?r ?p ?o .
    OPTIONAL { FILTER (isBlank(?o)) ?o ?p1 ?o1 .
      OPTIONAL { FILTER (isBlank(?o1)) ?o1 ?p2 ?o2 .
        OPTIONAL { FILTER (isBlank(?o2)) ?o2 ?p3 ?o3 } } }
    OPTIONAL { FILTER (isIRI(?o)) ?o rdfs:label ?olabel }
  } UNION {
    ?in ?pin ?r . OPTIONAL { ?in rdfs:label ?inlabel }
  }
}
"""


def describe_resource(iri: str) -> Graph:
    """All triples about ``iri`` (blank nodes closed), its neighbours' labels, its incoming links."""
    if "<" in iri or ">" in iri or " " in iri:
        raise ValueError(f"not an IRI: {iri!r}")
    return bind_prefixes(state().store.construct(DESCRIBE_QUERY % iri))


def resource_exists(iri: str) -> bool:
    """Whether the default graph says anything about ``iri`` (a 404 rather than a 303 to nowhere)."""
    return state().store.ask(f"ASK {{ <{iri}> ?p ?o }}")


def alternates_header(kind: str, slug: str) -> str:
    """The Link header of /data/{kind}/{slug} and /page/{kind}/{slug}: every format, and the page."""
    return alternates(f"/data/{kind}/{slug}", f"/page/{kind}/{slug}")
