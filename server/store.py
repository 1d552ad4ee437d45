"""The storage seam: everything the HTTP layer asks of the data goes here.

``EmbeddedStore`` answers from pyoxigraph worker processes over the
published graphs and the contributions' named graphs. Routes never build
stores; pages and the /sparql endpoint go through the same ``query`` path.
"""

from __future__ import annotations

import hashlib
import threading

from rdflib import Graph

from .dataset import PublishedGraphs
from .engine import QueryPool, QueryRequest

GRAPH_BASE = "https://w3id.org/mxus/graph/"
DATA_GRAPH = GRAPH_BASE + "data"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
SHAPES_GRAPH = GRAPH_BASE + "shapes"
# What a query sees when it names no graph: the data and the ontology (so
# rdfs:subClassOf* and labels of terms work), not the shapes; accepted
# contributions join it when they are accepted.
DEFAULT_GRAPHS = (DATA_GRAPH, ONTOLOGY_GRAPH)


def as_nquads(ntriples: bytes, graph_name: str) -> bytes:
    """N-Triples lines placed in a named graph."""
    suffix = f" <{graph_name}> .".encode()
    lines = []
    for line in ntriples.splitlines():
        line = line.rstrip()
        if line.endswith(b"."):
            lines.append(line[:-1].rstrip() + suffix)
    return b"\n".join(lines) + b"\n" if lines else b""


def published_nquads(published: PublishedGraphs) -> bytes:
    """The published graphs as N-Quads, each in its named graph."""
    return b"".join(
        as_nquads(graph.serialize(format="nt", encoding="utf-8"), name)
        for name, graph in ((DATA_GRAPH, published.data), (ONTOLOGY_GRAPH, published.ontology), (SHAPES_GRAPH, published.shapes))
    )


class EmbeddedStore:
    def __init__(self, published: PublishedGraphs, settings: dict, extra_nquads: bytes = b"", extra_graphs=(), published_extra=()):
        self._lock = threading.Lock()
        self._graph_names = [DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, *extra_graphs]
        self._default_graphs = [*DEFAULT_GRAPHS, *published_extra]
        self.triple_count = len(published.data) + len(published.ontology) + len(published.shapes)
        self._base_version = published.digest
        self._changes: list[str] = [f"graph {g}" for g in extra_graphs] + [f"publish {g}" for g in published_extra]
        self._pool = QueryPool(
            published_nquads(published) + extra_nquads,
            workers=settings["QUERY_WORKERS"],
            timeout=settings["QUERY_TIMEOUT"],
            memory_limit_mb=settings["WORKER_MEMORY_MB"],
            max_result_bytes=settings["MAX_RESULT_BYTES"],
        )

    @property
    def network_isolated(self) -> bool:
        """Whether the query workers run without any network (see query_worker.isolate_network)."""
        return self._pool.network_isolated

    @property
    def graph_names(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._graph_names)

    @property
    def default_graphs(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._default_graphs)

    @property
    def version(self) -> str:
        """Changes exactly when what the store serves changes: the base of every ETag."""
        with self._lock:
            return hashlib.sha256("\n".join([self._base_version, *self._changes]).encode()).hexdigest()[:16]

    def add_graph(self, name: str, ntriples: bytes) -> None:
        """A new named graph, queryable with GRAPH or FROM NAMED, not in the default graph."""
        self._pool.add(as_nquads(ntriples, name))
        with self._lock:
            self._graph_names.append(name)
            self._changes.append(f"add {name}")

    def publish_graph(self, name: str) -> None:
        """Make a named graph part of the default graph (an accepted contribution)."""
        with self._lock:
            if name not in self._default_graphs:
                self._default_graphs.append(name)
            self._changes.append(f"publish {name}")

    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
    ) -> bytes:
        graphs = default_graphs or self.default_graphs
        return self._pool.run(QueryRequest(text, media_type, tuple(graphs), named_graphs))

    def construct(self, text: str) -> Graph:
        """Run a CONSTRUCT/DESCRIBE and return the triples as an rdflib graph."""
        body = self.query(text, "application/n-triples")
        return Graph().parse(data=body.decode("utf-8"), format="nt")

    def close(self) -> None:
        self._pool.close()
