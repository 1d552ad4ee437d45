"""Namespaces and the prefixes every serialization uses."""

from __future__ import annotations

from rdflib import Graph, Namespace

BASE = "https://w3id.org/mxus/"
ID = Namespace(BASE + "id/")
MXUS = Namespace(BASE + "ontology#")
SHAPES = Namespace(BASE + "shapes#")
# A contribution is a thing with a URI, and its named graph has the same name.
CONTRIBUTION_BASE = BASE + "id/contribution/"
DATASET = ID["dataset/mxus-ld"]
SCHEMA = Namespace("https://schema.org/")

PREFIXES = {
    "mxus": str(MXUS),
    "shapes": str(SHAPES),
    "sh": "http://www.w3.org/ns/shacl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "time": "http://www.w3.org/2006/time#",
    "fabio": "http://purl.org/spar/fabio/",
    "cito": "http://purl.org/spar/cito/",
    "c4o": "http://purl.org/spar/c4o/",
    "biro": "http://purl.org/spar/biro/",
    "pro": "http://purl.org/spar/pro/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "frbr": "http://purl.org/vocab/frbr/core#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
}


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
