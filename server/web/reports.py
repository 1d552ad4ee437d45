"""A validation report as an HTTP answer: JSON, RDF or a page (shared by /validate and /contributions)."""

from __future__ import annotations

from flask import Response, render_template

from server.publication.reports import report_as_json
from server.publication.validation import ValidationReport
from server.state import state
from server.rdf.media import content_type, serialize_as
from server.web.responses import negotiated

REPORT_TYPES = ("application/json", "text/turtle", "application/ld+json", "text/html")


def render_report(report: ValidationReport, media_type: str, status: int = 200) -> Response:
    if media_type == "text/html":
        body = render_template("validate.html", report=report, text=None, media_type=None).encode("utf-8")
    elif media_type == "application/json":
        body = report_as_json(report).encode("utf-8")
    else:
        body = serialize_as(report.graph, media_type)
    return negotiated(Response(state().rewriter.outgoing(body), status, content_type=content_type(media_type)))
