"""Dereferencing through the Flask test client: /id, /data."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF


BASE = "http://localhost/"


@pytest.fixture(scope="module")
def client(shared_app):
    """The session's read-only app (served at BASE): these tests only read."""
    assert shared_app.config["BASE_URI"] == BASE
    return shared_app.test_client()


@pytest.mark.parametrize("accept,target", [("text/html", "/page/person/colin-powell"), ("text/turtle", "/data/person/colin-powell"), ("application/ld+json", "/data/person/colin-powell")])
def test_id_answers_303_by_accept(client, accept, target):
    response = client.get("/id/person/colin-powell", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(target)
    assert response.headers["Vary"] == "Accept"


def test_unknown_id_is_404_not_a_redirect_to_nowhere(client):
    assert client.get("/id/person/nobody", headers={"Accept": "text/turtle"}).status_code == 404
    page = client.get("/id/person/nobody", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"


@pytest.mark.parametrize("suffix,rdflib_format", [(".ttl", "turtle"), (".jsonld", "json-ld"), (".nt", "nt"), (".rdf", "xml")])
def test_data_by_extension_is_rewritten_to_the_served_base(client, suffix, rdflib_format):
    response = client.get("/data/person/colin-powell" + suffix)
    assert response.status_code == 200
    graph = Graph().parse(data=response.data.decode(), format=rdflib_format)
    assert (URIRef(BASE + "id/person/colin-powell"), FOAF.name, Literal("Colin Powell")) in graph


def test_conditional_get_and_head(client):
    first = client.get("/data/person/colin-powell", headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    assert client.get("/data/person/colin-powell", headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code == 304
    head = client.head("/data/person/colin-powell", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    assert 'rel="alternate"; type="application/ld+json"' in first.headers["Link"]


def test_unknown_resource_is_404_whatever_the_accept_header(client):
    for path, accept in (("/data/person/nobody", "text/html"), ("/data/person/nobody", "application/json"), ("/id/person/nobody", "application/json")):
        assert client.get(path, headers={"Accept": accept}).status_code == 404, (path, accept)


def test_media_type_parameters_and_weak_etags(client):
    response = client.get("/data/person/colin-powell", headers={"Accept": "text/turtle;charset=utf-8"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    weak = "W/" + response.headers["ETag"]
    assert client.get("/data/person/colin-powell", headers={"Accept": "text/turtle", "If-None-Match": weak}).status_code == 304


def test_contribution_uris_resolve_to_the_contributions_service(client):
    assert client.get("/id/contribution/20990101t000000-000000000000").status_code == 404


def test_jsonld_descriptions_are_compacted_with_an_inline_context(client):
    import json

    body = json.loads(client.get("/data/person/colin-powell.jsonld").data)
    assert body["@context"]["foaf"] == "http://xmlns.com/foaf/0.1/"
    graph = Graph().parse(data=json.dumps(body), format="json-ld")
    assert (URIRef(BASE + "id/person/colin-powell"), FOAF.name, Literal("Colin Powell")) in graph


def test_a_description_is_served_again_without_touching_the_engine(client, monkeypatch):
    first = client.get("/data/person/john-ashcroft.nt")
    assert first.status_code == 200
    store = client.application.extensions["mxus"].store

    def engine_must_not_run(*args, **kwargs):
        raise AssertionError("the engine was asked again")

    monkeypatch.setattr(store, "query", engine_must_not_run)
    again = client.get("/data/person/john-ashcroft.nt")
    assert again.status_code == 200 and again.data == first.data


@pytest.mark.parametrize(
    "path",
    ["/data/person/colin-powell.ttl", "/page/person/colin-powell", "/ontology.ttl", "/shapes", "/.well-known/void",
     "/sitemap.xml", "/dumps/", "/dumps/mxus-ld.nt"],
)
def test_a_304_carries_the_headers_of_the_200(client, path):
    """RFC 9110 §15.4.5: a 304 sends the ETag, Cache-Control, Vary (and here Link) the 200 would send."""
    full = client.get(path)
    full.close()  # a dump is a file
    assert full.status_code == 200 and full.headers["ETag"] and full.headers["Cache-Control"].startswith("public")
    for validator in (full.headers["ETag"], "W/" + full.headers["ETag"]):
        again = client.get(path, headers={"If-None-Match": validator})
        again.close()
        assert again.status_code == 304 and again.data == b"", validator
        for header in ("ETag", "Cache-Control", "Vary", "Link"):
            assert again.headers.get(header) == full.headers.get(header), (path, header)
