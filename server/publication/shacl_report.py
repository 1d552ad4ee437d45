"""pySHACL's report graph read into ``ValidationResult``s with messages people can act on.

A result names its focus node, path and value compactly (prefixed names),
folds the nested results of sh:node/sh:or constraints into one result with
details, and describes anonymous shapes by what they require.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH


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
    details: list[str] = field(default_factory=list)  # messages of the nested results that explain it

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "focusNode": self.focus_node,
            "resultPath": self.path,
            "value": self.value,
            "message": self.message,
            "sourceShape": self.shape,
            "sourceConstraintComponent": self.constraint,
            "details": self.details,
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



def read_results(report: Graph, shapes: Graph) -> list[ValidationResult]:
    compact = _compactor(report)
    results = []
    # Only the report's own results: nested sh:detail results explain a
    # parent result and would count one failure several times.
    for node in report.objects(None, SH.result):
        severity = report.value(node, SH.resultSeverity)
        shape = report.value(node, SH.sourceShape)
        messages = [str(m) for m in report.objects(node, SH.resultMessage)]
        english = [str(m) for m in report.objects(node, SH.resultMessage) if getattr(m, "language", None) == "en"]
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        results.append(
            ValidationResult(
                severity=compact(severity).split(":")[-1] if severity else "Violation",
                focus_node=term_text(report.value(node, SH.focusNode)),
                path=_path_text(report, path, compact) if path is not None else None,
                value=term_text(value) if value is not None else None,
                message=(english or messages or ["(no message)"])[0],
                shape=term_text(shape) if isinstance(shape, URIRef) else _describe_anonymous_shape(shapes, shape, compact),
                constraint=compact(report.value(node, SH.sourceConstraintComponent)),
                details=_detail_messages(report, node),
            )
        )
    order = {name: index for index, name in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (order.get(r.severity, 9), r.focus_node, r.path or "", r.message))
    return results


def _detail_messages(report: Graph, node) -> list[str]:
    messages = []
    for detail in report.objects(node, SH.detail):
        texts = [str(m) for m in report.objects(detail, SH.resultMessage)]
        english = [str(m) for m in report.objects(detail, SH.resultMessage) if getattr(m, "language", None) == "en"]
        if english or texts:
            messages.append((english or texts)[0])
        messages.extend(_detail_messages(report, detail))
    return messages


def _compactor(graph: Graph):
    def compact(term) -> str:
        if term is None:
            return ""
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:
            return str(term)

    return compact


def term_text(term) -> str:
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
    return term_text(path)


def _describe_anonymous_shape(shapes: Graph, shape, compact) -> str:
    """Name a property shape by the node shape that holds it, for readers."""
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            path = shapes.value(shape, SH.path)
            return f"{parent} (property {_path_text(shapes, path, compact)})" if path is not None else str(parent)
    for parent in shapes.subjects(SH.sparql, shape):
        if isinstance(parent, URIRef):
            return f"{parent} (SPARQL constraint)"
    return term_text(shape)
