"""What every answer does so the site cannot be turned against its readers, and the protocol's strict edges."""

from __future__ import annotations

import logging

import pytest


BASE = "http://mxus.test/"
POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SELECT_ONE = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture(scope="module")
def site(open_site):
    opened = open_site("hygiene", BASE_URI=BASE)
    return opened.client, opened.contributor, opened.maintainer


@pytest.mark.parametrize("path", ["/", "/page/person/colin-powell", "/claims", "/query", "/sparql", "/validate", "/no-such-page"])
def test_pages_carry_a_strict_content_security_policy(site, path):
    client, _, _ = site
    reply = client.get(path, headers={"Accept": "text/html"})
    assert reply.mimetype == "text/html"
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy and "*" not in policy
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    if path in ("/query", "/sparql"):  # the query editor: scripts and requests to this server only
        assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
    else:
        assert "script-src" not in directives and "connect-src" not in directives
    assert reply.headers["X-Content-Type-Options"] == "nosniff" and reply.headers["Referrer-Policy"]


def test_data_answers_are_not_sniffed(site):
    client, _, _ = site
    reply = client.get("/data/person/colin-powell.ttl")
    assert reply.status_code == 200 and reply.headers["X-Content-Type-Options"] == "nosniff"


def test_a_forged_host_never_reaches_a_location(site):
    client, _, _ = site
    reply = client.get("//page/person/colin-powell", headers={"Host": "evil.example"})
    assert "evil.example" not in reply.headers.get("Location", "")
    assert reply.status_code == 404


def test_a_token_in_a_query_string_is_not_logged(site, caplog):
    client, _, _ = site
    with caplog.at_level(logging.INFO, logger="mxus.access"):
        client.get("/sparql", query_string={"query": SELECT_ONE, "token": "SECRET-TOKEN-VALUE"})
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "mxus.access")
    assert "/sparql" in logged and "SECRET-TOKEN-VALUE" not in logged and "REDACTED" in logged


def test_bidi_and_control_characters_from_the_data_are_shown_not_obeyed(site):
    client, contributor, maintainer = site
    comment = "Said \u202etxt.exe\u202c and \x1b[31m red"
    body = f'<{POWELL}> <http://www.w3.org/2000/01/rdf-schema#comment> "{comment}"@es .\n'.encode()
    reply = client.post("/contributions", data=body, headers={"Content-Type": "application/n-triples",
                                                              "Authorization": f"Bearer {contributor}"})
    assert reply.status_code == 201, reply.get_data(as_text=True)
    contribution = reply.get_json()["id"]
    assert client.post(f"/contributions/{contribution}/accept", headers={"Authorization": f"Bearer {maintainer}"}).status_code == 200
    page = client.get("/page/person/colin-powell", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "\u202e" not in page and "\x1b" not in page
    assert "⟨U+202E⟩txt.exe" in page and "⟨U+001B⟩[31m" in page


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "path": "/sparql?query=%FF%FE"},
    {"method": "POST", "data": b"SELECT * WHERE { ?s ?p \xff }", "content_type": "application/sparql-query"},
    {"method": "POST", "data": b"query=SELECT%20%FF", "content_type": "application/x-www-form-urlencoded"},
], ids=["query-string", "direct-post", "form-post"])
def test_invalid_utf8_is_a_400(site, request_kwargs):
    client, _, _ = site
    request_kwargs = {"path": "/sparql", **request_kwargs}
    reply = client.open(headers={"Accept": "application/json"}, **request_kwargs)
    assert reply.status_code == 400 and "not valid UTF-8" in reply.get_json()["error"]["message"]


def test_two_query_parameters_are_a_400(site):
    client, _, _ = site
    reply = client.get("/sparql", query_string=[("query", SELECT_ONE), ("query", "ASK {}")], headers={"Accept": "application/json"})
    assert reply.status_code == 400 and "more than one 'query'" in reply.get_json()["error"]["message"]


def test_relative_iris_in_a_query_resolve_against_the_endpoint(site):
    client, _, _ = site
    reply = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { BIND (<thing> AS ?x) }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.get_json()["results"]["bindings"][0]["x"]["value"] == BASE + "thing"
