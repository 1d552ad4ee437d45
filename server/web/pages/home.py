"""The home page: the article's citation, its question and thesis, entry
points by kind of thing, statistics and the example queries."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from server.rdf.namespaces import ID_SPACE, MXUS
from server.store.graphs import ACCEPTED_GRAPH, DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from server.web.pages import bp, page_caching
from server.web.responses import respond
from server.web.pages.argument import argument_map_view
from server.web.pages.cite import home_jsonld
from server.web.pages.resource import jsonld_script
from server.web.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS
from server.web.views import iri_view, parse_when, render_page, row_label, row_text, select, when_view


@bp.route("/")
def home():
    return respond(page_caching("home"), _home)


def _home():
    citation = _citation()
    main_claims = {
        row["kind"]: {
            "iri": str(row["claim"]),
            "view": iri_view(str(row["claim"]), row_label(row)),
            "text": row_text(row, "text"),
        }
        for row in select(
            """SELECT ?claim ?kind ?en ?es ?text WHERE {
  VALUES ?kind { mxus:ResearchQuestion mxus:Thesis }
  ?claim a ?kind .
  OPTIONAL { ?claim rdfs:label ?en FILTER (lang(?en) = "en") }
  OPTIONAL { ?claim rdfs:label ?es FILTER (lang(?es) = "es") }
  OPTIONAL { ?claim schema:text ?text }
}"""
        )
    }
    return render_page(
        "home.html",
        citation=citation,
        question=main_claims.get(MXUS.ResearchQuestion),
        thesis=main_claims.get(MXUS.Thesis),
        argument_diagram=argument_map_view(),
        groups=_entry_points(),
        stats=_statistics(),
        examples=[
            {"title": title, "slug": slug, "href": url_for("pages.query_page", query=EXAMPLE_QUERIES[title])}
            for slug, title in EXAMPLE_SLUGS.items()
        ],
        jsonld=jsonld_script(home_jsonld()),
        active="pages.home",
    )


def _citation() -> dict | None:
    rows = select(
        """SELECT ?article ?title ?doi ?issued ?pages ?author ?authorName ?journal ?journalTitle ?volume ?issue WHERE {
  ?article a fabio:JournalArticle ; dcterms:title ?title .
  OPTIONAL { ?article prism:doi ?doi }
  OPTIONAL { ?article dcterms:issued ?issued }
  OPTIONAL { ?article schema:pagination ?pages }
  OPTIONAL { ?article dcterms:creator ?author . ?author foaf:name ?authorName }
  OPTIONAL {
    ?article frbr:partOf ?issueResource . ?issueResource prism:issueIdentifier ?issue ;
      frbr:partOf ?volumeResource . ?volumeResource prism:volume ?volume ; frbr:partOf ?journal .
    ?journal dcterms:title ?journalTitle .
  }
} ORDER BY ?article ?authorName"""
    )
    if not rows:
        return None
    first = rows[0]
    authors = []
    for row in rows:
        if row["article"] == first["article"] and row.get("author") is not None:
            author = iri_view(str(row["author"]), row_text(row, "authorName"))
            if author not in authors:
                authors.append(author)
    doi = row_text(first, "doi")
    issued = parse_when(row_text(first, "issued"))
    return {
        "article": iri_view(str(first["article"]), str(first["title"])),
        "title": str(first["title"]),
        "authors": authors,
        "year": issued.start.year if issued else None,
        "issued": issued.literal if issued else None,
        "journal": iri_view(str(first["journal"]), row_text(first, "journalTitle")) if first.get("journal") else None,
        "volume": row_text(first, "volume"),
        "issue": row_text(first, "issue"),
        "pages": row_text(first, "pages"),
        "doi": doi,
        "doi_url": f"https://doi.org/{doi}" if doi else None,
    }


ENTRY_GROUPS = (
    ("people", _l("People"), "?r a foaf:Person"),
    ("organisations", _l("Organisations"), "VALUES ?c { foaf:Organization org:Organization } ?r a/rdfs:subClassOf* ?c"),
    ("places", _l("Places"), "?r a sem:Place"),
    ("events", _l("Events"), "?r a sem:Event"),
    ("documents", _l("Declarations, agreements and initiatives"), "VALUES ?c { mxus:JointDeclaration mxus:Agreement mxus:Initiative } ?r a ?c"),
    ("claims", _l("Claims"), "?r a/rdfs:subClassOf mxus:Claim"),
)


def _entry_points() -> list[dict]:
    union = " UNION ".join(f'{{ {pattern} BIND ("{key}" AS ?group) }}' for key, _, pattern in ENTRY_GROUPS)
    rows = select(
        f"""SELECT DISTINCT ?group ?r ?en ?es ?start ?date ?end WHERE {{
  {union}
  FILTER (STRSTARTS(STR(?r), "{ID_SPACE}"))
  OPTIONAL {{ ?r rdfs:label ?en FILTER (lang(?en) = "en") }}
  OPTIONAL {{ ?r rdfs:label ?es FILTER (lang(?es) = "es") }}
  OPTIONAL {{ ?r mxus:statedIn/oa:hasSelector/oa:start ?start }}
  OPTIONAL {{ ?r sem:hasTimeStamp|sem:hasBeginTimeStamp ?date OPTIONAL {{ ?r sem:hasEndTimeStamp ?end }} }}
}}"""
    )
    members: dict[str, dict[str, dict]] = {key: {} for key, _, _ in ENTRY_GROUPS}
    for row in rows:
        iri = str(row["r"])
        item = members[str(row["group"])].setdefault(
            iri, {"view": iri_view(iri, row_label(row)), "start": None, "begin": parse_when(row_text(row, "date")),
                  "end": parse_when(row_text(row, "end"))}
        )
        item["when"] = when_view(item["begin"], item["end"])
        if row.get("start") is not None:
            start = int(row["start"])
            item["start"] = start if item["start"] is None else min(item["start"], start)
    groups = []
    for key, title, _ in ENTRY_GROUPS:
        items = list(members[key].values())
        if key == "claims":  # in the order the article makes them
            items.sort(key=lambda item: (item["start"] is None, item["start"] or 0, item["view"]["text"]))
        elif key == "events":  # the story, in the order it happened
            items.sort(key=lambda item: (item["begin"] is None, item["begin"].start if item["begin"] else None,
                                         (item["end"] or item["begin"]).end if item["begin"] else None, item["view"]["text"]))
        else:
            items.sort(key=lambda item: item["view"]["text"].casefold())
        groups.append({"key": key, "title": title, "items": items})
    return groups


PUBLISHED_GRAPHS = {
    DATA_GRAPH: _l("The data"),
    ONTOLOGY_GRAPH: _l("Ontology"),
    SHAPES_GRAPH: _l("Shapes"),
    ACCEPTED_GRAPH: _l("Accepted contributions"),
}


def _statistics() -> dict:
    # The published graphs only: contributions are summed in the accepted graph, pending and rejected ones not shown.
    graphs = {
        str(row["g"]): int(row["n"])
        for row in select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in PUBLISHED_GRAPHS)} }} "
                          "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    kinds = select(
        f"""SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{DATA_GRAPH}> {{ ?s a ?type }}
  FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}"))
  BIND (REPLACE(STR(?s), "^{ID_SPACE}([a-z]+)/.*$", "$1") AS ?kind)
}} GROUP BY ?kind ORDER BY DESC(?n) ?kind"""
    )
    classes = select(
        f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{DATA_GRAPH}> {{ ?s a ?type }}
}} GROUP BY ?type ORDER BY DESC(?n) ?type"""
    )
    return {
        "triples": graphs.get(DATA_GRAPH, 0),
        "graphs": [{"name": str(title), "iri": iri, "triples": graphs.get(iri, 0)} for iri, title in PUBLISHED_GRAPHS.items()],
        "entities": sum(int(row["n"]) for row in kinds),
        "kinds": [{"kind": str(row["kind"]), "count": int(row["n"])} for row in kinds],
        "classes": [{"type": iri_view(str(row["type"])), "count": int(row["n"])} for row in classes],
    }

