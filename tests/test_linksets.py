"""Linksets: the VoID description names every external dataset the data links to, and /linksets/{name}.nt serves the links."""

from __future__ import annotations

import csv
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from server.settings import PROJECT_ROOT

VOID = Namespace("http://rdfs.org/ns/void#")
BASE = "http://localhost/"
DATASET = URIRef(BASE + "id/dataset/mxus-ld")
EXPECTED = {  # the kinds of data/external-ids.tsv, by the name of their linkset
    "wikidata": "wikidata-sameas", "geonames": "geonames-sameas", "ror": "ror-sameas",
    "dbpedia": "dbpedia-sameas", "doi": "doi-sameas",
}


@pytest.fixture(scope="module")
def client(shared_app):
    assert shared_app.config["BASE_URI"] == BASE
    return shared_app.test_client()


def void_of(client) -> Graph:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def linksets_of(void: Graph) -> dict[str, URIRef]:
    """Linkset nodes by the name of their dump (/linksets/{name}.nt)."""
    found = {}
    for node in void.subjects(RDF.type, VOID.Linkset):
        dump = str(void.value(node, VOID.dataDump))
        found[dump.removeprefix(BASE + "linksets/").removesuffix(".nt")] = node
    return found


def external_ids() -> list[dict]:
    lines = [line for line in (PROJECT_ROOT / "data/external-ids.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_every_kind_of_external_identifier_has_its_linkset(client):
    void = void_of(client)
    linksets = linksets_of(void)
    kinds = {row["kind"] for row in external_ids()}
    assert set(linksets) == {EXPECTED[kind] for kind in kinds}
    for kind in kinds:
        node = linksets[EXPECTED[kind]]
        assert (DATASET, VOID.subset, node) in void
        assert void.value(node, VOID.linkPredicate) == OWL.sameAs
        assert void.value(node, VOID.subjectsTarget) == DATASET
        target = void.value(node, VOID.objectsTarget)
        assert set(void.objects(node, VOID.target)) == {DATASET, target}
        assert (target, RDF.type, VOID.Dataset) in void and void.value(target, RDFS.label)
        expected = sum(1 for row in external_ids() if row["kind"] == kind)
        assert void.value(node, VOID.triples) == Literal(expected), kind


def test_each_linkset_dump_is_exactly_its_links(client, published):
    void = void_of(client)
    for name, node in linksets_of(void).items():
        response = client.get(f"/linksets/{name}.nt")
        assert response.status_code == 200 and response.mimetype == "application/n-triples"
        links = Graph().parse(data=response.get_data(as_text=True), format="nt")
        assert len(links) == int(void.value(node, VOID.triples)) > 0
        target_space = str(void.value(void.value(node, VOID.objectsTarget), VOID.uriSpace))
        for subject, predicate, target in links:
            assert predicate == OWL.sameAs and str(target).startswith(target_space)
            canonical = URIRef(str(subject).replace(BASE, "https://w3id.org/mxus/"))
            assert (canonical, OWL.sameAs, target) in published.data
        expected = {(s, o) for s, o in published.data.subject_objects(OWL.sameAs) if str(o).startswith(target_space)}
        assert len(links) == len(expected)


def test_linkset_dump_has_the_one_etag_and_answers_304(client):
    first = client.get("/linksets/wikidata-sameas.nt")
    etag = first.headers["ETag"]
    again = client.get("/linksets/wikidata-sameas.nt", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert client.get("/linksets/geonames-sameas.nt").headers["ETag"] != etag


def test_an_unknown_linkset_is_404_naming_the_others(client):
    response = client.get("/linksets/viaf-sameas.nt")
    assert response.status_code == 404
    assert "wikidata-sameas" in response.get_data(as_text=True)


def test_links_to_a_new_dataset_get_their_own_linkset(app_factory, tmp_path):
    """Which datasets we link to comes from the data: a new host, a new predicate, each gets a linkset."""
    extra = tmp_path / "more-links.ttl"
    extra.write_text(
        "<https://w3id.org/mxus/id/person/colin-powell> <http://www.w3.org/2002/07/owl#sameAs> <http://viaf.org/viaf/24614796> .\n"
        "<https://w3id.org/mxus/id/place/mexico> <http://www.w3.org/2004/02/skos/core#exactMatch> <http://www.wikidata.org/entity/Q96> .\n",
        encoding="utf-8",
    )
    app = app_factory({"DATA_PATHS": [PROJECT_ROOT / "data", extra], "BASE_URI": BASE})
    try:
        client = app.test_client()
        linksets = linksets_of(void_of(client))
        assert {"viaf-org-sameas", "wikidata-exactmatch"} <= set(linksets)
        viaf = Graph().parse(data=client.get("/linksets/viaf-org-sameas.nt").get_data(as_text=True), format="nt")
        assert set(viaf) == {(URIRef(BASE + "id/person/colin-powell"), OWL.sameAs, URIRef("http://viaf.org/viaf/24614796"))}
        void = void_of(client)
        target = void.value(linksets["viaf-org-sameas"], VOID.objectsTarget)
        assert str(void.value(target, RDFS.label)) == urlsplit("http://viaf.org/").hostname
    finally:
        app.extensions["mxus"].store.close()
