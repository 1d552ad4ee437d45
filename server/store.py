"""The storage seam: everything the HTTP layer asks of the data goes here.

``EmbeddedStore`` answers from pyoxigraph worker processes over the
published graphs. Routes never build stores; pages and the /sparql endpoint
go through the same ``query`` path.
"""

from __future__ import annotations

from rdflib import Graph

from .dataset import PublishedGraphs
from .engine import QueryPool, QueryRequest

GRAPH_BASE = "https://w3id.org/mxus/graph/"
DATA_GRAPH = GRAPH_BASE + "data"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
SHAPES_GRAPH = GRAPH_BASE + "shapes"
# What a query sees when it names no graph: the data and the ontology (so
# rdfs:subClassOf* and labels of terms work), not the shapes.
DEFAULT_GRAPHS = (DATA_GRAPH, ONTOLOGY_GRAPH)


def published_nquads(published: PublishedGraphs) -> bytes:
    """The published graphs as N-Quads, each in its named graph."""
    lines: list[bytes] = []
    for name, graph in ((DATA_GRAPH, published.data), (ONTOLOGY_GRAPH, published.ontology), (SHAPES_GRAPH, published.shapes)):
        suffix = f" <{name}> .".encode()
        for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
            line = line.rstrip()
            if line.endswith(b"."):
                lines.append(line[:-1].rstrip() + suffix)
    return b"\n".join(lines) + b"\n"


class EmbeddedStore:
    def __init__(self, published: PublishedGraphs, settings: dict):
        self.graph_names = (DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH)
        self.triple_count = len(published.data) + len(published.ontology) + len(published.shapes)
        nquads = published_nquads(published)
        # Changes exactly when the published files change: the base of every ETag.
        self.version = published.digest[:16]
        self._pool = QueryPool(
            nquads,
            workers=settings["QUERY_WORKERS"],
            timeout=settings["QUERY_TIMEOUT"],
            memory_limit_mb=settings["WORKER_MEMORY_MB"],
            max_result_bytes=settings["MAX_RESULT_BYTES"],
        )

    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] = DEFAULT_GRAPHS,
        named_graphs: tuple[str, ...] | None = None,
    ) -> bytes:
        return self._pool.run(QueryRequest(text, media_type, default_graphs, named_graphs))

    def construct(self, text: str) -> Graph:
        """Run a CONSTRUCT/DESCRIBE and return the triples as an rdflib graph."""
        body = self.query(text, "application/n-triples")
        return Graph().parse(data=body.decode("utf-8"), format="nt")

    def close(self) -> None:
        self._pool.close()
