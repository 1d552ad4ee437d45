"""Anonymous /validate cannot starve contributors (issue 10: anonymous /validate with 10,000 triples
held the one validation lock, and contributors' submissions went from 0.21 s to 4.6 s median).

Anyone may validate, so a request without a contributor's token validates at most
ANONYMOUS_MAX_TRIPLES and waits at most ANONYMOUS_VALIDATION_WAIT_SECONDS for the validator,
behind any contributor (503 with Retry-After beyond); a contributor's request waits its turn.
"""

from __future__ import annotations

import threading
import time

import pytest

from server.publication.errors import ValidatorBusy
from server.publication.gate import ValidationGate

POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def links(n: int) -> bytes:
    """``n`` new statements a contributor may make (see-also links from new pages)."""
    return "".join(f"<https://example.org/page/{i // 500}> <{SEE_ALSO}> <https://example.org/p/{i}> .\n"
                   for i in range(n)).encode()


def validate(client, body: bytes, token: str | None = None):
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    return client.post("/validate", data=body, content_type="application/n-triples", headers=headers)


@pytest.fixture(scope="module")
def site(open_site):
    return open_site("anonymous-validation", ANONYMOUS_MAX_TRIPLES=200, ANONYMOUS_VALIDATION_WAIT_SECONDS=0.05)


def test_anonymous_requests_have_a_smaller_triple_limit(site):
    assert validate(site.client, links(200)).status_code == 200
    refused = validate(site.client, links(201))
    assert refused.status_code == 413
    assert "the limit is 200" in refused.get_json()["error"]["message"]
    assert validate(site.client, links(201), site.contributor).status_code == 200  # MAX_SUBMISSION_TRIPLES for them


def test_the_form_is_anonymous(site):
    page = site.client.post("/validate", data={"text": links(201).decode(), "media_type": "application/n-triples"})
    assert page.status_code == 413 and "the limit is 200" in page.get_data(as_text=True)


def test_a_contributor_gets_through_anonymous_clients_hammering_validate(site):
    """Six anonymous clients send the largest body they may, in a loop, until a contributor's
    submission is answered: it is stored, and the anonymous ones get 200 or a clean 503."""
    done = threading.Event()
    answers: list = []

    def hammer():
        for _ in range(200):  # bounded; ends as soon as the contributor is answered
            if done.is_set():
                return
            reply = validate(site.client, links(200))
            answers.append((reply.status_code, reply.headers.get("Retry-After"), reply.get_json()))

    hammers = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in hammers:
        thread.start()
    try:
        body = f'<{POWELL}> <{COMMENT}> "Secretario de Estado en 2001."@es .\n'.encode()
        reply = site.client.post("/contributions", data=body, content_type="application/n-triples",
                                 headers={"Authorization": f"Bearer {site.contributor}"})
    finally:
        done.set()
        for thread in hammers:
            thread.join(120)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    assert {status for status, *_ in answers} <= {200, 503}
    refused = [(retry, document) for status, retry, document in answers if status == 503]
    assert refused, "six clients at once, each waiting at most 0.05 s: some must have been refused"
    assert all(retry and int(retry) >= 1 for retry, _ in refused)
    assert all("ANONYMOUS_VALIDATION_WAIT_SECONDS" in document["error"]["message"] for _, document in refused)


def test_a_waiting_contributor_goes_before_a_waiting_anonymous_request():
    gate, order = ValidationGate(), []
    running = threading.Event()
    release = threading.Event()

    def first():
        with gate.turn():
            running.set()
            release.wait(30)

    def take(name: str, wait: float | None):
        with gate.turn(wait):
            order.append(name)

    holder = threading.Thread(target=first)
    holder.start()
    running.wait(30)
    anonymous = threading.Thread(target=take, args=("anonymous", 30.0))
    anonymous.start()
    contributor = threading.Thread(target=take, args=("contributor", None))
    contributor.start()
    for _ in range(3000):  # until the contributor is waiting (bounded)
        if gate._contributors_waiting:
            break
        time.sleep(0.01)
    with pytest.raises(ValidatorBusy):  # busy: an anonymous request that may not wait is refused
        with gate.turn(0.01):
            pass
    release.set()
    for thread in (holder, anonymous, contributor):
        thread.join(30)
    assert order == ["contributor", "anonymous"]
