"""The SPARQL 1.1 Protocol endpoint, through the Flask test client."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL


BASE = "http://localhost/"
POWELL = URIRef(BASE + "id/person/colin-powell")
CHAIRS_QUERY = """
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?person WHERE {
  ?m org:organization <https://w3id.org/mxus/id/organisation/high-level-group-on-migration> ;
     org:role <https://w3id.org/mxus/id/role/chair> ; org:member ?person .
} ORDER BY ?person"""
EXPECTED_CHAIRS = [
    BASE + "id/person/colin-powell",
    BASE + "id/person/john-ashcroft",
    BASE + "id/person/jorge-g-castaneda",
    BASE + "id/person/santiago-creel",
]


@pytest.fixture(scope="module")
def app(app_factory):
    app = app_factory({"BASE_URI": BASE, "MAX_QUERY_BYTES": 2000})
    yield app
    app.extensions["mxus"].store.close()


@pytest.fixture()
def client(app):
    return app.test_client()


def select_json(client, query, **kwargs):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}, **kwargs)
    assert response.status_code == 200, response.data
    return json.loads(response.data)


def test_select_by_get_in_json(client):
    rows = select_json(client, CHAIRS_QUERY)["results"]["bindings"]
    assert sorted(row["person"]["value"] for row in rows) == EXPECTED_CHAIRS


@pytest.mark.parametrize(
    "media_type",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_select_results_in_every_format(client, media_type):
    response = client.get("/sparql", query_string={"query": CHAIRS_QUERY}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    body = response.data.decode()
    if media_type.endswith("json"):
        people = [b["person"]["value"] for b in json.loads(body)["results"]["bindings"]]
    elif media_type.endswith("xml"):
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        people = [u.text for u in ET.fromstring(body).iterfind(".//r:uri", ns)]
    elif media_type == "text/csv":
        people = [row["person"] for row in csv.DictReader(io.StringIO(body))]
    else:
        people = [line.strip("<>") for line in body.splitlines()[1:]]
    assert sorted(people) == EXPECTED_CHAIRS


def test_query_by_form_post_and_direct_post(client):
    form = client.post("/sparql", data={"query": "ASK { ?s a <http://xmlns.com/foaf/0.1/Person> }"}, headers={"Accept": "application/sparql-results+json"})
    assert json.loads(form.data) == {"head": {}, "boolean": True}
    direct = client.post(
        "/sparql",
        data="ASK { <https://w3id.org/mxus/id/person/nobody> ?p ?o }",
        content_type="application/sparql-query",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert json.loads(direct.data)["boolean"] is False


@pytest.mark.parametrize(
    "media_type,rdflib_format",
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml")],
)
def test_construct_and_describe_in_every_graph_format(client, media_type, rdflib_format):
    for query in (
        "DESCRIBE <https://w3id.org/mxus/id/person/colin-powell>",
        "CONSTRUCT { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o } WHERE { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }",
    ):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
        assert response.status_code == 200, response.data
        assert response.mimetype == media_type
        graph = Graph().parse(data=response.data.decode(), format=rdflib_format)
        assert (POWELL, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q150851")) in graph


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", query_string={"query": CHAIRS_QUERY, "format": "csv"}, headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "text/csv"


def test_unacceptable_accept_is_406(client):
    response = client.get("/sparql", query_string={"query": CHAIRS_QUERY}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert b"sparql-results+json" in response.data


@pytest.mark.parametrize("fmt", ["csv", "bogus"])
def test_unavailable_format_is_400_with_or_without_a_query(client, fmt):
    with_query = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": "png"})
    assert with_query.status_code == 400
    without = client.get("/sparql", query_string={"format": fmt})
    assert without.status_code == 400
    assert b"is not available here" in without.data


def test_unacceptable_accept_without_a_query_is_406(client):
    response = client.get("/sparql", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert b"text/turtle" in response.data


def test_syntax_error_is_400_with_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert b"syntax error" in response.data and b"1:" in response.data
    assert b"Traceback" not in response.data


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": "INSERT DATA { <http://a> <http://b> <http://c> }", "content_type": "application/sparql-update"},
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "GET", "query_string": {"query": "DROP GRAPH <https://w3id.org/mxus/graph/data>"}},
        {"method": "GET", "query_string": {"query": "LOAD <http://example.org/x>"}},
    ],
    ids=["sparql-update-body", "update-form", "drop-in-query", "load-in-query"],
)
def test_updates_are_refused_and_data_unchanged(client, request_kwargs):
    before = select_json(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    response = client.open("/sparql", **request_kwargs)
    assert response.status_code == 403
    assert b"read-only" in response.data
    assert select_json(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/remote.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
    ids=["service", "service-silent-lowercase", "remote-from", "file-from-named"],
)
def test_outbound_access_is_refused(client, query):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert b"SERVICE" in response.data or b"not in this dataset" in response.data


def test_graphs_of_the_dataset_can_be_named(client):
    response = client.get(
        "/sparql",
        query_string={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/shacl#NodeShape> }",
            "default-graph-uri": "https://w3id.org/mxus/graph/shapes",
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    count = int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])
    assert count > 10
    default = select_json(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/shacl#NodeShape> }")
    assert default["results"]["bindings"][0]["n"]["value"] == "0"


def count_of(client, query: str, **graphs) -> int:
    body = select_json(client, query) if not graphs else json.loads(client.get(
        "/sparql", query_string={"query": query, **graphs}, headers={"Accept": "application/sparql-results+json"}).data)
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_a_querys_from_and_from_named_define_its_dataset(client):
    """FROM / FROM NAMED are the query's dataset (the store's default dataset used to hide them);
    the protocol's default-graph-uri still overrides them (SPARQL 1.1 Protocol, 2.1.4)."""
    shapes, data = "https://w3id.org/mxus/graph/shapes", "https://w3id.org/mxus/graph/data"
    node_shapes = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ {pattern} }}"
    plain = "?s a <http://www.w3.org/ns/shacl#NodeShape>"
    assert count_of(client, node_shapes.format(**{"from": "", "pattern": plain})) == 0
    assert count_of(client, node_shapes.format(**{"from": f"FROM <{shapes}>", "pattern": plain})) > 10
    assert count_of(client, node_shapes.format(**{"from": f"FROM <{shapes}>", "pattern": plain}),
                    **{"default-graph-uri": data}) == 0
    named = node_shapes.format(**{"from": f"FROM NAMED <{shapes}>", "pattern": f"GRAPH ?g {{ {plain} }}"})
    assert count_of(client, named) > 10
    everything = "SELECT (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/mxus/graph/shapes> WHERE { ?s ?p ?o }"
    assert count_of(client, everything) == 0  # FROM NAMED alone: an empty default graph
    only_default = f"SELECT (COUNT(*) AS ?n) FROM <{data}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count_of(client, only_default) == 0  # FROM alone: no named graphs


def test_oversize_query_is_413(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 3000})
    assert response.status_code == 413


def test_local_uris_in_queries_are_mapped_to_canonical_ones(client):
    rows = select_json(client, f"SELECT ?name WHERE {{ <{POWELL}> <http://xmlns.com/foaf/0.1/name> ?name }}")
    assert [r["name"]["value"] for r in rows["results"]["bindings"]] == ["Colin Powell"]


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data.decode(), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = URIRef(BASE + "sparql")
    assert (service, URIRef(sd + "endpoint"), service) in graph
    assert (service, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph
    assert (service, URIRef(sd + "resultFormat"), URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph
    count = select_json(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")["results"]["bindings"][0]["n"]["value"]
    sizes = [int(o) for o in graph.objects(None, URIRef("http://rdfs.org/ns/void#triples"))]
    assert sizes == [int(count)]  # the default graph's size, not all graphs'


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig", "application/ld+json", "application/rdf+xml"])
def test_service_description_in_every_offered_graph_format(client, media_type):
    """Regression: N-Quads of the description (a graph without named graphs) was a 500."""
    response = client.get("/sparql", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    rdflib_format = {"application/n-quads": "nquads", "application/trig": "trig", "application/ld+json": "json-ld",
                     "application/rdf+xml": "xml"}[media_type]
    triples = {quad[:3] for quad in Dataset().parse(data=response.data.decode(), format=rdflib_format).quads()}
    assert (URIRef(BASE + "sparql"), URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), URIRef(BASE + "sparql")) in triples


def test_cors_on_reads_and_preflight(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql", headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"}
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_errors_are_json_for_clients_that_ask(client):
    response = client.get("/sparql", query_string={"query": "SELECT"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    error = json.loads(response.data)["error"]
    assert error["status"] == 400 and "syntax" in error["message"]


# ---------------------------------------------------------------- HTTP caching of answers
COUNT_LABELS = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def test_an_answer_is_cached_by_etag_and_on_the_server_until_the_data_changes(app_factory):
    """A GET answer has a strong ETag of (data, query, format); If-None-Match gives a 304 and a repeated query its
    answer without running anything (shown by closing the store); new data gives a new ETag and a new answer."""
    app = app_factory({"BASE_URI": BASE})
    client = app.test_client()
    store = app.extensions["mxus"].store
    json_accept = {"Accept": "application/sparql-results+json"}
    first = client.get("/sparql", query_string={"query": COUNT_LABELS}, headers=json_accept)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and not etag.startswith("W/")
    assert "max-age" in first.headers["Cache-Control"] and "Accept" in first.headers["Vary"]
    as_csv = client.get("/sparql", query_string={"query": COUNT_LABELS}, headers={"Accept": "text/csv"})
    other = client.get("/sparql", query_string={"query": COUNT_LABELS + " LIMIT 1"}, headers=json_accept)
    assert len({etag, as_csv.headers["ETag"], other.headers["ETag"]}) == 3

    store.publish(b'<https://w3id.org/mxus/id/concept/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n',
                  "a test addition")
    changed = client.get("/sparql", query_string={"query": COUNT_LABELS}, headers={**json_accept, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    count = lambda response: int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(changed) == count(first) + 1

    store.close()  # from here on, nothing can be run
    not_modified = client.get("/sparql", query_string={"query": COUNT_LABELS},
                              headers={**json_accept, "If-None-Match": changed.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == changed.headers["ETag"]
    again = client.get("/sparql", query_string={"query": COUNT_LABELS}, headers=json_accept)
    assert again.status_code == 200 and again.data == changed.data
    never_asked = client.get("/sparql", query_string={"query": COUNT_LABELS + " LIMIT 2"}, headers=json_accept)
    assert never_asked.status_code >= 500


def test_a_post_is_answered_without_an_etag(client):
    response = client.post("/sparql", data=COUNT_LABELS, content_type="application/sparql-query",
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and "ETag" not in response.headers
