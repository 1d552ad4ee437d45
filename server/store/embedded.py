"""The storage seam: everything the HTTP layer asks of the data goes here.

``EmbeddedStore`` answers from pyoxigraph worker processes over the
published graphs and the contributions' named graphs; ``RemoteStore``
(``server.store.remote``) answers from a SPARQL 1.1 endpoint holding the
same named graphs. Both share ``StoreBase``: the graph names, the version
and ``construct``. Routes never build stores; pages and the /sparql
endpoint go through the same ``query`` path.
"""

from __future__ import annotations

import hashlib
import threading

from rdflib import BNode, Graph, Literal, URIRef

from server.publication.dataset import PublishedGraphs
from server.store.engine import QueryPool, QueryRequest, StorePlan
from server.store.graphs import (  # noqa: F401  (the graph names are part of this seam)
    ACCEPTED_GRAPH,
    CONTEXT_GRAPHS,
    DATA_GRAPH,
    DEFAULT_GRAPHS,
    GRAPH_BASE,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    as_nquads,
)


class StoreBase:
    """What both stores keep on this side: the graph names, the version, the triple count."""

    def __init__(self, published: PublishedGraphs, extra_graphs=(), state: str = ""):
        """``extra_graphs``: the contributions' named graphs, ``state`` names them for the version."""
        self._lock = threading.Lock()
        self._graph_names = [DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, ACCEPTED_GRAPH, *extra_graphs]
        self._base_version = published.digest
        self._changes: list[str] = [state] if state else []

    @property
    def graph_names(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._graph_names)

    @property
    def default_graphs(self) -> tuple[str, ...]:
        return DEFAULT_GRAPHS

    @property
    def version(self) -> str:
        """Changes exactly when what the store serves changes: the base of every ETag."""
        with self._lock:
            return hashlib.sha256("\n".join([self._base_version, *self._changes]).encode()).hexdigest()[:16]

    def _added_graph(self, name: str) -> None:
        with self._lock:
            self._graph_names.append(name)
            self._changes.append(f"add {name}")

    def _published(self, reason: str) -> None:
        with self._lock:
            self._changes.append(f"publish {reason}")

    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
    ) -> bytes:
        raise NotImplementedError

    def construct(self, text: str, default_graphs: tuple[str, ...] | None = None) -> Graph:
        """Run a CONSTRUCT/DESCRIBE and return the triples as an rdflib graph."""
        return graph_from_ntriples(self.query(text, "application/n-triples", default_graphs))


class EmbeddedStore(StoreBase):
    def __init__(self, published: PublishedGraphs, settings: dict, extra_nquads: bytes = b"", extra_graphs=(), state: str = ""):
        """``extra_nquads``: contributions' named graphs and the accepted graph, ``state`` names them for the version."""
        super().__init__(published, extra_graphs, state)
        self._pool = QueryPool(
            StorePlan(tuple(published.graph_files()), _path(settings["STORE_PATH"]), published.digest),
            extra_nquads,
            workers=settings["QUERY_WORKERS"],
            timeout=settings["QUERY_TIMEOUT"],
            memory_limit_mb=settings["WORKER_MEMORY_MB"],
            max_result_bytes=settings["MAX_RESULT_BYTES"],
        )

    @property
    def network_isolated(self) -> bool:
        """Whether the query workers run without any network (see query_worker.isolate_network)."""
        return self._pool.network_isolated

    def add_graph(self, name: str, ntriples: bytes) -> None:
        """A new named graph, queryable with GRAPH or FROM NAMED, not in the default graph."""
        self._pool.add(as_nquads(ntriples, name))
        self._added_graph(name)

    def publish(self, ntriples: bytes, reason: str) -> None:
        """Add triples to the default graph (through the accepted graph)."""
        self._pool.add(as_nquads(ntriples, ACCEPTED_GRAPH))
        self._published(reason)

    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
    ) -> bytes:
        graphs = default_graphs or self.default_graphs
        return self._pool.run(QueryRequest(text, media_type, tuple(graphs), named_graphs))

    def close(self) -> None:
        self._pool.close()


def _path(value) -> str | None:
    return None if value is None else str(value)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def graph_from_ntriples(body: bytes) -> Graph:
    """N-Triples as an rdflib graph, parsed by pyoxigraph: rdflib's own parser takes ten times longer,
    which a validation reading a few thousand triples of context would feel."""
    import pyoxigraph as ox

    graph = Graph()
    terms: dict = {}

    def term(node):
        found = terms.get(node)
        if found is None:
            if isinstance(node, ox.NamedNode):
                found = URIRef(node.value)
            elif isinstance(node, ox.BlankNode):
                found = BNode(node.value)
            elif node.language:
                found = Literal(node.value, lang=node.language)
            else:
                datatype = node.datatype.value
                found = Literal(node.value, datatype=None if datatype in (_XSD_STRING, _LANG_STRING) else URIRef(datatype))
            terms[node] = found
        return found

    add = graph.add
    for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        add((term(triple.subject), term(triple.predicate), term(triple.object)))
    return graph
