"""Dereferenceable URIs (Cool URIs for the Semantic Web, 303 style).

/id/{type}/{slug} names a thing, so it answers 303 See Other: to
/page/{type}/{slug} for browsers, to /data/{type}/{slug} for RDF clients.
/data/... is the RDF description, by Accept or by extension.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request
from rdflib import URIRef

from server.rdf.media import DESCRIPTION_TYPES, EXTENSIONS, HTML, content_type, serialize_as
from server.rdf.uris import is_valid_thing_path, thing_uri
from server.state import state
from server.web.cache import versioned_cache
from server.web.descriptions import alternates_header, describe_resource, resource_exists
from server.web.errors import ApiError
from server.web.negotiation import negotiate
from server.web.responses import Caching, etag_for, negotiated, respond

bp = Blueprint("resources", __name__)


@bp.route("/id/<kind>/<slug>", methods=["GET", "HEAD"])
def thing(kind: str, slug: str):
    if not is_valid_thing_path(kind, slug):
        raise ApiError(404, f"no resource /id/{kind}/{slug}: identifiers are /id/{{type}}/{{slug}} in lowercase")
    if kind == "contribution":  # a contribution is described by the contributions service, whatever its status
        if not state().publication.records.exists(slug):
            raise ApiError(404, f"no contribution {slug}")
        return negotiated(redirect(f"/contributions/{slug}", code=303))
    if not resource_exists(thing_uri(kind, slug)):
        raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset")
    media_type = negotiate(request.accept_mimetypes, (HTML, *DESCRIPTION_TYPES))
    target = f"/page/{kind}/{slug}" if media_type == HTML else f"/data/{kind}/{slug}"
    return negotiated(redirect(target, code=303))


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
    caching = Caching(etag_for("data", kind, slug, media_type), link=alternates_header(kind, slug))
    return respond(caching, lambda: _description(kind, slug, media_type))


def _description(kind: str, slug: str, media_type: str) -> Response:
    body = versioned_cache("descriptions").get((kind, slug, media_type), lambda: _serialized(kind, slug, media_type))
    return Response(body, 200, content_type=content_type(media_type))


def _serialized(kind: str, slug: str, media_type: str) -> bytes:
    """The description in ``media_type``, canonical URIs rewritten to the served base; 404 when there is none."""
    graph = describe_resource(thing_uri(kind, slug))
    if (URIRef(thing_uri(kind, slug)), None, None) not in graph:
        raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset")
    return state().rewriter.outgoing(serialize_as(graph, media_type))
