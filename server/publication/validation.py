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

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, SH
from rdflib.query import Result

from server.publication.dataset import PublishedGraphs
from server.publication.focus import Unfocused, focus_pairs, needed_data, pairs_as_targets
from server.publication.shape_reads import top_level_patterns
from server.publication.shacl_report import ValidationReport, ValidationResult, read_results, term_text
from server.rdf.namespaces import MXUS, OA, SHAPES, bind_prefixes

def validate_submission(submission: Graph | None, published: PublishedGraphs, around: Around) -> ValidationReport:
    """Validate ``submission`` in the context of the published data, which ``around`` reads from the store.

    With ``submission`` None, the published data itself is validated. With a
    submission, only the (shape, focus node) pairs it can affect are validated
    (``focus.focus_pairs``), over the data their shapes read (``focus.needed_data``,
    read by ``around`` from the published data and accepted contributions):
    the published data conforms, so a violation can only arise there. That
    turns seconds into milliseconds, and does not grow with the dataset.
    """
    shapes = published.shapes
    data = None
    if submission is not None:
        try:
            pairs, absent = focus_pairs(submission, published.shapes, published.ontology, around)
            data = needed_data(submission, published.shapes, pairs, around, absent)
            shapes = pairs_as_targets(published.shapes, pairs)
        except Unfocused:
            data = None  # validated against everything, every target
    if data is None:
        data = around(EVERYTHING)
        if submission is not None:
            data += submission
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
    """A graph whose SPARQL queries are parsed once per text, and a SPARQL constraint run once for all nodes.

    pySHACL runs a SPARQL-based constraint once per focus node with the same
    text, ``$this`` bound (not substituted), and rdflib parses and translates
    the text on every call: three quarters of a validation's time went to
    parsing the same few queries hundreds of times. Then the runs themselves
    (a thousand claims, six constraints each): when ``$this`` is bound by the
    query's top-level patterns, binding it first selects exactly the answers
    of the query run once with ``$this`` free whose ``$this`` is that node, so
    the query runs once per validation and each call gets its node's rows.
    """

    def __init__(self):
        super().__init__()
        self._answers: dict = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: N803
              use_store_provided=True, **kwargs):
        bindings = initBindings or {}
        if isinstance(query_object, str) and "this" in bindings and not initNs and _binds_this_first(query_object):
            return self._rows_of(query_object, bindings)
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)

    def _rows_of(self, text: str, bindings: dict) -> Result:
        others = {name: value for name, value in bindings.items() if name != "this"}
        key = (text, frozenset(others.items()))
        if key not in self._answers:
            everyone = super().query(_prepared(text), initBindings=others)
            by_node: dict = {}
            for row in everyone.bindings:
                by_node.setdefault(row.get(THIS), []).append(row)
            self._answers[key] = (everyone.vars, by_node)
        names, by_node = self._answers[key]
        answer = Result("SELECT")
        answer.vars = names
        answer.bindings = by_node.get(bindings["this"], [])
        return answer


THIS = Variable("this")


@lru_cache(maxsize=256)
def _binds_this_first(text: str) -> bool:
    """A SELECT that projects $this and binds it in its top-level patterns (no OPTIONAL, UNION, subquery)."""
    try:
        query = _prepared(text)
        return (query.algebra.name == "SelectQuery" and THIS in (query.algebra.get("PV") or ())
                and any(THIS in (s, o) for s, _, o in top_level_patterns(query.algebra)))
    except Exception:  # anything this cannot read is run as pySHACL asks
        return False


@lru_cache(maxsize=256)
def _prepared(text: str):
    from rdflib.plugins.sparql import prepareQuery  # rdflib's SPARQL parser: 0.2 s to import, for validations only

    return prepareQuery(text)


def run_shacl(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    """pySHACL with the options every validation here uses: (conforms, the sh:ValidationReport graph).

    ``data`` is copied once into a graph that parses each SPARQL constraint
    once; pySHACL mixes the ontology's class hierarchy into that copy (so
    class targets reach subclasses) instead of making a copy of its own.
    """
    target = GraphOfPreparedQueries()
    target += data
    import pyshacl  # here, not at the top: a server that validates nothing starts 0.2 s sooner

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
