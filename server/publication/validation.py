"""SHACL validation of the published data and of submissions.

One function, ``validate_submission``, serves ``mxus validate``, ``POST
/validate`` and contributions, so the three can never disagree. The
submission is validated together with the published data (so it may refer
to existing entities) and the ontology (so class targets reach subclasses).
A submission conforms when it produces no sh:Violation; warnings are shown
but do not block.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery

from server.publication.dataset import PublishedGraphs
from server.publication.shacl_report import ValidationReport, ValidationResult, read_results, term_text
from server.rdf.namespaces import MXUS, OA, SHAPES, bind_prefixes

def validate_submission(submission: Graph | None, published: PublishedGraphs, around: Around) -> ValidationReport:
    """Validate ``submission`` in the context of the published data, which ``around`` reads from the store.

    With ``submission`` None, the published data itself is validated. With a
    submission, only the nodes it can affect are validated (see
    ``affected_nodes``), against the data around them (``neighbourhood_query``,
    run by ``around`` over the published data and accepted contributions):
    the published data conforms, so a violation can only arise there. That
    turns seconds into milliseconds, and does not grow with the dataset.
    """
    shapes = published.shapes
    if submission is None:
        data = around(EVERYTHING)
    else:
        data = around(neighbourhood_query(submission))
        data += submission
        shapes = restrict_targets(published.shapes, published.ontology, data, affected_nodes(submission, data))
    conforms, report_graph = run_shacl(data, shapes, published.ontology)
    bind_prefixes(report_graph)
    results = read_results(report_graph, published.shapes)
    mismatches = anchor_mismatches(submission if submission is not None else data, data, published.sources)
    if mismatches:
        conforms = False
        _add_to_report(report_graph, mismatches)
        results.extend(mismatches)
    return ValidationReport(bool(conforms), results, report_graph)


class GraphOfPreparedQueries(Graph):
    """A graph whose SPARQL queries are parsed once per text, not once per call.

    pySHACL runs a SPARQL-based constraint once per focus node with the same
    text ($this is bound, not substituted), and rdflib parses and translates
    the text on every call: three quarters of a validation's time went to
    parsing the same few queries hundreds of times.
    """

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepared(text: str):
    return prepareQuery(text)


def run_shacl(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    """pySHACL with the options every validation here uses: (conforms, the sh:ValidationReport graph).

    ``data`` is copied once into a graph that parses each SPARQL constraint
    once; pySHACL mixes the ontology's class hierarchy into that copy (so
    class targets reach subclasses) instead of making a copy of its own.
    """
    target = GraphOfPreparedQueries()
    target += data
    conforms, report_graph, _ = pyshacl.validate(
        target,
        shacl_graph=shapes,
        ont_graph=ontology,
        inplace=True,  # target is this validation's own copy
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return bool(conforms), report_graph


# Runs a CONSTRUCT over the published data and accepted contributions in the store
# (the server's, or an in-process one for the command line): Publication._around.
Around = Callable[[str], Graph]
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

# The deepest a shape looks from its focus node: a membership's interval's
# instant's value (sh:node in sh:node), a claim's pointer's reference's work
# (a SPARQL constraint's path).
DEPTH = 3


def neighbourhood_query(submission: Graph) -> str:
    """The CONSTRUCT of what validating ``submission`` reads from the data.

    Roots: the IRIs the submission mentions (not as rdf:type: a class is
    not extended by having one more instance) and the nodes that link to
    them. Fetched: every triple up to ``DEPTH`` links away from a root, and
    the links into a root (inverse paths, sh:targetObjectsOf).
    """
    starts = sorted(_starts(submission))
    if not starts:
        return "CONSTRUCT { ?s ?p ?o } WHERE { FILTER (false) }"
    values = " ".join(f"<{iri}>" for iri in starts)
    # Level by level, each one DISTINCT: a path expression would enumerate
    # every route to a node, and hubs (the article, the source text) have many.
    level = f"SELECT DISTINCT ?n0 WHERE {{ VALUES ?start {{ {values} }} {{ BIND (?start AS ?n0) }} UNION {{ ?n0 !<{RDF.type}> ?start }} }}"
    roots = level
    for depth in range(1, DEPTH + 1):
        level = f"SELECT DISTINCT ?n{depth} WHERE {{ {{ {level} }} ?n{depth - 1} !<urn:mxus:no-such-predicate>? ?n{depth} }}"
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ {{ {level} }} ?n{DEPTH} ?p ?o BIND (?n{DEPTH} AS ?s) }}
  UNION {{ {{ {roots} }} ?s ?p ?n0 BIND (?n0 AS ?o) }}
}}"""


def _starts(submission: Graph) -> set[URIRef]:
    return {
        term
        for s, p, o in submission
        for term in ((s, o) if p != RDF.type else (s,))
        if isinstance(term, URIRef)
    }


MXUS_SHA256 = MXUS.sha256
SPAN_SHAPE = str(SHAPES.SpanShape)


def anchor_mismatches(spans_from: Graph, data: Graph, sources: dict[str, str]) -> list[ValidationResult]:
    """Spans whose selectors do not match the source text they count into.

    SHACL cannot read a file; this check can. Every text position selector
    must cut exactly oa:exact out of the source, with oa:prefix right before
    and oa:suffix right after.
    """
    results = []
    for span in set(spans_from.subjects(RDF.type, OA.SpecificResource)):
        source = data.value(span, OA.hasSource)
        digest = data.value(source, MXUS_SHA256) if source is not None else None
        text = sources.get(str(digest)) if digest is not None else None
        if text is None:
            continue  # no file to check against (SHACL already requires a SourceText)
        position = quote = None
        for selector in data.objects(span, OA.hasSelector):
            if (selector, RDF.type, OA.TextPositionSelector) in data:
                position = selector
            if (selector, RDF.type, OA.TextQuoteSelector) in data:
                quote = selector
        if position is None or quote is None:
            continue
        try:
            start, end = int(data.value(position, OA.start)), int(data.value(position, OA.end))
        except (TypeError, ValueError):
            continue
        exact = str(data.value(quote, OA.exact) or "")
        prefix = str(data.value(quote, OA.prefix) or "")
        suffix = str(data.value(quote, OA.suffix) or "")
        if not 0 <= start < end <= len(text) or len(exact) != end - start:
            continue  # bad offsets: the shapes already report them, once
        problem = None
        if text[start:end] != exact:
            found = text.find(exact)
            hint = f" (that text is at {found}-{found + len(exact)})" if found >= 0 else " (that text is nowhere in the source)"
            problem = f"The span's oa:exact is not the source text between oa:start {start} and oa:end {end}{hint}."
        elif not text[:start].endswith(prefix):
            problem = "The span's oa:prefix is not the text right before it in the source."
        elif not text[end:].startswith(suffix):
            problem = "The span's oa:suffix is not the text right after it in the source."
        if problem:
            results.append(
                ValidationResult("Violation", term_text(span), "oa:hasSelector", None, problem, SPAN_SHAPE, "mxus:AnchorCheck")
            )
    return results


def _add_to_report(report: Graph, results: list[ValidationResult]) -> None:
    """The anchor results in the sh:ValidationReport too, so every format says the same."""
    root = report.value(predicate=RDF.type, object=SH.ValidationReport)
    report.set((root, SH.conforms, Literal(False)))
    for result in results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.resultSeverity, SH.Violation))
        report.add((node, SH.focusNode, URIRef(result.focus_node) if not result.focus_node.startswith("_:") else BNode(result.focus_node[2:])))
        report.add((node, SH.resultPath, OA.hasSelector))
        report.add((node, SH.resultMessage, Literal(result.message, lang="en")))
        report.add((node, SH.sourceShape, URIRef(SPAN_SHAPE)))


def affected_nodes(submission: Graph, data: Graph) -> set:
    """Nodes whose validity the submission can change.

    Every subject and object it mentions, and the nodes one link upstream
    of those (a claim whose path ends at a node the submission extends),
    not counting rdf:type links: a class is not changed by one more instance.
    """
    touched = {term for s, _, o in submission for term in (s, o) if isinstance(term, (URIRef, BNode))}
    upstream = {s for node in _starts(submission) for s, p in data.subject_predicates(node) if p != RDF.type}
    return touched | upstream


TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def restrict_targets(shapes: Graph, ontology: Graph, data: Graph, nodes: set) -> Graph:
    """A copy of ``shapes`` whose targets are only those of ``nodes`` they had.

    pySHACL's own focus_nodes option also filters nested evaluations (sh:not,
    sh:node, qualified shapes) and drops blank nodes, which changes verdicts;
    rewriting top-level targets as sh:targetNode leaves everything else as is.
    """
    restricted = Graph()
    restricted.addN((s, p, o, restricted) for s, p, o in shapes if p not in TARGETS)
    for prefix, namespace in shapes.namespaces():
        restricted.bind(prefix, namespace, override=False)
    superclasses = _superclass_closure(ontology, data)
    facts = {node: _target_facts(data, node, superclasses) for node in nodes}
    for shape in {shape for predicate in TARGETS for shape in shapes.subjects(predicate, None)}:
        named = set(shapes.objects(shape, SH.targetNode))
        classes = set(shapes.objects(shape, SH.targetClass))
        objects_of = set(shapes.objects(shape, SH.targetObjectsOf))
        subjects_of = set(shapes.objects(shape, SH.targetSubjectsOf))
        for node, (types, incoming, outgoing) in facts.items():
            if node in named or types & classes or incoming & objects_of or outgoing & subjects_of:
                restricted.add((shape, SH.targetNode, node))
    return restricted


def _target_facts(data: Graph, node, superclasses: dict) -> tuple[set, set, set]:
    """What decides whether a shape targets ``node``: its classes (with superclasses), the predicates
    pointing at it, the predicates it has."""
    types = set()
    for direct in data.objects(node, RDF.type):
        types |= superclasses.get(direct, {direct})
    return types, set(data.predicates(None, node)), set(data.predicates(node, None))


def _superclass_closure(ontology: Graph, data: Graph) -> dict:
    """Each class with itself and all its superclasses."""
    parents: dict = {}
    for graph in (ontology, data):
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            parents.setdefault(child, set()).add(parent)
    closure: dict = {}
    for start in parents:
        seen, stack = {start}, [start]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        closure[start] = seen
    return closure
