"""Remote-store mode: the storage seam over any SPARQL 1.1 endpoint.

``RemoteStore`` has the interface of ``EmbeddedStore`` but answers from a
separate SPARQL server (Oxigraph server, Fuseki, Virtuoso, QLever, ...)
through SPARQLWrapper, so the Flask front keeps no data of its own and the
store scales on its own. The store holds the same named graphs as the
embedded engine (data, ontology, shapes, accepted, one per contribution);
``load_published_into`` (``mxus load``) puts the published ones there.

Every query names its dataset with the protocol's ``default-graph-uri``
and ``named-graph-uri`` parameters (a store's own default graph plays no
part) and asks for the media type the client negotiated (``Accept``); the
bytes come back unchanged. The time limit is this side's: past
``QUERY_TIMEOUT`` the answer is abandoned (422 naming the limit) whatever
the store does. Stopping the query in the store is the store's affair:
closing the connection does not stop Oxigraph server, and its own
``--timeout-s`` (0.5.13) stops only queries over its default dataset, not
those naming one, as every query from here does (measured; see README). Writes are
SPARQL Update (``INSERT DATA`` into the contribution's or the accepted
graph), with HTTP basic credentials when set.

The text checks of ``server.web.sparql`` (SERVICE, updates, graphs outside the
dataset) run before anything is sent; below them nothing isolates the
store from the network (``network_isolated`` is False).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from server.rdf.namespaces import CONTRIBUTION_BASE
from server.store.base import Capabilities, Store
from server.store.errors import StoreFailed
from server.store.graphs import ACCEPTED_GRAPH, PRUNE_ACCEPTED, GraphFile, published_counts, published_ntriples, write_dump
from server.store.sparql_client import RemoteEndpoint, default_update_url, display_url  # noqa: F401  (part of this module's use)


def load_published_into(endpoint: RemoteEndpoint, files: list[GraphFile]) -> list[tuple[str, int]]:
    """Replace the store's data, ontology and shapes graphs with the published ones; (graph, triples) each."""
    loaded = []
    for name, ntriples, count in published_ntriples(files):
        endpoint.replace(name, ntriples)
        loaded.append((name, count))
    return loaded


class RemoteStore(Store):
    """The store interface over a remote SPARQL 1.1 endpoint (see the module's description)."""

    def __init__(self, digest: str, settings: dict, extra_graphs=(), state: str = "",
                 endpoint: RemoteEndpoint | None = None):
        super().__init__(digest, extra_graphs, state)
        self.endpoint = endpoint or RemoteEndpoint.from_settings(settings)

    @property
    def capabilities(self) -> Capabilities:
        """Nothing below the query text checks keeps the remote store off the network; past the time
        limit the answer is abandoned, and stopping the query is the store's affair."""
        return Capabilities("remote", False, False)

    def check_published(self, files: list[GraphFile]) -> None:
        """Refuse to serve a store that does not hold the published graphs (StoreFailed, saying what to run)."""
        for name, count in published_counts(files).items():
            held = self.endpoint.count(name)
            if held != count:
                raise StoreFailed(
                    f"the SPARQL store at {display_url(self.endpoint.url)} holds {held} triples in <{name}>, "
                    f"the published files {count}: load them with `mxus load --store {display_url(self.endpoint.url)}`"
                )

    def synchronize(self, contributions: list[tuple[str, bytes]], accepted: bytes) -> None:
        """Make the store's contribution graphs and accepted graph those of the instance folder.

        The instance folder is the record (each contribution is fsynced there before its 201);
        the store may lack what was written just before a crash, or hold graphs of another
        instance. Graphs under the contributions' base that the folder does not have are dropped.
        """
        names = {name for name, _ in contributions}
        self.endpoint.drop([graph for graph in self.endpoint.graphs_under(CONTRIBUTION_BASE) if graph not in names])
        for name, ntriples in contributions:
            self.endpoint.replace(name, ntriples)
        self.endpoint.replace(ACCEPTED_GRAPH, accepted)
        if accepted.strip():
            self.endpoint.update(PRUNE_ACCEPTED)

    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
        base_iri: str | None = None,
        public: bool = False,
    ) -> bytes:
        """``public`` is ignored: the remote store has its own capacity, which this server does not divide
        (the per-client limits of /sparql still apply in front of it)."""
        # Always both parameters: as in the embedded engine, no named-graph-uri means every graph of the
        # dataset (a store given only default-graph-uri may offer no named graphs at all).
        if base_iri:  # the protocol has no parameter for it: a BASE before the query's own prologue
            text = f"BASE <{base_iri}>\n{text}"
        return self.endpoint.query(
            text,
            media_type,
            self.default_graphs if default_graphs is None else default_graphs,
            self.graph_names if named_graphs is None else named_graphs,
        )

    def add_graph(self, name: str, ntriples: bytes) -> None:
        """A new named graph, queryable with GRAPH or FROM NAMED, not in the default graph."""
        self.endpoint.insert(name, ntriples)
        self._added_graph(name)

    def publish(self, ntriples: bytes, reason: str) -> None:
        """Add triples to the default graph (through the accepted graph)."""
        self.endpoint.insert(ACCEPTED_GRAPH, ntriples)
        self.endpoint.update(PRUNE_ACCEPTED)
        self._published(reason)

    def dump(self, destination: Path, media_type: str, graphs: Mapping[str, tuple[str, ...]],
             prefixes: Mapping[str, str] | None = None) -> None:
        """Each stored graph fetched whole (no result limit, the load time limit), then written as locally."""
        import pyoxigraph as ox

        copy = ox.Store()
        for source in dict.fromkeys(name for sources in graphs.values() for name in sources):
            body = self.endpoint.fetch_graph(source)
            copy.load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(source))
            # Virtuoso cuts a CONSTRUCT at its ResultSetMaxRows without a word (measured): count again.
            held, got = self.endpoint.count(source), sum(1 for _ in copy.quads_for_pattern(None, None, None, ox.NamedNode(source)))
            if got < held:
                raise StoreFailed(f"the SPARQL store gave {got} of the {held} triples of <{source}>: it cuts long answers "
                                  "(Virtuoso: raise ResultSetMaxRows in its virtuoso.ini above the largest graph)")
        write_dump(copy, destination, media_type, dict(graphs), dict(prefixes or {}))
