"""The timeline: /timeline draws the events as an SVG and lists them.

The geometry (one row per event, instants as dots, periods as bars, dates
known only to the month or year as a faint range) is computed here; the
template only draws it.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from flask import request

from server.rdf.namespaces import ID_SPACE
from server.rdf.uris import is_valid_thing_path, thing_uri
from server.state import state
from server.web.argument_map import wrap
from server.web.errors import ApiError
from server.web.pages import bp, page_caching
from server.web.responses import respond
from server.web.views import curie, iri_view, parse_when, render_page, row_label, row_text, select, when_view

TIMELINE = {"width": 880, "left": 16, "right": 16, "top": 44, "row": 46, "bottom": 16, "char": 6.6}
ACTOR_KINDS = ("person", "organisation", "group")
# On a phone: a figure its own width (no scaling down), each event's name and actors on lines above its mark.
NARROW = {"width": 360, "left": 10, "right": 10, "top": 40, "line": 17, "mark": 18, "gap": 14, "bottom": 12, "char": 7.1}


@bp.route("/timeline")
def timeline():
    actor = request.args.get("actor", "").strip()
    return respond(page_caching("timeline", actor), lambda: _timeline(actor))


def _timeline(asked: str):
    events = _load_events()
    actors = _actors(events)
    actor = _find_actor(asked, actors) if asked else None
    shown = [e for e in events if actor is None or any(a["iri"] == actor["iri"] for a in e["actors"])]
    return render_page(
        "timeline.html",
        events=shown,
        actors=actors,
        actor=actor,
        svg=_timeline_geometry(shown) if shown else None,
        narrow=_narrow_geometry(shown) if shown else None,
        active="pages.timeline",
    )


def _actors(events: list[dict]) -> list[dict]:
    """Everyone who acts in some event, with the number of their events and the filter's value (the slug)."""
    found: dict[str, dict] = {}
    for event in events:
        for actor in event["actors"]:
            entry = found.setdefault(actor["iri"], dict(actor, events=0, value=actor["iri"].rsplit("/", 1)[-1]))
            entry["events"] += 1
    return sorted(found.values(), key=lambda a: a["text"].casefold())


def _find_actor(asked: str, actors: list[dict]) -> dict:
    """The actor ``?actor=`` names: a URI (canonical or of this server), kind/slug, kind:slug or the slug alone.

    Someone in the data who acts in no event is found too (an empty timeline says so); a name the data does not have is a 404.
    """
    iri = state().rewriter.incoming(asked)
    for actor in actors:
        tail = actor["iri"][len(ID_SPACE):]
        if asked in (actor["value"], tail, tail.replace("/", ":", 1)) or iri == actor["iri"]:
            return actor
    path = iri[len(ID_SPACE):] if iri.startswith(ID_SPACE) else asked.replace(":", "/", 1)
    kind, _, slug = path.partition("/")
    candidates = [(kind, slug)] if slug else [(k, kind) for k in ACTOR_KINDS]
    iris = [thing_uri(k, s) for k, s in candidates if k in ACTOR_KINDS and is_valid_thing_path(k, s)]
    rows = select(f"""SELECT ?r ?en ?es WHERE {{ VALUES ?r {{ {" ".join(f"<{i}>" for i in iris)} }}
  ?r rdfs:label ?any OPTIONAL {{ ?r rdfs:label ?en FILTER (lang(?en) = "en") }} OPTIONAL {{ ?r rdfs:label ?es FILTER (lang(?es) = "es") }}
}} LIMIT 1""") if iris else []
    if rows:
        return dict(iri_view(str(rows[0]["r"]), row_label(rows[0])), events=0, value=str(rows[0]["r"]).rsplit("/", 1)[-1])
    raise ApiError(404, f"actor={asked!r}: no person, organisation or group of that name in this dataset; "
                        "give its URI or slug, e.g. actor=colin-powell")


def _load_events() -> list[dict]:
    rows = select(
        """SELECT ?event ?en ?es ?description ?stamp ?begin ?end ?place ?placeEn ?placeEs ?actor ?actorEn ?actorEs WHERE {
  ?event a sem:Event .
  OPTIONAL { ?event rdfs:label ?en FILTER (lang(?en) = "en") }
  OPTIONAL { ?event rdfs:label ?es FILTER (lang(?es) = "es") }
  OPTIONAL { ?event schema:description ?description }
  OPTIONAL { ?event sem:hasTimeStamp ?stamp }
  OPTIONAL { ?event sem:hasBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasEndTimeStamp ?end }
  OPTIONAL { ?event sem:hasPlace ?place OPTIONAL { ?place rdfs:label ?placeEn FILTER (lang(?placeEn) = "en") }
    OPTIONAL { ?place rdfs:label ?placeEs FILTER (lang(?placeEs) = "es") } }
  OPTIONAL { ?event sem:hasActor ?actor OPTIONAL { ?actor rdfs:label ?actorEn FILTER (lang(?actorEn) = "en") }
    OPTIONAL { ?actor rdfs:label ?actorEs FILTER (lang(?actorEs) = "es") } }
}"""
    )
    events: dict[str, dict] = {}
    for row in rows:
        iri = str(row["event"])
        begin = parse_when(row_text(row, "stamp") or row_text(row, "begin"))
        if begin is None:
            continue
        end = parse_when(row_text(row, "end")) if row.get("stamp") is None else None
        event = events.setdefault(
            iri,
            {
                "iri": iri,
                "view": iri_view(iri, row_label(row)),
                "label": row_label(row) or curie(iri),
                "description": row_text(row, "description"),
                "begin": begin,
                "end": end,
                "when": when_view(begin, end),
                "is_period": end is not None,
                "places": [],
                "actors": [],
            },
        )
        if row.get("actor") is not None:
            actor = iri_view(str(row["actor"]), row_label(row, "actorEn", "actorEs"))
            if actor not in event["actors"]:
                event["actors"].append(actor)
        if row.get("place") is not None:
            place = iri_view(str(row["place"]), row_label(row, "placeEn", "placeEs"))
            if place not in event["places"]:
                event["places"].append(place)
    for event in events.values():
        event["actors"].sort(key=lambda a: a["text"].casefold())
        event["actor_names"] = ", ".join(a["text"] for a in event["actors"])
    return sorted(
        events.values(),
        key=lambda e: (e["begin"].start, (e["end"] or e["begin"]).end, e["label"]),
    )


def _scale(events: list[dict], left: float, plot: float):
    """Day to x, and the years' gridlines, over the years the events span."""
    first_year = min(e["begin"].start.year for e in events)
    last_year = max((e["end"] or e["begin"]).end.year for e in events) + 1

    def x(day: date) -> float:
        year_length = 366 if calendar.isleap(day.year) else 365
        fraction = day.year + (day.timetuple().tm_yday - 1) / year_length
        return round(left + (fraction - first_year) / (last_year - first_year) * plot, 1)

    years = [{"year": year, "x": x(date(year, 1, 1))} for year in range(first_year, last_year + 1)]
    for year in years:
        year["label_x"] = round(year["x"] + (plot / (last_year - first_year)) / 2, 1)
    return x, years, first_year, last_year


def _mark(event: dict, x, y: float) -> dict:
    """A period as a bar, an instant as a dot (with the faint range of a month or a year)."""
    begin, end = event["begin"], event["end"]
    mark: dict[str, Any] = {"event": event, "y": round(y, 1)}
    if end is not None:
        x0, x1 = x(begin.start), x(end.end)
        mark.update(shape="period", x=x0, width=round(max(x1 - x0, 4), 1), y0=round(y - 7, 1), height=14)
        mark.update(left=x0, right=x0 + mark["width"])
        return mark
    cx = x(begin.mid)
    mark.update(shape="instant", cx=cx, r=6, precision=begin.precision, left=cx - 6, right=cx + 6)
    if begin.precision != "day":  # show how wide the date is
        mark.update(range_x=x(begin.start), range_width=round(max(x(begin.end) - x(begin.start), 2), 1))
        mark.update(left=min(mark["left"], mark["range_x"]), right=max(mark["right"], mark["range_x"] + mark["range_width"]))
    return mark


def _narrow_geometry(events: list[dict]) -> dict:
    """For a phone: each event's name (wrapped, never cut) and actors on lines of their own above its mark."""
    g = NARROW
    x, years, first_year, last_year = _scale(events, g["left"], g["width"] - g["left"] - g["right"])
    per_line = int((g["width"] - g["left"] - g["right"]) / g["char"])
    y, marks = g["top"], []
    for event in events:
        lines = wrap(event["label"], per_line, 6)
        actor_lines = wrap(event["actor_names"], per_line + 4, 3) if event["actor_names"] else []
        first = y + g["line"] - 4
        y += g["line"] * (len(lines) + len(actor_lines))
        mark = _mark(event, x, y + g["mark"] / 2)
        mark.update(lines=lines, actor_lines=actor_lines, text_y=round(first, 1), text_x=g["left"],
                    actors_y=round(first + g["line"] * len(lines), 1), line=g["line"])
        marks.append(mark)
        y += g["mark"] + g["gap"]
    height = round(y + g["bottom"], 1)
    return {"width": g["width"], "height": height, "years": years, "axis_y": g["top"] - 18, "grid_top": g["top"] - 12,
            "grid_bottom": height - g["bottom"], "marks": marks, "first_year": first_year, "last_year": last_year - 1}


def _timeline_geometry(events: list[dict]) -> dict:
    g = TIMELINE
    x, years, first_year, last_year = _scale(events, g["left"], g["width"] - g["left"] - g["right"])
    height = g["top"] + g["row"] * len(events) + g["bottom"]
    marks = []
    for index, event in enumerate(events):
        y = g["top"] + g["row"] * index + g["row"] / 2
        mark = _mark(event, x, y)
        mark["index"] = index
        left, right = mark["left"], mark["right"]
        text = event["label"] if len(event["label"]) <= 64 else event["label"][:61].rstrip() + "…"
        actors = event["actor_names"]
        text_width = max(len(text), len(actors)) * g["char"]
        if right + 8 + text_width <= g["width"] - g["right"]:
            mark.update(text_x=round(right + 8, 1), anchor="start")
        elif left - 8 - text_width >= g["left"]:
            mark.update(text_x=round(left - 8, 1), anchor="end")
        else:
            budget = int(max(g["width"] - g["right"] - right - 8, left - 8 - g["left"]) / g["char"]) - 1
            text = text[: max(budget, 8)].rstrip() + "…" if len(text) > budget else text
            actors = actors[: max(budget, 8)].rstrip() + "…" if len(actors) > budget else actors
            if g["width"] - g["right"] - right >= left - g["left"]:
                mark.update(text_x=round(right + 8, 1), anchor="start")
            else:
                mark.update(text_x=round(left - 8, 1), anchor="end")
        mark["text"], mark["actors"] = text, actors
        mark["text_y"] = round(y - 2, 1)
        mark["actors_y"] = round(y + 13, 1)
        marks.append(mark)
    return {
        "width": g["width"],
        "height": height,
        "years": years,
        "axis_y": g["top"] - 14,
        "grid_top": g["top"] - 6,
        "grid_bottom": height - g["bottom"] + 4,
        "marks": marks,
        "first_year": first_year,
        "last_year": last_year - 1,
    }

