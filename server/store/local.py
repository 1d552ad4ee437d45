"""The in-process store: pyoxigraph in this process, for the command line and tests.

No worker processes and no time limit: ``mxus validate`` and the tests read
the data through the same interface as the server, without the cost of
starting workers. Not for serving: a runaway query could not be stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from server.store.base import Capabilities, Store
from server.store.errors import QueryFailed, QuerySyntaxError
from server.store.graphs import ACCEPTED_GRAPH, PRUNE_ACCEPTED, GraphFile, as_nquads, load_files, write_dump


class LocalStore(Store):
    def __init__(self, files: list[GraphFile], digest: str, extra_nquads: bytes = b"", extra_graphs=(), state: str = ""):
        import pyoxigraph as ox

        super().__init__(digest, extra_graphs, state)
        self._ox = ox
        self._store = ox.Store()
        load_files(self._store, files)
        if extra_nquads:
            self._add(extra_nquads)

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities("local", False, False)

    def _add(self, nquads: bytes) -> None:
        self._store.load(nquads, format=self._ox.RdfFormat.N_QUADS)
        self._store.update(PRUNE_ACCEPTED)

    def query(self, text, media_type, default_graphs=None, named_graphs=None, base_iri=None, public=False) -> bytes:
        """``public`` is ignored: in process there are no lanes (and this store is not for serving)."""
        ox = self._ox
        try:
            result = self._store.query(
                text,
                base_iri=base_iri,
                default_graph=[ox.NamedNode(g) for g in (self.default_graphs if default_graphs is None else default_graphs)],
                named_graphs=None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs],
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (OSError, ValueError) as exc:
            raise QueryFailed(str(exc)) from None
        if isinstance(result, ox.QueryTriples):
            return ox.serialize(result, format=ox.RdfFormat.from_media_type(media_type))
        return result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))

    def dump(self, destination: Path, media_type: str, graphs: Mapping[str, tuple[str, ...]],
             prefixes: Mapping[str, str] | None = None) -> None:
        write_dump(self._store, destination, media_type, dict(graphs), dict(prefixes or {}))

    def add_graph(self, name: str, ntriples: bytes) -> None:
        self._add(as_nquads(ntriples, name))
        self._added_graph(name)

    def publish(self, ntriples: bytes, reason: str) -> None:
        self._add(as_nquads(ntriples, ACCEPTED_GRAPH))
        self._published(reason)
