"""The ontology and the shapes as documents for people: the views their pages render.

Not a blueprint: ``ontology_docs`` serves these; they are built from the
published graphs loaded at start-up, with usage counts from the store.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from server.rdf.media import EXTENSIONS
from server.rdf.namespaces import DCTERMS, MXUS, ONTOLOGY_IRI, SH, SHAPES, SHAPES_IRI, VANN
from server.state import state
from server.web.views import curie, iri_view, literal_view, select


# ---------------------------------------------------------------- the ontology


def ontology_graph() -> Graph:
    """mxus.ttl as loaded: the ontology header and our terms, without the reused vocabularies' axioms."""
    loaded = state().published.ontology
    graph = Graph()
    pending = [s for s in set(loaded.subjects()) if isinstance(s, URIRef) and str(s).startswith(str(ONTOLOGY_IRI))]
    seen = set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for predicate, obj in loaded.predicate_objects(subject):
            graph.add((subject, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)
    return graph


def ontology_version() -> str | None:
    """The owl:versionInfo of the published ontology."""
    loaded = state().published.ontology
    return next((str(v) for v in loaded.objects(ONTOLOGY_IRI, OWL.versionInfo)), None)


def _texts(graph: Graph, subject, predicate) -> list[dict]:
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    values.sort(key=lambda v: (v.language != "en", v.language or "", str(v)))
    return [literal_view(str(v), v.language, str(v.datatype) if v.datatype else None) for v in values]


def _by_lang(graph: Graph, subject, predicate, lang: str) -> str | None:
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return None


def _local(iri) -> str:
    return str(iri)[len(str(MXUS)) :]


def _links(graph: Graph, subject, predicate, here: bool = True) -> list[dict]:
    """Links to the objects; ``here``: mxus terms link within the page (#Term), not to /ontology#Term."""
    views = (_term_link(o, here) for o in graph.objects(subject, predicate) if isinstance(o, URIRef))
    return sorted(views, key=lambda v: v["text"])


def _term_link(iri: URIRef, here: bool = True) -> dict:
    if here and str(iri).startswith(str(MXUS)):
        return {"kind": "term", "href": "#" + _local(iri), "text": curie(str(iri)), "iri": str(iri)}
    return iri_view(str(iri))


def ontology_doc() -> dict:
    graph = ontology_graph()
    header = {
        "iri": str(ONTOLOGY_IRI),
        "title": _by_lang(graph, ONTOLOGY_IRI, DCTERMS["title"], "en") or "mxus ontology",
        "title_es": _by_lang(graph, ONTOLOGY_IRI, DCTERMS["title"], "es"),
        "description": _by_lang(graph, ONTOLOGY_IRI, DCTERMS["description"], "en"),
        "description_es": _by_lang(graph, ONTOLOGY_IRI, DCTERMS["description"], "es"),
        "version": next((str(v) for v in graph.objects(ONTOLOGY_IRI, OWL.versionInfo)), None),
        "version_iri": next((str(v) for v in graph.objects(ONTOLOGY_IRI, OWL.versionIRI)), None),
        "license": next((str(v) for v in graph.objects(ONTOLOGY_IRI, DCTERMS["license"])), None),
        "creator": next((str(v) for v in graph.objects(ONTOLOGY_IRI, DCTERMS["creator"])), None),
        "created": next((str(v) for v in graph.objects(ONTOLOGY_IRI, DCTERMS["created"])), None),
        "modified": next((str(v) for v in graph.objects(ONTOLOGY_IRI, DCTERMS["modified"])), None),
        "prefix": next((str(v) for v in graph.objects(ONTOLOGY_IRI, VANN["preferredNamespacePrefix"])), None),
        "namespace": next((str(v) for v in graph.objects(ONTOLOGY_IRI, VANN["preferredNamespaceUri"])), None),
        "see_also": _links(graph, ONTOLOGY_IRI, RDFS.seeAlso),
    }
    usage = _usage()
    classes = [s for s in graph.subjects(RDF.type, OWL.Class) if str(s).startswith(str(MXUS))]
    properties = [
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(str(MXUS))
    ]
    class_docs = [_term_doc(graph, c, usage) for c in _class_order(graph, classes)]
    property_docs = [_term_doc(graph, p, usage) for p in sorted(set(properties), key=_local)]
    return {"header": header, "classes": class_docs, "properties": property_docs, "formats": _formats("ontology")}


def _class_order(graph: Graph, classes: list[URIRef]) -> list[URIRef]:
    """Top classes alphabetically, each followed by its own subclasses."""
    ours = set(classes)
    children: dict[URIRef, list[URIRef]] = {}
    roots = []
    for cls in ours:
        parents = [p for p in graph.objects(cls, RDFS.subClassOf) if p in ours]
        if parents:
            for parent in parents:
                children.setdefault(parent, []).append(cls)
        else:
            roots.append(cls)
    ordered: list[URIRef] = []

    def visit(cls: URIRef) -> None:
        if cls in ordered:
            return
        ordered.append(cls)
        for child in sorted(children.get(cls, []), key=_local):
            visit(child)

    for root in sorted(roots, key=_local):
        visit(root)
    return ordered + sorted(ours - set(ordered), key=_local)


def _term_doc(graph: Graph, term: URIRef, usage: dict[str, int]) -> dict:
    kinds = [curie(str(t)) for t in graph.objects(term, RDF.type)]
    return {
        "id": _local(term),
        "iri": str(term),
        "curie": curie(str(term)),
        "kinds": sorted(kinds),
        "label": _by_lang(graph, term, RDFS.label, "en"),
        "label_es": _by_lang(graph, term, RDFS.label, "es"),
        "comments": _texts(graph, term, RDFS.comment),
        "domain": _links(graph, term, RDFS.domain),
        "range": _links(graph, term, RDFS.range),
        "superclasses": _links(graph, term, RDFS.subClassOf),
        "subclasses": _links_in(graph, RDFS.subClassOf, term),
        "superproperties": _links(graph, term, RDFS.subPropertyOf),
        "close_match": _links(graph, term, SKOS.closeMatch),
        "exact_match": _links(graph, term, SKOS.exactMatch),
        "equivalent": _links(graph, term, OWL.equivalentClass) + _links(graph, term, OWL.equivalentProperty),
        "usage": usage.get(str(term), 0),
    }


def _links_in(graph: Graph, predicate, obj) -> list[dict]:
    return sorted((_term_link(s) for s in graph.subjects(predicate, obj) if isinstance(s, URIRef)), key=lambda v: v["text"])


def _usage() -> dict[str, int]:
    """How often the data uses each mxus term: instances of a class (with subclasses), triples of a property."""
    counts: dict[str, int] = {}
    for row in select(
        """SELECT ?term (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a/rdfs:subClassOf* ?term . FILTER (STRSTARTS(STR(?term), STR(mxus:)))
} GROUP BY ?term"""
    ):
        counts[str(row["term"])] = int(row["n"])
    for row in select(
        """SELECT ?term (COUNT(*) AS ?n) WHERE {
  ?s ?term ?o . FILTER (STRSTARTS(STR(?term), STR(mxus:)))
} GROUP BY ?term"""
    ):
        counts[str(row["term"])] = int(row["n"])
    return counts


def _formats(name: str) -> list[dict]:
    return [{"href": f"/{name}{ext}", "type": media, "name": ext[1:]} for ext, media in EXTENSIONS.items()]


# ---------------------------------------------------------------- the shapes

TARGETS = (
    ("targetClass", _l("instances of")),
    ("targetSubjectsOf", _l("subjects of")),
    ("targetObjectsOf", _l("objects of")),
    ("targetNode", _l("the node")),
)


def shapes_doc() -> dict:
    graph = state().published.shapes
    names = sorted(
        (s for s in graph.subjects(RDF.type, SH["NodeShape"]) if isinstance(s, URIRef)),
        key=lambda s: str(s),
    )
    shapes = [_shape_doc(graph, shape) for shape in names]
    return {
        "title": _by_lang(graph, SHAPES_IRI, RDFS.label, "en") or "SHACL shapes",
        "title_es": _by_lang(graph, SHAPES_IRI, RDFS.label, "es"),
        "comment": _by_lang(graph, SHAPES_IRI, RDFS.comment, "en"),
        "shapes": shapes,
        "formats": _formats("shapes"),
    }


def _severity(graph: Graph, node) -> str:
    value = next(iter(graph.objects(node, SH["severity"])), None)
    return str(value)[len(SH) :] if value is not None else "Violation"


def _shape_doc(graph: Graph, shape: URIRef) -> dict:
    local = str(shape)[len(str(SHAPES)) :] if str(shape).startswith(str(SHAPES)) else curie(str(shape))
    targets = []
    for name, text in TARGETS:
        values = _links(graph, shape, SH[name], here=False)
        if values:
            targets.append({"text": text, "values": values})
    applies = _links(graph, shape, SH["class"], here=False)
    referenced_by = sorted(
        {
            str(s)[len(str(SHAPES)) :]
            for node in graph.subjects(SH["node"], shape)
            for s in _owning_shapes(graph, node)
        }
    )
    messages = []
    for message in _texts(graph, shape, SH["message"]):
        messages.append({"path": None, "message": message, "severity": _severity(graph, shape)})
    for prop in graph.objects(shape, SH["property"]):
        path = next(iter(graph.objects(prop, SH["path"])), None)
        texts = _texts(graph, prop, SH["message"])
        for message in texts or [literal_view("(no message)")]:
            messages.append({"path": _path_text(graph, path), "message": message, "severity": _severity(graph, prop)})
    for constraint in graph.objects(shape, SH["sparql"]):
        for message in _texts(graph, constraint, SH["message"]):
            messages.append({"path": "SPARQL constraint", "message": message, "severity": _severity(graph, constraint)})
    messages.sort(key=lambda m: (m["path"] is not None, m["path"] or "", m["message"]["text"]))
    return {
        "id": local,
        "iri": str(shape),
        "curie": curie(str(shape)),
        "comments": _texts(graph, shape, RDFS.comment),
        "targets": targets,
        "applies": applies,
        "referenced_by": referenced_by,
        "messages": messages,
    }


def _owning_shapes(graph: Graph, node) -> list[URIRef]:
    """The named shapes a (possibly nested, anonymous) shape belongs to."""
    found, pending, seen = [], [node], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if isinstance(current, URIRef):
            found.append(current)
            continue
        pending.extend(graph.subjects(None, current))
    return found


def _path_text(graph: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return curie(str(path))
    inverse = next(iter(graph.objects(path, SH["inversePath"])), None)
    if inverse is not None:
        return "^" + (_path_text(graph, inverse) or "?")
    if (path, RDF.first, None) in graph:
        return "/".join(_path_text(graph, item) or "?" for item in Collection(graph, path))
    for name, suffix in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = next(iter(graph.objects(path, SH[name])), None)
        if inner is not None:
            return f"({_path_text(graph, inner)}){suffix}"
    alternatives = next(iter(graph.objects(path, SH["alternativePath"])), None)
    if alternatives is not None:
        return "|".join(_path_text(graph, item) or "?" for item in Collection(graph, alternatives))
    return "(complex path)"
