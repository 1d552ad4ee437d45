"""HTML pages for people: home, one page per resource, the argument, the
timeline, the source reader and the query page.

One module per page (``home``, ``resource``, ``claims``, ``timeline``,
``source``, ``query``), on one blueprint, ``pages``; what they share is in ``views``
(reading rows, showing terms and dates) and ``passages`` (the quoted text).
Pages are HTML only; machines get RDF at /data/... and /sparql.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _

from server.publication.errors import PublicationError
from server.web.errors import ApiError, _title, error_page, error_response, headers_of
from server.web.i18n import current_language
from server.web.responses import Caching, etag_for
from server.web.views import render_page

bp = Blueprint("pages", __name__)


@bp.app_template_global()
def nav_links() -> list[tuple[str, str, str]]:
    return [
        ("pages.home", url_for("pages.home"), _("Home")),
        ("pages.claims", url_for("pages.claims"), _("Claims")),
        ("pages.timeline", url_for("pages.timeline"), _("Timeline")),
        ("pages.source", url_for("pages.source"), _("Source text")),
        ("pages.query_page", url_for("pages.query_page"), _("Query")),
        ("ontology_docs.ontology", url_for("ontology_docs.ontology"), _("Ontology")),
        ("validation.form", url_for("validation.form"), _("Validate")),
        ("contributions.listing", url_for("contributions.listing"), _("Contributions")),
    ]


def page_caching(*parts: str, **headers) -> Caching:
    """A page is a function of the data, the code, what it shows (``parts``) and the language: its ETag names all four."""
    language = current_language()
    return Caching(etag_for(*parts, language), vary_accept=False, language=language, **headers)


@bp.errorhandler(ApiError)
@bp.errorhandler(PublicationError)
def _page_error(error: ApiError | PublicationError) -> Response:
    """Pages are for people: errors on them are pages too, unless JSON is asked for."""
    if request.accept_mimetypes.best == "application/json":
        response = error_response(error.status, _title(error.status), error.message, error.spec)
    else:
        page = error_page(error.status, _title(error.status), error.message, error.spec)
        response = render_page("error.html", error.status, error=page)
        response.headers["Vary"] = "Accept"  # the same URL answers JSON to Accept: application/json
    response.headers.update(headers_of(error))
    return response


# The route modules register their views on ``bp`` when imported.
from server.web.pages import (
    argument,  # noqa: E402, F401
    claims,  # noqa: E402, F401
    home,  # noqa: E402, F401
    query,  # noqa: E402, F401
    resource,  # noqa: E402, F401
    source,  # noqa: E402, F401
    timeline,  # noqa: E402, F401
)
