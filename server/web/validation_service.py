"""Validation as a service: POST /validate, and a form at GET /validate.

The same ``validate_submission`` as ``mxus validate`` (shapes, ontology and
published data as context), so the two never disagree.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.publication.submissions import read_submission, request_body, too_large_message, validate_in_context
from server.publication.validation import ValidationReport, report_as_json
from server.web.errors import ApiError
from server.web.negotiation import NotAcceptable, content_type, negotiate_media_type, serialize_as

bp = Blueprint("validation", __name__)

REPORT_TYPES = ("application/json", "text/turtle", "application/ld+json", "text/html")


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
    config = current_app.config
    body = request_body(request, config["MAX_BODY_BYTES"])
    incoming = current_app.extensions["mxus.rewriter"].incoming
    submission = read_submission(body, request.mimetype, config["MAX_SUBMISSION_TRIPLES"], incoming=incoming)
    report = validate_in_context(submission.graph, current_app.extensions["mxus.context"])
    return render_report(report, answer_type)


def render_report(report: ValidationReport, media_type: str, status: int = 200) -> Response:
    rewriter = current_app.extensions["mxus.rewriter"]
    if media_type == "text/html":
        body = render_template("validate.html", report=report, text=None, media_type=None).encode("utf-8")
    elif media_type == "application/json":
        body = report_as_json(report).encode("utf-8")
    else:
        body = serialize_as(report.graph, media_type)
    response = Response(rewriter.outgoing(body), status, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


def _validate_form() -> Response:
    """The browser form: pasted text or an uploaded file, answered as a page."""
    config = current_app.config
    try:
        media_type = request.form.get("media_type", "text/turtle")
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        page = render_template("validate.html", report=None, error=too_large_message(config["MAX_BODY_BYTES"]), text="", media_type="text/turtle")
        return Response(page, 413, content_type="text/html; charset=utf-8")
    uploaded = bool(upload and upload.filename)
    body = upload.read() if uploaded else request.form.get("text", "").encode("utf-8")
    incoming = current_app.extensions["mxus.rewriter"].incoming
    try:
        submission = read_submission(body, media_type, config["MAX_SUBMISSION_TRIPLES"], "uploaded file" if uploaded else "pasted text", incoming)
    except ApiError as error:
        page = render_template("validate.html", report=None, error=error.message, text=body.decode("utf-8", "replace"), media_type=media_type)
        return Response(current_app.extensions["mxus.rewriter"].outgoing_text(page), error.status, content_type="text/html; charset=utf-8")
    report = validate_in_context(submission.graph, current_app.extensions["mxus.context"])
    page = render_template("validate.html", report=report, text=body.decode("utf-8", "replace"), media_type=media_type)
    return Response(current_app.extensions["mxus.rewriter"].outgoing_text(page), 200, content_type="text/html; charset=utf-8")
