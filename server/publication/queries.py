"""What this endpoint runs: a query is checked, then run through the store.

Shared by /sparql and the query page, so a query typed in a browser meets
the same rules as one sent by a client: oversize and empty queries,
updates, SERVICE and graphs outside the dataset are refused before
anything runs; nothing is ever fetched from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from server.publication.errors import InputRefused
from server.publication.query_text import inspect_query
from server.rdf.media import GRAPH_TYPES, RESULT_TYPES
from server.rdf.namespaces import ENDPOINT
from server.store import QueryFailed, Store
from server.store.base import Answer

PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"


@dataclass(frozen=True)
class PreparedQuery:
    """A query this endpoint will run: canonical URIs, its form, the graphs it names."""

    text: str  # served URIs mapped to canonical ones
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE or None (the engine will say what is wrong)
    default_graphs: tuple[str, ...] = ()  # default-graph-uri; none: the store's default graph
    named_graphs: tuple[str, ...] = ()  # named-graph-uri; none: every named graph
    from_graphs: tuple[str, ...] = ()  # the query's own FROM
    from_named_graphs: tuple[str, ...] = ()  # and FROM NAMED

    @property
    def dataset(self) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        """(default graphs, named graphs) the store is asked for; None: the store's own.

        The protocol's graphs override the query's FROM and FROM NAMED (SPARQL 1.1 Protocol, 2.1.4);
        a query's FROM / FROM NAMED define its whole dataset, so the part they leave out is empty.
        Stores set a default dataset of their own, which would otherwise hide the query's.
        """
        if self.default_graphs or self.named_graphs:
            return self.default_graphs or None, self.named_graphs or None
        if self.from_graphs or self.from_named_graphs:
            return self.from_graphs, self.from_named_graphs
        return None, None

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def offered(self) -> tuple[str, ...]:
        """The media types its answer can take."""
        return GRAPH_TYPES if self.returns_graph else RESULT_TYPES


def check_query_text(text: str, max_bytes: int) -> None:
    """The size limit and the empty query: refused before anything else is done with the text."""
    if len(text.encode("utf-8")) > max_bytes:
        raise InputRefused(f"the query exceeds the limit of {max_bytes} bytes", 413)
    if not text.strip():
        raise InputRefused("the query is empty", 400, PROTOCOL + "#query-operation")


def prepare_query(text: str, store: Store, max_bytes: int, incoming=lambda text: text,
                  default_graph_uris: Iterable[str] = (), named_graph_uris: Iterable[str] = ()) -> PreparedQuery:
    """Map served URIs to canonical ones (``incoming``) and refuse what this endpoint does not run."""
    check_query_text(text, max_bytes)
    text = incoming(text)
    default_graphs = tuple(incoming(uri) for uri in default_graph_uris)
    named_graphs = tuple(incoming(uri) for uri in named_graph_uris)
    info = inspect_query(text)
    if info.is_update:
        raise InputRefused("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is not accepted",
                           403, PROTOCOL + "#update-operation")
    if info.uses_service:
        raise InputRefused("SERVICE is not allowed: this endpoint never queries other servers (federated queries are refused)")
    known = set(store.graph_names)
    for graph in [*info.from_graphs, *info.from_named_graphs, *default_graphs, *named_graphs]:
        if graph not in known:
            raise InputRefused(
                f"graph <{graph}> is not in this dataset; nothing is fetched from elsewhere "
                f"(graphs here: {', '.join(sorted(known))})",
                400,
                PROTOCOL + "#dataset",
            )
    return PreparedQuery(text, info.form, default_graphs, named_graphs, tuple(info.from_graphs),
                         tuple(info.from_named_graphs))


def run_query(prepared: PreparedQuery, store: Store, media_type: str) -> bytes:
    """The answer in ``media_type``, with canonical URIs; an engine failure keeps its status, with the spec's link."""
    with _failures_explained():
        return store.query(prepared.text, media_type, *prepared.dataset, str(ENDPOINT), public=True)


def answer_query(prepared: PreparedQuery, store: Store) -> Answer:
    """The answer parsed, for a page to show."""
    with _failures_explained():
        return store.answer(prepared.text, *prepared.dataset, graph=prepared.returns_graph, base_iri=str(ENDPOINT),
                            public=True)


class QueryRefused(InputRefused):
    """A query the engine could not answer (syntax, a limit, the store): its status and message;
    ``retry_after``: seconds worth waiting when the workers were busy (503), else None.
    """

    retry_after: int | None = None
    uses_budget = False  # stopped at the time limit or to make room: its client's budget is spent


class _failures_explained:
    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, QueryFailed):
            message = f"SPARQL syntax error: {error}" if error.status == 400 else str(error)
            refused = QueryRefused(message, error.status, PROTOCOL + "#query-failure")
            refused.retry_after = getattr(error, "retry_after", None)
            refused.uses_budget = getattr(error, "uses_budget", False)
            raise refused from None
        return False
