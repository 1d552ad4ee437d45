"""The query page as a response: the form, with a result or why the query could not run.

Not a blueprint: the query page's route (``pages``) and /sparql for browsers
(``sparql``) both answer with it.
"""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _

from server.publication.errors import PublicationError
from server.publication.queries import PreparedQuery, answer_query
from server.rdf.media import DESCRIPTION_FORMATS, RESULT_FORMATS
from server.rdf.namespaces import bind_prefixes
from server.state import state
from server.web.errors import headers_of
from server.web.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS
from server.web.query_terms import editor_settings
from server.web.views import render_page, term_view

MAX_TABLE_ROWS = 1000
# The same answer from /sparql, as ?format= short names with their labels.
RESULT_DOWNLOADS = tuple((f.short_names[0], f.label) for f in RESULT_FORMATS if f.generic_for is None)
GRAPH_DOWNLOADS = tuple((f.short_names[0], f.label) for f in DESCRIPTION_FORMATS)


def render_query_page(query: str | None = None, result: dict | None = None, error: PublicationError | None = None) -> Response:
    """The query form (GET /query, and GET /sparql for browsers), with a result or an error."""
    if query is None:
        query = next(iter(EXAMPLE_QUERIES.values()))
    examples = [
        {"slug": slug, "title": title, "text": EXAMPLE_QUERIES[title], "href": url_for("pages.query_page", query=EXAMPLE_QUERIES[title])}
        for slug, title in EXAMPLE_SLUGS.items()
    ]
    selected = next((e["slug"] for e in examples if e["text"] == query), None)
    editor = editor_settings() | {
        "examples": {e["slug"]: e["text"] for e in examples},
        "labels": {"query": _("Query"), "results": _("Results"), "documentation": _("YASGUI documentation"),
                   "row": _("Row")},
        # YASR's own words (it has no translations), replaced in the page's language once it has drawn.
        "yasr": {"Table": _("Table"), "Response": _("Response"), "Simple view": _("Simple view"),
                 "Ellipse": _("Shorten long values"), "Filter query results": _("Filter query results"),
                 "Page size:": _("Page size:"), "Download Results": _("Download the results")},
        "results_in": _("%(count)s results in %(seconds)s seconds", count="{count}", seconds="{seconds}"),
    }
    response = render_page(
        "query.html",
        error.status if error else 200,
        query=query,
        examples=examples,
        selected=selected,
        editor=editor,
        result=result,
        error=error,
        active="pages.query_page",
    )
    response.scripted = True  # the editor's scripts, from this server only (server.web.security)
    if error is not None:  # e.g. the workers were busy: when it is worth trying again
        response.headers.update(headers_of(error))
    return response


def render_query_result(text: str, prepared: PreparedQuery) -> Response:
    """The query page with the result of ``text`` (as typed), or with why it could not run."""
    try:
        result = query_result(text, prepared)
    except PublicationError as error:
        return render_query_page(text, error=error)
    return render_query_page(text, result=result)


def query_result(text: str, prepared: PreparedQuery) -> dict:
    """Run a prepared query and present its answer: a table, yes or no, or Turtle."""
    answer = answer_query(prepared, state().store)
    downloads = _downloads(text, prepared)
    if answer.form == "GRAPH":
        graph = bind_prefixes(answer.graph)
        return {"form": prepared.form, "turtle": graph.serialize(format="turtle"), "triples": len(graph), "downloads": downloads}
    if answer.form == "ASK":
        return {"form": "ASK", "boolean": answer.boolean, "downloads": downloads}
    rows = [[_cell(row.get(name)) for name in answer.variables] for row in answer.rows[:MAX_TABLE_ROWS]]
    return {
        "form": "SELECT",
        "variables": answer.variables,
        "rows": rows,
        "total": len(answer.rows),
        "truncated": len(answer.rows) > MAX_TABLE_ROWS,
        "downloads": downloads,
    }


def _cell(term) -> dict | None:
    if term is None:
        return None
    view = term_view(term)
    if view["kind"] == "bnode":
        return {"kind": "bnode", "text": "_:" + str(term), "props": []}
    return view


def _downloads(text: str, prepared: PreparedQuery) -> list[dict]:
    """Links to the same answer from /sparql, in each format it can take."""
    params: dict = {"query": text}
    if prepared.default_graphs:
        params["default-graph-uri"] = list(prepared.default_graphs)
    if prepared.named_graphs:
        params["named-graph-uri"] = list(prepared.named_graphs)
    formats = GRAPH_DOWNLOADS if prepared.returns_graph else RESULT_DOWNLOADS
    return [{"name": name, "href": url_for("sparql.endpoint", **params, format=fmt)} for fmt, name in formats]
