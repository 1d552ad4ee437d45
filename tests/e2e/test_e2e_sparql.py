"""The SPARQL endpoint through a real client (SPARQLWrapper) against the running server."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

WD = "http://www.wikidata.org/entity/"
SRX = "{http://www.w3.org/2005/sparql-results#}"

CHAIRS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?person ?name WHERE {
  ?m a org:Membership ; org:member ?person ; org:role ?role ;
     org:organization <https://w3id.org/mxus/id/organisation/high-level-group-on-migration> .
  FILTER (STRENDS(STR(?role), "/role/chair"))
  ?person foaf:name ?name .
} ORDER BY ?name
"""
CHAIR_NAMES = ["Colin Powell", "John Ashcroft", "Jorge G. Castañeda", "Santiago Creel"]
CHAIR_SLUGS = {"colin-powell", "john-ashcroft", "jorge-g-castaneda", "santiago-creel"}

POWELL_CONSTRUCT = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
CONSTRUCT { ?p owl:sameAs ?same ; a ?type } WHERE {
  VALUES ?p { <https://w3id.org/mxus/id/person/colin-powell> } ?p owl:sameAs ?same ; a ?type
}
"""

GRAPH_FORMATS = {  # media type -> rdflib parser
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


def client(base_url: str, query: str, return_format: str | None = None, **options) -> SPARQLWrapper:
    sparql = SPARQLWrapper(base_url + "sparql")
    sparql.setQuery(query)
    if return_format:
        sparql.setReturnFormat(return_format)
    sparql.setTimeout(30)
    for name, value in options.items():
        getattr(sparql, name)(value)
    return sparql


def raw(sparql: SPARQLWrapper) -> tuple[str, bytes]:
    result = sparql.query()
    return result.response.headers["Content-Type"], result.response.read()


# --------------------------------------------------------------------------- SELECT


def test_select_json(base_url):
    result = client(base_url, CHAIRS, JSON).queryAndConvert()
    rows = result["results"]["bindings"]
    assert [row["name"]["value"] for row in rows] == CHAIR_NAMES
    # IRIs come back on the served base, where they can be dereferenced.
    assert {row["person"]["value"] for row in rows} == {f"{base_url}id/person/{slug}" for slug in CHAIR_SLUGS}


def test_select_xml(base_url):
    content_type, body = raw(client(base_url, CHAIRS, XML))
    assert content_type.startswith("application/sparql-results+xml")
    root = ET.fromstring(body)
    names = [b.find(f"{SRX}literal").text for b in root.iter(f"{SRX}binding") if b.get("name") == "name"]
    assert names == CHAIR_NAMES
    persons = {b.find(f"{SRX}uri").text for b in root.iter(f"{SRX}binding") if b.get("name") == "person"}
    assert persons == {f"{base_url}id/person/{slug}" for slug in CHAIR_SLUGS}


def test_select_csv(base_url):
    content_type, body = raw(client(base_url, CHAIRS, CSV))
    assert content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert [row["name"] for row in rows] == CHAIR_NAMES
    assert {row["person"] for row in rows} == {f"{base_url}id/person/{slug}" for slug in CHAIR_SLUGS}


def test_select_tsv(base_url):
    content_type, body = raw(client(base_url, CHAIRS, TSV))
    assert content_type.startswith("text/tab-separated-values")
    header, *lines = body.decode("utf-8").splitlines()
    assert header.split("\t") == ["?person", "?name"]
    cells = [line.split("\t") for line in lines]
    assert [name for _, name in cells] == [f'"{name}"' for name in CHAIR_NAMES]
    assert {person for person, _ in cells} == {f"<{base_url}id/person/{slug}>" for slug in CHAIR_SLUGS}


# --------------------------------------------------------------------------- ASK


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"ASK {{ <https://w3id.org/mxus/id/person/colin-powell> <{OWL.sameAs}> <{WD}Q150851> }}", True),
        (f"ASK {{ <https://w3id.org/mxus/id/person/colin-powell> <{OWL.sameAs}> <{WD}Q207> }}", False),
    ],
)
def test_ask(base_url, query, expected):
    assert client(base_url, query, JSON).queryAndConvert()["boolean"] is expected


def test_ask_with_served_base_iris(base_url):
    """IRIs sent on the served base are understood as the canonical ones."""
    query = f"ASK {{ <{base_url}id/person/colin-powell> <{OWL.sameAs}> <{WD}Q150851> }}"
    assert client(base_url, query, JSON).queryAndConvert()["boolean"] is True


# --------------------------------------------------------------------------- CONSTRUCT / DESCRIBE


def _graph_result(base_url: str, query: str, media_type: str, **options) -> Graph:
    """Ask for ``media_type``: through SPARQLWrapper's return format where it has one, else by Accept."""
    named = {"text/turtle": TURTLE, "application/ld+json": JSONLD}
    if media_type in named:
        sparql = client(base_url, query, named[media_type], **options)
    else:
        # SPARQLWrapper has no N-Triples format, and its format=rdf+xml parameter is refused by the
        # server (see test_rdfxml_format_parameter_of_sparqlwrapper): content negotiation only.
        sparql = client(base_url, query, RDFXML, setOnlyConneg=True, **options)
        sparql.addCustomHttpHeader("Accept", media_type)
    content_type, body = raw(sparql)
    assert content_type.split(";")[0] == media_type
    return Graph().parse(data=body, format=GRAPH_FORMATS[media_type])


@pytest.mark.parametrize("media_type", list(GRAPH_FORMATS))
def test_construct(base_url, media_type):
    graph = _graph_result(base_url, POWELL_CONSTRUCT, media_type)
    powell = URIRef(f"{base_url}id/person/colin-powell")
    assert (powell, OWL.sameAs, URIRef(WD + "Q150851")) in graph
    assert (powell, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")) in graph
    assert not [s for s in graph.subjects() if str(s).startswith("https://w3id.org/mxus/")]


@pytest.mark.parametrize("media_type", list(GRAPH_FORMATS))
def test_describe(base_url, media_type):
    graph = _graph_result(base_url, f"DESCRIBE <{base_url}id/person/colin-powell>", media_type)
    powell = URIRef(f"{base_url}id/person/colin-powell")
    assert (powell, OWL.sameAs, URIRef(WD + "Q150851")) in graph
    assert (powell, URIRef("http://xmlns.com/foaf/0.1/name"), Literal("Colin Powell")) in graph
    assert (powell, URIRef("http://www.w3.org/ns/org#holds"), URIRef(f"{base_url}id/post/us-secretary-of-state")) in graph
    assert "https://w3id.org/mxus/" not in graph.serialize(format="nt")


@pytest.mark.parametrize("return_format", [RDFXML, XML])
def test_rdfxml_format_parameter_of_sparqlwrapper(base_url, return_format):
    sparql = client(base_url, POWELL_CONSTRUCT, return_format)
    content_type, body = raw(sparql)
    assert content_type.startswith("application/rdf+xml")
    assert len(Graph().parse(data=body, format="xml")) > 0


# --------------------------------------------------------------------------- protocol variants


def test_post_form(base_url):
    sparql = client(base_url, CHAIRS, JSON, setMethod=POST)
    assert sparql.requestMethod == "urlencoded"
    rows = sparql.queryAndConvert()["results"]["bindings"]
    assert [row["name"]["value"] for row in rows] == CHAIR_NAMES


def test_post_direct(base_url):
    sparql = client(base_url, CHAIRS, JSON, setMethod=POST, setRequestMethod=POSTDIRECTLY)
    request = sparql._createRequest()
    assert request.get_header("Content-type") == "application/sparql-query"
    rows = sparql.queryAndConvert()["results"]["bindings"]
    assert [row["name"]["value"] for row in rows] == CHAIR_NAMES


SHAPES_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?shape a <http://www.w3.org/ns/shacl#NodeShape> }"


def _count(sparql: SPARQLWrapper) -> int:
    return int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri(base_url):
    # The default graph is the data and the ontology; the shapes are a named graph of their own.
    assert _count(client(base_url, SHAPES_COUNT, JSON)) == 0
    shapes = client(base_url, SHAPES_COUNT, JSON)
    shapes.addParameter("default-graph-uri", f"{base_url}graph/shapes")  # as the service description names it
    assert _count(shapes) > 10
    for method in (POST, "GET"):
        data_only = client(base_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON, setMethod=method)
        data_only.addParameter("default-graph-uri", "https://w3id.org/mxus/graph/data")
        everything = client(base_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON, setMethod=method)
        assert 0 < _count(data_only) < _count(everything)


def test_default_graph_uri_outside_the_dataset_is_refused(base_url):
    sparql = client(base_url, SHAPES_COUNT, JSON)
    sparql.addParameter("default-graph-uri", "http://example.org/elsewhere")
    with pytest.raises(QueryBadFormed, match="not in this dataset"):
        sparql.query()


def test_service_description(base_url):
    request = urllib.request.Request(base_url + "sparql", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=30) as response:
        content_type, body = response.headers["Content-Type"], response.read()
    assert content_type.startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(base_url + "sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in graph
    names = {str(o) for o in graph.objects(None, URIRef(sd + "name"))}
    assert f"{base_url}graph/data" in names


def test_malformed_query_through_the_client(base_url):
    with pytest.raises(QueryBadFormed, match="syntax error"):
        client(base_url, "SELECT ?x WHERE { ?x ", JSON).query()


def test_json_results_are_json(base_url):
    content_type, body = raw(client(base_url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", JSON))
    assert content_type.startswith("application/sparql-results+json")
    assert json.loads(body)["head"]["vars"] == ["s"]
