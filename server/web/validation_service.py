"""Validation as a service: POST /validate, and a form at GET /validate.

The same validation as ``mxus validate`` and contributions (the publication
service's), so the three never disagree. Anyone may validate, so a request
without a contributor's token (the form always) has smaller limits: at most
ANONYMOUS_MAX_TRIPLES, and a short wait for the validator, behind contributors.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from server.publication.errors import InputRefused
from server.publication.submissions import read_submission
from server.publication.tokens import CONTRIBUTE
from server.rdf.namespaces import ID_SPACE, PREFIXES
from server.rdf.uris import is_valid_thing_path
from server.state import state
from server.web.bodies import request_body, too_large_message
from server.web.errors import ApiError
from server.web.negotiation import NotAcceptable, negotiate_media_type
from server.web.reports import REPORT_TYPES, render_report
from server.web.i18n import current_language
from server.web.responses import Caching, etag_for, respond
from server.web.security import bearer_identity
from server.web.views import render_page, row_label, select

bp = Blueprint("validation", __name__)


@bp.route("/validate", methods=["GET"])
def form():
    """The form, empty or (``?about=IRI``, the "Suggest an addition" link of a resource page) with a
    Turtle template about one of our resources: its prefixes and its subject filled in."""
    about = request.args.get("about")
    iri = _our_resource(about) if about is not None else None
    language = current_language()
    caching = Caching(etag_for("validate-form", iri or "", language), vary_accept=False, language=language)
    text = addition_template(iri, _label(iri)) if iri else ""
    return respond(caching, lambda: render_page("validate.html", report=None, text=text, media_type="text/turtle",
                                                about=iri, active="validation.form"))


def _our_resource(about: str) -> str:
    """The canonical IRI ``about`` names (at the served base or the canonical one), if it is one of our resources."""
    iri = state().rewriter.incoming(about.strip())
    kind, _slash, slug = iri[len(ID_SPACE):].partition("/") if iri.startswith(ID_SPACE) else ("", "", "")
    if not is_valid_thing_path(kind, slug):
        raise ApiError(400, f"about must name a resource of this dataset ({ID_SPACE}{{type}}/{{slug}}), not {about[:200]!r}")
    return iri


def _label(iri: str) -> str | None:
    rows = select(f"""SELECT ?en ?es WHERE {{
  OPTIONAL {{ <{iri}> rdfs:label ?en FILTER (LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ <{iri}> rdfs:label ?es FILTER (LANGMATCHES(LANG(?es), "es")) }}
}} LIMIT 1""")
    return row_label(rows[0]) if rows else None


def addition_template(iri: str, label: str | None) -> str:
    """Turtle a contributor starts from: what to do (in the page's language), the prefixes, the subject."""
    kind, _slash, slug = iri[len(ID_SPACE):].partition("/")
    prefixes = {kind: f"{ID_SPACE}{kind}/", **{name: PREFIXES[name] for name in ("rdfs", "skos", "schema", "owl")}}
    note, name = _("Your note here."), label or f"{kind}:{slug}"
    lines = [
        "# " + _("A suggested addition about %(name)s.", name=name),
        "# " + _("Replace the note with what you want to add, press Validate (nothing is stored),"),
        "# " + _("then send it with a contributor's token (README, “Contributing data”)."),
        *(f"@prefix {name}: <{namespace}> ." for name, namespace in prefixes.items()),
        "",
        f"{kind}:{slug}",
        f'    skos:note "{note}"@{current_language()} .',
        "",
    ]
    return "\n".join(lines)


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
