"""The timeline: /timeline draws the events as an SVG and lists them.

The geometry (one row per event, instants as dots, periods as bars, dates
known only to the month or year as a faint range) is computed here; the
template only draws it.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from server.web.pages import bp, page_caching
from server.web.responses import respond
from server.web.views import curie, iri_view, parse_when, render_page, row_label, row_text, select, when_view

TIMELINE = {"width": 880, "left": 16, "right": 16, "top": 44, "row": 34, "bottom": 16, "char": 6.6}


@bp.route("/timeline")
def timeline():
    return respond(page_caching("timeline"), _timeline)


def _timeline():
    events = _load_events()
    svg = _timeline_geometry(events) if events else None
    return render_page("timeline.html", events=events, svg=svg, active="pages.timeline")


def _load_events() -> list[dict]:
    rows = select(
        """SELECT ?event ?en ?es ?description ?stamp ?begin ?end ?place ?placeEn ?placeEs WHERE {
  ?event a sem:Event .
  OPTIONAL { ?event rdfs:label ?en FILTER (lang(?en) = "en") }
  OPTIONAL { ?event rdfs:label ?es FILTER (lang(?es) = "es") }
  OPTIONAL { ?event schema:description ?description }
  OPTIONAL { ?event sem:hasTimeStamp ?stamp }
  OPTIONAL { ?event sem:hasBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasEndTimeStamp ?end }
  OPTIONAL { ?event sem:hasPlace ?place OPTIONAL { ?place rdfs:label ?placeEn FILTER (lang(?placeEn) = "en") }
    OPTIONAL { ?place rdfs:label ?placeEs FILTER (lang(?placeEs) = "es") } }
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
            },
        )
        if row.get("place") is not None:
            place = iri_view(str(row["place"]), row_label(row, "placeEn", "placeEs"))
            if place not in event["places"]:
                event["places"].append(place)
    return sorted(
        events.values(),
        key=lambda e: (e["begin"].start, (e["end"] or e["begin"]).end, e["label"]),
    )


def _timeline_geometry(events: list[dict]) -> dict:
    g = TIMELINE
    first_year = min(e["begin"].start.year for e in events)
    last_year = max((e["end"] or e["begin"]).end.year for e in events) + 1
    plot = g["width"] - g["left"] - g["right"]

    def x(day: date) -> float:
        year_length = 366 if calendar.isleap(day.year) else 365
        fraction = day.year + (day.timetuple().tm_yday - 1) / year_length
        return round(g["left"] + (fraction - first_year) / (last_year - first_year) * plot, 1)

    years = [{"year": year, "x": x(date(year, 1, 1))} for year in range(first_year, last_year + 1)]
    for year in years:
        year["label_x"] = round(year["x"] + (plot / (last_year - first_year)) / 2, 1)
    height = g["top"] + g["row"] * len(events) + g["bottom"]
    marks = []
    for index, event in enumerate(events):
        y = g["top"] + g["row"] * index + g["row"] / 2
        begin, end = event["begin"], event["end"]
        mark: dict[str, Any] = {"event": event, "y": round(y, 1), "index": index}
        if end is not None:
            x0, x1 = x(begin.start), x(end.end)
            mark.update(shape="period", x=x0, width=round(max(x1 - x0, 4), 1), y0=round(y - 7, 1), height=14)
            left, right = x0, x0 + mark["width"]
        else:
            cx = x(begin.mid)
            mark.update(shape="instant", cx=cx, r=6, precision=begin.precision)
            left, right = cx - 6, cx + 6
            if begin.precision != "day":  # show how wide the date is
                mark.update(range_x=x(begin.start), range_width=round(max(x(begin.end) - x(begin.start), 2), 1))
                left, right = min(left, mark["range_x"]), max(right, mark["range_x"] + mark["range_width"])
        text = event["label"] if len(event["label"]) <= 64 else event["label"][:61].rstrip() + "…"
        text_width = len(text) * g["char"]
        if right + 8 + text_width <= g["width"] - g["right"]:
            mark.update(text_x=round(right + 8, 1), anchor="start")
        elif left - 8 - text_width >= g["left"]:
            mark.update(text_x=round(left - 8, 1), anchor="end")
        else:
            budget = int(max(g["width"] - g["right"] - right - 8, left - 8 - g["left"]) / g["char"]) - 1
            text = text[: max(budget, 8)].rstrip() + "…"
            if g["width"] - g["right"] - right >= left - g["left"]:
                mark.update(text_x=round(right + 8, 1), anchor="start")
            else:
                mark.update(text_x=round(left - 8, 1), anchor="end")
        mark["text"] = text
        mark["text_y"] = round(y + 4, 1)
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

