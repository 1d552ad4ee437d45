"""What each shape reads (server.publication.shape_reads) and which pairs a submission affects (focus).

The shape cases prove the verdicts (tests/test_shape_cases.py: every case through the shortcut, and the
far-reaching ones against a full validation of all the data); these tests pin the analysis itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, TIME, XSD

from server.publication.focus import Unfocused, focus_pairs, pairs_as_targets
from server.publication.shape_reads import shape_traces
from server.publication.validation import EVERYTHING, run_shacl
from server.rdf.media import rdf_format_for_filename
from server.rdf.namespaces import ID, SHAPES
from server.rdf.parsing import parse_rdf, union_graph
from server.store.graphs import CONTEXT_GRAPHS

CASES = Path(__file__).parent / "cases" / "shapes"


def written(trace) -> str:
    return "/".join(("^" if inverse else "") + (str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if p else "*")
                    for p, inverse in trace)


def case(name: str) -> Graph:
    path = CASES / name
    return union_graph(parse_rdf(path.read_bytes(), rdf_format_for_filename(path.name), str(path)))


def test_every_targeted_shape_is_analysed(published):
    """A shape the analysis cannot read would send every submission to a full validation."""
    traces = shape_traces(published.shapes)
    assert traces and all(found for found in traces.values()), [s for s, t in traces.items() if not t]


def test_traces_follow_paths_nested_shapes_and_sparql(published):
    traces = {shape: {written(t) for t in found} for shape, found in shape_traces(published.shapes).items()}
    assert traces[SHAPES.DisputedViewShape] == {"^disputes"}
    # sh:node in sh:node: a membership reads its interval's instants' dates
    assert {"memberDuring/inside/inXSDDate", "memberDuring/inside/type"} <= traces[SHAPES.MembershipShape]
    # SPARQL: the source's length, the next span's start (inside FILTER NOT EXISTS), one walk each
    assert {"hasSource/length", "continuedBy/hasSelector/start", "hasSelector/exact"} <= traces[SHAPES.SpanShape]
    # $this ?path $this reads any predicate; the citation chain is read to the work
    assert {"*", "attributedTo/denotes/references", "appearance/type"} <= traces[SHAPES.ClaimShape]
    assert not any(t.startswith("^") for t in traces[SHAPES.ClaimShape])  # never every claim of a hub


def _shapes(turtle: str) -> Graph:
    return Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
                         + turtle, format="turtle")


@pytest.mark.parametrize("turtle", [
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:S ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
    "\"SELECT $this WHERE { $this <https://example.org/p> ?x OPTIONAL { ?x <https://example.org/q> ?y } }\" ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
    "\"SELECT $this WHERE { $this <https://example.org/p> ?x . ?y <https://example.org/q> ?z }\" ] .",
], ids=["unbounded path", "recursive", "closed", "optional", "disconnected pattern"])
def test_what_cannot_be_analysed_is_none(turtle):
    assert shape_traces(_shapes(turtle)) == {URIRef("https://example.org/S"): None}


def test_sparql_patterns_in_not_exists_are_walked_from_this():
    shapes = _shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
        "SELECT $this WHERE { $this ex:p ?x . FILTER NOT EXISTS { ?x ex:q/^ex:r ?y } }" ;
        sh:prefixes [ sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/" ] ] ] .""")
    [traces] = shape_traces(shapes).values()
    assert {written(t) for t in traces} == {"p", "p/q", "p/q/^r"}


@pytest.fixture()
def around(local_store):
    return lambda query: local_store.construct(query, CONTEXT_GRAPHS)


def test_a_new_claim_affects_its_own_nodes_not_the_hubs_it_names(published, around):
    """The README's example names the article, the author and the source text: none is revalidated but as a
    link target (a new claim changes no verdict on the hundreds of resources linking to those)."""
    pairs, absent = focus_pairs(case("valid/new-reported-fact-with-new-span.ttl"), published.shapes, published.ontology,
                                around)
    assert {ID["claim/high-level-group-met"], ID["span/high-level-group-met"]} <= absent
    assert not {ID["article/delano-2012"], ID["concept/bilateral-cooperation"]} & absent
    named = {(shape.rsplit("#", 1)[-1], str(node).rsplit("/", 1)[-1]) for shape, nodes in pairs.items()
             for node in nodes if isinstance(node, URIRef)}
    assert named == {
        ("ClaimShape", "high-level-group-met"), ("DescribedResourceShape", "high-level-group-met"),
        ("SpanishLabelShape", "high-level-group-met"), ("SpanShape", "high-level-group-met"),
        *(("LinkTargetShape", slug) for slug in ("high-level-group-met", "delano-2012", "bilateral-cooperation",
                                                 "high-level-group-on-migration", "high-level-group-meetings-2001")),
    }
    blank = {shape.rsplit("#", 1)[-1] for shape, nodes in pairs.items() for node in nodes if isinstance(node, BNode)}
    assert blank == {"PositionSelectorShape", "QuoteSelectorShape"}


def test_an_addition_below_a_node_reaches_it(published, around):
    """A new instant inside an existing interval: the membership above it is the one to validate."""
    pairs, _ = focus_pairs(case("invalid/tenure-gets-instant-with-two-dates.ttl"), published.shapes,
                           published.ontology, around)
    assert pairs == {SHAPES.MembershipShape: {ID["membership/powell-us-secretary-of-state"]}}


def test_a_new_class_hierarchy_is_validated_against_everything(published, around, validate):
    """rdfs:subClassOf in a submission changes targets the traces do not follow: the full validation, then."""
    kind, node = URIRef("https://example.org/kind"), URIRef("https://example.org/thing")
    submission = Graph()
    submission.add((kind, RDFS.subClassOf, TIME.Instant))
    with pytest.raises(Unfocused):
        focus_pairs(submission, published.shapes, published.ontology, around)
    from server.publication.validation import validate_submission

    submission.add((node, RDF.type, kind))
    submission.add((node, TIME.inXSDgYear, Literal("2001", datatype=XSD.gYear)))
    report = validate_submission(submission, published, around)
    everything = around(EVERYTHING) + submission
    conforms, _ = run_shacl(everything, Graph() + published.shapes, published.ontology)
    assert report.conforms == conforms


def test_the_targeted_shapes_keep_what_they_refer_to_and_nothing_else(published):
    """A validation around a submission reads only the shapes its pairs reach (nested ones included),
    unless the shapes graph defines something any shape may use: then every shape is kept."""
    shapes = published.shapes
    claim = next(s for s in shape_traces(shapes) if str(s).endswith("ClaimShape"))
    node = URIRef(ID + "claim/someone-new")
    restricted = pairs_as_targets(shapes, {claim: {node}})
    assert set(restricted.subjects(SH.targetNode, None)) == {claim}
    assert (claim, SH.targetClass, None) not in restricted
    reached = {o for o in restricted.objects(claim, SH.property)}
    assert reached and all((p, SH.path, None) in restricted for p in reached)  # its property shapes, whole
    assert len(set(restricted.subjects())) < len(set(shapes.subjects())) / 2
    shared = Graph()
    shared += shapes
    shared.add((URIRef("https://example.org/Component"), RDF.type, SH.ConstraintComponent))
    assert set(pairs_as_targets(shared, {claim: {node}}).subjects()) == set(shared.subjects())
