"""/search: the box on every page, answered as a page (or JSON for Accept: application/json), and
/opensearch.xml, which lets a browser add the site as a search engine.

Thin: finding and grouping is ``server.web.search``. A search is a function of
the data, the code, the words, the format and the language: its ETag names
them all, and a repeated search is a 304.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from server.rdf.media import HTML, JSON, OPENSEARCH, content_type
from server.state import state
from server.web.errors import ApiError
from server.web.i18n import current_language
from server.web.negotiation import negotiate
from server.web.responses import Caching, etag_for, negotiated, respond
from server.web.search import MAX_QUERY_CHARS, Results, SearchRefused, query_words, search
from server.web.views import render_page

bp = Blueprint("search", __name__)


@bp.route("/search", methods=["GET", "HEAD"])
def search_page():
    media_type = negotiate(request.accept_mimetypes, (HTML, JSON))
    text = request.args.get("q")
    if text is None and media_type == HTML:  # the page to land on: the box alone
        return respond(_caching("", media_type), lambda: _page("", None))
    try:
        query_words(text or "")
    except SearchRefused as refused:  # an error is never a 304: checked before the ETag
        if media_type == JSON:
            raise ApiError(400, str(refused)) from None
        return negotiated(_page((text or "")[:MAX_QUERY_CHARS], None, str(refused)))  # Vary: Accept, as the 200s
    if media_type == JSON:
        return respond(_caching(text, media_type), lambda: _json(search(text)))
    return respond(_caching(text, media_type), lambda: _page(text, search(text)))


def _caching(text: str, media_type: str) -> Caching:
    language = current_language()
    return Caching(etag_for("search", text, media_type, language), language=language)


def _page(text: str, results: Results | None, error: str | None = None) -> Response:
    return render_page("search.html", 400 if error else 200, results=results, query=text, error=error,
                       max_chars=MAX_QUERY_CHARS)


def _json(results: Results) -> Response:
    body = json.dumps(results.as_dict(), indent=2, ensure_ascii=False).encode("utf-8")
    return Response(state().rewriter.outgoing(body), 200, content_type=content_type(JSON))


@bp.route("/opensearch.xml", methods=["GET", "HEAD"])
def opensearch():
    language = current_language()
    return respond(Caching(etag_for("opensearch", language), vary_accept=False, language=language), _description)


def _description() -> Response:
    base = state().rewriter.served_base
    description = _("People, organisations, places, events and claims of Délano (2012), by name, in English or Spanish")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>mxus-ld</ShortName>
  <Description>{_xml(description)}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>{current_language()}</Language>
  <Url type="{HTML}" method="get" template="{_xml(base)}search?q={{searchTerms}}&amp;lang={current_language()}"/>
  <Url type="{OPENSEARCH}" rel="self" template="{_xml(base)}opensearch.xml"/>
</OpenSearchDescription>
"""
    return Response(xml.encode("utf-8"), 200, content_type=f"{OPENSEARCH}; charset=utf-8")


def _xml(text: str) -> str:
    return escape(text, {'"': "&quot;"})
