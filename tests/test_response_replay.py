"""A repeated request gets the app's own public answer (a 304, or the 200) without going through
Flask (server.web.replay), and never once the data has changed, for another request or with credentials."""

from __future__ import annotations

import pytest
from rdflib.namespace import RDFS

from server.publication.tokens import TokenRegistry

POWELL = "https://w3id.org/mxus/id/person/colin-powell"
DATA = "/data/person/colin-powell"
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture
def served(app_factory, tmp_path):
    """An app over a fresh instance folder, a count of the requests that reached Flask, a token."""
    registry = TokenRegistry(tmp_path / "instance" / "tokens.json")
    token = registry.add("Mia Maintainer", maintainer=True)
    app = app_factory({"INSTANCE_DIR": tmp_path / "instance", "QUERY_WORKERS": 1})
    reached: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: reached.append(app_request_path()))
    yield app.test_client(), reached, token
    app.extensions["mxus"].store.close()


def app_request_path() -> str:
    from flask import request

    return request.path


def conditional(client, path: str, etag: str, **headers):
    return client.get(path, headers={**TURTLE, "If-None-Match": f'"{etag}"', **headers})


@pytest.mark.parametrize("path, headers", [
    (DATA, TURTLE),
    ("/page/person/colin-powell", {"Accept": "text/html", "Accept-Language": "es"}),
    ("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", {"Accept": "application/sparql-results+json"}),
])
def test_the_second_same_conditional_request_gets_the_same_304_without_reaching_the_app(served, path, headers):
    client, reached, _ = served
    etag = client.get(path, headers=headers).headers["ETag"].strip('"')
    first = client.get(path, headers={**headers, "If-None-Match": f'"{etag}"'})
    assert first.status_code == 304
    reached.clear()
    again = client.get(path, headers={**headers, "If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.data == b""
    assert reached == [], "the repeated conditional request went through the app"
    assert sorted(again.headers.items()) == sorted(first.headers.items())


def test_the_same_request_again_gets_the_same_200_without_reaching_the_app(served):
    client, reached, _ = served
    first = client.get(DATA, headers=TURTLE)
    reached.clear()
    again = client.get(DATA, headers=TURTLE)
    stale = conditional(client, DATA, "not-the-tag")
    assert reached == [], "a request the app answered before reached it again"
    assert again.status_code == 200 and again.data == first.data
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    assert stale.status_code == 200 and stale.data == first.data


def test_another_format_language_or_credentials_go_to_the_app(served):
    client, reached, _ = served
    etag = client.get(DATA, headers=TURTLE).headers["ETag"].strip('"')
    assert conditional(client, DATA, etag).status_code == 304
    reached.clear()
    other_format = conditional(client, DATA, etag, Accept="application/ld+json")
    assert other_format.status_code == 200 and other_format.headers["ETag"].strip('"') != etag
    assert conditional(client, DATA, etag, Authorization="Bearer x").status_code == 304
    assert client.get("/page/person/colin-powell", headers={"Accept-Language": "es"}).status_code == 200
    assert client.get("/page/person/colin-powell", headers={"Accept-Language": "en"}).status_code == 200
    assert reached == [DATA, DATA, "/page/person/colin-powell", "/page/person/colin-powell"]


def test_once_a_contribution_is_accepted_the_old_tag_gets_the_new_description(served):
    client, reached, token = served
    etag = client.get(DATA, headers=TURTLE).headers["ETag"].strip('"')
    assert client.get(DATA, headers=TURTLE).status_code == 200
    assert conditional(client, DATA, etag).status_code == 304
    assert conditional(client, DATA, etag).status_code == 304  # now remembered, the 200 too

    body = f"<{POWELL}> <{RDFS.seeAlso}> <https://example.org/shortcut> .\n"
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    submitted = client.post("/contributions", data=body, headers={**auth, "Content-Type": "application/n-triples"})
    assert submitted.status_code == 201, submitted.get_data(as_text=True)
    contribution = submitted.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/contributions/{contribution}/accept", headers=auth).status_code == 200

    reached.clear()
    fresh = conditional(client, DATA, etag)
    assert fresh.status_code == 200 and b"https://example.org/shortcut" in fresh.data
    assert b"https://example.org/shortcut" in client.get(DATA, headers=TURTLE).data  # the new 200, replayed
    assert reached == [DATA]


def test_a_compressed_answer_is_current_under_its_plain_tag_as_the_app_says(served):
    client, reached, _ = served
    gzip = {**TURTLE, "Accept-Encoding": "gzip"}
    coded = client.get(DATA, headers=gzip).headers["ETag"].strip('"')
    plain = coded.split(":", 1)[0]
    assert coded == f"{plain}:gzip"
    assert client.get(DATA, headers={**gzip, "If-None-Match": f'"{coded}"'}).status_code == 304
    for tag in (plain, coded, plain):
        answer = client.get(DATA, headers={**gzip, "If-None-Match": f'"{tag}"'})
        assert answer.status_code == 304 and answer.data == b"", tag
