"""The dataset description (VoID + DCAT), the dumps, the sitemap and robots.txt of the running server."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, urljoin

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF

VOID = Namespace("http://rdfs.org/ns/void#")
FOAF_PERSON = URIRef("http://xmlns.com/foaf/0.1/Person")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
DUMP_TYPES = {
    "mxus-ld.ttl": "text/turtle",
    "mxus-ld.nt": "application/n-triples",
    "mxus-ld.nq": "application/n-quads",
    "mxus-ld.ttl.gz": "application/gzip",
    "mxus-ld.nt.gz": "application/gzip",
    "mxus-ld.nq.gz": "application/gzip",
    "mxus-ld-nanopubs.trig": "application/trig",
    "mxus-ld-nanopubs.trig.gz": "application/gzip",
}


def count(fetch, base: str, query: str, graph: str = "https://w3id.org/mxus/graph/data") -> int:
    url = f"{base}sparql?query={quote(query, safe='')}&default-graph-uri={quote(graph, safe='')}"
    reply = fetch(url, headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 200, reply.text
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def void(base_url, fetch) -> Graph:
    reply = fetch(base_url + ".well-known/void", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    return Graph().parse(data=reply.body, format="turtle")


@pytest.fixture(scope="module")
def dataset(base_url) -> URIRef:
    return URIRef(base_url + "id/dataset/mxus-ld")


def integer(graph: Graph, subject, predicate) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate)
    return int(value)


# --------------------------------------------------------------------------- VoID


def test_void_default_is_turtle(base_url, fetch):
    for headers in ({}, {"Accept": "*/*"}):
        reply = fetch(base_url + ".well-known/void", headers=headers)
        assert reply.status == 200
        assert reply.header("Content-Type").startswith("text/turtle")
        assert "accept" in reply.header("Vary").lower()


@pytest.mark.parametrize("media_type", list(PARSERS))
def test_void_formats(base_url, fetch, void, media_type):
    reply = fetch(base_url + ".well-known/void", headers={"Accept": media_type})
    assert reply.status == 200
    assert reply.header("Content-Type").split(";")[0] == media_type
    graph = Graph().parse(data=reply.body, format=PARSERS[media_type])
    assert len(graph) == len(void)
    assert b"https://w3id.org/mxus/" not in reply.body  # every link on the served base


def test_void_not_acceptable_and_304(base_url, fetch):
    assert fetch(base_url + ".well-known/void", headers={"Accept": "image/png"}).status == 406
    first = fetch(base_url + ".well-known/void", headers={"Accept": "application/ld+json"})
    again = fetch(
        base_url + ".well-known/void", headers={"Accept": "application/ld+json", "If-None-Match": first.header("ETag")}
    )
    assert again.status == 304 and again.body == b""


def test_void_counts_match_the_data(base_url, fetch, void, dataset):
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert (dataset, RDF.type, DCAT.Dataset) in void
    assert integer(void, dataset, VOID.triples) == count(fetch, base_url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert integer(void, dataset, VOID.entities) == count(
        fetch, base_url, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER isIRI(?s) }"
    )
    assert integer(void, dataset, VOID.classes) == count(fetch, base_url, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }")
    assert integer(void, dataset, VOID.properties) == count(
        fetch, base_url, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"
    )
    assert integer(void, dataset, VOID.triples) > 1000


def test_void_class_partitions(base_url, fetch, void, dataset):
    partitions = {void.value(p, VOID["class"]): p for p in void.objects(dataset, VOID.classPartition)}
    assert len(partitions) == integer(void, dataset, VOID.classes)
    persons = count(fetch, base_url, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{FOAF_PERSON}> }}")
    assert persons >= 4
    assert integer(void, partitions[FOAF_PERSON], VOID.entities) == persons
    event = URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/Event")
    assert integer(void, partitions[event], VOID.entities) == count(
        fetch, base_url, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{event}> }}"
    )


def test_void_linksets(base_url, fetch, void, dataset):
    """A linkset per external dataset, each with its count and an N-Triples dump of exactly its links."""
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) >= 5
    by_space = {}
    for linkset in linksets:
        assert (linkset, VOID.linkPredicate, OWL.sameAs) in void
        targets = set(void.objects(linkset, VOID.target))
        assert dataset in targets and len(targets) == 2
        (other,) = targets - {dataset}
        by_space[str(void.value(other, VOID.uriSpace))] = linkset
    assert {"http://www.wikidata.org/entity/", "https://sws.geonames.org/", "https://ror.org/",
            "http://dbpedia.org/resource/", "https://doi.org/"} <= set(by_space)
    for space, linkset in by_space.items():
        links = count(
            fetch,
            base_url,
            "SELECT (COUNT(*) AS ?n) { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o "
            f'FILTER STRSTARTS(STR(?o), "{space}") }}',
        )
        assert integer(void, linkset, VOID.triples) == links > 0
        dump = fetch(str(void.value(linkset, VOID.dataDump)))
        assert dump.status == 200 and dump.header("Content-Type").startswith("application/n-triples")
        graph = Graph().parse(data=dump.body, format="nt")
        assert len(graph) == links
        assert all(p == OWL.sameAs and str(o).startswith(space) and str(s).startswith(base_url) for s, p, o in graph)
    wikidata = by_space["http://www.wikidata.org/entity/"]
    assert integer(void, wikidata, VOID.triples) >= 10


def test_void_access_points(base_url, fetch, void, dataset):
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(base_url + "sparql")
    assert void.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(void.value(dataset, VOID.uriSpace)) == base_url + "id/"
    dumps = {str(u) for u in void.objects(dataset, VOID.dataDump)}
    assert {base_url + "dumps/mxus-ld.ttl", base_url + "dumps/mxus-ld.nt"} <= dumps
    downloads = {}
    for distribution in void.objects(dataset, DCAT.distribution):
        downloads[str(void.value(distribution, DCAT.downloadURL))] = str(void.value(distribution, DCAT.mediaType))
    assert set(downloads) == {base_url + "dumps/" + name for name in DUMP_TYPES}
    assert downloads[base_url + "dumps/mxus-ld.nq"].endswith("/application/n-quads")
    for url in dumps | set(downloads):
        assert fetch(url, "HEAD").status == 200, url
    examples = list(void.objects(dataset, VOID.exampleResource))
    assert 2 <= len(examples) <= 10
    for example in examples:
        assert str(example).startswith(base_url + "id/")
        assert fetch(str(example), "HEAD", {"Accept": "text/turtle"}).status == 303
        data = fetch(str(example).replace("/id/", "/data/", 1), headers={"Accept": "text/turtle"})
        assert data.status == 200, example


# --------------------------------------------------------------------------- dumps


@pytest.fixture(scope="module")
def dumps(base_url, fetch) -> dict:
    replies = {name: fetch(base_url + "dumps/" + name) for name in DUMP_TYPES}
    for name, reply in replies.items():
        assert reply.status == 200, name
    return replies


def test_dump_index(base_url, fetch):
    reply = fetch(base_url + "dumps/")
    assert reply.status == 200
    assert reply.header("Content-Type").startswith("text/html")
    for name in DUMP_TYPES:
        assert f'href="{name}"' in reply.text or f'href="{base_url}dumps/{name}"' in reply.text
    assert fetch(base_url + "dumps/nothing.ttl").status == 404


def test_dump_media_types(dumps):
    for name, media_type in DUMP_TYPES.items():
        assert dumps[name].header("Content-Type").split(";")[0] == media_type, name
        assert not dumps[name].header("Content-Encoding")
    assert "attachment" in dumps["mxus-ld.nt.gz"].header("Content-Disposition")


def test_dumps_agree_with_void(base_url, dumps, void, dataset):
    triples = integer(void, dataset, VOID.triples)
    nt = gzip.decompress(dumps["mxus-ld.nt.gz"].body)
    assert nt == dumps["mxus-ld.nt"].body
    assert len(Graph().parse(data=nt, format="nt")) == triples
    turtle = Graph().parse(data=gzip.decompress(dumps["mxus-ld.ttl.gz"].body), format="turtle")
    assert len(turtle) == triples
    powell = URIRef(base_url + "id/person/colin-powell")
    assert (powell, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q150851")) in turtle
    for name in DUMP_TYPES:
        body = dumps[name].body
        plain = gzip.decompress(body) if name.endswith(".gz") else body
        # The nanopublications keep their canonical URIs: their trusty URIs are hashes of them.
        assert (b"https://w3id.org/mxus/id/" in plain) == ("nanopubs" in name), name


def test_nquads_dump_has_the_three_graphs(base_url, dumps, void, dataset):
    quads = Dataset()
    quads.parse(data=gzip.decompress(dumps["mxus-ld.nq.gz"].body), format="nquads")
    sizes = {str(g.identifier): len(g) for g in quads.graphs() if len(g)}
    assert set(sizes) == {base_url + "graph/" + name for name in ("data", "ontology", "shapes")}
    assert sizes[base_url + "graph/data"] == integer(void, dataset, VOID.triples)


def test_dump_etag_304_and_head(base_url, fetch, dumps):
    url = base_url + "dumps/mxus-ld.nt.gz"
    etag = dumps["mxus-ld.nt.gz"].header("ETag")
    assert etag
    assert fetch(url, headers={"If-None-Match": etag}).status == 304
    head = fetch(url, "HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.header("Content-Length")) == len(dumps["mxus-ld.nt.gz"].body)
    # Generated once: the same file, the same validators.
    again = fetch(url)
    assert again.body == dumps["mxus-ld.nt.gz"].body
    assert again.header("Last-Modified") == dumps["mxus-ld.nt.gz"].header("Last-Modified")
    ranged = fetch(base_url + "dumps/mxus-ld.nt", headers={"Range": "bytes=0-9"})
    assert ranged.status == 206 and ranged.body == dumps["mxus-ld.nt"].body[:10]


# --------------------------------------------------------------------------- crawlers


def test_sitemap(base_url, fetch):
    reply = fetch(base_url + "sitemap.xml")
    assert reply.status == 200
    assert "xml" in reply.header("Content-Type")
    root = ET.fromstring(reply.body)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert len(locations) == len(set(locations))
    assert all(url.startswith(base_url) for url in locations)
    for page in ("", "claims", "timeline", "ontology", "page/person/colin-powell", "page/article/delano-2012"):
        assert base_url + page in locations, page
    things = count(
        fetch,
        base_url,
        'SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER STRSTARTS(STR(?s), "https://w3id.org/mxus/id/") }',
    )
    assert len([url for url in locations if url.startswith(base_url + "page/")]) == things


def test_robots(base_url, fetch):
    reply = fetch(base_url + "robots.txt")
    assert reply.status == 200
    assert reply.header("Content-Type").startswith("text/plain")
    lines = reply.text.splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /sparql?" in lines
    sitemap = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
    assert sitemap == [base_url + "sitemap.xml"]
    assert urljoin(base_url, "/sitemap.xml") == sitemap[0]


def test_every_sitemap_url_answers(base_url, fetch):
    from concurrent.futures import ThreadPoolExecutor

    root = ET.fromstring(fetch(base_url + "sitemap.xml").body)
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]

    def status(url: str) -> tuple[str, int]:
        return url, fetch(url, "HEAD", {"Accept": "text/html"}).status

    with ThreadPoolExecutor(4) as pool:
        failing = [(url, code) for url, code in pool.map(status, locations) if code != 200]
    assert failing == []
