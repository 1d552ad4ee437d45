"""Every IRI the code names, and the prefixes every serialization uses.

One module, so the canonical base, the vocabularies and the well-known
IRIs of the dataset (its VoID document, its endpoint, its graphs) are
spelled once; ``server.rdf.uris`` mints and rewrites URIs from these.
The W3C core (RDF, RDFS, OWL, XSD, FOAF, SKOS) is rdflib's
``rdflib.namespace``; DCAT, DCTERMS and VANN are rdflib's too, and are
re-exported here so a module takes every other vocabulary from one place.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, VANN  # noqa: F401  (rdflib's, re-exported: one spelling)

# ---------------------------------------------------------------- this dataset
CANONICAL_BASE = "https://w3id.org/mxus/"
ID_SPACE = CANONICAL_BASE + "id/"  # things: /id/{type}/{slug}
ID = Namespace(ID_SPACE)
MXUS = Namespace(CANONICAL_BASE + "ontology#")
SHAPES = Namespace(CANONICAL_BASE + "shapes#")
ONTOLOGY_IRI = URIRef(CANONICAL_BASE + "ontology")
SHAPES_IRI = URIRef(CANONICAL_BASE + "shapes")
GRAPH_BASE = CANONICAL_BASE + "graph/"  # named graphs
# A contribution is a thing with a URI, and its named graph has the same name.
CONTRIBUTION_BASE = ID_SPACE + "contribution/"
DATASET = ID["dataset/mxus-ld"]
VOID_DOCUMENT = URIRef(CANONICAL_BASE + ".well-known/void")
ENDPOINT = URIRef(CANONICAL_BASE + "sparql")
DUMPS_BASE = CANONICAL_BASE + "dumps/"
# Nanopublications: {NANOPUB_BASE}{artifact code}, the code a trusty URI (module RA) of its content.
NANOPUB_BASE = CANONICAL_BASE + "np/"

# ---------------------------------------------------------------- vocabularies
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")  # W3C's IRIs for RDF and result formats
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
NANOPUB = Namespace("http://www.nanopub.org/nschema#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

PREFIXES = {
    "mxus": str(MXUS),
    "shapes": str(SHAPES),
    "sh": str(SH),
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "owl": OWL_NS,
    "xsd": XSD_NS,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "oa": str(OA),
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
    "dcat": str(DCAT),
    "void": str(VOID),
    "wd": str(WIKIDATA),
}



def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
