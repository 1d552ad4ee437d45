"""The store interface: what every reader and writer of the data may ask.

Three implementations (``server.store.open_store`` picks one):
``PoolStore`` (killable pyoxigraph worker processes, in memory or on
disk), ``RemoteStore`` (any SPARQL 1.1 server) and ``LocalStore``
(pyoxigraph in this process, for the command line and tests). Callers get
parsed answers (rows of rdflib terms, booleans, rdflib graphs) or, for the
SPARQL endpoint, the bytes of the answer in the media type asked; nothing
outside this package decodes SPARQL results or touches an engine.
"""

from __future__ import annotations

import hashlib
import json
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from rdflib import BNode, Graph, Literal, URIRef

from server.store.graphs import ACCEPTED_GRAPH, DATA_GRAPH, DEFAULT_GRAPHS, ONTOLOGY_GRAPH, SHAPES_GRAPH

Term = URIRef | BNode | Literal
Row = dict[str, Term]
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Capabilities:
    """What a store can promise; the service description and the README state it."""

    kind: str  # "memory", "disk", "remote" or "local"
    network_isolated: bool  # nothing below the query text checks can reach the network
    stops_runaway_queries: bool  # a query past the time limit is stopped, not only abandoned


@dataclass
class Answer:
    form: str  # "SELECT", "ASK" or "GRAPH"
    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


class Store(ABC):
    """One dataset of named graphs: the published ones, the accepted graph, one per contribution.

    ``version`` changes when what the store serves changes: the base of every ETag. A server's store is
    ``settle``d on the contributions' journal, so every process that has read as far serves the same version.
    """

    def __init__(self, digest: str, extra_graphs=(), state: str = ""):
        """``digest``: of the published files; ``extra_graphs``: contribution graphs; ``state`` names them."""
        self._lock = threading.Lock()
        self._graph_names = [DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, ACCEPTED_GRAPH, *extra_graphs]
        self._base_version = digest
        self._changes: list[str] = [state] if state else []
        self._held: str | None = None  # the version readers see while ``settling``

    # ------------------------------------------------------------------ what it holds

    @property
    def graph_names(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._graph_names)

    @property
    def default_graphs(self) -> tuple[str, ...]:
        return DEFAULT_GRAPHS

    @property
    def version(self) -> str:
        with self._lock:
            return self._held or self._current_version()

    def _current_version(self) -> str:
        return hashlib.sha256("\n".join([self._base_version, *self._changes]).encode()).hexdigest()[:16]

    @contextmanager
    def settling(self) -> Iterator[None]:
        """What is changed inside, then ``settle``d, is one change of version, seen when the block ends.

        Until then readers get the version from before, never one of this process alone on the way
        (a graph added, not yet settled), which no other front serves: two fronts gave two ETags for
        one submission. The data may be newer than that version meanwhile; whatever a cache keeps
        under it is dropped when the block ends."""
        with self._lock:
            self._held = self._current_version()
        try:
            yield
        finally:
            with self._lock:
                self._held = None

    @property
    @abstractmethod
    def capabilities(self) -> Capabilities: ...

    # ------------------------------------------------------------------ reading

    @abstractmethod
    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
        base_iri: str | None = None,
        public: bool = False,
    ) -> bytes:
        """The answer in ``media_type``, as the engine wrote it (the SPARQL endpoint passes it on).

        ``base_iri``: what relative IRIs in the query resolve against (the endpoint's URL).
        ``public``: a query someone sent (only ``server.publication.queries`` says so): it runs in
        the public lane, apart from the site's own queries (``server.store.lanes``); a store
        without lanes ignores it.
        """

    def select(self, text: str, default_graphs: tuple[str, ...] | None = None) -> list[Row]:
        """Rows of a SELECT, each a dict of rdflib terms by variable (unbound variables absent)."""
        body = json.loads(self.query(text, RESULTS_JSON, default_graphs))
        return [{name: _term(cell) for name, cell in row.items()} for row in body.get("results", {}).get("bindings", [])]

    def answer(self, text: str, default_graphs: tuple[str, ...] | None = None,
               named_graphs: tuple[str, ...] | None = None, graph: bool = False, base_iri: str | None = None,
               public: bool = False) -> Answer:
        """Any query's answer, parsed: a table (SELECT), a boolean (ASK) or a graph (``graph``: CONSTRUCT, DESCRIBE).

        ``public``: as for ``query``."""
        if graph:
            return Answer("GRAPH", graph=graph_from_ntriples(
                self.query(text, NTRIPLES, default_graphs, named_graphs, base_iri, public=public)))
        body = json.loads(self.query(text, RESULTS_JSON, default_graphs, named_graphs, base_iri, public=public))
        if "boolean" in body:
            return Answer("ASK", boolean=bool(body["boolean"]))
        rows = [{name: _term(cell) for name, cell in row.items()} for row in body.get("results", {}).get("bindings", [])]
        return Answer("SELECT", variables=body.get("head", {}).get("vars", []), rows=rows)

    def ask(self, text: str, default_graphs: tuple[str, ...] | None = None) -> bool:
        return bool(json.loads(self.query(text, RESULTS_JSON, default_graphs)).get("boolean"))

    def construct(self, text: str, default_graphs: tuple[str, ...] | None = None) -> Graph:
        """A CONSTRUCT or DESCRIBE as an rdflib graph."""
        return graph_from_ntriples(self.query(text, NTRIPLES, default_graphs))

    def count(self, text: str, default_graphs: tuple[str, ...] | None = None) -> int:
        """The integer ``?n`` of the first row of a SELECT; 0 when there is no row (some stores answer none)."""
        rows = self.select(text, default_graphs)
        return int(rows[0]["n"]) if rows and "n" in rows[0] else 0

    @abstractmethod
    def dump(self, destination: Path, media_type: str, graphs: Mapping[str, tuple[str, ...]],
             prefixes: Mapping[str, str] | None = None) -> None:
        """Write graphs to a file, streaming, with no result limit.

        ``graphs`` maps each graph to write to the stored graphs it is made of
        (the dumps fold the accepted graph into the data graph). A triple
        format gets the union; a quad format keeps each graph's name.
        """

    # ------------------------------------------------------------------ writing

    @abstractmethod
    def add_graph(self, name: str, ntriples: bytes) -> None:
        """A new named graph, queryable with GRAPH or FROM NAMED, not in the default graph."""

    @abstractmethod
    def publish(self, ntriples: bytes, reason: str) -> None:
        """Add triples to the default graph (through the accepted graph)."""

    def add(self, named: list[tuple[str, bytes]], accepted: bytes) -> None:
        """Several contributions' graphs (name, N-Triples) and accepted statements at once; a store
        for which each write is costly (on disk) makes them one."""
        for name, ntriples in named:
            self.add_graph(name, ntriples)
        if accepted.strip():
            self.publish(accepted, "accepted contributions")

    def close(self) -> None:
        pass

    # ------------------------------------------------------------------ for implementations

    def _added_graph(self, name: str) -> None:
        with self._lock:
            if name not in self._graph_names:
                self._graph_names.append(name)
            self._changes.append(f"add {name}")

    # ------------------------------------------------------------------ shared with other processes

    def name_graph(self, name: str) -> None:
        """A graph another process wrote into this (shared) store: queryable here too, nothing written."""
        self._added_graph(name)

    def settle(self, state: str) -> None:
        """The version becomes that of ``state`` alone, which names what the store holds in terms
        every process shares (the contributions' journal): this process's own changes are in it,
        and every process at the same ``state`` has the same version."""
        with self._lock:
            self._changes = [state]

    def _published(self, reason: str) -> None:
        with self._lock:
            self._changes.append(f"publish {reason}")


def _term(cell: dict) -> Term:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    lang = cell.get("xml:lang")
    return Literal(cell["value"], lang=lang, datatype=None if lang else cell.get("datatype"))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def graph_from_ntriples(body: bytes) -> Graph:
    """N-Triples as an rdflib graph, parsed by pyoxigraph: linear in the input, and ten times
    faster than rdflib's own parser, which a validation reading its context would feel."""
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
