"""One page per resource: /page/{type}/{slug}.

The page shows what /data/{type}/{slug} describes (the same
``describe_resource``), the passages that state it and those of the things
that link to it, and embeds the description as schema.org JSON-LD for
search engines.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask_babel import lazy_gettext as _l
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from server.state import state
from server.rdf.uris import is_valid_thing_path, thing_uri
from server.rdf.media import EXTENSIONS
from server.rdf.namespaces import DCTERMS, SCHEMA
from server.web.descriptions import alternates_header, describe_resource
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.i18n import LANGUAGE_NAMES, current_language
from server.web.pages import bp, page_caching
from server.web.pages.cite import page_citation
from server.web.pages.contributed import contributed_statements
from server.web.pages.passages import passages_of_and_about
from server.web.pages.who import chronicle, event_summary, posts
from server.web.statements import external_name, grouped, incoming_rows, period_text, statement_rows, term_link
from server.web.views import curie, iri_view, labels_of, page_path, parse_when, pick_label, render_page, safe_href, select, term_view
from server.web.responses import respond

HEADER_TEXT = (  # shown above the table, not in it
    (SCHEMA["description"], "description"),
    (DCTERMS["description"], "description"),
    (SCHEMA["text"], "text"),
    (RDFS.comment, "comment"),
)
NOT_IN_TABLE = {RDF.type, RDFS.label, OWL.sameAs, *(p for p, _ in HEADER_TEXT)}
EXTERNAL_LINKS = ((OWL.sameAs, _l("Same as")), (RDFS.seeAlso, _l("See also")))


@bp.route("/page/<kind>/<slug>")
def resource(kind: str, slug: str):
    if not is_valid_thing_path(kind, slug):
        raise ApiError(404, f"no page /page/{kind}/{slug}: pages are /page/{{type}}/{{slug}} in lowercase")
    # A page for people, not negotiated: no Vary: Accept.
    return respond(page_caching("page", kind, slug, link=alternates_header(kind, slug)), lambda: _page(kind, slug))


def _page(kind: str, slug: str) -> Response:
    iri = thing_uri(kind, slug)
    graph = describe_resource(iri)
    subject = URIRef(iri)
    if (subject, None, None) not in graph:
        raise ApiError(404, f"no resource /id/{kind}/{slug} in this dataset")
    labels = labels_of(graph)
    own, related = passages_of_and_about(iri)
    label = pick_label(labels, subject) or curie(iri)
    other = "en" if current_language() == "es" else "es"
    label_other = labels.get(subject, {}).get(other)
    schema_types = _schema_types(graph, subject)
    page = {
        "iri": iri,
        "kind": kind,
        "slug": slug,
        "label": label,
        "label_other": {"lang": other, "name": LANGUAGE_NAMES[other], "text": label_other} if label_other and label_other != label else None,
        "types": sorted((iri_view(str(t)) for t in graph.objects(subject, RDF.type)), key=lambda v: v["text"]),
        "classes": _class_names(graph, subject),
        "groups": grouped(statement_rows(graph, subject, labels, _passage_values(own) | _interval_values(graph, subject),
                                         skip=frozenset(NOT_IN_TABLE))),
        "referred": incoming_rows(graph, subject, labels),
        "texts": [t for t in _header_texts(graph, subject) if " ".join(t["text"].split()) not in {p["reading"] for p in own}],
        "properties": _properties(graph, subject, labels),
        "incoming": _incoming(graph, subject, labels),
        "passages": own,
        "related": related,
        "external": _external_links(graph, subject),
        "contributed": contributed_statements(iri, labels, graph),
        "event": event_summary(iri) if kind == "event" else None,
        "posts": posts(iri) if kind in ("person", "organisation", "group") else [],
        "chronicle": chronicle(iri) if kind in ("person", "organisation", "group") else [],
        "formats": [
            {"href": f"/data/{kind}/{slug}{ext}", "type": media, "name": ext[1:]} for ext, media in EXTENSIONS.items()
        ],
        "jsonld": jsonld_script(_schema_jsonld(graph, subject, labels, schema_types, kind, slug)),
    }
    return render_page("resource.html", page=page, cite=page_citation(iri), active=None)


def _class_names(graph: Graph, subject: URIRef) -> list[dict]:
    """Its classes in words, each once ("person", not foaf:Person and schema:Person)."""
    names: dict[str, dict] = {}
    for t in sorted(graph.objects(subject, RDF.type)):
        view = term_link(str(t))
        names.setdefault(view["text"].casefold(), view)
    return sorted(names.values(), key=lambda v: v["text"].casefold())


def _passage_values(passages: list[dict]) -> dict[str, dict]:
    """A span named as a value is shown as its place in the source text, linking to the reader."""
    return {p["span"]["iri"]: {"kind": "ours", "href": p["href"], "text": p["place"], "iri": p["span"]["iri"]} for p in passages}


def _interval_values(graph: Graph, subject: URIRef) -> dict[str, dict]:
    """A tenure named by its IRI is shown as the dates it included (they are not in the description)."""
    intervals = [o for o in graph.objects(subject, None) if isinstance(o, URIRef) and "/id/interval/" in str(o)]
    if not intervals:
        return {}
    rows = select(
        f"""SELECT ?interval ?date WHERE {{
  VALUES ?interval {{ {" ".join(f"<{i}>" for i in intervals)} }}
  ?interval time:inside/(time:inXSDDate|time:inXSDgYear) ?date
}}"""
    )
    dates: dict[str, list] = {str(i): [] for i in intervals}
    for row in rows:
        when = parse_when(str(row["date"]))
        if when:
            dates[str(row["interval"])].append(when)
    return {
        iri: {"kind": "ours", "href": page_path(iri), "text": period_text(sorted(found, key=lambda w: w.start)), "iri": iri}
        for iri, found in dates.items()
    }


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
            grouped.setdefault(predicate, []).append(iri_view(str(source), pick_label(labels, source)))
    return [
        {"predicate": iri_view(str(predicate)), "values": sorted(values, key=lambda v: v["text"].casefold())}
        for predicate, values in sorted(grouped.items(), key=lambda item: curie(str(item[0])))
    ]


def _external_links(graph: Graph, subject: URIRef) -> list[dict]:
    links = []
    for predicate, relation in EXTERNAL_LINKS:
        for obj in sorted(graph.objects(subject, predicate)):
            if isinstance(obj, URIRef) and page_path(str(obj)) is None and safe_href(str(obj)):
                links.append({"relation": relation, "href": str(obj), "text": external_name(str(obj))})
    return links


# ---------------------------------------------------------------- schema.org JSON-LD


def _schema_types(graph: Graph, subject: URIRef) -> list[str]:
    """The most specific schema.org classes of ``subject``, through the ontology's subclass axioms.

    They follow from its classes alone, and the article's resources have a few dozen sets of
    classes between them: worked out once per set and version, not once per page.
    """
    classes = tuple(sorted(str(t) for t in graph.objects(subject, RDF.type) if isinstance(t, URIRef)))
    return versioned_cache("schema-types").get(classes, lambda: _most_specific_schema_types(classes))


def _most_specific_schema_types(classes: tuple[str, ...]) -> list[str]:
    if not classes:
        return []

    def broader(variable: str) -> str:  # each class named as a path's start (Virtuoso wants a constant there)
        return " UNION ".join(f"{{ <{c}> rdfs:subClassOf* {variable} }}" for c in classes)

    rows = select(
        f"""SELECT DISTINCT ?type WHERE {{
  {broader("?type")}
  FILTER (STRSTARTS(STR(?type), "{SCHEMA}"))
  FILTER NOT EXISTS {{
    {broader("?narrower")}
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
    DCTERMS["creator"]: "creator",
    DCTERMS["date"]: "dateCreated",
}


def _schema_jsonld(graph: Graph, subject: URIRef, labels: dict, types: list[str], kind: str, slug: str) -> dict:
    base = state().rewriter.served_base
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@id": str(subject),
        "@type": (types[0] if len(types) == 1 else types) or "Thing",
    }
    name = pick_label(labels, subject, "en")  # JSON-LD for search engines: English name, Spanish alternate
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
        label = pick_label(labels, obj, "en")
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


def jsonld_script(data: dict) -> str:
    """JSON for a <script> element: valid JSON that cannot close the element early."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
