"""What a SPARQL store answers, made what the protocol promises, whichever engine wrote it.

Measured on Virtuoso 7.2: it marks a partial answer only in headers of a 200, and writes
tab-separated results with IRIs as quoted strings and a header without the ``?`` of each
variable (SPARQL 1.1 Query Results CSV and TSV Formats, section 3), where IRIs and literals
can no longer be told apart.
"""

from __future__ import annotations

from server.store.errors import QueryTimeout, QueryTooLarge

TSV = "text/tab-separated-values"


def tsv_from_json(body: bytes) -> bytes:
    """SPARQL JSON results as the specification's tab-separated results."""
    import pyoxigraph as ox

    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=ox.QueryResultsFormat.TSV)


def refuse_partial(headers) -> None:
    """A 200 a store marks as partial is not an answer (Virtuoso 7.2, measured: ``X-SQL-State`` on an
    "anytime" answer cut at its MaxQueryExecutionTime; ``X-SPARQL-MaxRows`` on a SELECT that reached its
    ResultSetMaxRows, cut or exactly that long, which cannot be told apart)."""
    state = headers.get("X-SQL-State")
    if state:
        raise QueryTimeout(f"the SPARQL store stopped the query at its own time limit and offered a partial answer ({state})")
    rows = headers.get("X-SPARQL-MaxRows")
    if rows:
        raise QueryTooLarge(
            f"the SPARQL store cuts answers at {rows} rows and this one reached it; add a LIMIT below {rows}"
        )
