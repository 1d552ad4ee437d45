"""The query page: /query.

A query typed here goes through the same checks and the same execution as
one sent to /sparql (``server.publication.queries``); a refusal or a
failure is shown on the page, with its status, next to the query to fix.
"""

from __future__ import annotations

from flask import request

from server.publication.errors import PublicationError
from server.publication.queries import prepare_query
from server.state import state
from server.web.limits import client_query
from server.web.pages import bp
from server.web.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS
from server.web.query_page import render_query_page, render_query_result


@bp.route("/query")
def query_page():
    text = request.args.get("query")
    if text is None:
        title = EXAMPLE_SLUGS.get(request.args.get("example", ""))
        return render_query_page(EXAMPLE_QUERIES[title] if title else None)
    app = state()
    try:
        prepared = prepare_query(text, app.store, app.settings["MAX_QUERY_BYTES"], app.rewriter.incoming)
    except PublicationError as error:
        return render_query_page(text, error=error)
    with client_query():
        return render_query_result(text, prepared)
