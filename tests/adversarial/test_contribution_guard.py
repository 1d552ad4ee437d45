"""No contribution can change what the system itself asserts, or contradict the curated data.

Each file in ``refused/`` is one attack (its first line, ``# says: …``, is
part of the message it must get): sent to /contributions with a
contributor's token and to /validate, it is refused with 422 and that
message, nothing is stored, and the pages and queries say what they said
before. A few attacks are built here instead (a literal too long, too many
statements about one subject).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


CASES = Path(__file__).parent / "refused"
ORCID = "0000-0002-1825-0097"
POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


@pytest.fixture(scope="module")
def site(open_site):
    opened = open_site("guard", ORCID, MAX_LITERAL_CHARS=1000, MAX_TRIPLES_PER_SUBJECT=50)
    client, contributor = opened.client, opened.contributor
    # One innocent contribution, accepted: the contributor's ORCID iD is now in the system's records.
    first = post(client, contributor, f"<{POWELL}> <{SEE_ALSO}> <https://example.org/powell/innocent> .\n".encode(),
                 "application/n-triples")
    assert first.status_code == 201, first.get_data(as_text=True)
    contribution = first.headers["Location"].rsplit("/", 1)[1]
    accepted = client.post(f"/contributions/{contribution}/accept", headers={"Authorization": f"Bearer {opened.maintainer}"})
    assert accepted.status_code == 200
    return client, contributor, opened.instance


def post(client, token: str, body: bytes, media_type: str = "text/turtle", path: str = "/contributions"):
    headers = {"Content-Type": media_type, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(path, data=body, headers=headers)


def stored(instance: Path) -> dict[str, str]:
    folder = instance / "contributions"
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def expected_message(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# says: "), f"{path.name}: the first line says what the refusal says"
    return first[len("# says: "):]


@pytest.mark.parametrize("path", sorted(CASES.glob("*.ttl")), ids=lambda p: p.stem)
def test_an_attack_is_refused_with_422_and_nothing_is_stored(site, path: Path):
    client, contributor, instance = site
    before = stored(instance)
    page_before = client.get("/page/person/colin-powell").get_data(as_text=True)
    for endpoint in ("/contributions", "/validate"):
        reply = post(client, contributor, path.read_bytes(), path=endpoint)
        assert reply.status_code == 422, (endpoint, reply.get_data(as_text=True))
        assert expected_message(path) in reply.get_json()["error"]["message"], (endpoint, reply.get_json())
    assert stored(instance) == before
    assert client.get("/page/person/colin-powell").get_data(as_text=True) == page_before


def test_a_literal_over_the_limit_is_refused(site):
    client, contributor, instance = site
    before = stored(instance)
    body = f'<{POWELL}> <http://www.w3.org/2000/01/rdf-schema#comment> "{"x" * 1001}"@es .\n'.encode()
    reply = post(client, contributor, body, "application/n-triples")
    assert reply.status_code == 422 and "MAX_LITERAL_CHARS" in reply.get_json()["error"]["message"]
    assert stored(instance) == before


def test_too_many_statements_about_one_subject_are_refused(site):
    client, contributor, instance = site
    before = stored(instance)
    body = "".join(f"<{POWELL}> <{SEE_ALSO}> <https://example.org/many/{i}> .\n" for i in range(51)).encode()
    reply = post(client, contributor, body, "application/n-triples")
    assert reply.status_code == 422 and "MAX_TRIPLES_PER_SUBJECT" in reply.get_json()["error"]["message"]
    assert stored(instance) == before


def test_what_a_contributor_may_add_still_passes(site):
    """The guard refuses what the system owns, not contributions: a Spanish comment and a new external page pass."""
    client, contributor, _ = site
    body = (f'<{POWELL}> <http://www.w3.org/2000/01/rdf-schema#comment> "Secretario de Estado en 2001."@es .\n'
            f"<{POWELL}> <{SEE_ALSO}> <https://example.org/powell/biography> .\n").encode()
    reply = post(client, contributor, body, "application/n-triples")
    assert reply.status_code == 201, reply.get_data(as_text=True)
