"""/reconcile: the Reconciliation Service API 0.2 (W3C Entity Reconciliation Community Group), for OpenRefine and its kin.

Thin: the manifest, candidates, suggestions and data extension are
``server.linking``'s; this module reads the parameters (GET query string
or POST form, as the specification allows both), rewrites URIs between the
served and the canonical base, and answers JSON. What a client got wrong is
a 400 (413 for a batch over ``batchSize``) with a JSON error body, whatever
it accepts: reconciliation clients read JSON. A batch or a data extension
is charged to its client as one query to /sparql is (``server.web.limits``:
``PER_CLIENT_QUERIES`` at once, ``PER_CLIENT_QUERY_SECONDS`` per window;
429 beyond). CORS is the app's, as on every endpoint (the specification
requires it).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from server.linking.catalogue import build_index
from server.linking.extension import extend
from server.linking.queries import (
    MAX_QUERY_CHARS,
    SPEC,
    Refused,
    entity_iri,
    entity_type,
    read_batch,
    read_cursor,
    read_extension,
    read_limit,
)
from server.linking.reconciliation import (
    card_facts,
    manifest,
    propose_properties,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
    type_view,
)
from server.state import state
from server.web.cache import versioned_cache
from server.web.errors import ApiError, _title, headers_of, json_error
from server.web.limits import client_query
from server.web.responses import Caching, code_version, etag_for, respond
from server.web.views import render_page

bp = Blueprint("reconcile", __name__)
SUGGESTERS = {"entity", "type", "property"}


@bp.errorhandler(Refused)
def _refused(error: Refused) -> Response:
    return json_error(error.status, _title(error.status), state().rewriter.outgoing_text(error.message), SPEC)


@bp.errorhandler(ApiError)
def _limited(error: ApiError) -> Response:
    """A per-client limit (429) or a 404, in JSON as well: reconciliation clients read JSON."""
    response = json_error(error.status, _title(error.status), state().rewriter.outgoing_text(error.message), error.spec)
    response.headers.update(headers_of(error))
    return response


def _index():
    app = state()
    return versioned_cache("reconcile").get("index", lambda: build_index(app.store))


def _json(body: dict) -> Response:
    text = state().rewriter.outgoing_text(json.dumps(body, ensure_ascii=False))
    return Response(text, 200, content_type="application/json; charset=utf-8")


def _parameter(name: str) -> str | None:
    """A parameter from the query string (GET) or the form (POST), URIs mapped to the canonical base."""
    value = request.form.get(name) if request.method == "POST" and name in request.form else request.args.get(name)
    return None if value is None else state().rewriter.incoming(value)


@bp.route("/reconcile", methods=["GET", "POST"])
def service():
    queries, extension = _parameter("queries"), _parameter("extend")
    if queries is not None and extension is not None:
        raise Refused("send either queries= or extend=, not both")
    if queries is not None:
        batch = read_batch(queries)
        with client_query():  # a batch is charged to its client as one SPARQL query is
            return _json(reconcile(batch, _index(), state().store))
    if extension is not None:
        iris, properties = read_extension(extension)
        with client_query():
            return _json(extend(_index(), state().store, iris, properties))
    caching = Caching(etag_for("reconcile-manifest"), vary_accept=False)
    return respond(caching, lambda: _json(manifest(code_version())))


def _prefix() -> str:
    prefix = request.args.get("prefix", "")
    if len(prefix) > MAX_QUERY_CHARS:
        raise Refused(f"prefix is longer than {MAX_QUERY_CHARS} characters")
    return state().rewriter.incoming(prefix)


@bp.route("/reconcile/suggest/<kind>", methods=["GET"])
def suggest(kind: str):
    if kind not in SUGGESTERS:
        raise Refused(f"no suggest service for {kind!r}; there are: entity, type, property", 404)
    prefix, cursor = _prefix(), read_cursor(request.args.get("cursor"))
    if kind == "entity":
        raw_type = request.args.get("type")
        types = {entity_type(state().rewriter.incoming(raw_type))} if raw_type else None
        return _json(suggest_entities(_index(), prefix, cursor, types))
    return _json(suggest_types(prefix, cursor) if kind == "type" else suggest_properties(prefix, cursor))


@bp.route("/reconcile/properties", methods=["GET"])
def properties():
    raw_type = _parameter("type")
    limit = read_limit(request.args.get("limit"), 50, 50)
    if not raw_type:  # a column reconciled against no particular type: every property
        body = {"properties": propose_properties(None, limit)}
    else:
        body = {"type": type_view(entity_type(raw_type))["id"], "properties": propose_properties(entity_type(raw_type), limit)}
    if request.args.get("limit"):
        body["limit"] = limit
    return _json(body)


@bp.route("/reconcile/preview", methods=["GET"])
def preview():
    raw_id = _parameter("id")
    if not raw_id:
        raise Refused("id= is required: the reconciliation id of the entity to preview")
    entity = _index().entities.get(entity_iri(raw_id))
    if entity is None:
        raise Refused(f"no entity {raw_id!r} to preview", 404)

    def build() -> Response:
        response = render_page("reconcile_preview.html", entity=entity, types=[type_view(t) for t in sorted(entity.types)],
                               page=f"/page/{entity.id}", facts=card_facts(_index(), state().store, entity.iri))
        response.frameable = True  # shown by reconciliation clients in an <iframe> (security.install)
        return response

    return respond(Caching(etag_for("reconcile-preview", entity.iri), vary_accept=False), build)
