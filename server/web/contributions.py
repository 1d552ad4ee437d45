"""Contributions over HTTP: submit (bearer token), list, read, accept or reject.

Thin: the lifecycle is the publication service's (``server.publication.service``),
shared with ``mxus contributions``; this module reads requests, checks
tokens and shapes answers. A conforming submission is recorded durably
before the 201; it joins the default graph only when a maintainer accepts it.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from server.publication.contributions import ACCEPTED, PENDING, REJECTED, Contribution
from server.publication.errors import NotConforming
from server.publication.submissions import read_submission
from server.publication.tokens import CONTRIBUTE, MAINTAIN, Identity
from server.state import state
from server.web.bodies import request_body
from server.web.errors import ApiError
from server.rdf.media import DESCRIPTION_TYPES, HTML, JSON, content_type, serialize_as
from server.web.negotiation import NotAcceptable, negotiate_media_type, prefers_html
from server.web.reports import render_report
from server.web.security import bearer_identity
from server.web.i18n import current_language
from server.web.responses import Caching, etag_for, negotiated, respond
from server.web.views import parse_when, render_page

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
    following = None
    if page * per_page < len(items):
        following = f"/contributions?page={page + 1}&per_page={per_page}" + (f"&status={status}" if status else "")
    if prefers_html(request.accept_mimetypes, (JSON,)):
        # The page's ETag names what it lists: a decision changes a status without changing the store.
        listed = [f"{c.id}:{c.status}" for c in window]
        caching = _page_caching("contributions", status or "", str(page), str(per_page), str(len(items)), *listed)
        return respond(caching, lambda: _listing_page(window, len(items), status, following))
    body = {
        "total": len(items),
        "page": page,
        "per_page": per_page,
        "items": [{**c.summary(), "href": f"/contributions/{c.id}"} for c in window],
    }
    response = negotiated(_json(body))
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


def _page_caching(*parts: str) -> Caching:
    """A page in one language, at a URL that also answers JSON (``Vary: Accept``); revalidated on every
    use (``max-age=0``), since a decision changes what it shows."""
    language = current_language()
    return Caching(etag_for(*parts, language), max_age=0, language=language)


def _listing_page(window: list[Contribution], total: int, status: str | None, following: str | None) -> Response:
    rows = [{"id": c.id, "status": c.status, "submitted": moment(c.submitted), "triples": c.triples,
             "contributor": c.contributor.get("name")} for c in window]
    return render_page("contributions.html", rows=rows, total=total, status=status, following=following,
                       statuses=(PENDING, ACCEPTED, REJECTED), active="contributions.listing")


def moment(iso: str | None) -> dict | None:
    """A record's timestamp (ISO 8601, UTC) for people: the day in the page's language, then the time."""
    when = parse_when(iso)
    if when is None:
        return None
    time = iso[11:16] if len(iso) >= 16 and iso[10] == "T" else ""
    return {"iso": iso, "text": f"{when.text}, {time} UTC" if time else when.text}


@bp.route("/contributions/<contribution_id>", methods=["GET", "HEAD"])
def show(contribution_id: str):
    records = state().publication.records
    contribution = records.get(contribution_id)
    try:
        media_type = negotiate_media_type(request.accept_mimetypes, (JSON, HTML, *DESCRIPTION_TYPES), request.args.get("format"))
    except (NotAcceptable, ValueError) as exc:
        raise ApiError(406, str(exc)) from None
    if media_type == HTML:
        caching = _page_caching("contribution", contribution.id, contribution.status, str(len(contribution.history)))
        return respond(caching, lambda: render_page("contribution.html", contribution=contribution, moment=moment,
                                                    turtle=records.content(contribution_id).serialize(format="turtle"),
                                                    active="contributions.listing"))
    if media_type == JSON:
        body = json.dumps(contribution.summary(), indent=2, ensure_ascii=False).encode("utf-8")
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
