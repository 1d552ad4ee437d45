"""The SPARQL 1.1 Protocol endpoint at /sparql (query only).

A query is read from the request (``read_query_text``), checked and refused
if this endpoint must not run it (``prepare_query``), then run
(``run_query``); the query page runs its queries through the same two
functions. An answer is a function of the dataset version, the query and the
format: GET answers carry an ETag of the three (a matching If-None-Match is a
304 without running anything), and a repeated query is answered from a
bounded cache that any change of the data empties. Browsers get the query page with the result instead of raw
results, and the query page instead of the service description.

Spec references in errors point to https://www.w3.org/TR/sparql11-protocol/.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_to_bytes

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from server.publication.queries import PROTOCOL, prepare_query, run_query
from server.rdf.media import GRAPH_TYPES, HTML, SPARQL_FORMATS, content_type, serialize_as
from server.rdf.namespaces import SD, VOID, VOID_DOCUMENT, bind_prefixes
from server.state import state
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.limits import client_query
from server.web.negotiation import negotiate, prefers_html
from server.web.query_page import render_query_page, render_query_result
from server.web.responses import Caching, etag_for, negotiated, respond

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    parameters = request_parameters()
    text = read_query_text(parameters)
    if text is None:
        return service_description_or_page()
    app = state()
    prepared = prepare_query(text, app.store, app.settings["MAX_QUERY_BYTES"], app.rewriter.incoming,
                             parameters.getlist("default-graph-uri"), parameters.getlist("named-graph-uri"))
    explicit = parameters.get("format")
    if prefers_html(request.accept_mimetypes, prepared.offered, explicit):
        with client_query():
            return negotiated(render_query_result(text, prepared))
    media_type = negotiate(request.accept_mimetypes, prepared.offered, explicit)
    key = (media_type, prepared.text, prepared.default_graphs, prepared.named_graphs)
    caching = Caching(etag=etag_for("sparql", *map(repr, key))) if request.method == "GET" else Caching(max_age=None)

    def answer() -> Response:
        """From the result cache, or run (and charged to the client) when this version never answered it."""
        body = versioned_cache("sparql-results", max_bytes=app.settings["RESULT_CACHE_BYTES"]).get(key, run, coalesce=False)
        return Response(body, 200, content_type=content_type(media_type))

    def run() -> bytes:
        """The answer as served (base rewritten once, here, not at every cache hit)."""
        with client_query():
            return app.rewriter.outgoing(run_query(prepared, app.store, media_type))

    return respond(caching, answer)


def request_parameters() -> MultiDict:
    """The query string's parameters and a urlencoded form's, read as strict UTF-8 (400 otherwise):
    the protocol requires UTF-8, and a silently replaced byte would run another query than the one sent."""
    limit = state().settings["MAX_QUERY_BYTES"]
    if request.method == "POST" and request.content_length and request.content_length > limit + 10_000:
        raise ApiError(413, f"the request body exceeds the limit of {limit} bytes")  # not worth reading
    parameters = MultiDict(parse_qsl(_require_utf8(request.query_string, "the query string"), keep_blank_values=True))
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        parameters.update(parse_qsl(_require_utf8(request.get_data(), "the form"), keep_blank_values=True))
    elif request.method == "POST" and request.mimetype == "multipart/form-data":
        parameters.update(request.form)
    return parameters


def read_query_text(parameters: MultiDict) -> str | None:
    """The query of a GET, a form POST or a direct POST (SPARQL Protocol §2.1); None when there is none.

    Only the protocol is checked here (one query, in UTF-8); the text itself is checked by ``prepare_query``.
    """
    if len(parameters.getlist("query")) > 1:
        raise ApiError(400, "the request carries more than one 'query' parameter: send exactly one", PROTOCOL + "#query-operation")
    mimetype = request.mimetype
    if "update" in parameters or (request.method == "POST" and mimetype == "application/sparql-update"):
        raise ApiError(403, "this endpoint is read-only: SPARQL Update is not accepted", PROTOCOL + "#update-operation")
    if request.method == "GET":
        return parameters.get("query")
    if mimetype == "application/sparql-query":
        return _require_utf8(request.get_data(), "the request body", percent_encoded=False)
    if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if "query" not in parameters:
            raise ApiError(400, "a form POST must carry a 'query' parameter", PROTOCOL + "#query-via-post-urlencoded")
        return parameters["query"]
    raise ApiError(
        415,
        f"unsupported Content-Type {mimetype or '(none)'}: send application/sparql-query "
        "or application/x-www-form-urlencoded",
        PROTOCOL + "#query-operation",
    )


def _require_utf8(raw: bytes, what: str, percent_encoded: bool = True) -> str:
    """``raw`` checked as UTF-8 (after percent-decoding, for a query string or a form); returned as
    text, still percent-encoded where it was."""
    try:
        (unquote_to_bytes(raw.replace(b"+", b" ")) if percent_encoded else raw).decode("utf-8")
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"{what} is not valid UTF-8 (byte {exc.start + 1}): SPARQL requests are UTF-8",
                       PROTOCOL + "#query-operation") from None


# ---------------------------------------------------------------- no query: what the service is


def service_description_or_page() -> Response:
    explicit = request.args.get("format")
    if prefers_html(request.accept_mimetypes, GRAPH_TYPES, explicit):
        media_type = HTML
    else:
        media_type = negotiate(request.accept_mimetypes, (*GRAPH_TYPES, HTML), explicit)
    if media_type == HTML:
        return negotiated(render_query_page())
    rewriter = state().rewriter
    graph = service_description(rewriter.served_base + "sparql")
    body = serialize_as(graph, media_type)
    return negotiated(Response(rewriter.outgoing(body), 200, content_type=content_type(media_type)))


def default_graph_size(store) -> int:
    """Triples a query sees by default (data, ontology, accepted contributions), counted once per store version."""
    return versioned_cache("sparql").get("default-graph-size", lambda: store.count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))


def service_description(endpoint_url: str) -> Graph:
    config = state().settings
    store = state().store
    graph = bind_prefixes(Graph())
    graph.bind("sd", SD)
    service = URIRef(endpoint_url)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for feature in ("UnionDefaultGraph",):
        graph.add((service, SD.feature, SD[feature]))
    for fmt in SPARQL_FORMATS:
        graph.add((service, SD.resultFormat, fmt))
    if config["STORE_URL"]:
        # Remote-store mode: the time limit is how long this server waits; memory is the store's affair.
        limits = (
            f"Read-only. Limits: query text {config['MAX_QUERY_BYTES']} bytes; execution "
            f"{config['QUERY_TIMEOUT']:g} s per query (the answer is abandoned); result "
            f"{config['MAX_RESULT_BYTES']} bytes. Queries are answered by a separate SPARQL store, "
            "which is not network-isolated: SERVICE and graphs outside this dataset are refused "
            "before a query is sent."
        )
    else:
        limits = (
            f"Read-only. Limits: query text {config['MAX_QUERY_BYTES']} bytes; execution "
            f"{config['QUERY_TIMEOUT']:g} s per query (the query is stopped); result "
            f"{config['MAX_RESULT_BYTES']} bytes; worker memory {config['WORKER_MEMORY_MB']} MiB. "
            "SERVICE and graphs outside this dataset are refused."
        )
    limits += (
        f" Per client: {config['PER_CLIENT_QUERIES']} quer{'y' if config['PER_CLIENT_QUERIES'] == 1 else 'ies'} at once "
        f"and {config['PER_CLIENT_QUERY_SECONDS']:g} s of query time per {config['PER_CLIENT_WINDOW_SECONDS']:g} s "
        "(a query stopped at the time limit uses it all); beyond either, 429 with Retry-After. A query waits at most "
        f"{config['PUBLIC_QUEUE_SECONDS']:g} s for a free worker (503 with Retry-After beyond)."
    )
    graph.add((service, RDFS.comment, Literal(limits, lang="en")))
    dataset = BNode()
    default_graph = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDF.type, VOID.Dataset))
    graph.add((default_graph, VOID.triples, Literal(default_graph_size(store), datatype=XSD.integer)))
    graph.add((default_graph, RDFS.seeAlso, VOID_DOCUMENT))
    for name in store.graph_names:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(name)))
    return graph
