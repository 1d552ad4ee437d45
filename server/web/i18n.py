"""The language of a page: English or Spanish, chosen per request.

``?lang=es`` or ``?lang=en`` wins (a URL someone can share), then the
reader's ``Accept-Language``; anything else is English. Interface strings
go through gettext (Flask-Babel, catalogues in server/translations/);
data labels through ``views.pick_label`` in the same language, falling
back to English. Every HTML answer says its language (``Content-Language``)
and that it depends on ``Accept-Language`` (``Vary``), so a cache keeps
one copy per language; pages put the language in their ETag.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, format_number, get_locale

from server.web.responses import add_vary

LANGUAGES = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
# Links from a page to the site's other pages carry an explicit ?lang= along (not data, files or the endpoint).
_INTERNAL_PAGE_LINK = re.compile(r'href="(/(?:|page/[^"?#]*|claims|timeline|query|source|ontology|shapes|validate|dumps/|search|contributions(?:/[^"?#]*)?)(?:\?[^"#]*)?)(#[^"]*)?"')


def select_language() -> str:
    """``?lang=`` if it names a language of the site, else the best of ``Accept-Language``, else English."""
    if not has_request_context():
        return "en"
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="en")


def current_language() -> str:
    return str(get_locale() or "en") if has_request_context() else "en"


def language_links() -> list[dict]:
    """The switch in the layout: this URL in each language, with ``?lang=`` (shareable).

    Relative (``?lang=es``, the other parameters kept): the same page under another path (/ontology/0.1.0) stays itself.
    """
    here = current_language()
    links = []
    for code in LANGUAGES:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
        links.append({"code": code, "name": LANGUAGE_NAMES[code], "href": f"?{urlencode(args)}", "current": code == here})
    return links


def carry_language(html: str) -> str:
    """Internal page links keep an explicit ``?lang=`` so a shared Spanish page stays Spanish as one reads on."""
    asked = request.args.get("lang", "") if has_request_context() else ""
    if asked not in LANGUAGES:
        return html

    def add(match: re.Match) -> str:
        path, fragment = match.group(1), match.group(2) or ""
        if "lang=" in path:
            return match.group(0)
        return f'href="{path}{"&amp;" if "?" in path else "?"}lang={asked}{fragment}"'

    return _INTERNAL_PAGE_LINK.sub(add, html)


def install(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals.update(language_links=language_links, current_language=current_language)
    app.jinja_env.filters["format_number"] = format_number

    @app.context_processor
    def page_language() -> dict:
        g.page_language = current_language()  # this answer is a page in one language
        return {}

    @app.after_request
    def language_headers(response: Response) -> Response:
        if "page_language" in g:
            say_language(response, g.page_language)
        return response


def say_language(response: Response, language: str) -> None:
    """What a page in one language carries (on a 304 too): its language, and that Accept-Language chose it."""
    response.headers["Content-Language"] = language
    add_vary(response, "Accept-Language")
