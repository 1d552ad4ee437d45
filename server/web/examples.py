"""The example queries of the query page and the home page.

Each runs as is on /query (tests/test_pages.py runs every one); the slug
of its title names it in /query?example=....
"""

from __future__ import annotations

import re


def N_(title: str) -> str:
    """Marks a title for the translation catalogue (``make translations`` extracts ``N_``); the
    English title stays the key and names the example's slug, so a URL is the same in every language;
    pages show ``_(title)``."""
    return title


EXAMPLE_QUERIES = {
    N_("The argument: thesis, what it answers and disputes"): """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thesis ?question ?disputed WHERE {
  ?thesis a mxus:Thesis ; mxus:answers ?q ; mxus:disputes ?d .
  ?q rdfs:label ?question . ?d rdfs:label ?disputed .
  FILTER (lang(?question) = "en" && lang(?disputed) = "en")
}""",
    N_("Events in order"): """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label ?when WHERE {
  ?event a sem:Event ; rdfs:label ?label .
  OPTIONAL { ?event sem:hasTimeStamp ?t } OPTIONAL { ?event sem:hasBeginTimeStamp ?b }
  BIND (COALESCE(?t, ?b) AS ?when)
  FILTER (lang(?label) = "en")
} ORDER BY STR(?when)""",
    N_("Who held which post"): """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name ?post ?title WHERE {
  ?m a org:Membership ; org:member ?person ; mxus:post ?post .
  ?person rdfs:label ?name . ?post rdfs:label ?title .
  FILTER (lang(?name) = "en" && lang(?title) = "en")
}""",
    N_("Claims with the exact passage that states them"): """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim ?kind ?start ?end ?exact WHERE {
  ?claim a ?kind . ?kind rdfs:subClassOf mxus:Claim .
  ?claim mxus:statedIn ?span .
  ?span oa:hasSelector ?position , ?quote .
  ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
} ORDER BY ?start""",
    N_("Facts attributed to a cited source"): """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim ?label ?citation WHERE {
  ?claim mxus:attributedTo ?pointer ; rdfs:label ?label .
  ?pointer c4o:hasContent ?citation .
  FILTER (lang(?label) = "en")
} ORDER BY ?citation""",
    N_("Labels in Spanish of the people and places"): """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT ?thing ?english ?spanish WHERE {
  { ?thing a foaf:Person } UNION { ?thing a sem:Place }
  ?thing rdfs:label ?english , ?spanish .
  FILTER (lang(?english) = "en" && lang(?spanish) = "es")
} ORDER BY ?english""",
    N_("Is every claim anchored to the text? (ASK)"): """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# true if some claim has no passage: expect "no"
ASK {
  ?claim a/rdfs:subClassOf mxus:Claim .
  FILTER NOT EXISTS { ?claim mxus:statedIn ?span }
}""",
    N_("Colin Powell and his posts, as a graph (CONSTRUCT)"): """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
CONSTRUCT {
  ?person rdfs:label ?name ; owl:sameAs ?same ; org:holds ?post .
  ?post rdfs:label ?title .
} WHERE {
  VALUES ?person { <https://w3id.org/mxus/id/person/colin-powell> }
  ?person rdfs:label ?name ; org:holds ?post .
  ?post rdfs:label ?title .
  OPTIONAL { ?person owl:sameAs ?same }
}""",
}
EXAMPLE_SLUGS = {re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"): title for title in EXAMPLE_QUERIES}
