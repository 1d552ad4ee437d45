"""Validation as a service: POST /validate, and a form at GET /validate.

The same validation as ``mxus validate`` and contributions (the publication
service's), so the three never disagree.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.publication.errors import InputRefused
from server.publication.submissions import read_submission
from server.state import state
from server.web.bodies import request_body, too_large_message
from server.web.errors import ApiError
from server.web.negotiation import NotAcceptable, negotiate_media_type
from server.web.reports import REPORT_TYPES, render_report

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
    submission = read_submission(body, request.mimetype, app.settings["MAX_SUBMISSION_TRIPLES"], incoming=app.rewriter.incoming)
    return render_report(app.publication.validate(submission.graph), answer_type)


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
    try:
        submission = read_submission(body, media_type, app.settings["MAX_SUBMISSION_TRIPLES"], "uploaded file" if uploaded else "pasted text", app.rewriter.incoming)
    except InputRefused as error:
        page = render_template("validate.html", report=None, error=error.message, text=text, media_type=media_type)
        return Response(app.rewriter.outgoing_text(page), error.status, content_type="text/html; charset=utf-8")
    report = app.publication.validate(submission.graph)
    page = render_template("validate.html", report=report, text=text, media_type=media_type)
    return Response(app.rewriter.outgoing_text(page), 200, content_type="text/html; charset=utf-8")
