"""Cross-cutting HTTP behaviour: one error shape, CORS, access log.

Every error leaves through ``ApiError`` or a werkzeug HTTPException and is
rendered by one handler, negotiated: JSON for machines that ask for it, a
page for browsers, plain text otherwise (what SPARQL clients print).
"""

from __future__ import annotations

import json
import re
import time

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from server.state import EXTENSION, state
from server.publication.errors import PublicationError
from server.web.search import suggestions
from server.web.security import log_access
from server.store.errors import EngineBusy, QueryFailed, QueryOverLimit, StoreFailed



class ApiError(Exception):
    def __init__(self, status: int, message: str, spec: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.spec = spec
        self.headers = headers or {}


# What a person reads on an error page, in the page's language: the status in words and what it means
# for them. Machines keep the English title and the message (JSON, plain text); the page shows the
# message too, as the detail, unless it is only werkzeug's generic English sentence.
IN_PLAIN_WORDS = {
    400: (_l("Bad Request"), _l("The request could not be understood as it was sent.")),
    401: (_l("Unauthorized"), _l("This needs a contributor's token.")),
    403: (_l("Forbidden"), _l("This is not allowed here, or not with this token.")),
    404: (_l("Not Found"), _l("There is nothing at this address.")),
    405: (_l("Method Not Allowed"), _l("This address does not take that kind of request.")),
    406: (_l("Not Acceptable"), _l("None of the formats asked for can be given here.")),
    409: (_l("Conflict"), _l("This conflicts with what is already recorded.")),
    413: (_l("Request Entity Too Large"), _l("The request is larger than this server accepts.")),
    415: (_l("Unsupported Media Type"), _l("The content is in a format this server does not read.")),
    422: (_l("Unprocessable Entity"), _l("The content was read but cannot be accepted.")),
    429: (_l("Too Many Requests"), _l("Too many requests from this client: wait a moment and try again.")),
    500: (_l("Internal Server Error"), _l("Something went wrong on the server; it has been logged.")),
    502: (_l("Bad Gateway"), _l("The store behind this server did not answer as it should.")),
    503: (_l("Service Unavailable"), _l("The server is busy: try again shortly.")),
}


def error_response(status: int, title: str, message: str, spec: str | None = None, generic: bool = False) -> Response:
    """``generic``: the message is only werkzeug's stock sentence, which a page replaces by its own words."""
    rewriter = (state().rewriter if EXTENSION in current_app.extensions else None)
    if rewriter is not None:
        message = rewriter.outgoing_text(message)
    body = {"status": status, "title": title, "message": message}
    if spec:
        body["spec"] = spec
    best = request.accept_mimetypes.best_match(["text/plain", "application/json", "text/html"], default="text/plain")
    if best == "application/json" or request.accept_mimetypes.best == "application/json":
        response = json_error(status, title, message, spec)
    elif best == "text/html" and request.accept_mimetypes.quality("text/html") > request.accept_mimetypes.quality("text/plain"):
        page = error_page(status, title, message, spec, generic)
        response = Response(render_template("error.html", error=page), status, mimetype="text/html")
    else:
        text = f"{status} {title}: {message}\n" + (f"See {spec}\n" if spec else "")
        response = Response(text, status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response


def error_page(status: int, title: str, message: str, spec: str | None = None, generic: bool = False) -> dict:
    """What error.html shows: the status in the page's words, what it means, the detail."""
    heading, meaning = IN_PLAIN_WORDS.get(status, (title, ""))
    page = {"status": status, "title": title, "message": message, "heading": heading, "meaning": meaning,
            "detail": None if generic else message}
    if spec:
        page["spec"] = spec
    return page


def json_error(status: int, title: str, message: str, spec: str | None = None) -> Response:
    """The error shape as JSON, for endpoints whose clients read JSON whatever they accept (reconciliation)."""
    body = {"status": status, "title": title, "message": message}
    if spec:
        body["spec"] = spec
    return Response(json.dumps({"error": body}, ensure_ascii=False), status, mimetype="application/json")


def headers_of(error: Exception) -> dict:
    """Headers an error asks for: its own (ApiError), Retry-After when it says when to come back."""
    headers = dict(getattr(error, "headers", None) or {})
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return headers


MISSING_THING = re.compile(r"\A/(?:id|page|data)/([a-z]+)/([a-z0-9-]{1,200}?)(?:\.[a-z]+)?\Z")


def near_matches(status: int) -> dict | None:
    """For a 404 at /id/{type}/{slug} (or its page or data): things whose names share the slug's words,
    and the words, for a search link; None otherwise. Best effort: a store that fails suggests nothing."""
    match = MISSING_THING.match(request.path) if status == 404 else None
    if match is None:
        return None
    text = match.group(2).replace("-", " ")
    try:
        hits = suggestions(text)
    except QueryFailed:
        hits = []
    return {"words": text, "hits": [hit.as_dict() for hit in hits]}


def install(app: Flask) -> None:
    app.jinja_env.globals["near_matches"] = near_matches

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        response = error_response(error.status, _title(error.status), error.message, error.spec)
        response.headers.update(headers_of(error))
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        stock = error.description is None or error.description == type(error).description
        return error_response(error.code or 500, error.name, error.description or error.name, generic=stock)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal Server Error", "an unexpected error occurred; it has been logged")

    @app.errorhandler(PublicationError)
    def handle_refusal(error: PublicationError):
        """What the domain refused (bad input, a missing contribution, a decision already made)."""
        response = error_response(error.status, _title(error.status), error.message, error.spec)
        response.headers.update(headers_of(error))
        return response

    @app.errorhandler(QueryFailed)
    def handle_query_failed(error: QueryFailed):
        """A query of a page or description that failed for a reason outside this server's code:
        a limit, busy workers, or the remote store (its own message, no stack trace)."""
        if isinstance(error, (StoreFailed, QueryOverLimit, EngineBusy)):
            app.logger.warning("%s %s: %s", request.method, request.path, error)
            response = error_response(error.status, _title(error.status), str(error))
            response.headers.update(headers_of(error))
            return response
        return handle_unexpected(error)

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()
        if request.method == "OPTIONS":
            return Response(status=204)

    @app.after_request
    def cors_and_log(response: Response):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization, If-None-Match"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Location, Vary"
        log_access(request.method, request.path, request.query_string.decode("latin-1"), response.status_code,
                   g.get("started", time.perf_counter()))
        return response


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
