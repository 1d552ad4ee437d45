"""Every claim and quotation as a nanopublication: it parses, its trusty URI verifies (with the
`nanopub` library, and with our own reading of the specification), and its assertion graph is
exactly what the dataset states about the claim."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from rdflib import ConjunctiveGraph, Dataset, Graph, URIRef
from rdflib.namespace import RDF

from server.publication import trusty
from server.publication.nanopubs import build_nanopubs
from server.rdf.namespaces import DATASET, ID_SPACE, NANOPUB, NANOPUB_BASE

ROOT = Path(__file__).resolve().parents[1]
# What the curated files call a claim or a quotation; a guard below checks the app found the same.
SUBJECTS = sorted(
    {
        f"{kind}/{slug}"
        for name in ("claims.ttl", "events.ttl")
        for kind, slug in re.findall(r"^(claim|quotation):([a-z0-9-]+) a mxus:", (ROOT / "data" / name).read_text(), re.M)
    }
)
PROV = "http://www.w3.org/ns/prov#"


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def built(local_store):
    return build_nanopubs(local_store)


def _quads(trig: bytes) -> list[tuple]:
    dataset = Dataset()
    dataset.parse(data=trig.decode("utf-8"), format="trig")
    return [(g, s, p, o) for s, p, o, g in dataset.quads((None, None, None, None))]


def _nanopub_library_checks(trig: bytes):
    from nanopub import Nanopub

    with warnings.catch_warnings():  # the library builds on rdflib's deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = ConjunctiveGraph()
        graph.parse(data=trig.decode("utf-8"), format="trig")
        nanopub = Nanopub(rdf=graph)
        assert nanopub.is_valid  # head, assertion, provenance, publication info; nothing else
        assert nanopub.has_valid_trusty  # raises MalformedNanopubError otherwise
        return nanopub.source_uri


def test_every_claim_and_quotation_has_one(built):
    assert len(SUBJECTS) > 40
    assert sorted(s[len(ID_SPACE):] for s in built.by_subject) == SUBJECTS


@pytest.mark.parametrize("path", SUBJECTS)
def test_nanopublication_verifies_and_asserts_what_the_dataset_states(client, data, path):
    kind, slug = path.split("/")
    response = client.get(f"/data/{kind}/{slug}.trig")
    assert response.status_code == 200 and response.mimetype == "application/trig"
    trig = response.data
    assert b"http://localhost/" not in trig  # served as built: rewriting would break the hash

    uri = _nanopub_library_checks(trig)
    assert uri.startswith(NANOPUB_BASE) and response.headers["Link"].startswith(f"<{uri}>")
    code = uri[len(NANOPUB_BASE):]
    quads = _quads(trig)
    assert trusty.verifies(quads, code)  # our reading of the specification agrees with the library's
    assert not trusty.verifies([q for q in quads if q[2] != RDF.type], code)  # and any change shows

    np_uri = URIRef(uri)
    graphs = {p: o for g, s, p, o in quads if s == np_uri and p in (NANOPUB.hasAssertion, NANOPUB.hasProvenance,
                                                                   NANOPUB.hasPublicationInfo)}
    assertion = {(s, p, o) for g, s, p, o in quads if g == graphs[NANOPUB.hasAssertion]}
    subject = URIRef(ID_SPACE + path)
    assert assertion == set(data.triples((subject, None, None)))

    provenance = {(s, p, o) for g, s, p, o in quads if g == graphs[NANOPUB.hasProvenance]}
    assertion_graph = graphs[NANOPUB.hasAssertion]
    for span in data.objects(subject, URIRef(ID_SPACE.replace("id/", "ontology#") + "statedIn")):
        assert (assertion_graph, URIRef(PROV + "wasDerivedFrom"), span) in provenance
    for voice in data.objects(subject, URIRef(PROV + "wasAttributedTo")):
        assert (assertion_graph, URIRef(PROV + "wasAttributedTo"), voice) in provenance

    pubinfo = Graph()
    for g, s, p, o in quads:
        if g == graphs[NANOPUB.hasPublicationInfo]:
            pubinfo.add((s, p, o))
    dcterms = "http://purl.org/dc/terms/"
    for name in ("creator", "license", "issued"):  # as data/dataset.ttl says, nothing invented
        assert set(pubinfo.objects(np_uri, URIRef(dcterms + name))) == set(data.objects(DATASET, URIRef(dcterms + name)))


def test_same_data_same_uri_and_bytes(built, local_store):
    again = build_nanopubs(local_store)
    assert {s: n.uri for s, n in again.by_subject.items()} == {s: n.uri for s, n in built.by_subject.items()}
    assert again.dump() == built.dump()
    for subject, nanopub in list(built.by_subject.items())[:5]:  # built alone, as a page asks for it: the same
        assert build_nanopubs(local_store, subject).by_subject == {subject: nanopub}


def test_trusty_uri_resolves_and_the_dump_holds_every_one(client, built):
    nanopub = next(iter(built.by_subject.values()))
    for path in (f"/np/{nanopub.code}", f"/np/{nanopub.code}.trig"):
        response = client.get(path)
        assert response.status_code == 200 and response.data == nanopub.trig
    assert client.get("/np/RA" + "A" * 43).status_code == 404
    dump = client.get("/dumps/mxus-ld-nanopubs.trig")
    body = dump.data
    dump.close()
    assert dump.status_code == 200
    heads = {s for g, s, p, o in _quads(body) if p == RDF.type and o == NANOPUB.Nanopublication}
    assert heads == {URIRef(n.uri) for n in built.by_subject.values()}


def test_not_for_other_kinds_and_listed(client, built):
    assert client.get("/data/person/colin-powell.trig").status_code == 404
    assert client.get("/data/claim/no-such-claim.trig").status_code == 404
    listing = client.get("/nanopubs/")
    assert listing.status_code == 200
    for nanopub in built.by_subject.values():
        assert f"/np/{nanopub.code}.trig".encode() in listing.data


def test_artifact_code_follows_the_specification_example():
    """The specification's FA example (an empty file) pins the Base64 encoding; RA hashes text the same way."""
    import base64
    import hashlib

    assert "FA" + base64.urlsafe_b64encode(hashlib.sha256(b"").digest()).decode().rstrip("=") == \
        "FA47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
    assert trusty.normalized([], "x") == "" and trusty.artifact_code([]).startswith("RA")
