"""The source reader: /source shows the article's text with every span lit and linked.

``?char=S,E`` lights any range (the server marks it: no JavaScript) and
``#char=S,E`` scrolls to it (the element's id, after RFC 5147); every
"passage" link of the site is both. ``?view=scan`` shows the verbatim scan
instead of the repaired reading text, with the same marks.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from server.state import state
from server.web.errors import ApiError
from server.web.pages import bp, page_caching
from server.web.pages.passages import reader_href
from server.web.responses import respond
from server.web.source_text import MarkedSpan, parse_range, reading_chars, render, verbatim_chars
from server.web.views import iri_view, render_page, row_label, row_text, select

VIEWS = {"reading": reading_chars, "scan": verbatim_chars}


@bp.route("/source")
def source():
    view = request.args.get("view", "reading")
    if view not in VIEWS:
        raise ApiError(400, f"view={view!r}: the views are view=reading (the default) and view=scan")
    selected = request.args.get("char")
    return respond(page_caching("source", view, selected or ""), lambda: _page(view, selected))


def _page(view: str, selected: str | None):
    found = select("SELECT ?source ?sha WHERE { ?source a mxus:SourceText ; mxus:sha256 ?sha } ORDER BY ?source LIMIT 1")
    text = state().published.sources.get(str(found[0]["sha"])) if found else None
    if text is None:
        raise ApiError(404, "no source text in this dataset")
    source_iri = str(found[0]["source"])
    try:
        selection = parse_range(selected, len(text)) if selected else None
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    notes = _notes(source_iri)
    spans = [MarkedSpan(n["start"], n["end"], n["number"]) for n in notes]
    chars = VIEWS[view](text)
    return render_page(
        "source.html",
        source=iri_view(source_iri, _("Source text")),
        text=render(chars, spans, selection),
        notes=notes,
        view=view,
        selection=_selection(chars, selection) if selection else None,
        views=[{"key": key, "name": name, "current": key == view} for key, name in (("reading", _("Reading text")), ("scan", _("As scanned")))],
        active="pages.source",
    )


def _notes(source_iri: str) -> list[dict]:
    """Each span of the text, in text order, with what is anchored there (claims, events, quotations...)."""
    rows = select(
        f"""SELECT ?span ?start ?end ?thing ?en ?es ?comment WHERE {{
  ?span oa:hasSource <{source_iri}> ; oa:hasSelector ?position .
  ?position oa:start ?start ; oa:end ?end .
  OPTIONAL {{ ?span rdfs:comment ?comment }}
  OPTIONAL {{
    ?thing ?link ?span . FILTER (isIRI(?thing))
    FILTER NOT EXISTS {{ ?thing a oa:SpecificResource }}
    OPTIONAL {{ ?thing rdfs:label ?en FILTER (lang(?en) = "en") }}
    OPTIONAL {{ ?thing rdfs:label ?es FILTER (lang(?es) = "es") }}
  }}
}} ORDER BY ?start DESC(?end) ?thing"""
    )
    notes: dict[tuple[int, int], dict] = {}
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        note = notes.setdefault((start, end), {"start": start, "end": end, "number": len(notes) + 1, "things": [],
                                               "comment": row_text(row, "comment"), "href": reader_href(start, end),
                                               "place": _("characters %(start)s–%(end)s", start=start, end=end)})
        if row.get("thing") is not None:
            thing = iri_view(str(row["thing"]), row_label(row))
            if thing not in note["things"]:
                note["things"].append(thing)
    return list(notes.values())


def _selection(chars: list[str], selection: tuple[int, int]) -> dict:
    start, end = selection
    return {
        "start": start,
        "end": end,
        "text": "".join(chars[start:end]),
        "anchor": f"#char={start},{end}",
        "place": _("characters %(start)s–%(end)s", start=start, end=end),
    }
