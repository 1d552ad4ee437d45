"""Every error a store raises, each with the HTTP status it stands for.

The web layer maps them to responses in one place (``server.web.errors``);
the command line prints their message. Nothing outside ``server.store``
needs to know which engine raised one.
"""

from __future__ import annotations


class QueryFailed(Exception):
    """A query the engine could not answer; ``status`` is the HTTP status to give."""

    status = 500


class QuerySyntaxError(QueryFailed):
    status = 400


class QueryOverLimit(QueryFailed):
    """A well-formed query that needs more than this endpoint gives one query.

    422: the request is understood but cannot be processed as sent; the
    client can narrow it (a LIMIT, a tighter pattern). Not 408 or 503, which
    invite automatic retries of the same runaway query.
    """

    status = 422


class QueryTimeout(QueryOverLimit):
    uses_budget = True  # its client's whole query-time budget (server.web.limits)


class QueryTooLarge(QueryOverLimit):
    pass


class QueryOutOfMemory(QueryOverLimit):
    pass


class EngineBusy(QueryFailed):
    """Every worker this request may use stayed busy; ``retry_after``: seconds worth waiting (503's Retry-After)."""

    status = 503
    retry_after = 1


class QueryShed(EngineBusy):
    """A long public query stopped to free its worker for queries waiting (server.store.lanes).

    Counts against its client's query-time budget as a query stopped at the time limit does."""

    uses_budget = True


class StoreFailed(QueryFailed):
    """The remote SPARQL store could not be reached or failed (remote-store mode).

    502 Bad Gateway: the request was fine, the store behind this server was not.
    """

    status = 502


class LoadFailed(Exception):
    """A published file pyoxigraph could not read; the message names the file, line and column."""
