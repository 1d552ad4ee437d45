"""The argument: /claims lays out the article's claims.

First the argument (question, disputed view, thesis, factors, findings,
conclusion), then the reported facts grouped by what they are about, each
quoted from the text with its citations and its relations to other claims.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.web.pages import bp, page_caching
from server.web.responses import respond
from server.web.pages.passages import PASSAGE_FIELDS, passage_view
from server.rdf.namespaces import ID_SPACE
from server.web.views import curie, iri_view, parse_when, render_page, row_label, row_text, select, when_view

ARGUMENT_KINDS = (
    ("ResearchQuestion", _l("Research question")),
    ("DisputedView", _l("The view it disputes")),
    ("Thesis", _l("Thesis")),
    ("ExplanatoryFactor", _l("Factors examined")),
    ("Finding", _l("Finding")),
    ("Conclusion", _l("Conclusion")),
)
BODY_KINDS = ("ReportedFact", "Assessment")
RELATIONS = (  # predicate, label from the subject, label from the object
    ("mxus:answers", _l("answers"), _l("answered by")),
    ("mxus:disputes", _l("disputes"), _l("disputed by")),
    ("mxus:elaborates", _l("elaborates"), _l("elaborated by")),
    ("mxus:supports", _l("supports"), _l("supported by")),
    ("mxus:qualifies", _l("qualifies"), _l("qualified by")),
    ("prov:wasDerivedFrom", _l("derived from"), _l("leads to")),
)


@bp.route("/claims")
def claims():
    return respond(page_caching("claims"), _claims)


def _claims():
    claims_by_iri = _load_claims()
    argument = []
    for kind, title in ARGUMENT_KINDS:
        members = [c for c in claims_by_iri.values() if c["kind"] == kind]
        if members:
            argument.append({"kind": kind, "title": title, "claims": _in_text_order(members)})
    body = _in_text_order([c for c in claims_by_iri.values() if c["kind"] in BODY_KINDS])
    others = _in_text_order(
        [c for c in claims_by_iri.values() if c["kind"] not in BODY_KINDS and c["kind"] not in dict(ARGUMENT_KINDS)]
    )
    return render_page(
        "claims.html",
        argument=argument,
        facts=_group_facts(body),
        others=others,
        count=len(claims_by_iri),
        active="pages.claims",
    )


def _in_text_order(claims: list[dict]) -> list[dict]:
    return sorted(claims, key=lambda c: (c["passage"] is None, c["passage"]["start"] if c["passage"] else 0, c["label"]))


def _load_claims() -> dict[str, dict]:
    rows = select(
        f"""SELECT ?claim ?kind ?en ?es ?text ?span ?source ?start ?end ?exact WHERE {{
  ?claim a ?kindClass . ?kindClass rdfs:subClassOf mxus:Claim .
  BIND (STRAFTER(STR(?kindClass), STR(mxus:)) AS ?kind)
  OPTIONAL {{ ?claim rdfs:label ?en FILTER (lang(?en) = "en") }}
  OPTIONAL {{ ?claim rdfs:label ?es FILTER (lang(?es) = "es") }}
  OPTIONAL {{ ?claim schema:text ?text }}
  OPTIONAL {{ ?claim mxus:statedIn ?span . {PASSAGE_FIELDS} }}
}}"""
    )
    claims: dict[str, dict] = {}
    for row in rows:
        iri = str(row["claim"])
        slug = iri.rsplit("/", 1)[-1]
        claim = claims.setdefault(
            iri,
            {
                "iri": iri,
                "anchor": slug,
                "kind": str(row["kind"]),
                "label": row_label(row) or curie(iri),
                "text": row_text(row, "text"),
                "view": iri_view(iri, row_label(row)),
                "passage": None,
                "relations": [],
                "citations": [],
                "subjects": [],
            },
        )
        if row.get("span") is not None and claim["passage"] is None:
            claim["passage"] = passage_view(row)
    relation_values = " ".join(p for p, _, _ in RELATIONS)
    for row in select(
        f"""SELECT ?from ?relation ?to WHERE {{
  VALUES ?relation {{ {relation_values} }}
  ?from ?relation ?to .
  ?from a/rdfs:subClassOf mxus:Claim . ?to a/rdfs:subClassOf mxus:Claim .
}}"""
    ):
        source, target = claims.get(str(row["from"])), claims.get(str(row["to"]))
        if source is None or target is None:
            continue
        name = curie(str(row["relation"]))
        forward, backward = next((f, b) for p, f, b in RELATIONS if p == name)
        rank = [p for p, _, _ in RELATIONS].index(name)
        source["relations"].append({"label": forward, "key": name.split(":")[1], "target": target, "rank": (0, rank)})
        target["relations"].append(
            {"label": backward, "key": name.split(":")[1] + "-inverse", "target": source, "rank": (1, rank)}
        )
    for claim in claims.values():  # what it does to others first, then what others do to it
        claim["relations"].sort(key=lambda r: (r["rank"], r["target"]["passage"]["start"] if r["target"]["passage"] else 0))
    for row in select(
        """SELECT ?claim ?pointer ?content ?work ?en ?es WHERE {
  ?claim mxus:attributedTo ?pointer . ?pointer c4o:hasContent ?content .
  OPTIONAL { ?pointer c4o:denotes/biro:references ?work .
    OPTIONAL { ?work rdfs:label ?en FILTER (lang(?en) = "en") } OPTIONAL { ?work rdfs:label ?es FILTER (lang(?es) = "es") } }
} ORDER BY ?content"""
    ):
        claim = claims.get(str(row["claim"]))
        if claim is not None:
            claim["citations"].append(
                {
                    "content": str(row["content"]),
                    "pointer": iri_view(str(row["pointer"])),
                    "work": iri_view(str(row["work"]), row_label(row)) if row.get("work") else None,
                }
            )
    for row in select(
        """SELECT ?claim ?subject ?en ?es ?date ?end WHERE {
  ?claim a/rdfs:subClassOf mxus:Claim ; schema:about ?subject .
  { ?subject sem:hasTimeStamp ?date } UNION { ?subject sem:hasBeginTimeStamp ?date OPTIONAL { ?subject sem:hasEndTimeStamp ?end } }
  UNION { ?subject dcterms:date ?date }
  OPTIONAL { ?subject rdfs:label ?en FILTER (lang(?en) = "en") }
  OPTIONAL { ?subject rdfs:label ?es FILTER (lang(?es) = "es") }
}"""
    ):
        claim = claims.get(str(row["claim"]))
        when = parse_when(row_text(row, "date"))
        if claim is not None and when is not None:
            claim["subjects"].append(
                {
                    "view": iri_view(str(row["subject"]), row_label(row)),
                    "when": when,
                    "end": parse_when(row_text(row, "end")),
                    "is_document": not str(row["subject"]).startswith(ID_SPACE + "event/"),
                }
            )
    return claims


def _group_facts(facts: list[dict]) -> list[dict]:
    """The reported facts in text order, grouped by the dated event or document they are about.

    A fact about several dated things goes with the latest (a fact about the
    September 11 attacks and the earlier meetings is a fact of September 11);
    at equal dates a document wins over the event that produced it. A fact
    about nothing dated continues the group before it, as the text does.
    """
    groups: list[dict] = []
    for fact in facts:
        subject = None
        if fact["subjects"]:
            subject = max(fact["subjects"], key=lambda s: (s["when"].start, s["is_document"], s["view"]["text"]))
        if subject is None and groups:
            groups[-1]["facts"].append(fact)
            continue
        key = subject["view"]["iri"] if subject else None
        if groups and groups[-1]["key"] == key:
            groups[-1]["facts"].append(fact)
            continue
        groups.append(
            {
                "key": key,
                "subject": subject["view"] if subject else None,
                "when": when_view(subject["when"], subject["end"]) if subject else None,
                "facts": [fact],
            }
        )
    return groups

