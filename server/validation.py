"""SHACL validation of the published data and of submissions.

One function, ``validate_submission``, serves ``mxus validate``, ``POST
/validate`` and contributions, so the three can never disagree. The
submission is validated together with the published data (so it may refer
to existing entities) and the ontology (so class targets reach subclasses).
A submission conforms when it produces no sh:Violation; warnings are shown
but do not block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from .dataset import PublishedGraphs
from .namespaces import bind_prefixes

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass
class ValidationResult:
    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "focusNode": self.focus_node,
            "resultPath": self.path,
            "value": self.value,
            "message": self.message,
            "sourceShape": self.shape,
            "sourceConstraintComponent": self.constraint,
        }


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.severity == s) for s in SEVERITIES}

    def as_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "results": [result.as_dict() for result in self.results],
        }


def validate_submission(submission: Graph | None, published: PublishedGraphs) -> ValidationReport:
    """Validate ``submission`` in the context of the published data.

    With ``submission`` None, the published data itself is validated.
    """
    data = Graph()
    data += published.data
    if submission is not None:
        data += submission
    conforms, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=published.shapes,
        ont_graph=published.ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    bind_prefixes(report_graph)
    return ValidationReport(bool(conforms), _read_results(report_graph, published.shapes), report_graph)


def _read_results(report: Graph, shapes: Graph) -> list[ValidationResult]:
    compact = _compactor(report)
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(node, SH.resultSeverity)
        shape = report.value(node, SH.sourceShape)
        messages = [str(m) for m in report.objects(node, SH.resultMessage)]
        english = [str(m) for m in report.objects(node, SH.resultMessage) if getattr(m, "language", None) == "en"]
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        results.append(
            ValidationResult(
                severity=compact(severity).split(":")[-1] if severity else "Violation",
                focus_node=_term_text(report.value(node, SH.focusNode)),
                path=_path_text(report, path, compact) if path is not None else None,
                value=_term_text(value) if value is not None else None,
                message=(english or messages or ["(no message)"])[0],
                shape=_term_text(shape) if isinstance(shape, URIRef) else _describe_anonymous_shape(shapes, shape, compact),
                constraint=compact(report.value(node, SH.sourceConstraintComponent)),
            )
        )
    order = {name: index for index, name in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (order.get(r.severity, 9), r.focus_node, r.path or "", r.message))
    return results


def _compactor(graph: Graph):
    def compact(term) -> str:
        if term is None:
            return ""
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:
            return str(term)

    return compact


def _term_text(term) -> str:
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        return "_:" + str(term)
    return str(term)


def _path_text(graph: Graph, path, compact) -> str:
    """SHACL property paths as SPARQL-like text (^p, p1|p2, p1/p2)."""
    if isinstance(path, URIRef):
        return compact(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse, compact)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(graph, p, compact) for p in Collection(graph, alternatives))
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, p, compact) for p in Collection(graph, path))
    return _term_text(path)


def _describe_anonymous_shape(shapes: Graph, shape, compact) -> str:
    """Name a property shape by the node shape that holds it, for readers."""
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            path = shapes.value(shape, SH.path)
            return f"{parent} (property {_path_text(shapes, path, compact)})" if path is not None else str(parent)
    for parent in shapes.subjects(SH.sparql, shape):
        if isinstance(parent, URIRef):
            return f"{parent} (SPARQL constraint)"
    return _term_text(shape)


def report_as_text(report: ValidationReport, label: str) -> str:
    counts = report.counts()
    verdict = "conforms" if report.conforms else "does NOT conform"
    lines = [
        f"{label}: {verdict} "
        f"({counts['Violation']} violation(s), {counts['Warning']} warning(s), {counts['Info']} info)"
    ]
    for result in report.results:
        lines.append(f"  [{result.severity}] {result.message}")
        lines.append(f"      focus node: {result.focus_node}")
        if result.path:
            lines.append(f"      path:       {result.path}")
        if result.value is not None:
            lines.append(f"      value:      {result.value}")
        lines.append(f"      shape:      {result.shape}")
    return "\n".join(lines)


def report_as_json(report: ValidationReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
