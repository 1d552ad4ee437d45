"""A repeated conditional request gets the app's own 304 without going through Flask
(server.web.shortcut), and never once the data has changed or for another request."""

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


def test_a_different_request_or_a_different_tag_goes_to_the_app(served):
    client, reached, _ = served
    etag = client.get(DATA, headers=TURTLE).headers["ETag"].strip('"')
    assert conditional(client, DATA, etag).status_code == 304
    reached.clear()
    other_format = conditional(client, DATA, etag, Accept="application/ld+json")
    assert other_format.status_code == 200 and other_format.headers["ETag"].strip('"') != etag
    assert conditional(client, DATA, "not-the-tag").status_code == 200
    assert conditional(client, DATA, etag, Authorization="Bearer x").status_code == 304
    assert reached == [DATA, DATA, DATA]


def test_once_a_contribution_is_accepted_the_old_tag_gets_the_new_description(served):
    client, reached, token = served
    etag = client.get(DATA, headers=TURTLE).headers["ETag"].strip('"')
    assert conditional(client, DATA, etag).status_code == 304
    assert conditional(client, DATA, etag).status_code == 304  # now remembered

    body = f"<{POWELL}> <{RDFS.seeAlso}> <https://example.org/shortcut> .\n"
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    submitted = client.post("/contributions", data=body, headers={**auth, "Content-Type": "application/n-triples"})
    assert submitted.status_code == 201, submitted.get_data(as_text=True)
    contribution = submitted.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/contributions/{contribution}/accept", headers=auth).status_code == 200

    reached.clear()
    fresh = conditional(client, DATA, etag)
    assert fresh.status_code == 200 and b"https://example.org/shortcut" in fresh.data
    assert reached == [DATA]
