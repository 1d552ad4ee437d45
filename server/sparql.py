"""The SPARQL 1.1 Protocol endpoint at /sparql (query only).

Spec references in errors point to https://www.w3.org/TR/sparql11-protocol/.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from .engine import QueryFailed
from .http import ApiError
from .namespaces import bind_prefixes
from .negotiation import GRAPH_TYPES, HTML, RESULT_TYPES, NotAcceptable, content_type, negotiate_media_type
from .sparql_text import inspect_query
from .store import DEFAULT_GRAPHS

bp = Blueprint("sparql", __name__)

PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    text = read_query_text()
    if text is None:
        return service_description_or_page()
    return run_query(text, request.values.getlist("default-graph-uri"), request.values.getlist("named-graph-uri"))


def read_query_text() -> str | None:
    """The query of a GET, a form POST or a direct POST (SPARQL Protocol §2.1)."""
    limits = current_app.config
    if request.method == "POST":
        if request.content_length and request.content_length > limits["MAX_QUERY_BYTES"] + 10_000:
            raise ApiError(413, f"the request body exceeds the limit of {limits['MAX_QUERY_BYTES']} bytes")
        mimetype = request.mimetype
        if mimetype == "application/sparql-update" or "update" in request.form:
            raise ApiError(403, "this endpoint is read-only: SPARQL Update is not accepted", PROTOCOL + "#update-operation")
        if mimetype == "application/sparql-query":
            text = request.get_data(as_text=True)
        elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            text = request.form.get("query")
            if text is None:
                raise ApiError(400, "a form POST must carry a 'query' parameter", PROTOCOL + "#query-via-post-urlencoded")
        else:
            raise ApiError(
                415,
                f"unsupported Content-Type {mimetype or '(none)'}: send application/sparql-query "
                "or application/x-www-form-urlencoded",
                PROTOCOL + "#query-operation",
            )
    else:
        if "update" in request.args:
            raise ApiError(403, "this endpoint is read-only: SPARQL Update is not accepted", PROTOCOL + "#update-operation")
        text = request.args.get("query")
        if text is None:
            return None
    if len(text.encode("utf-8")) > limits["MAX_QUERY_BYTES"]:
        raise ApiError(413, f"the query exceeds the limit of {limits['MAX_QUERY_BYTES']} bytes")
    if not text.strip():
        raise ApiError(400, "the query is empty", PROTOCOL + "#query-operation")
    return text


def run_query(text: str, default_graph_uris: list[str], named_graph_uris: list[str]) -> Response:
    rewriter = current_app.extensions["mxus.rewriter"]
    store = current_app.extensions["mxus.store"]
    text = rewriter.incoming(text)
    default_graph_uris = [rewriter.incoming(u) for u in default_graph_uris]
    named_graph_uris = [rewriter.incoming(u) for u in named_graph_uris]
    info = inspect_query(text)
    if info.is_update:
        raise ApiError(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is not accepted", PROTOCOL + "#update-operation")
    if info.uses_service:
        raise ApiError(400, "SERVICE is not allowed: this endpoint never queries other servers (federated queries are refused)")
    known = set(store.graph_names)
    for graph in [*info.from_graphs, *info.from_named_graphs, *default_graph_uris, *named_graph_uris]:
        if graph not in known:
            raise ApiError(
                400,
                f"graph <{graph}> is not in this dataset; nothing is fetched from elsewhere "
                f"(graphs here: {', '.join(sorted(known))})",
                PROTOCOL + "#dataset",
            )
    offered = GRAPH_TYPES if info.form in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES
    try:
        media_type = negotiate_media_type(request.accept_mimetypes, offered, request.values.get("format"))
    except NotAcceptable as exc:
        raise ApiError(406, str(exc)) from None
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    try:
        body = store.query(
            text,
            media_type,
            default_graphs=tuple(default_graph_uris) or DEFAULT_GRAPHS,
            named_graphs=tuple(named_graph_uris) or None,
        )
    except QueryFailed as exc:
        message = f"SPARQL syntax error: {exc}" if exc.status == 400 else str(exc)
        raise ApiError(exc.status, message, PROTOCOL + "#query-failure") from None
    response = Response(rewriter.outgoing(body), 200, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


def service_description_or_page() -> Response:
    offered = (HTML, *GRAPH_TYPES)
    try:
        media_type = negotiate_media_type(request.accept_mimetypes, ("text/turtle", *offered[1:], HTML), request.args.get("format"))
    except (NotAcceptable, ValueError) as exc:
        raise ApiError(406, str(exc)) from None
    if request.accept_mimetypes.quality(HTML) > request.accept_mimetypes.quality("text/turtle") or media_type == HTML:
        from .pages import render_query_page

        return render_query_page()
    rewriter = current_app.extensions["mxus.rewriter"]
    graph = service_description(rewriter.served_base + "sparql")
    body = graph.serialize(format=_rdflib_name(media_type), encoding="utf-8")
    response = Response(rewriter.outgoing(body), 200, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


def service_description(endpoint_url: str) -> Graph:
    config = current_app.config
    store = current_app.extensions["mxus.store"]
    graph = bind_prefixes(Graph())
    graph.bind("sd", SD)
    service = URIRef(endpoint_url)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for feature in ("UnionDefaultGraph",):
        graph.add((service, SD.feature, SD[feature]))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML", "N-Quads", "TriG"):
        graph.add((service, SD.resultFormat, FORMATS[fmt]))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                f"Read-only. Limits: query text {config['MAX_QUERY_BYTES']} bytes; execution "
                f"{config['QUERY_TIMEOUT']:g} s per query (the query is stopped); result "
                f"{config['MAX_RESULT_BYTES']} bytes; worker memory {config['WORKER_MEMORY_MB']} MiB. "
                "SERVICE and graphs outside this dataset are refused.",
                lang="en",
            ),
        )
    )
    dataset = BNode()
    default_graph = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDF.type, VOID.Dataset))
    graph.add((default_graph, VOID.triples, Literal(store.triple_count, datatype=XSD.integer)))
    graph.add((default_graph, RDFS.seeAlso, URIRef("https://w3id.org/mxus/.well-known/void")))
    for name in store.graph_names:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(name)))
    return graph


def _rdflib_name(media_type: str) -> str:
    return {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
        "application/rdf+xml": "xml",
        "application/n-quads": "nquads",
        "application/trig": "trig",
    }[media_type]
