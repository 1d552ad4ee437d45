"""The query page: /query, and /sparql for browsers.

A query typed here goes through the same checks and the same execution as
one sent to /sparql (``prepare_query``, ``execute_query``); a refusal or a
failure is shown on the page, with its status, next to the query to fix.
"""

from __future__ import annotations

import json

from flask import Response, request, url_for
from rdflib import Graph

from server.rdf.namespaces import bind_prefixes
from server.web.errors import ApiError
from server.web.pages import bp
from server.web.pages.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS
from server.web.pages.views import RESULTS_JSON, iri_view, literal_view, render_page
from server.web.sparql import PreparedQuery, execute_query, prepare_query

MAX_TABLE_ROWS = 1000
RESULT_DOWNLOADS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_DOWNLOADS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))


@bp.route("/query")
def query_page():
    text = request.args.get("query")
    if text is None:
        title = EXAMPLE_SLUGS.get(request.args.get("example", ""))
        return render_query_page(EXAMPLE_QUERIES[title] if title else None)
    try:
        prepared = prepare_query(text)
    except ApiError as error:
        return render_query_page(text, error=error)
    return render_query_result(text, prepared)


def render_query_page(query: str | None = None, result: dict | None = None, error: ApiError | None = None) -> Response:
    """The query form (GET /query, and GET /sparql for browsers), with a result or an error."""
    if query is None:
        query = next(iter(EXAMPLE_QUERIES.values()))
    examples = [
        {"slug": slug, "title": title, "text": EXAMPLE_QUERIES[title], "href": url_for("pages.query_page", query=EXAMPLE_QUERIES[title])}
        for slug, title in EXAMPLE_SLUGS.items()
    ]
    selected = next((e["slug"] for e in examples if e["text"] == query), None)
    return render_page(
        "query.html",
        error.status if error else 200,
        query=query,
        examples=examples,
        selected=selected,
        result=result,
        error=error,
        active="pages.query_page",
    )


def render_query_result(text: str, prepared: PreparedQuery) -> Response:
    """The query page with the result of ``text`` (as typed), or with why it could not run."""
    try:
        result = query_result(text, prepared)
    except ApiError as error:
        return render_query_page(text, error=error)
    return render_query_page(text, result=result)


def query_result(text: str, prepared: PreparedQuery) -> dict:
    """Run a prepared query and present its answer: a table, yes or no, or Turtle."""
    body = execute_query(prepared, "application/n-triples" if prepared.returns_graph else RESULTS_JSON)
    downloads = _downloads(text, prepared)
    if prepared.returns_graph:
        graph = bind_prefixes(Graph()).parse(data=body.decode("utf-8"), format="nt")
        turtle = graph.serialize(format="turtle")
        return {"form": prepared.form, "turtle": turtle, "triples": len(graph), "downloads": downloads}
    results = json.loads(body)
    if "boolean" in results:
        return {"form": "ASK", "boolean": bool(results["boolean"]), "downloads": downloads}
    variables = results.get("head", {}).get("vars", [])
    bindings = results.get("results", {}).get("bindings", [])
    rows = [[_binding_view(row.get(name)) for name in variables] for row in bindings[:MAX_TABLE_ROWS]]
    return {
        "form": "SELECT",
        "variables": variables,
        "rows": rows,
        "total": len(bindings),
        "truncated": len(bindings) > MAX_TABLE_ROWS,
        "downloads": downloads,
    }


def _downloads(text: str, prepared: PreparedQuery) -> list[dict]:
    """Links to the same answer from /sparql, in each format it can take."""
    params: dict = {"query": text}
    if prepared.default_graphs:
        params["default-graph-uri"] = list(prepared.default_graphs)
    if prepared.named_graphs:
        params["named-graph-uri"] = list(prepared.named_graphs)
    formats = GRAPH_DOWNLOADS if prepared.returns_graph else RESULT_DOWNLOADS
    return [{"name": name, "href": url_for("sparql.endpoint", **params, format=fmt)} for fmt, name in formats]


def _binding_view(binding: dict | None) -> dict | None:
    if binding is None:
        return None
    kind = binding.get("type")
    if kind == "uri":
        return iri_view(binding["value"])
    if kind == "bnode":
        return {"kind": "bnode", "text": "_:" + binding["value"], "props": []}
    if kind in ("literal", "typed-literal"):
        return literal_view(binding["value"], binding.get("xml:lang"), binding.get("datatype"))
    return literal_view(json.dumps(binding.get("value"), ensure_ascii=False))  # RDF-star triple terms
