"""Every text anchor points at exactly the passage it quotes."""

import json

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF

from server.publication.anchors import normalize_passage

OA = Namespace("http://www.w3.org/ns/oa#")
MXUS = Namespace("https://w3id.org/mxus/ontology#")


def spans(graph):
    return sorted(graph.subjects(RDF.type, OA.SpecificResource))


def selectors(graph, span):
    position = quote = None
    for selector in graph.objects(span, OA.hasSelector):
        if (selector, RDF.type, OA.TextPositionSelector) in graph:
            position = selector
        if (selector, RDF.type, OA.TextQuoteSelector) in graph:
            quote = selector
    return position, quote


def test_there_are_spans(published):
    assert len(spans(published.data)) >= 60


def test_every_selector_matches_the_seed(published, seed_text):
    graph = published.data
    problems = []
    for span in spans(graph):
        position, quote = selectors(graph, span)
        start, end = int(graph.value(position, OA.start)), int(graph.value(position, OA.end))
        exact = str(graph.value(quote, OA.exact))
        prefix = str(graph.value(quote, OA.prefix) or "")
        suffix = str(graph.value(quote, OA.suffix) or "")
        if seed_text[start:end] != exact:
            problems.append(f"{span}: exact differs from seed[{start}:{end}]")
        if not seed_text[:start].endswith(prefix):
            problems.append(f"{span}: prefix does not precede the span")
        if not seed_text[end:].startswith(suffix):
            problems.append(f"{span}: suffix does not follow the span")
    assert problems == []


@pytest.mark.parametrize(
    "kind", [MXUS.Claim, MXUS.Quotation, MXUS.JointDeclaration, MXUS.Agreement, MXUS.Initiative]
)
def test_every_claim_quotation_and_document_is_anchored(data, kind):
    unanchored = list(
        data.query(
            """SELECT ?thing WHERE {
                   ?thing a/rdfs:subClassOf* ?kind .
                   FILTER NOT EXISTS { ?thing mxus:statedIn/oa:hasSelector/oa:start ?start }
               }""",
            initBindings={"kind": kind},
        )
    )
    assert unanchored == []


def test_every_event_is_anchored(data):
    events = list(data.query("SELECT ?e WHERE { ?e a sem:Event }"))
    assert len(events) >= 10
    unanchored = list(
        data.query("SELECT ?e WHERE { ?e a sem:Event FILTER NOT EXISTS { ?e mxus:statedIn/oa:hasSource ?s } }")
    )
    assert unanchored == []


def test_claim_text_is_the_repaired_passage(data):
    """schema:text is what a reader sees in the span, with the scan's traps repaired.

    A claim a page footer interrupts is stated in two spans (the first
    mxus:continuedBy the second): its text is their passages in text order.
    """
    rows = data.query(
        """SELECT ?claim ?text ?start ?exact WHERE {
               ?claim a/rdfs:subClassOf* mxus:Claim ; schema:text ?text ;
                      mxus:statedIn ?span .
               ?span oa:hasSelector/oa:exact ?exact ; oa:hasSelector/oa:start ?start }"""
    )
    passages: dict[str, list] = {}
    texts = {}
    for claim, text, start, exact in rows:
        passages.setdefault(str(claim), []).append((int(start), str(exact)))
        texts[str(claim)] = str(text)
    mismatched = [
        claim
        for claim, parts in passages.items()
        if normalize_passage("\n".join(exact for _, exact in sorted(parts))) != texts[claim]
    ]
    assert mismatched == []


def test_castaneda_label_is_repaired_but_anchor_is_verbatim(data, seed_text):
    rows = data.query("SELECT ?name WHERE { <https://w3id.org/mxus/id/person/jorge-g-castaneda> foaf:name ?name }")
    assert [str(row[0]) for row in rows] == ["Jorge G. Castañeda"]
    chairs = data.query(
        "SELECT ?exact WHERE { <https://w3id.org/mxus/id/span/high-level-group-chairs> oa:hasSelector/oa:exact ?exact }"
    )
    assert ["Cas-\ntan\n\u02dceda" in str(row[0]) for row in chairs] == [True]


SPAN_TEMPLATE = """@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/mxus/id/span/contributed> a oa:SpecificResource ;
    rdfs:label "a contributed span"@en ;
    oa:hasSource <https://w3id.org/mxus/id/source/seed-823eb89eef74c7a1> ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start START ; oa:end END ] ,
        [ a oa:TextQuoteSelector ; oa:exact EXACT ] .
"""


def span_submission(start: int, end: int, exact: str):
    from rdflib import Graph

    text = SPAN_TEMPLATE.replace("START", str(start)).replace("END", str(end)).replace("EXACT", json.dumps(exact))
    return Graph().parse(data=text, format="turtle")


@pytest.mark.parametrize(
    "offsets,exact,verdict",
    [
        ((5687, 5774), "Mexico and the United States continued to collaborate closely on the security front and", True),
        ((100, 187), "Mexico and the United States continued to collaborate closely on the security front and", False),
        ((5687, 5774), "Mexico and the United States continued to collaborate closely on the XXXXXXXX front and", False),
    ],
    ids=["right-place", "text-from-elsewhere", "same-length-altered-text"],
)
def test_contributed_spans_are_checked_against_the_seed(validate, offsets, exact, verdict):
    report = validate(span_submission(*offsets, exact))
    assert report.conforms is verdict, [r.message for r in report.results]
    if not verdict:
        assert any("is not the source text between" in r.message for r in report.results)
        assert (None, URIRef("http://www.w3.org/ns/shacl#conforms"), Literal(False)) in report.graph
