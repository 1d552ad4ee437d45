"""What held against the attacks of issue 10 and must keep holding: token checks, path traversal,
markup in contributed text, twenty concurrent accepts, two hundred concurrent connections, memory.

(A CLI decision racing an HTTP one: tests/test_decisions.py; SIGKILL while submissions stream:
tests/e2e/test_e2e_contributions.py.)
"""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.production import get

POWELL = "https://w3id.org/mxus/id/person/colin-powell"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def site(open_site):
    return open_site("what-holds")


def contribute(site, body: str):
    return site.client.post("/contributions", data=body.encode(), content_type="application/n-triples",
                            headers={"Authorization": f"Bearer {site.contributor}"})


def test_a_token_close_to_a_valid_one_is_refused(site):
    for token in (site.contributor[:-1], site.contributor + "x", site.contributor.upper(), " " * 3, ""):
        reply = site.client.post("/contributions", data=b"", content_type="application/n-triples",
                                 headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 401, token
    assert site.client.post(f"/contributions?token={site.contributor}", data=b"",
                            content_type="application/n-triples").status_code == 401


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """The path sent as written (no client normalises its dots or escapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", [
    "/static/../settings.py", "/static/..%2f..%2fserver%2fsettings.py", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/contributions/..%2ftokens.json", "/data/..%2f..%2f..%2fetc%2fpasswd", "/static//etc/passwd",
    "/ontology/..%2f..%2fpyproject.toml",
])
def test_path_traversal_reaches_no_file(production, path):
    status, body = raw_get(production.port, path)
    assert 400 <= status < 500, (status, body[:200])
    assert b"SETTINGS" not in body and b"[project]" not in body and b"root:" not in body


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_markup_in_contributed_text_is_shown_never_run(site):
    reply = contribute(site, f'<{POWELL}> <{COMMENT}> "{MARKUP.replace(chr(34), chr(92) + chr(34))}"@es .\n')
    assert reply.status_code == 201, reply.get_data(as_text=True)
    contribution = reply.get_json()["id"]
    accepted = site.client.post(f"/contributions/{contribution}/accept",
                                headers={"Authorization": f"Bearer {site.maintainer}"})
    assert accepted.status_code == 200
    for path in ("/page/person/colin-powell", f"/contributions/{contribution}"):
        page = site.client.get(path, headers={"Accept": "text/html"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "alert(1)" in html, path  # shown...
        elements = _Elements()
        elements.feed(html)
        assert "<script>alert" not in html and "<img src=x" not in html, path  # ...never as markup
        scripts = [attrs for tag, attrs in elements.tags if tag == "script"]
        assert all(attrs.get("type") == "application/ld+json" for attrs in scripts), path  # data, never code
        assert not [attrs for _, attrs in elements.tags if any(name.startswith("on") for name in attrs)], path


def test_twenty_concurrent_accepts_have_exactly_one_winner(site):
    reply = contribute(site, f'<{POWELL}> <{COMMENT}> "Secretario de Estado."@es .\n')
    contribution = reply.get_json()["id"]
    barrier = threading.Barrier(20)

    def accept(_):
        barrier.wait(30)
        return site.client.post(f"/contributions/{contribution}/accept",
                                headers={"Authorization": f"Bearer {site.maintainer}"}).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(accept, range(20)))
    assert statuses == [200] + [409] * 19


def test_two_hundred_concurrent_connections_are_all_answered(production):
    paths = ["page/person/colin-powell", "data/person/colin-powell", ""]

    def fetch(n: int) -> int:
        return get(production.base + paths[n % len(paths)], 120)

    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(fetch, range(200)))
    assert statuses == [200] * 200


def _resident_kb(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))


def test_memory_does_not_grow_with_repeated_requests(production):
    """The same 300 requests, three times over: what the server holds after the third round is
    within 20 MB of what it held after the first (caches filled, nothing kept per request)."""
    paths = ["page/person/colin-powell", "data/person/colin-powell", "sparql?query=ASK%7B%7D", "page/nope"]

    def round_() -> int:
        for n in range(300):
            try:
                get(production.base + paths[n % len(paths)], 60)
            except OSError:
                pass  # a 404 page or a 429: answered all the same
        return _resident_kb(production.pid)

    first = round_()
    round_()
    third = round_()
    assert third - first < 20_000, (first, third)
