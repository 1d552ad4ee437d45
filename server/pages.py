"""HTML pages for people: home, one page per resource, the argument, the
timeline and the query page.

Every page reads the data through SPARQL (``store.query`` /
``describe_resource``), like /sparql does, and leaves through ``_render``,
which rewrites canonical URIs to the served base. Pages are HTML only;
machines get RDF at /data/... and /sparql.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from flask import Blueprint, Response, current_app, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .engine import QueryFailed
from .http import ApiError, _title, error_response
from .namespaces import MXUS, PREFIXES, bind_prefixes
from .negotiation import EXTENSIONS
from .resources import alternates_header, describe_resource, etag_for
from .sparql_text import inspect_query
from .store import DATA_GRAPH
from .uris import CANONICAL_BASE, is_valid_thing_path, thing_uri

bp = Blueprint("pages", __name__)

ID_BASE = CANONICAL_BASE + "id/"
SCHEMA = "https://schema.org/"
SPARQL_PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
RESULTS_JSON = "application/sparql-results+json"
MAX_TABLE_ROWS = 1000

EXAMPLE_QUERIES = {
    "The argument: thesis, what it answers and disputes": """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thesis ?question ?disputed WHERE {
  ?thesis a mxus:Thesis ; mxus:answers ?q ; mxus:disputes ?d .
  ?q rdfs:label ?question . ?d rdfs:label ?disputed .
  FILTER (lang(?question) = "en" && lang(?disputed) = "en")
}""",
    "Events in order": """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label ?when WHERE {
  ?event a sem:Event ; rdfs:label ?label .
  OPTIONAL { ?event sem:hasTimeStamp ?t } OPTIONAL { ?event sem:hasBeginTimeStamp ?b }
  BIND (COALESCE(?t, ?b) AS ?when)
  FILTER (lang(?label) = "en")
} ORDER BY STR(?when)""",
    "Who held which post": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name ?post ?title WHERE {
  ?m a org:Membership ; org:member ?person ; mxus:post ?post .
  ?person rdfs:label ?name . ?post rdfs:label ?title .
  FILTER (lang(?name) = "en" && lang(?title) = "en")
}""",
    "Claims with the exact passage that states them": """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim ?kind ?start ?end ?exact WHERE {
  ?claim a ?kind . ?kind rdfs:subClassOf mxus:Claim .
  ?claim mxus:statedIn ?span .
  ?span oa:hasSelector ?position , ?quote .
  ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
} ORDER BY ?start""",
    "Facts attributed to a cited source": """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim ?label ?citation WHERE {
  ?claim mxus:attributedTo ?pointer ; rdfs:label ?label .
  ?pointer c4o:hasContent ?citation .
  FILTER (lang(?label) = "en")
} ORDER BY ?citation""",
    "Labels in Spanish of the people and places": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT ?thing ?english ?spanish WHERE {
  { ?thing a foaf:Person } UNION { ?thing a sem:Place }
  ?thing rdfs:label ?english , ?spanish .
  FILTER (lang(?english) = "en" && lang(?spanish) = "es")
} ORDER BY ?english""",
    "Is every claim anchored to the text? (ASK)": """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# true if some claim has no passage: expect "no"
ASK {
  ?claim a/rdfs:subClassOf mxus:Claim .
  FILTER NOT EXISTS { ?claim mxus:statedIn ?span }
}""",
    "Colin Powell and his posts, as a graph (CONSTRUCT)": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
CONSTRUCT {
  ?person rdfs:label ?name ; owl:sameAs ?same ; org:holds ?post .
  ?post rdfs:label ?title .
} WHERE {
  VALUES ?person { <https://w3id.org/mxus/id/person/colin-powell> }
  ?person rdfs:label ?name ; org:holds ?post .
  ?post rdfs:label ?title .
  OPTIONAL { ?person owl:sameAs ?same }
}""",
}
EXAMPLE_SLUGS = {re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"): title for title in EXAMPLE_QUERIES}


# ---------------------------------------------------------------- rendering


def _render(template: str, status: int = 200, **context: Any) -> Response:
    """Render a page and rewrite canonical URIs to the served base."""
    rewriter = current_app.extensions["mxus.rewriter"]
    html = rewriter.outgoing_text(render_template(template, **context))
    return Response(html, status, content_type="text/html; charset=utf-8")


@bp.app_template_global()
def nav_links() -> list[tuple[str, str, str]]:
    return [
        ("pages.home", url_for("pages.home"), "Home"),
        ("pages.claims", url_for("pages.claims"), "Claims"),
        ("pages.timeline", url_for("pages.timeline"), "Timeline"),
        ("pages.query_page", url_for("pages.query_page"), "Query"),
        ("ontology_docs.ontology", url_for("ontology_docs.ontology"), "Ontology"),
    ]


@bp.errorhandler(ApiError)
def _page_error(error: ApiError) -> Response:
    """Pages are for people: errors on them are pages too, unless JSON is asked for."""
    if request.accept_mimetypes.best == "application/json":
        return error_response(error.status, _title(error.status), error.message, error.spec)
    body = {"status": error.status, "title": _title(error.status), "message": error.message}
    if error.spec:
        body["spec"] = error.spec
    return _render("error.html", error.status, error=body)



# ---------------------------------------------------------------- reading the data


def select(text: str) -> list[dict[str, Any]]:
    """Run a SELECT through the store; rows of rdflib terms keyed by variable."""
    store = current_app.extensions["mxus.store"]
    body = json.loads(store.query(SPARQL_PREFIXES + text, RESULTS_JSON))
    return [{name: _term(value) for name, value in row.items()} for row in body["results"]["bindings"]]


def _term(binding: dict) -> URIRef | BNode | Literal:
    kind = binding["type"]
    if kind == "uri":
        return URIRef(binding["value"])
    if kind == "bnode":
        return BNode(binding["value"])
    lang = binding.get("xml:lang")
    return Literal(binding["value"], lang=lang, datatype=None if lang else binding.get("datatype"))


def _value(row: dict, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else str(term)


# ---------------------------------------------------------------- presenting terms

def curie(iri: str) -> str:
    """A prefixed name for display: person:colin-powell, schema:about, wd:Q150851."""
    if iri.startswith(ID_BASE):
        rest = iri[len(ID_BASE) :]
        kind, _, slug = rest.partition("/")
        if slug and is_valid_thing_path(kind, slug):
            return f"{kind}:{slug}"
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            if best is None or len(namespace) > len(PREFIXES[best]):
                best = prefix
    if best:
        local = iri[len(PREFIXES[best]) :]
        if re.fullmatch(r"[A-Za-z0-9_.\-]+", local):
            return f"{best}:{local}"
    return iri


def page_path(iri: str) -> str | None:
    """/page/{type}/{slug} for one of our resources, else None."""
    if not iri.startswith(ID_BASE):
        return None
    kind, _, slug = iri[len(ID_BASE) :].partition("/")
    return f"/page/{kind}/{slug}" if slug and is_valid_thing_path(kind, slug) else None


def ontology_href(iri: str) -> str | None:
    namespace = str(MXUS)
    if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", iri[len(namespace) :]):
        return "/ontology#" + iri[len(namespace) :]
    if iri == CANONICAL_BASE + "ontology":
        return "/ontology"
    return None


def _safe_href(iri: str) -> str | None:
    return iri if iri.startswith(("http://", "https://")) else None


def iri_view(iri: str, label: str | None = None) -> dict:
    """How one IRI is shown: ours link to their page, ontology terms to /ontology#Term, others out."""
    path = page_path(iri)
    if path:
        return {"kind": "ours", "href": path, "text": label or curie(iri), "iri": iri}
    anchor = ontology_href(iri)
    if anchor:
        return {"kind": "term", "href": anchor, "text": curie(iri), "iri": iri}
    return {"kind": "external", "href": _safe_href(iri), "text": label or curie(iri), "iri": iri}


def literal_view(value: str, lang: str | None = None, datatype: str | None = None) -> dict:
    shown_type = None if datatype in (None, str(XSD.string), str(RDF.langString)) else curie(datatype)
    return {"kind": "literal", "text": value, "lang": lang or None, "datatype": shown_type}


def term_view(term, labels: dict | None = None) -> dict:
    if isinstance(term, URIRef):
        return iri_view(str(term), _pick_label(labels or {}, term))
    if isinstance(term, Literal):
        return literal_view(str(term), term.language, str(term.datatype) if term.datatype else None)
    return {"kind": "bnode", "text": "(anonymous)", "props": []}


def _pick_label(labels: dict, subject, lang: str = "en") -> str | None:
    by_lang = labels.get(subject, {})
    return by_lang.get(lang) or by_lang.get("") or (next(iter(by_lang.values())) if by_lang and lang == "en" else None)


def _labels_of(graph: Graph) -> dict:
    labels: dict = {}
    for subject, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal):
            labels.setdefault(subject, {}).setdefault(label.language or "", str(label))
    return labels


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class When:
    literal: str
    start: date
    end: date
    precision: str  # day, month or year

    @property
    def mid(self) -> date:
        return date.fromordinal((self.start.toordinal() + self.end.toordinal()) // 2)

    @property
    def text(self) -> str:
        if self.precision == "day":
            return f"{self.start.day} {calendar.month_name[self.start.month]} {self.start.year}"
        if self.precision == "month":
            return f"{calendar.month_name[self.start.month]} {self.start.year}"
        return str(self.start.year)


def parse_when(value: str | None) -> When | None:
    if not value:
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            start = end = date(int(year), int(month), int(day))
            precision = "day"
        elif month:
            start = date(int(year), int(month), 1)
            end = date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
            precision = "month"
        else:
            start, end, precision = date(int(year), 1, 1), date(int(year), 12, 31), "year"
    except ValueError:
        return None
    return When(match.group(0), start, end, precision)


def span_text(begin: When, end: When | None) -> str:
    if end is None:
        return begin.text
    if begin.precision == end.precision == "year":
        return f"{begin.start.year}–{end.start.year}"
    if begin.precision == end.precision == "month" and begin.start.year == end.start.year:
        return f"{calendar.month_name[begin.start.month]}–{calendar.month_name[end.start.month]} {end.start.year}"
    return f"{begin.text} – {end.text}"


def _when_view(begin: When | None, end: When | None = None) -> dict | None:
    if begin is None:
        return None
    return {"text": span_text(begin, end), "start": begin.literal, "end": end.literal if end else None}


# ---------------------------------------------------------------- passages

PASSAGE_FIELDS = """
  ?span oa:hasSource ?source ; oa:hasSelector ?position , ?quote .
  ?position oa:start ?start ; oa:end ?end .
  ?quote oa:exact ?exact .
"""


def _passage(row: dict, via: list[dict] | None = None) -> dict:
    span = str(row["span"])
    return {
        "span": iri_view(span),
        "source": iri_view(str(row["source"]), "Source text"),
        "start": int(row["start"]),
        "end": int(row["end"]),
        "exact": str(row["exact"]),
        "via": via or [],
        "within": [],
    }


def passages_of(iri: str) -> list[dict]:
    """The spans that state ``iri`` (or ``iri`` itself, if it is a span), in text order."""
    rows = select(
        f"""SELECT DISTINCT ?span ?source ?start ?end ?exact WHERE {{
  {{ VALUES ?span {{ <{iri}> }} }} UNION {{ <{iri}> mxus:statedIn|prov:wasDerivedFrom ?span }}
  {PASSAGE_FIELDS}
}} ORDER BY ?start ?end"""
    )
    return [_passage(row) for row in rows]


def passages_about(iri: str, exclude: Iterable[str] = ()) -> list[dict]:
    """Spans of the resources (claims, events, memberships...) that link to ``iri``."""
    rows = select(
        f"""SELECT DISTINCT ?via ?viaLabel ?span ?source ?start ?end ?exact WHERE {{
  ?via ?link <{iri}> .
  FILTER (isIRI(?via) && ?via != <{iri}> && ?link != oa:hasSource)
  ?via mxus:statedIn|prov:wasDerivedFrom ?span .
  {PASSAGE_FIELDS}
  OPTIONAL {{ ?via rdfs:label ?viaLabel FILTER (lang(?viaLabel) = "en") }}
}} ORDER BY ?start ?end ?via"""
    )
    skip = set(exclude)
    by_span: dict[str, dict] = {}
    for row in rows:
        span = str(row["span"])
        if span in skip:
            continue
        if span not in by_span:
            by_span[span] = _passage(row)
        via = iri_view(str(row["via"]), _value(row, "viaLabel"))
        if via not in by_span[span]["via"]:
            by_span[span]["via"].append(via)
    # A passage inside another one is not quoted twice: it is listed under the larger one.
    kept: list[dict] = []
    for passage in sorted(by_span.values(), key=lambda p: (p["start"], -p["end"], p["span"]["iri"])):
        container = next(
            (
                k
                for k in kept
                if k["source"]["iri"] == passage["source"]["iri"] and k["start"] <= passage["start"] and passage["end"] <= k["end"]
            ),
            None,
        )
        if container is None:
            kept.append(passage)
        else:
            container["within"].append(passage)
    return kept


# ---------------------------------------------------------------- home


@bp.route("/")
def home():
    citation = _citation()
    main_claims = {
        row["kind"]: {
            "iri": str(row["claim"]),
            "view": iri_view(str(row["claim"]), _value(row, "en")),
            "es": _value(row, "es"),
            "text": _value(row, "text"),
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
    return _render(
        "home.html",
        citation=citation,
        question=main_claims.get(MXUS.ResearchQuestion),
        thesis=main_claims.get(MXUS.Thesis),
        groups=_entry_points(),
        stats=_statistics(),
        examples=[
            {"title": title, "slug": slug, "href": url_for("pages.query_page", query=EXAMPLE_QUERIES[title])}
            for slug, title in EXAMPLE_SLUGS.items()
        ],
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
            author = iri_view(str(row["author"]), _value(row, "authorName"))
            if author not in authors:
                authors.append(author)
    doi = _value(first, "doi")
    issued = parse_when(_value(first, "issued"))
    return {
        "article": iri_view(str(first["article"]), str(first["title"])),
        "title": str(first["title"]),
        "authors": authors,
        "year": issued.start.year if issued else None,
        "issued": issued.literal if issued else None,
        "journal": iri_view(str(first["journal"]), _value(first, "journalTitle")) if first.get("journal") else None,
        "volume": _value(first, "volume"),
        "issue": _value(first, "issue"),
        "pages": _value(first, "pages"),
        "doi": doi,
        "doi_url": f"https://doi.org/{doi}" if doi else None,
    }


ENTRY_GROUPS = (
    ("people", "People", "?r a foaf:Person"),
    ("organisations", "Organisations", "?r a/rdfs:subClassOf* foaf:Organization"),
    ("places", "Places", "?r a sem:Place"),
    ("events", "Events", "?r a sem:Event"),
    ("documents", "Declarations, agreements and initiatives", "VALUES ?c { mxus:JointDeclaration mxus:Agreement mxus:Initiative } ?r a ?c"),
    ("claims", "Claims", "?r a/rdfs:subClassOf mxus:Claim"),
)


def _entry_points() -> list[dict]:
    union = " UNION ".join(f'{{ {pattern} BIND ("{key}" AS ?group) }}' for key, _, pattern in ENTRY_GROUPS)
    rows = select(
        f"""SELECT DISTINCT ?group ?r ?en ?es ?start WHERE {{
  {union}
  FILTER (STRSTARTS(STR(?r), "{ID_BASE}"))
  OPTIONAL {{ ?r rdfs:label ?en FILTER (lang(?en) = "en") }}
  OPTIONAL {{ ?r rdfs:label ?es FILTER (lang(?es) = "es") }}
  OPTIONAL {{ ?r mxus:statedIn/oa:hasSelector/oa:start ?start }}
}}"""
    )
    members: dict[str, dict[str, dict]] = {key: {} for key, _, _ in ENTRY_GROUPS}
    for row in rows:
        iri = str(row["r"])
        item = members[str(row["group"])].setdefault(
            iri, {"view": iri_view(iri, _value(row, "en")), "es": _value(row, "es"), "start": None}
        )
        if row.get("start") is not None:
            start = int(row["start"])
            item["start"] = start if item["start"] is None else min(item["start"], start)
    groups = []
    for key, title, _ in ENTRY_GROUPS:
        items = list(members[key].values())
        if key == "claims":  # in the order the article makes them
            items.sort(key=lambda item: (item["start"] is None, item["start"] or 0, item["view"]["text"]))
        else:
            items.sort(key=lambda item: item["view"]["text"].casefold())
        for item in items:
            if item["es"] == item["view"]["text"]:
                item["es"] = None  # same in both languages: say it once
        groups.append({"key": key, "title": title, "items": items})
    return groups


def _statistics() -> dict:
    graphs = {
        str(row["g"]): int(row["n"])
        for row in select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    kinds = select(
        f"""SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{DATA_GRAPH}> {{ ?s a ?type }}
  FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}"))
  BIND (REPLACE(STR(?s), "^{ID_BASE}([a-z]+)/.*$", "$1") AS ?kind)
}} GROUP BY ?kind ORDER BY DESC(?n) ?kind"""
    )
    classes = select(
        f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{DATA_GRAPH}> {{ ?s a ?type }}
}} GROUP BY ?type ORDER BY DESC(?n) ?type"""
    )
    return {
        "triples": graphs.get(DATA_GRAPH, 0),
        "graphs": [{"name": name, "triples": count} for name, count in sorted(graphs.items())],
        "entities": sum(int(row["n"]) for row in kinds),
        "kinds": [{"kind": str(row["kind"]), "count": int(row["n"])} for row in kinds],
        "classes": [{"type": iri_view(str(row["type"])), "count": int(row["n"])} for row in classes],
    }


# ---------------------------------------------------------------- one resource

HEADER_TEXT = (  # shown above the table, not in it
    (URIRef(SCHEMA + "description"), "description"),
    (URIRef("http://purl.org/dc/terms/description"), "description"),
    (URIRef(SCHEMA + "text"), "text"),
    (RDFS.comment, "comment"),
)
NOT_IN_TABLE = {RDF.type, RDFS.label, OWL.sameAs, *(p for p, _ in HEADER_TEXT)}
EXTERNAL_LINKS = ((OWL.sameAs, "Same as"), (RDFS.seeAlso, "See also"))


@bp.route("/page/<kind>/<slug>")
def resource(kind: str, slug: str):
    if not is_valid_thing_path(kind, slug):
        raise ApiError(404, f"no page /page/{kind}/{slug}: pages are /page/{{type}}/{{slug}} in lowercase")
    etag = etag_for("page", kind, slug)
    if request.if_none_match.contains(etag):
        return _page_headers(Response(status=304), etag, kind, slug)
    iri = thing_uri(kind, slug)
    graph = describe_resource(iri)
    subject = URIRef(iri)
    if (subject, None, None) not in graph:
        raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset")
    labels = _labels_of(graph)
    own = passages_of(iri)
    related = passages_about(iri, exclude=[p["span"]["iri"] for p in own])
    label_en = _pick_label(labels, subject) or curie(iri)
    label_es = labels.get(subject, {}).get("es")
    schema_types = _schema_types(iri)
    page = {
        "iri": iri,
        "kind": kind,
        "slug": slug,
        "label": label_en,
        "label_es": label_es,
        "types": sorted((iri_view(str(t)) for t in graph.objects(subject, RDF.type)), key=lambda v: v["text"]),
        "texts": _header_texts(graph, subject),
        "properties": _properties(graph, subject, labels),
        "incoming": _incoming(graph, subject, labels),
        "passages": own,
        "related": related,
        "external": _external_links(graph, subject),
        "formats": [
            {"href": f"/data/{kind}/{slug}{ext}", "type": media, "name": ext[1:]} for ext, media in EXTENSIONS.items()
        ],
        "jsonld": _jsonld_script(_schema_jsonld(graph, subject, labels, schema_types, kind, slug)),
    }
    response = _render("resource.html", page=page, active=None)
    return _page_headers(response, etag, kind, slug)


def _page_headers(response: Response, etag: str, kind: str, slug: str) -> Response:
    response.set_etag(etag)
    response.headers["Link"] = alternates_header(kind, slug)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _header_texts(graph: Graph, subject: URIRef) -> list[dict]:
    texts = []
    for predicate, role in HEADER_TEXT:
        for value in sorted(graph.objects(subject, predicate), key=lambda v: (getattr(v, "language", "") or "", str(v))):
            if isinstance(value, Literal):
                texts.append({"role": role, "predicate": iri_view(str(predicate)), "text": str(value), "lang": value.language})
    return texts


def _properties(graph: Graph, subject, labels: dict, depth: int = 0, skip: set = NOT_IN_TABLE) -> list[dict]:
    rows = []
    for predicate in sorted(set(graph.predicates(subject)), key=lambda p: curie(str(p))):
        if predicate in skip:
            continue
        values = []
        for obj in graph.objects(subject, predicate):
            view = term_view(obj, labels)
            if isinstance(obj, BNode):
                view["props"] = _properties(graph, obj, labels, depth + 1, set()) if depth < 4 else []
            values.append(view)
        values.sort(key=lambda v: (v["kind"] == "bnode", v.get("text", "").casefold()))
        rows.append({"predicate": iri_view(str(predicate)), "values": values})
    return rows


def _incoming(graph: Graph, subject: URIRef, labels: dict) -> list[dict]:
    grouped: dict[URIRef, list[dict]] = {}
    for source, predicate in graph.subject_predicates(subject):
        if isinstance(source, URIRef) and source != subject:
            grouped.setdefault(predicate, []).append(iri_view(str(source), _pick_label(labels, source)))
    return [
        {"predicate": iri_view(str(predicate)), "values": sorted(values, key=lambda v: v["text"].casefold())}
        for predicate, values in sorted(grouped.items(), key=lambda item: curie(str(item[0])))
    ]


def external_name(iri: str) -> str:
    patterns = (
        (r"^https?://www\.wikidata\.org/entity/(Q\d+)$", "Wikidata {}"),
        (r"^https?://dbpedia\.org/resource/(.+)$", "DBpedia: {}"),
        (r"^https?://sws\.geonames\.org/(\d+)/?$", "GeoNames {}"),
        (r"^https?://ror\.org/(.+)$", "ROR {}"),
        (r"^https?://(?:dx\.)?doi\.org/(.+)$", "DOI {}"),
    )
    for pattern, name in patterns:
        match = re.match(pattern, iri)
        if match:
            return name.format(match.group(1).replace("_", " "))
    return iri


def _external_links(graph: Graph, subject: URIRef) -> list[dict]:
    links = []
    for predicate, relation in EXTERNAL_LINKS:
        for obj in sorted(graph.objects(subject, predicate)):
            if isinstance(obj, URIRef) and page_path(str(obj)) is None and _safe_href(str(obj)):
                links.append({"relation": relation, "href": str(obj), "text": external_name(str(obj))})
    return links


def _schema_types(iri: str) -> list[str]:
    """The most specific schema.org classes of ``iri``, through the ontology's subclass axioms."""
    rows = select(
        f"""SELECT DISTINCT ?type WHERE {{
  <{iri}> a/rdfs:subClassOf* ?type .
  FILTER (STRSTARTS(STR(?type), "{SCHEMA}"))
  FILTER NOT EXISTS {{
    <{iri}> a/rdfs:subClassOf* ?narrower .
    ?narrower rdfs:subClassOf+ ?type .
    FILTER (STRSTARTS(STR(?narrower), "{SCHEMA}") && ?narrower != ?type)
  }}
}} ORDER BY ?type"""
    )
    return [str(row["type"])[len(SCHEMA) :] for row in rows]


SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
JSONLD_EXTRA = {  # not schema.org in the data, but with a schema.org meaning
    URIRef(SEM + "hasTimeStamp"): "startDate",
    URIRef(SEM + "hasBeginTimeStamp"): "startDate",
    URIRef(SEM + "hasEndTimeStamp"): "endDate",
    URIRef(SEM + "hasPlace"): "location",
    URIRef("http://purl.org/dc/terms/creator"): "creator",
    URIRef("http://purl.org/dc/terms/date"): "dateCreated",
}


def _schema_jsonld(graph: Graph, subject: URIRef, labels: dict, types: list[str], kind: str, slug: str) -> dict:
    base = current_app.extensions["mxus.rewriter"].served_base
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@id": str(subject),
        "@type": (types[0] if len(types) == 1 else types) or "Thing",
    }
    name = _pick_label(labels, subject)
    if name:
        data["name"] = name
    data.update(_schema_properties(graph, subject, labels, depth=0))
    spanish = labels.get(subject, {}).get("es")
    if spanish and spanish != name:
        _add(data, "alternateName", {"@value": spanish, "@language": "es"})
    for predicate, key in JSONLD_EXTRA.items():
        for obj in graph.objects(subject, predicate):
            _add(data, key, _jsonld_value(graph, obj, labels, 0))
    if "description" not in data:
        for obj in graph.objects(subject, RDFS.comment):
            if isinstance(obj, Literal) and obj.language in (None, "en"):
                data["description"] = str(obj)
    same = [str(o) for o in graph.objects(subject, OWL.sameAs) if isinstance(o, URIRef)]
    if same:
        data["sameAs"] = sorted(same) if len(same) > 1 else same[0]
    data["url"] = f"{base}page/{kind}/{slug}"
    return data


def _schema_properties(graph: Graph, subject, labels: dict, depth: int) -> dict:
    data: dict[str, Any] = {}
    for predicate, obj in sorted(graph.predicate_objects(subject)):
        if str(predicate).startswith(SCHEMA) and predicate != URIRef(SCHEMA + "name"):
            key = str(predicate)[len(SCHEMA) :]
            _add(data, key, _jsonld_value(graph, obj, labels, depth))
    return data


def _add(data: dict, key: str, value: Any) -> None:
    if key not in data:
        data[key] = value
    elif isinstance(data[key], list):
        if value not in data[key]:
            data[key].append(value)
    elif data[key] != value:
        data[key] = [data[key], value]


def _jsonld_value(graph: Graph, obj, labels: dict, depth: int) -> Any:
    if isinstance(obj, URIRef):
        label = _pick_label(labels, obj)
        return {"@id": str(obj), "name": label} if label else {"@id": str(obj)}
    if isinstance(obj, Literal):
        if obj.language and obj.language != "en":
            return {"@value": str(obj), "@language": obj.language}
        if obj.datatype in (XSD.integer, XSD.nonNegativeInteger, XSD.int):
            try:
                return int(obj)
            except ValueError:
                return str(obj)
        return str(obj)
    nested: dict[str, Any] = {}
    types = [str(t)[len(SCHEMA) :] for t in graph.objects(obj, RDF.type) if str(t).startswith(SCHEMA)]
    if types:
        nested["@type"] = types[0] if len(types) == 1 else types
    if depth < 3:
        nested.update(_schema_properties(graph, obj, labels, depth + 1))
    return nested


def _jsonld_script(data: dict) -> str:
    """JSON for a <script> element: valid JSON that cannot close the element early."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- the argument

ARGUMENT_KINDS = (
    ("ResearchQuestion", "Research question"),
    ("DisputedView", "The view it disputes"),
    ("Thesis", "Thesis"),
    ("ExplanatoryFactor", "Factors examined"),
    ("Finding", "Finding"),
    ("Conclusion", "Conclusion"),
)
BODY_KINDS = ("ReportedFact", "Assessment")
RELATIONS = (  # predicate, label from the subject, label from the object
    ("mxus:answers", "answers", "answered by"),
    ("mxus:disputes", "disputes", "disputed by"),
    ("mxus:elaborates", "elaborates", "elaborated by"),
    ("mxus:supports", "supports", "supported by"),
    ("mxus:qualifies", "qualifies", "qualified by"),
    ("prov:wasDerivedFrom", "derived from", "leads to"),
)


@bp.route("/claims")
def claims():
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
    return _render(
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
                "label": _value(row, "en") or curie(iri),
                "es": _value(row, "es"),
                "text": _value(row, "text"),
                "view": iri_view(iri, _value(row, "en")),
                "passage": None,
                "relations": [],
                "citations": [],
                "subjects": [],
            },
        )
        if row.get("span") is not None and claim["passage"] is None:
            claim["passage"] = _passage(row)
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
        """SELECT ?claim ?pointer ?content ?work ?workLabel WHERE {
  ?claim mxus:attributedTo ?pointer . ?pointer c4o:hasContent ?content .
  OPTIONAL { ?pointer c4o:denotes/biro:references ?work .
    OPTIONAL { ?work rdfs:label ?workLabel FILTER (lang(?workLabel) = "en") } }
} ORDER BY ?content"""
    ):
        claim = claims.get(str(row["claim"]))
        if claim is not None:
            claim["citations"].append(
                {
                    "content": str(row["content"]),
                    "pointer": iri_view(str(row["pointer"])),
                    "work": iri_view(str(row["work"]), _value(row, "workLabel")) if row.get("work") else None,
                }
            )
    for row in select(
        """SELECT ?claim ?subject ?label ?date ?end WHERE {
  ?claim a/rdfs:subClassOf mxus:Claim ; schema:about ?subject .
  { ?subject sem:hasTimeStamp ?date } UNION { ?subject sem:hasBeginTimeStamp ?date OPTIONAL { ?subject sem:hasEndTimeStamp ?end } }
  UNION { ?subject dcterms:date ?date }
  OPTIONAL { ?subject rdfs:label ?label FILTER (lang(?label) = "en") }
}"""
    ):
        claim = claims.get(str(row["claim"]))
        when = parse_when(_value(row, "date"))
        if claim is not None and when is not None:
            claim["subjects"].append(
                {
                    "view": iri_view(str(row["subject"]), _value(row, "label")),
                    "when": when,
                    "end": parse_when(_value(row, "end")),
                    "is_document": not str(row["subject"]).startswith(ID_BASE + "event/"),
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
                "when": _when_view(subject["when"], subject["end"]) if subject else None,
                "facts": [fact],
            }
        )
    return groups


# ---------------------------------------------------------------- timeline

TIMELINE = {"width": 880, "left": 16, "right": 16, "top": 44, "row": 34, "bottom": 16, "char": 6.6}


@bp.route("/timeline")
def timeline():
    events = _load_events()
    svg = _timeline_geometry(events) if events else None
    return _render("timeline.html", events=events, svg=svg, active="pages.timeline")


def _load_events() -> list[dict]:
    rows = select(
        """SELECT ?event ?en ?es ?description ?stamp ?begin ?end ?place ?placeLabel WHERE {
  ?event a sem:Event .
  OPTIONAL { ?event rdfs:label ?en FILTER (lang(?en) = "en") }
  OPTIONAL { ?event rdfs:label ?es FILTER (lang(?es) = "es") }
  OPTIONAL { ?event schema:description ?description }
  OPTIONAL { ?event sem:hasTimeStamp ?stamp }
  OPTIONAL { ?event sem:hasBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasEndTimeStamp ?end }
  OPTIONAL { ?event sem:hasPlace ?place OPTIONAL { ?place rdfs:label ?placeLabel FILTER (lang(?placeLabel) = "en") } }
}"""
    )
    events: dict[str, dict] = {}
    for row in rows:
        iri = str(row["event"])
        begin = parse_when(_value(row, "stamp") or _value(row, "begin"))
        if begin is None:
            continue
        end = parse_when(_value(row, "end")) if row.get("stamp") is None else None
        event = events.setdefault(
            iri,
            {
                "iri": iri,
                "view": iri_view(iri, _value(row, "en")),
                "label": _value(row, "en") or curie(iri),
                "es": _value(row, "es"),
                "description": _value(row, "description"),
                "begin": begin,
                "end": end,
                "when": _when_view(begin, end),
                "is_period": end is not None,
                "places": [],
            },
        )
        if row.get("place") is not None:
            place = iri_view(str(row["place"]), _value(row, "placeLabel"))
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


# ---------------------------------------------------------------- the query page

RESULT_DOWNLOADS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_DOWNLOADS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))


class QueryPageError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def render_query_page(query: str | None = None, result: dict | None = None, error: QueryPageError | None = None):
    """The query form (GET /query, and GET /sparql for browsers), with a result or an error."""
    if query is None:
        query = next(iter(EXAMPLE_QUERIES.values()))
    examples = [
        {"slug": slug, "title": title, "text": EXAMPLE_QUERIES[title], "href": url_for("pages.query_page", query=EXAMPLE_QUERIES[title])}
        for slug, title in EXAMPLE_SLUGS.items()
    ]
    selected = next((e["slug"] for e in examples if e["text"] == query), None)
    return _render(
        "query.html",
        error.status if error else 200,
        query=query,
        examples=examples,
        selected=selected,
        result=result,
        error=error,
        active="pages.query_page",
    )


@bp.route("/query")
def query_page():
    text = request.args.get("query")
    if text is None:
        title = EXAMPLE_SLUGS.get(request.args.get("example", ""))
        return render_query_page(EXAMPLE_QUERIES[title] if title else None)
    try:
        result = run_page_query(text)
    except QueryPageError as error:
        return render_query_page(text, error=error)
    return render_query_page(text, result=result)


def run_page_query(text: str) -> dict:
    """Run a query typed on the page, with the same refusals as /sparql."""
    config = current_app.config
    store = current_app.extensions["mxus.store"]
    rewriter = current_app.extensions["mxus.rewriter"]
    if len(text.encode("utf-8")) > config["MAX_QUERY_BYTES"]:
        raise QueryPageError(413, f"the query exceeds the limit of {config['MAX_QUERY_BYTES']} bytes")
    if not text.strip():
        raise QueryPageError(400, "the query is empty")
    canonical = rewriter.incoming(text)
    info = inspect_query(canonical)
    if info.is_update:
        raise QueryPageError(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is not accepted")
    if info.uses_service:
        raise QueryPageError(400, "SERVICE is not allowed: this endpoint never queries other servers (federated queries are refused)")
    for graph in [*info.from_graphs, *info.from_named_graphs]:
        if graph not in store.graph_names:
            raise QueryPageError(
                400,
                f"graph <{graph}> is not in this dataset; nothing is fetched from elsewhere "
                f"(graphs here: {', '.join(sorted(store.graph_names))})",
            )
    is_graph = info.form in ("CONSTRUCT", "DESCRIBE")
    try:
        body = store.query(canonical, "application/n-triples" if is_graph else RESULTS_JSON)
    except QueryFailed as exc:
        message = f"SPARQL syntax error: {exc}" if exc.status == 400 else str(exc)
        raise QueryPageError(exc.status, message) from None
    downloads = [
        {"name": name, "href": url_for("sparql.endpoint", query=text, format=fmt)}
        for fmt, name in (GRAPH_DOWNLOADS if is_graph else RESULT_DOWNLOADS)
    ]
    if is_graph:
        graph = bind_prefixes(Graph()).parse(data=body.decode("utf-8"), format="nt")
        turtle = graph.serialize(format="turtle")
        return {"form": info.form, "turtle": turtle, "triples": len(graph), "downloads": downloads}
    results = json.loads(body)
    if "boolean" in results:
        return {"form": "ASK", "boolean": bool(results["boolean"]), "downloads": downloads}
    variables = results.get("head", {}).get("vars", [])
    bindings = results.get("results", {}).get("bindings", [])
    rows = [[_binding_view(row.get(name)) for name in variables] for row in bindings[:MAX_TABLE_ROWS]]
    return {
        "form": "SELECT",
        "variables": variables,
        "rows": rows,
        "total": len(bindings),
        "truncated": len(bindings) > MAX_TABLE_ROWS,
        "downloads": downloads,
    }


def _binding_view(binding: dict | None) -> dict | None:
    if binding is None:
        return None
    kind = binding.get("type")
    if kind == "uri":
        return iri_view(binding["value"])
    if kind == "bnode":
        return {"kind": "bnode", "text": "_:" + binding["value"], "props": []}
    if kind in ("literal", "typed-literal"):
        return literal_view(binding["value"], binding.get("xml:lang"), binding.get("datatype"))
    return literal_view(json.dumps(binding.get("value"), ensure_ascii=False))  # RDF-star triple terms
