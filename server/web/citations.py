"""The article's reference for citation managers: /cite/article/{slug}.bib, .ris, .json (CSL-JSON).

The records and formats are ``server.publication.citations``; this module
only picks the format by extension and sends it as a download.
"""

from __future__ import annotations

from flask import Blueprint, Response

from server.publication.citations import FORMATTERS, article_record
from server.rdf.media import CITATION_FORMATS, content_type
from server.rdf.uris import is_valid_thing_path
from server.state import state
from server.web.errors import ApiError
from server.web.responses import Caching, etag_for, respond

bp = Blueprint("citations", __name__)
BY_EXTENSION = {fmt.extension[1:]: fmt for fmt in CITATION_FORMATS}


@bp.route("/cite/article/<slug>.<extension>", methods=["GET", "HEAD"])
def article_reference(slug: str, extension: str):
    fmt = BY_EXTENSION.get(extension)
    if fmt is None:
        offered = ", ".join(f".{name}" for name in BY_EXTENSION)
        raise ApiError(404, f"no citation format .{extension}: the article's reference is offered as {offered}")
    if not is_valid_thing_path("article", slug):
        raise ApiError(404, f"no article /id/article/{slug}")
    caching = Caching(etag_for("cite", slug, fmt.name), vary_accept=False)
    return respond(caching, lambda: _reference(slug, fmt))


def _reference(slug: str, fmt) -> Response:
    record = article_record(state().store, slug)
    if record is None:
        raise ApiError(404, f"no article /id/article/{slug} in this dataset")
    body = state().rewriter.outgoing_text(FORMATTERS[fmt.name](record))
    response = Response(body.encode("utf-8"), 200, content_type=content_type(fmt.media_type))
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}{fmt.extension}"'
    return response
