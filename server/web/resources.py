"""Dereferenceable URIs (Cool URIs for the Semantic Web, 303 style).

/id/{type}/{slug} names a thing, so it answers 303 See Other: to
/page/{type}/{slug} for browsers, to /data/{type}/{slug} for RDF clients.
/data/... is the RDF description, by Accept or by extension.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, redirect, request
from rdflib import Graph, URIRef

from server.state import state
from server.rdf.namespaces import bind_prefixes
from server.rdf.uris import is_valid_thing_path, thing_uri
from server.web.errors import ApiError
from server.web.negotiation import DESCRIPTION_TYPES, EXTENSIONS, HTML, content_type, negotiate, serialize_as

bp = Blueprint("resources", __name__)


DESCRIBE_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {
  ?r ?p ?o . ?o ?p1 ?o1 . ?o1 ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o rdfs:label ?olabel .
  ?in ?pin ?r . ?in rdfs:label ?inlabel .
} WHERE {
  VALUES ?r { <%s> }
  {
    ?r ?p ?o .
    OPTIONAL { FILTER (isBlank(?o)) ?o ?p1 ?o1 .
      OPTIONAL { FILTER (isBlank(?o1)) ?o1 ?p2 ?o2 .
        OPTIONAL { FILTER (isBlank(?o2)) ?o2 ?p3 ?o3 } } }
    OPTIONAL { FILTER (isIRI(?o)) ?o rdfs:label ?olabel }
  } UNION {
    ?in ?pin ?r . OPTIONAL { ?in rdfs:label ?inlabel }
  }
}
"""


def describe_resource(iri: str) -> Graph:
    """All triples about ``iri`` (blank nodes closed), its neighbours' labels, its incoming links."""
    if "<" in iri or ">" in iri or " " in iri:
        raise ValueError(f"not an IRI: {iri!r}")
    store = state().store
    return bind_prefixes(store.construct(DESCRIBE_QUERY % iri))


def resource_exists(iri: str) -> bool:
    """Whether the default graph says anything about ``iri`` (a 404 rather than a 303 to nowhere)."""
    return state().store.ask(f"ASK {{ <{iri}> ?p ?o }}")


def dataset_version() -> str:
    return state().store.version


@functools.cache
def code_version() -> str:
    """The installed version of this package: what is served changes with the code too."""
    try:
        return importlib.metadata.version("mxus-ld")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def etag_for(*parts: str) -> str:
    """An ETag that changes when the data or the code that presents it changes."""
    return hashlib.sha256("\x00".join((dataset_version(), code_version(), *parts)).encode()).hexdigest()[:32]


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    rewriter = state().rewriter
    return rewriter.outgoing(serialize_as(graph, media_type))


def alternates_header(kind: str, slug: str) -> str:
    base = f"/data/{kind}/{slug}"
    links = [f'<{base}{ext}>; rel="alternate"; type="{media}"' for ext, media in EXTENSIONS.items()]
    links.append(f'</page/{kind}/{slug}>; rel="alternate"; type="text/html"')
    return ", ".join(links)


@bp.route("/id/<kind>/<slug>", methods=["GET", "HEAD"])
def thing(kind: str, slug: str):
    if not is_valid_thing_path(kind, slug):
        raise ApiError(404, f"no resource /id/{kind}/{slug}: identifiers are /id/{{type}}/{{slug}} in lowercase")
    if kind == "contribution":  # a contribution is described by the contributions service, whatever its status
        if not state().publication.records.exists(slug):
            raise ApiError(404, f"no contribution {slug}")
        response = redirect(f"/contributions/{slug}", code=303)
        response.headers["Vary"] = "Accept"
        return response
    if not resource_exists(thing_uri(kind, slug)):
        raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset")
    media_type = negotiate(request.accept_mimetypes, (HTML, *DESCRIPTION_TYPES))
    target = f"/page/{kind}/{slug}" if media_type == HTML else f"/data/{kind}/{slug}"
    response = redirect(target, code=303)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/data/<kind>/<path:slug>", methods=["GET", "HEAD"])
def data(kind: str, slug: str):
    explicit = None
    for extension, media in EXTENSIONS.items():
        if slug.endswith(extension):
            slug, explicit = slug[: -len(extension)], media
            break
    if not is_valid_thing_path(kind, slug):
        raise ApiError(404, f"no resource /data/{kind}/{slug}")
    try:
        media_type = explicit or negotiate(request.accept_mimetypes, DESCRIPTION_TYPES, request.args.get("format"))
    except ApiError:
        if not resource_exists(thing_uri(kind, slug)):  # an unknown resource is a 404 whatever was asked
            raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset") from None
        raise
    etag = etag_for("data", kind, slug, media_type)
    if request.if_none_match.contains_weak(etag):
        return _with_headers(Response(status=304), etag, kind, slug)
    cache = current_app.extensions.setdefault("mxus.descriptions", DescriptionCache())  # per app: bodies carry its base
    body = cache.get(etag)
    if body is None:
        graph = describe_resource(thing_uri(kind, slug))
        if (URIRef(thing_uri(kind, slug)), None, None) not in graph:
            raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset")
        body = cache.put(etag, serialize_graph(graph, media_type))
    response = Response(body, 200, content_type=content_type(media_type))
    return _with_headers(response, etag, kind, slug)


class DescriptionCache:
    """Serialized descriptions by ETag, least recently used out first.

    The ETag names the dataset version, the code version, the resource and
    the format, so a cached body is never stale: a new version means new keys.
    """

    def __init__(self, entries: int = 4096):
        self._entries = entries
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> bytes:
        with self._lock:
            self._bodies[etag] = body
            while len(self._bodies) > self._entries:
                self._bodies.popitem(last=False)
        return body



def _with_headers(response: Response, etag: str, kind: str, slug: str) -> Response:
    response.set_etag(etag)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = alternates_header(kind, slug)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

