"""What the query editor completes: the dataset's prefixes, classes and properties.

Not a blueprint: the query page embeds these in itself (a JSON data block,
which runs nothing), so the editor never asks another server for
completions (YASGUI's own completers call LOV and prefix.cc on the
internet). Classes and properties are those the data uses, in any graph,
and those the published ontology declares; they are read once per dataset
version.
"""

from __future__ import annotations

from flask import url_for
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from server.rdf.namespaces import PREFIXES
from server.state import state
from server.web.cache import versioned_cache
from server.web.views import select

MAX_TERMS = 2000  # of each kind: the page stays small whatever a contribution adds
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def editor_settings() -> dict:
    """The query editor's settings: where queries go, the prefixes, the terms to complete."""
    classes, properties = versioned_cache("query-terms").get("terms", _terms)
    return {
        "endpoint": url_for("sparql.endpoint"),
        "prefixes": PREFIXES,
        "classes": classes,
        "properties": properties,
    }


def _terms() -> tuple[list[str], list[str]]:
    ontology = state().published.ontology
    classes = _used("{ ?s a ?term } UNION { GRAPH ?g { ?s a ?term } }")
    properties = _used("{ ?s ?term ?o } UNION { GRAPH ?g { ?s ?term ?o } }")
    classes |= {str(s) for kind in CLASS_TYPES for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    properties |= {str(s) for kind in PROPERTY_TYPES for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    return sorted(classes)[:MAX_TERMS], sorted(properties)[:MAX_TERMS]


def _used(pattern: str) -> set[str]:
    rows = select(f"SELECT DISTINCT ?term WHERE {{ {pattern} FILTER (isIRI(?term)) }} LIMIT {MAX_TERMS}")
    return {str(row["term"]) for row in rows}
