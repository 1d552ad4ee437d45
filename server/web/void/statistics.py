"""The VoID counts of the data, each by one SPARQL query through the store.

Not a route module: the dataset description states them; the crawlers
list the same resources from the same graphs.
"""

from __future__ import annotations

from server.linking.linksets import find_linksets
from server.rdf.namespaces import ID_SPACE, MXUS
from server.store import Store
from server.store.graphs import ACCEPTED_GRAPH, DATA_GRAPH

# The graphs that hold data: the curated data and accepted contributions (not the ontology).
DATA_GRAPHS = (DATA_GRAPH, ACCEPTED_GRAPH)

# Classes whose first instance (by IRI) is given as a void:exampleResource.
EXAMPLE_CLASSES = (
    "http://xmlns.com/foaf/0.1/Person",
    "http://semanticweb.cs.vu.nl/2009/11/sem/Event",
    str(MXUS.Thesis),
    "http://purl.org/spar/fabio/JournalArticle",
)


def select_data(store: Store, text: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the data graphs, each value as a string."""
    rows = store.select(text, DATA_GRAPHS)
    return [{name: str(value) for name, value in row.items()} for row in rows]


def _count(store: Store, text: str) -> int:
    return store.count(text, DATA_GRAPHS)


def compute_statistics(store: Store) -> dict:
    """The VoID counts of the data graph, each by one SPARQL query."""
    statistics = {
        "triples": _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "entities": _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"),
        "distinctSubjects": _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctObjects": _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        "classes": _count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        "properties": _count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
    }
    statistics["linksets"] = find_linksets(store, DATA_GRAPHS)
    statistics["classPartitions"] = [
        (row["c"], int(row["all"]), int(row["iris"]))
        for row in select_data(
            store,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?all) (COUNT(DISTINCT ?iri) AS ?iris) "
            "WHERE { ?s a ?c BIND (IF(isIRI(?s), ?s, ?unbound) AS ?iri) } GROUP BY ?c ORDER BY ?c",
        )
    ]
    statistics["propertyPartitions"] = [
        (row["p"], int(row["n"]))
        for row in select_data(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")
    ]
    values = " ".join(f"<{c}>" for c in EXAMPLE_CLASSES)
    statistics["examples"] = [
        row["x"]
        for row in select_data(
            store,
            f"SELECT ?c (MIN(STR(?s)) AS ?x) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c "
            f'FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}")) }} GROUP BY ?c ORDER BY ?x',
        )
        if "x" in row
    ]
    return statistics
