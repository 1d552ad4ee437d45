"""A resource's statements in plain words: what a resource page shows first.

Every property and class by its label in the page's language (``term_label``:
ontology/labels.ttl for reused vocabularies, mxus.ttl for ours), values for
people (dates at the precision the data has, a tenure as the dates it
included, people and places by name, a passage as its place in the text),
grouped by meaning: who, when, where, what, sources. The prefixed names stay
in the RDF view the page keeps one click away.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from server.rdf.namespaces import PREFIXES
from server.state import state
from server.web.i18n import current_language
from server.web.views import curie, iri_view, page_path, parse_when, pick_label, safe_href

GROUPS = (("who", _l("Who")), ("when", _l("When")), ("where", _l("Where")), ("what", _l("What")), ("sources", _l("Sources")))
_GROUP_TERMS = {
    "who": "org:member org:holds org:organization org:role mxus:post org:postIn org:linkedTo org:subOrganizationOf sem:hasActor "
    "dcterms:creator dcterms:publisher schema:author schema:publisher schema:founder schema:affiliation schema:copyrightHolder "
    "schema:parentOrganization prov:wasAttributedTo pro:withRole pro:relatesToOrganization pro:holdsRoleInTime",
    "when": "sem:hasTimeStamp sem:hasBeginTimeStamp sem:hasEndTimeStamp dcterms:date dcterms:issued dcterms:temporal "
    "schema:datePublished schema:copyrightYear org:memberDuring time:inside time:inXSDDate time:inXSDgYear",
    "where": "sem:hasPlace schema:location schema:address schema:containedInPlace schema:areaServed dcterms:spatial",
    "sources": "mxus:statedIn prov:wasDerivedFrom prov:wasQuotedFrom prov:hadPrimarySource dcterms:source mxus:attributedTo "
    "cito:citesAsEvidence cito:includesQuotationFrom c4o:denotes c4o:hasContext biro:references oa:hasSource",
}
GROUP_OF = {PREFIXES[t.split(":")[0]] + t.split(":")[1]: key for key, terms in _GROUP_TERMS.items() for t in terms.split()}
TIME = PREFIXES["time"]
DATE_TYPES = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth), str(XSD.dateTime)}


def term_label(iri: str) -> str:
    """A class or property in words, in the page's language, else English, else its prefixed name."""
    labels = state().published.label_table.get(iri, {})
    return labels.get(current_language()) or labels.get("en") or curie(iri)


def term_link(iri: str) -> dict:
    """A class or property named in words, linking to its documentation (ours) or its IRI."""
    view = iri_view(iri)
    return {"kind": "term", "href": view["href"], "text": term_label(iri), "iri": iri}


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


def value_view(graph: Graph, value, labels: dict, passages: dict, depth: int = 0) -> dict:
    """One value for people: a thing by its name, a date in words, a tenure by its dates, a passage by its place."""
    if isinstance(value, URIRef):
        iri = str(value)
        if iri in passages:
            return passages[iri]
        label = pick_label(labels, value)
        if page_path(iri):
            return iri_view(iri, label or iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " "))
        if iri in state().published.label_table:
            return term_link(iri)
        return {"kind": "external", "href": safe_href(iri), "text": label or external_name(iri), "iri": iri}
    if isinstance(value, Literal):
        when = parse_when(str(value)) if value.datatype and str(value.datatype) in DATE_TYPES else None
        text = when.text if when else str(value)
        return {"kind": "literal", "text": text, "lang": value.language, "datatype": None}
    return _blank_view(graph, value, labels, passages, depth)


def _blank_view(graph: Graph, node: BNode, labels: dict, passages: dict, depth: int) -> dict:
    types = {str(t) for t in graph.objects(node, RDF.type)}
    if TIME + "Instant" in types:
        dates = [parse_when(str(d)) for p in ("inXSDDate", "inXSDgYear") for d in graph.objects(node, URIRef(TIME + p))]
        return {"kind": "literal", "text": ", ".join(d.text for d in dates if d), "lang": None, "datatype": None}
    if TIME + "ProperInterval" in types:
        return {"kind": "literal", "text": interval_text(graph, node), "lang": None, "datatype": None}
    rows = statement_rows(graph, node, labels, passages, depth + 1) if depth < 3 else []
    return {"kind": "bnode", "text": "", "props": rows}


def interval_text(graph: Graph, node) -> str:
    """A tenure the data knows only by dates it included: "a period including 2001" (never invented bounds)."""
    dates = []
    for instant in graph.objects(node, URIRef(TIME + "inside")):
        for p in ("inXSDDate", "inXSDgYear"):
            dates += [w for w in (parse_when(str(d)) for d in graph.objects(instant, URIRef(TIME + p))) if w]
    return period_text(dates)


def period_text(dates: list) -> str:
    if not dates:
        return _("a period")
    dates.sort(key=lambda w: w.start)
    return _("a period including %(dates)s", dates=_(" and ").join(w.text for w in dates))


def statement_rows(graph: Graph, subject, labels: dict, passages: dict, depth: int = 0, skip: frozenset = frozenset()) -> list[dict]:
    rows = []
    for predicate in set(graph.predicates(subject)) - skip:
        values = [value_view(graph, obj, labels, passages, depth) for obj in graph.objects(subject, predicate)]
        values.sort(key=lambda v: (v["kind"] == "bnode", v.get("text", "").casefold(), v.get("iri") or v.get("lang") or ""))
        rows.append({"predicate": term_link(str(predicate)), "group": GROUP_OF.get(str(predicate), "what"), "values": values})
    rows.sort(key=_by_name)  # schema:isPartOf and frbr:partOf are both "is part of": the IRI settles the order
    return rows


def grouped(rows: list[dict]) -> list[dict]:
    """Rows under who, when, where, what and sources, in that order; empty groups left out."""
    return [
        {"key": key, "title": title, "rows": [r for r in rows if r["group"] == key]}
        for key, title in GROUPS
        if any(r["group"] == key for r in rows)
    ]


def incoming_rows(graph: Graph, subject: URIRef, labels: dict) -> list[dict]:
    """What refers to ``subject``, by name, under the property read backwards ("member of")."""
    by_predicate: dict[str, list[dict]] = {}
    for source, predicate in graph.subject_predicates(subject):
        if isinstance(source, URIRef) and source != subject:
            by_predicate.setdefault(str(predicate), []).append(value_view(graph, source, labels, {}))
    return sorted(
        (
            {"predicate": term_link(p), "values": sorted(v, key=lambda x: (x["text"].casefold(), x.get("iri", "")))}
            for p, v in by_predicate.items()
        ),
        key=_by_name,
    )


def _by_name(row: dict) -> tuple[str, str]:
    """Rows by their property's name, and by its IRI where two share a name: the same order in every process."""
    return row["predicate"]["text"].casefold(), row["predicate"]["iri"]
