"""Validation as a service: POST /validate, and a form at GET /validate.

The same validation as ``mxus validate`` and contributions (the publication
service's), so the three never disagree. Anyone may validate, so a request
without a contributor's token (the form always) has smaller limits: at most
ANONYMOUS_MAX_TRIPLES, and a short wait for the validator, behind contributors.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.publication.errors import InputRefused
from server.publication.submissions import read_submission
from server.publication.tokens import CONTRIBUTE
from server.state import state
from server.web.bodies import request_body, too_large_message
from server.web.errors import ApiError
from server.web.negotiation import NotAcceptable, negotiate_media_type
from server.web.reports import REPORT_TYPES, render_report
from server.web.security import bearer_identity

bp = Blueprint("validation", __name__)


@bp.route("/validate", methods=["GET"])
def form():
    return render_template("validate.html", report=None, text="", media_type="text/turtle")


@bp.route("/validate", methods=["POST"])
def validate():
    if request.mimetype == "multipart/form-data" or request.mimetype == "application/x-www-form-urlencoded":
        return _validate_form()
    try:
        answer_type = negotiate_media_type(request.accept_mimetypes, REPORT_TYPES)
    except NotAcceptable as exc:
        raise ApiError(406, str(exc)) from None
    app = state()
    body = request_body(request, app.settings["MAX_BODY_BYTES"])
    limit, wait = _limits(contributor=_is_contributor())
    with nullcontext() if wait is None else app.publication.anonymous_turn(wait):
        submission = read_submission(body, request.mimetype, limit, incoming=app.rewriter.incoming)
        report = app.publication.validate(submission.graph, wait)
    return render_report(report, answer_type)


def _is_contributor() -> bool:
    identity = bearer_identity()
    return identity is not None and identity.can(CONTRIBUTE)


def _limits(contributor: bool) -> tuple[int, float | None]:
    """(most triples, seconds to wait for the validator or None: as long as it takes)."""
    settings = state().settings
    if contributor:
        return settings["MAX_SUBMISSION_TRIPLES"], None
    limit = min(settings["ANONYMOUS_MAX_TRIPLES"], settings["MAX_SUBMISSION_TRIPLES"])
    return limit, settings["ANONYMOUS_VALIDATION_WAIT_SECONDS"]


def _validate_form() -> Response:
    """The browser form: pasted text or an uploaded file, answered as a page."""
    app = state()
    try:
        media_type = request.form.get("media_type", "text/turtle")
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        page = render_template("validate.html", report=None, error=too_large_message(app.settings["MAX_BODY_BYTES"]), text="", media_type="text/turtle")
        return Response(page, 413, content_type="text/html; charset=utf-8")
    uploaded = bool(upload and upload.filename)
    body = upload.read() if uploaded else request.form.get("text", "").encode("utf-8")
    text = body.decode("utf-8", "replace")
    limit, wait = _limits(contributor=False)  # a browser form sends no token
    try:
        with app.publication.anonymous_turn(wait):
            submission = read_submission(body, media_type, limit, "uploaded file" if uploaded else "pasted text", app.rewriter.incoming)
            report = app.publication.validate(submission.graph, wait)
    except InputRefused as error:
        page = render_template("validate.html", report=None, error=error.message, text=text, media_type=media_type)
        return Response(app.rewriter.outgoing_text(page), error.status, content_type="text/html; charset=utf-8")
    page = render_template("validate.html", report=report, text=text, media_type=media_type)
    return Response(app.rewriter.outgoing_text(page), 200, content_type="text/html; charset=utf-8")
