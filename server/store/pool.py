"""The embedded store: pyoxigraph in a pool of killable worker processes.

Memory or disk is a strategy inside the pool (``StorePlan.path``): in
memory the workers are forked from one process that loaded the published
files (``server.store.zygote``); on disk they open one RocksDB store
read-only (see ``server.store.engine``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from server.store.base import Capabilities, Store
from server.store.engine import QueryPool, QueryRequest, StorePlan
from server.store.graphs import ACCEPTED_GRAPH, GraphFile, as_nquads

DUMP_TIMEOUT = 3600.0  # seconds a worker may take to write one dump file


class PoolStore(Store):
    def __init__(self, files: list[GraphFile], digest: str, settings: dict, extra_nquads: bytes = b"",
                 extra_graphs=(), state: str = ""):
        """``extra_nquads``: contributions' named graphs and the accepted graph, ``state`` names them for the version."""
        super().__init__(digest, extra_graphs, state)
        path = settings["STORE_PATH"]
        self._on_disk = path is not None
        self._pool = QueryPool(
            StorePlan(tuple(files), None if path is None else str(path), digest),
            extra_nquads,
            workers=settings["QUERY_WORKERS"],
            timeout=settings["QUERY_TIMEOUT"],
            memory_limit_mb=settings["WORKER_MEMORY_MB"],
            max_result_bytes=settings["MAX_RESULT_BYTES"],
            site_workers=settings["SITE_WORKERS"],
            public_wait=settings["PUBLIC_QUEUE_SECONDS"],
        )

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities("disk" if self._on_disk else "memory", self._pool.network_isolated, True)

    def add_graph(self, name: str, ntriples: bytes) -> None:
        self._pool.add(as_nquads(ntriples, name))
        self._added_graph(name)

    def publish(self, ntriples: bytes, reason: str) -> None:
        self._pool.add(as_nquads(ntriples, ACCEPTED_GRAPH))
        self._published(reason)

    def add(self, named: list[tuple[str, bytes]], accepted: bytes) -> None:
        """One addition for the workers (on disk: one write, one restart of the workers)."""
        self._pool.add(b"".join(as_nquads(ntriples, name) for name, ntriples in named) + as_nquads(accepted, ACCEPTED_GRAPH))
        for name, _ in named:
            self._added_graph(name)
        self._published("accepted contributions")

    def query(
        self,
        text: str,
        media_type: str,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
        base_iri: str | None = None,
        public: bool = False,
    ) -> bytes:
        graphs = self.default_graphs if default_graphs is None else default_graphs
        return self._pool.run(QueryRequest(text, media_type, tuple(graphs), named_graphs, base_iri), public=public)

    def dump(self, destination: Path, media_type: str, graphs: Mapping[str, tuple[str, ...]],
             prefixes: Mapping[str, str] | None = None) -> None:
        request = ("dump", str(destination), media_type, dict(graphs), dict(prefixes or {}))
        self._pool.run(request, timeout=DUMP_TIMEOUT)

    def close(self) -> None:
        self._pool.close()
