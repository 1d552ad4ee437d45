"""What accepted contributions added to a resource, for its page: who said it, and when."""

from __future__ import annotations

from rdflib import Graph

from server.web.cache import versioned_cache
from server.web.statements import term_link, value_view
from server.web.views import select


def contributed_statements(iri: str, labels: dict, graph: Graph) -> list[dict]:
    """Statements about ``iri`` that accepted contributions added, with who and when."""
    if not _any_accepted():
        return []
    rows = select(
        f"""SELECT ?contribution ?p ?o ?name ?when WHERE {{
              GRAPH ?contribution {{ <{iri}> ?p ?o }}
              ?contribution schema:creativeWorkStatus "accepted" ;
                            prov:wasAttributedTo/foaf:name ?name ;
                            prov:generatedAtTime ?when .
            }} ORDER BY ?when ?p"""
    )
    return [
        {
            "predicate": term_link(str(row["p"])),
            "value": value_view(graph, row["o"], labels, {}),
            "contributor": str(row["name"]),
            "date": str(row["when"])[:10],
            "href": "/contributions/" + str(row["contribution"]).rsplit("/", 1)[-1],
        }
        for row in rows
    ]


def _any_accepted() -> bool:
    """Whether any contribution has been accepted, once per dataset version: until one is, the pages skip
    the query for what contributions added (on Virtuoso, 10 ms a page)."""
    return versioned_cache("pages").get(
        "any accepted", lambda: bool(select('SELECT ?c WHERE { ?c schema:creativeWorkStatus "accepted" } LIMIT 1')))
