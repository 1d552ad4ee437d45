"""Hostile or broken input gets a clear 4xx, a failing disk a clear 507, and nothing stored is lost or half-written."""

from __future__ import annotations

import errno
import json

import pytest

from server.publication import files

POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


@pytest.fixture(scope="module")
def site(open_site):
    opened = open_site("failures")
    return opened.client, opened.contributor, opened.maintainer, opened.instance / "contributions"


def contribute(client, token: str, body: bytes, media_type: str = "application/n-triples"):
    return client.post("/contributions", data=body, headers={"Content-Type": media_type, "Authorization": f"Bearer {token}",
                                                              "Accept": "application/json"})


def everything_in(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name != ".lock")


@pytest.mark.parametrize("media_type, body", [
    ("application/ld+json", '{"@id": "http://example.org/a", "http://example.org/p": ' * 5000 + "1" + "}" * 5000),
    ("text/turtle", f"<{POWELL}> <{SEE_ALSO}> " + "[ <http://example.org/p> " * 5000 + '"x"' + " ]" * 5000 + " ."),
], ids=["jsonld", "turtle"])
def test_deep_nesting_is_a_400_that_says_so(site, media_type, body):
    client, contributor, _, _ = site
    for reply in (client.post("/validate", data=body, headers={"Content-Type": media_type, "Accept": "application/json"}),
                  contribute(client, contributor, body.encode(), media_type)):
        assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
        assert "nested deeper than" in reply.get_json()["error"]["message"]


@pytest.mark.parametrize("contribution_id", ["x" * 300, "..%2F..%2Ftokens.json", "20260101t000000-ABCDEF123456", ".tmp-x"])
def test_a_malformed_contribution_id_is_a_404(site, contribution_id):
    client, _, maintainer, _ = site
    assert client.get(f"/contributions/{contribution_id}", headers={"Accept": "application/json"}).status_code == 404
    decided = client.post(f"/contributions/{contribution_id}/accept", headers={"Authorization": f"Bearer {maintainer}"})
    assert decided.status_code == 404


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_a_507_and_nothing_half_stored(site, monkeypatch):
    client, contributor, _, folder = site
    before = everything_in(folder)
    monkeypatch.setattr(files.os, "fsync", _disk_full)
    reply = contribute(client, contributor, f"<{POWELL}> <{SEE_ALSO}> <https://example.org/full-disk> .\n".encode())
    assert reply.status_code == 507, reply.get_data(as_text=True)
    assert "disk is full" in reply.get_json()["error"]["message"] and "nothing was stored" in reply.get_json()["error"]["message"]
    assert everything_in(folder) == before


def test_a_decision_on_a_full_disk_is_a_507_and_leaves_the_contribution_pending(site, monkeypatch):
    client, contributor, maintainer, folder = site
    reply = contribute(client, contributor, f"<{POWELL}> <{SEE_ALSO}> <https://example.org/decide-on-full-disk> .\n".encode())
    assert reply.status_code == 201
    contribution_id = reply.get_json()["id"]
    monkeypatch.setattr(files.os, "fsync", _disk_full)
    decided = client.post(f"/contributions/{contribution_id}/accept", headers={"Authorization": f"Bearer {maintainer}",
                                                                               "Accept": "application/json"})
    assert decided.status_code == 507 and "still pending" in decided.get_json()["error"]["message"]
    monkeypatch.undo()
    assert json.loads((folder / contribution_id / "meta.json").read_text())["status"] == "pending"
    assert not list((folder / contribution_id).glob(".tmp-*"))
