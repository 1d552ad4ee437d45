"""Every error a store raises, each with the HTTP status it stands for.

The web layer maps them to responses in one place (``server.web.errors``);
the command line prints their message. Nothing outside ``server.store``
needs to know which engine raised one.
"""

from __future__ import annotations

import re


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


def _mentions_timeout(message: str) -> bool:
    return bool(re.search(r"time(d)?[ -]?out|timeout|cancel", message, re.IGNORECASE))


def store_refusal(operation: str, code: int, message: str) -> QueryFailed:
    """What a SPARQL store's error answer (``code``, its text) stands for, whichever engine gave it.

    Oxigraph server and Virtuoso both answer errors as text/plain: 400 for what they cannot read,
    500 for the rest. A store's own time limit is a timeout (Oxigraph: "…cancelled"; Virtuoso: "SR171:
    Transaction timed out"), and Virtuoso's refusal of a query it estimates would take longer than its
    MaxQueryCostEstimationTime is over the limit too (422), not a failure of the store (502).
    """
    if code == 400 and operation == "query":
        return QuerySyntaxError(message)
    if code in (401, 403):
        return StoreFailed(
            f"the SPARQL store refused the {operation} ({code}): check the store's credentials (STORE_USER, STORE_PASSWORD)"
        )
    if code == 404:
        return StoreFailed(f"no SPARQL {operation} endpoint at the configured URL (404)")
    if operation == "query" and code >= 500 and _mentions_timeout(message):
        return QueryTimeout(f"the SPARQL store stopped the query at its own time limit: {message}")
    if operation == "query" and code >= 500 and ESTIMATE_OVER_LIMIT.search(message):
        return QueryOverLimit(f"the SPARQL store refused to run the query, estimating it would take too long: {message}")
    return StoreFailed(f"the SPARQL store could not answer the {operation} ({code}): {message}")


ESTIMATE_OVER_LIMIT = re.compile(r"estimated execution time .* exceeds the limit", re.IGNORECASE)  # Virtuoso 7.2
