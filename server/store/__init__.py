"""The storage seam: one ``Store`` interface (``base``), built by ``open_store``.

Implementations: ``PoolStore`` (pyoxigraph in killable worker processes,
in memory or on disk), ``RemoteStore`` (any SPARQL 1.1 server) and
``LocalStore`` (pyoxigraph in this process, for the command line and
tests). Only this package imports pyoxigraph or SPARQLWrapper or reads
SPARQL results; its errors are in ``errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from server.store.errors import LoadFailed, QueryFailed, StoreFailed
from server.store.graphs import ACCEPTED_GRAPH, GraphFile, as_nquads

if TYPE_CHECKING:
    from server.store.base import Capabilities, Row, Store, graph_from_ntriples

__all__ = ["Capabilities", "Contents", "LoadFailed", "QueryFailed", "Row", "Store", "StoreFailed",
           "graph_from_ntriples", "open_store"]
_INTERFACE = ("Capabilities", "Row", "Store", "graph_from_ntriples")  # in ``base``, which needs rdflib


def __getattr__(name: str):
    """The interface is imported on first use: a query worker imports this package on its way to
    ``engine`` and needs neither the interface nor rdflib (0.2 s of CPU for each worker started)."""
    if name in _INTERFACE:
        from server.store import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Contents:
    """What a store holds besides the published files: the contributions, replayed from their records."""

    named: list[tuple[str, bytes]] = field(default_factory=list)  # (graph name, N-Triples), one per contribution
    accepted: bytes = b""  # N-Triples of the accepted graph (statements and provenance)
    state: str = ""  # names what they are (the journal's position), for the store's version


def open_store(settings: dict, files: list[GraphFile], digest: str, contents: Contents = Contents(),
               in_process: bool = False) -> Store:
    """The store the settings ask for, holding ``files`` and ``contents``.

    ``STORE_URL``: a remote SPARQL store, which must already hold the files
    (``mxus load``); its contribution graphs are made those of ``contents``.
    Otherwise the worker pool (``STORE_PATH``: on disk), or with
    ``in_process`` pyoxigraph in this process.
    """
    names = [name for name, _ in contents.named]
    if settings["STORE_URL"]:
        from server.store.remote import RemoteStore

        remote = RemoteStore(digest, settings, names, contents.state)
        remote.check_published(files)
        remote.synchronize(contents.named, contents.accepted)
        return remote
    extra = b"".join(as_nquads(ntriples, name) for name, ntriples in contents.named)
    extra += as_nquads(contents.accepted, ACCEPTED_GRAPH)
    if in_process:
        from server.store.local import LocalStore

        return LocalStore(files, digest, extra, names, contents.state)
    from server.store.pool import PoolStore

    return PoolStore(files, digest, settings, extra, names, contents.state)
