"""Who did what when, on a resource page: a person's or organisation's posts with
their dates and the events and claims they figure in, in date order; an event's
date, place, actors and outcome.

Dates stay at the data's precision, and a tenure is only the dates the text places
someone in the post (the data gives no start or end); what the curators read into
the text rather than found in it (an interpretive link) says so.
"""

from __future__ import annotations

from flask_babel import gettext as _

from server.web.pages.passages import reader_href
from server.web.views import When, iri_view, parse_when, row_label, row_text, select, span_text, when_view

LABELS = """OPTIONAL {{ ?{0} rdfs:label ?{0}En FILTER (lang(?{0}En) = "en") }}
  OPTIONAL {{ ?{0} rdfs:label ?{0}Es FILTER (lang(?{0}Es) = "es") }}"""


def _labels(*names: str) -> str:
    """Labels of variables bound before (inside an OPTIONAL that binds one, so an unbound one is not bound by its label)."""
    return "\n  ".join(LABELS.format(name) for name in names)


def _view(row: dict, name: str) -> dict | None:
    return iri_view(str(row[name]), row_label(row, name + "En", name + "Es")) if row.get(name) is not None else None


def posts(iri: str) -> list[dict]:
    """Tenures of ``iri`` (as member) or in ``iri`` (as organisation), each with the dates the text attests, earliest first."""
    rows = select(
        f"""SELECT ?m ?member ?memberEn ?memberEs ?post ?postEn ?postEs ?role ?roleEn ?roleEs ?org ?orgEn ?orgEs ?date ?link WHERE {{
  ?m a org:Membership ; org:member ?member .
  {{ ?m org:member <{iri}> }} UNION {{ ?m org:organization <{iri}> }}
  OPTIONAL {{ ?m mxus:post ?post {_labels("post")} }}
  OPTIONAL {{ ?m org:role ?role {_labels("role")} }}
  OPTIONAL {{ ?m org:organization ?org {_labels("org")} }}
  OPTIONAL {{ ?m org:memberDuring/time:inside/(time:inXSDDate|time:inXSDgYear) ?date }}
  OPTIONAL {{ ?link a mxus:InterpretiveLink ; rdf:subject ?m ; rdf:predicate org:memberDuring }}
  {_labels("member")}
}}"""
    )
    found: dict[str, dict] = {}
    for row in rows:
        tenure = found.setdefault(str(row["m"]), {
            "member": _view(row, "member"), "post": _view(row, "post"), "role": _view(row, "role"),
            "organisation": _view(row, "org"), "dates": [], "curators": row.get("link") is not None,
            "is_member": str(row["member"]) == iri,
        })
        when = parse_when(row_text(row, "date"))
        if when and when not in tenure["dates"]:
            tenure["dates"].append(when)
    for tenure in found.values():
        tenure["dates"].sort(key=lambda w: w.start)
        tenure["when"] = tenure_text(tenure["dates"])
    return sorted(found.values(), key=lambda t: (not t["dates"], t["dates"][0].start if t["dates"] else None,
                                                 (t["member"] or {}).get("text", "")))


def tenure_text(dates: list[When]) -> str | None:
    """The first and last dates the text places someone in a post: "2001", "16 February 2001 – 7 January 2004"."""
    if not dates:
        return None
    return dates[0].text if len(dates) == 1 else span_text(dates[0], dates[-1])


def chronicle(iri: str) -> list[dict]:
    """The events ``iri`` took part in and the claims about it, in date order; claims the text does not date last, in text order."""
    rows = select(
        f"""SELECT ?item ?itemEn ?itemEs ?how ?date ?end ?start ?stop WHERE {{
  {{ ?item sem:hasActor <{iri}> BIND ("actor" AS ?how)
     OPTIONAL {{ ?item sem:hasTimeStamp|sem:hasBeginTimeStamp ?date }} OPTIONAL {{ ?item sem:hasEndTimeStamp ?end }} }}
  UNION
  {{ ?item a/rdfs:subClassOf mxus:Claim ; schema:about|mxus:mentions <{iri}> BIND ("claim" AS ?how)
     OPTIONAL {{ ?item schema:about ?subject . ?subject sem:hasTimeStamp|sem:hasBeginTimeStamp|dcterms:date ?date
                OPTIONAL {{ ?subject sem:hasEndTimeStamp ?end }} }} }}
  OPTIONAL {{ ?item mxus:statedIn/oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?stop }}
  {_labels("item")}
}}"""
    )
    items: dict[str, dict] = {}
    for row in rows:
        item = items.setdefault(str(row["item"]), {
            "view": _view(row, "item"), "how": str(row["how"]), "begin": None, "end": None, "passage": None, "start": None,
        })
        begin = parse_when(row_text(row, "date"))
        if begin and (item["begin"] is None or begin.start > item["begin"].start):  # a claim goes with its latest dated subject
            item["begin"], item["end"] = begin, parse_when(row_text(row, "end"))
        if row.get("start") is not None and (item["start"] is None or int(row["start"]) < item["start"]):
            item["start"] = int(row["start"])
            item["passage"] = reader_href(int(row["start"]), int(row["stop"]))
    for item in items.values():
        item["when"] = when_view(item["begin"], item["end"])
        item["how_text"] = _("took part") if item["how"] == "actor" else _("claim naming it")
    return sorted(items.values(), key=lambda i: (i["begin"] is None, i["begin"].start if i["begin"] else None,
                                                 i["how"] != "actor", i["start"] or 0, i["view"]["text"]))


def event_summary(iri: str) -> dict | None:
    """An event's date, places, actors, kind and outcome as the data states them; None if ``iri`` is not an event."""
    rows = select(
        f"""SELECT ?p ?o ?oEn ?oEs ?link WHERE {{
  <{iri}> a sem:Event .
  VALUES ?p {{ sem:hasTimeStamp sem:hasBeginTimeStamp sem:hasEndTimeStamp sem:hasPlace sem:hasActor sem:eventType prov:generated }}
  <{iri}> ?p ?o .
  OPTIONAL {{ ?link a mxus:InterpretiveLink ; rdf:subject <{iri}> ; rdf:predicate ?p ; rdf:object ?o }}
  {_labels("o")}
}}"""
    )
    if not rows:
        return None
    by: dict[str, list] = {}
    curators = False
    for row in rows:
        name = str(row["p"]).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        by.setdefault(name, []).append(row)
        curators = curators or (row.get("link") is not None and name != "generated")
    stamp = parse_when(row_text(by["hasTimeStamp"][0], "o")) if "hasTimeStamp" in by else None
    begin = parse_when(row_text(by["hasBeginTimeStamp"][0], "o")) if "hasBeginTimeStamp" in by else None
    end = parse_when(row_text(by["hasEndTimeStamp"][0], "o")) if "hasEndTimeStamp" in by else None

    def views(name: str) -> list[dict]:
        found = [dict(_view(row, "o"), curators=row.get("link") is not None) for row in by.get(name, [])]
        return sorted(found, key=lambda v: v["text"].casefold())

    return {
        "when": when_view(stamp or begin, None if stamp else end),
        "dates_curators": curators,
        "places": views("hasPlace"),
        "actors": views("hasActor"),
        "kinds": views("eventType"),
        "outcomes": views("generated"),
    }
