"""Contributions over HTTP: submit (bearer token), list, read, accept or reject.

Thin: the lifecycle is the publication service's (``server.publication.service``),
shared with ``mxus contributions``; this module reads requests, checks
tokens and shapes answers. A conforming submission is recorded durably
before the 201; it joins the default graph only when a maintainer accepts it.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from server.publication.contributions import ACCEPTED, PENDING, REJECTED, Contribution
from server.publication.errors import NotConforming
from server.publication.submissions import read_submission
from server.publication.tokens import CONTRIBUTE, MAINTAIN, Identity
from server.state import state
from server.web.bodies import request_body
from server.web.errors import ApiError
from server.rdf.media import DESCRIPTION_TYPES, HTML, content_type, serialize_as
from server.web.negotiation import NotAcceptable, negotiate_media_type
from server.web.reports import render_report
from server.web.security import bearer_identity
from server.web.responses import negotiated

bp = Blueprint("contributions", __name__)


def require(right: str) -> Identity:
    identity = bearer_identity()
    if identity is None:
        raise ApiError(
            401,
            "a valid bearer token is required (Authorization: Bearer TOKEN); ask a maintainer for one",
            headers={"WWW-Authenticate": 'Bearer realm="mxus-ld"'},
        )
    if not identity.can(right):
        raise ApiError(403, f"this token does not carry the right to {right}")
    return identity


@bp.route("/contributions", methods=["POST"])
def submit():
    identity = require(CONTRIBUTE)
    app = state()
    body = request_body(request, app.settings["MAX_BODY_BYTES"])
    submission = read_submission(body, request.mimetype, app.settings["MAX_SUBMISSION_TRIPLES"], incoming=app.rewriter.incoming)
    try:
        contribution, _ = app.publication.submit(submission, {"name": identity.name, "orcid": identity.orcid})
    except NotConforming as refused:
        return render_report(refused.report, "application/json", status=422)
    response = _json(contribution.summary(), 201)
    response.headers["Location"] = f"/contributions/{contribution.id}"
    return response


@bp.route("/contributions", methods=["GET"])
def listing():
    status = request.args.get("status")
    if status not in (None, PENDING, ACCEPTED, REJECTED):
        raise ApiError(400, "status must be pending, accepted or rejected")
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(100, max(1, int(request.args.get("per_page", 20))))
    except ValueError:
        raise ApiError(400, "page and per_page are whole numbers") from None
    items = state().publication.records.all(status)
    window = items[(page - 1) * per_page : page * per_page]
    body = {
        "total": len(items),
        "page": page,
        "per_page": per_page,
        "items": [{**c.summary(), "href": f"/contributions/{c.id}"} for c in window],
    }
    response = _json(body)
    if page * per_page < len(items):
        query = f"page={page + 1}&per_page={per_page}" + (f"&status={status}" if status else "")
        response.headers["Link"] = f'</contributions?{query}>; rel="next"'
    return response


@bp.route("/contributions/<contribution_id>", methods=["GET", "HEAD"])
def show(contribution_id: str):
    records = state().publication.records
    contribution = records.get(contribution_id)
    try:
        media_type = negotiate_media_type(request.accept_mimetypes, ("application/json", HTML, *DESCRIPTION_TYPES), request.args.get("format"))
    except (NotAcceptable, ValueError) as exc:
        raise ApiError(406, str(exc)) from None
    if media_type == "application/json":
        body = json.dumps(contribution.summary(), indent=2, ensure_ascii=False).encode("utf-8")
    elif media_type == HTML:
        turtle = records.content(contribution_id).serialize(format="turtle")
        body = render_template("contribution.html", contribution=contribution, turtle=turtle).encode("utf-8")
    else:
        body = serialize_as(records.content(contribution_id), media_type)
    return negotiated(Response(state().rewriter.outgoing(body), 200, content_type=content_type(media_type)))


@bp.route("/contributions/<contribution_id>/<decision>", methods=["POST"])
def decide(contribution_id: str, decision: str):
    identity = require(MAINTAIN)
    if decision not in ("accept", "reject"):
        raise ApiError(404, f"no action {decision!r}: use /accept or /reject")
    reason = request.form.get("reason") if request.mimetype == "application/x-www-form-urlencoded" else None
    contribution: Contribution = state().publication.decide(contribution_id, decision == "accept", identity.name, reason)
    return _json(contribution.summary())


def _json(document: dict, status: int = 200) -> Response:
    """A JSON answer, its canonical URIs rewritten to the served base like every other answer."""
    body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    return Response(state().rewriter.outgoing(body), status, mimetype="application/json")
