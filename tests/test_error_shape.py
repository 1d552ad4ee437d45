"""One error shape, pinned: every 4xx/5xx a route gives, in every format.

The same error reads, whatever the route and whatever went wrong:

- ``Accept: application/json``: ``{"error": {"status", "title", "message"[, "spec"]}}``;
- no Accept (curl, SPARQL clients): ``text/plain``, ``STATUS Title: message`` on the first
  line (and ``See SPEC`` when the error cites a standard); pages (``/page/...``) answer a page;
- a browser's Accept: an HTML page whose heading is ``STATUS Title`` and which shows the message.

Always ``Vary: Accept``, the title the status's standard phrase, and never a stack trace.
One row of CASES per error; each row is requested in each format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path

import pytest
from werkzeug.exceptions import default_exceptions

from server.publication.tokens import TokenRegistry
from server.store.errors import EngineBusy, StoreFailed

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VALID = Path(__file__).parent / "cases" / "shapes" / "valid" / "new-concept-with-both-labels.ttl"
SELECT_ALL = "SELECT * WHERE { ?s ?p ?o }"
CROSS_PRODUCT = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 50000"  # some megabytes: over MAX_RESULT_BYTES below
TEST_ONLY_FAILURES = {"unexpected": RuntimeError("boom at /tmp/secret.py line 3"), "store-down": StoreFailed("the store is down"),
                      "busy": EngineBusy("all query workers are busy")}


@dataclass
class Case:
    name: str
    status: int
    path: str
    method: str = "GET"
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    body: bytes | dict | None = None
    content_type: str | None = None
    token: str | None = None  # "contributor" or "maintainer"
    accept: str | None = None  # an Accept the error needs (406): each format's type is added at low q
    default: str = "text"  # the format without an Accept header
    formats: tuple[str, ...] = ("json", "default", "html")
    known_bug: dict[str, str] = field(default_factory=dict)  # format -> why: a strict xfail until the server is fixed

    def params(self):
        return [
            pytest.param(self, fmt, id=f"{self.name}-{fmt}",
                         marks=[pytest.mark.xfail(strict=True, reason=self.known_bug[fmt])] if fmt in self.known_bug else [])
            for fmt in self.formats
        ]


CASES = [
    Case("unknown-data", 404, "/data/person/nobody"),
    Case("unknown-data-extension", 404, "/data/person/colin-powell.xyz"),
    Case("unknown-id", 404, "/id/person/nobody"),
    Case("unknown-page", 404, "/page/person/nobody", default="html"),
    Case("unknown-route", 404, "/no/such/route"),
    Case("unknown-contribution", 404, "/contributions/nope"),
    Case("unknown-decision", 404, "/contributions/{accepted}/approve", "POST", token="maintainer"),
    Case("unknown-ontology-version", 404, "/ontology/9.9.9"),
    Case("unknown-ontology-extension", 404, "/ontology.xyz"),
    Case("unknown-dump", 404, "/dumps/nope"),
    Case("unknown-sitemap-part", 404, "/sitemaps/99.xml"),
    Case("sparql-syntax-error", 400, "/sparql", query={"query": "SELEC"}),
    Case("sparql-format-not-offered", 400, "/sparql", query={"query": SELECT_ALL, "format": "bogus"}),
    Case("sparql-form-without-query", 400, "/sparql", "POST", body={"nothing": "here"}),
    Case("sparql-service-clause", 400, "/sparql", query={"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"}),
    Case("contributions-bad-status", 400, "/contributions", query={"status": "bogus"}),
    Case("contribution-unparseable", 400, "/contributions", "POST", body=b"<a> <b> .", content_type="text/turtle",
         token="contributor"),
    Case("submit-without-token", 401, "/contributions", "POST", body=VALID.read_bytes(), content_type="text/turtle"),
    Case("decision-without-the-right", 403, "/contributions/{accepted}/reject", "POST", token="contributor"),
    Case("sparql-update", 403, "/sparql", "POST", body=b"INSERT DATA { <a:a> <a:b> <a:c> }",
         content_type="application/sparql-update"),
    Case("method-not-allowed", 405, "/claims", "POST"),
    Case("decision-by-get", 405, "/contributions/{accepted}/accept"),
    # 406: the Accept asks for nothing the route offers, then for the error format at a low q.
    # A route that offers text/html answers a page to a browser, and /sparql reads
    # application/json as SPARQL JSON results: those formats cannot be a 406 there.
    Case("data-nothing-acceptable", 406, "/data/person/colin-powell", accept="image/png", formats=("json", "default")),
    Case("sparql-nothing-acceptable", 406, "/sparql", query={"query": SELECT_ALL}, accept="image/png", formats=("default",)),
    Case("void-nothing-acceptable", 406, "/.well-known/void", accept="image/png", formats=("json", "default")),
    Case("validate-nothing-acceptable", 406, "/validate", "POST", body=VALID.read_bytes(), content_type="text/turtle",
         accept="image/png", formats=("default",)),
    Case("second-decision", 409, "/contributions/{accepted}/reject", "POST", token="maintainer"),
    Case("sparql-query-too-long", 413, "/sparql", "POST", body={"query": "#" * 3000 + "\n" + SELECT_ALL}),
    Case("validate-body-too-large", 413, "/validate", "POST", body=b"#" * 7000, content_type="text/turtle"),
    Case("validate-unsupported-type", 415, "/validate", "POST", body=b"%PDF", content_type="application/pdf"),
    Case("contribution-unsupported-type", 415, "/contributions", "POST", body=b"%PDF", content_type="application/pdf",
         token="contributor"),
    Case("sparql-result-too-large", 422, "/sparql", query={"query": CROSS_PRODUCT}),
    Case("unexpected-failure", 500, "/test-only/fail/unexpected"),
    Case("store-down", 502, "/test-only/fail/store-down"),
    Case("workers-busy", 503, "/test-only/fail/busy"),
]


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    """An instance folder with a contributor's and a maintainer's token (made before the app reads them)."""
    instance = tmp_path_factory.mktemp("errors")
    registry = TokenRegistry(instance / "tokens.json")
    return {"instance": instance, "contributor": registry.add("Ana Contributor", "0000-0002-1825-0097"),
            "maintainer": registry.add("Mia Maintainer", maintainer=True)}


@pytest.fixture(scope="module")
def app(app_factory, tokens):
    app = app_factory({"BASE_URI": "http://localhost/", "INSTANCE_DIR": tokens["instance"], "QUERY_WORKERS": 1,
                       "MAX_QUERY_BYTES": 2000, "MAX_BODY_BYTES": 6000, "MAX_RESULT_BYTES": 1_000_000})

    def fail(kind: str):
        raise TEST_ONLY_FAILURES[kind]

    app.add_url_rule("/test-only/fail/<kind>", view_func=fail)  # what no route of the server can be made to do
    yield app
    app.extensions["mxus"].store.close()


@pytest.fixture(scope="module")
def env(app, tokens):
    """The client, the tokens, and a contribution already accepted (for the second decision)."""
    client = app.test_client()
    submitted = client.post("/contributions", data=VALID.read_bytes(), content_type="text/turtle",
                            headers={"Authorization": f"Bearer {tokens['contributor']}"})
    assert submitted.status_code == 201, submitted.get_data(as_text=True)
    accepted = submitted.get_json()["id"]
    decided = client.post(f"/contributions/{accepted}/accept", headers={"Authorization": f"Bearer {tokens['maintainer']}"})
    assert decided.status_code == 200, decided.get_data(as_text=True)
    return {"client": client, "tokens": tokens, "accepted": accepted}


def accept_for(case: Case, fmt: str) -> str | None:
    wanted = {"json": "application/json", "default": None, "html": BROWSER}[fmt]
    if case.accept is None:
        return wanted
    return case.accept if wanted is None else f"{case.accept}, {wanted};q=0.1"


def request(env, case: Case, fmt: str):
    headers = dict(case.headers)
    accept = accept_for(case, fmt)
    if accept:
        headers["Accept"] = accept
    if case.token:
        headers["Authorization"] = f"Bearer {env['tokens'][case.token]}"
    options = {"data": case.body} if case.body is not None else {}
    if case.content_type:
        options["content_type"] = case.content_type
    return env["client"].open(case.path.format(accepted=env["accepted"]), method=case.method, query_string=case.query,
                              headers=headers, **options)


WERKZEUG_STOCK = {error.description for error in default_exceptions.values()}


class Page(HTMLParser):
    """The headings of a page and the text of its ``error-message`` element."""

    def __init__(self, text: str):
        super().__init__()
        self.headings: list[str] = []
        self.message = self.meaning = ""
        self._open: list[str] = []  # "heading", "message" or "meaning" while inside one
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2"):
            self._open.append("heading")
            self.headings.append("")
        elif "error-message" in (dict(attrs).get("class") or "").split():
            self._open.append("message")
        elif "error-meaning" in (dict(attrs).get("class") or "").split():
            self._open.append("meaning")
        elif self._open:
            self._open.append("inner")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        if "heading" in self._open:
            self.headings[-1] += data
        if "message" in self._open:
            self.message += data
        if "meaning" in self._open:
            self.meaning += data


@pytest.mark.parametrize(("case", "fmt"), [param for c in CASES for param in c.params()])
def test_error_has_the_one_shape(env, case: Case, fmt: str):
    reply = request(env, case, fmt)
    body = reply.get_data(as_text=True)
    assert reply.status_code == case.status, body[:500]
    title = HTTPStatus(case.status).phrase
    assert "Accept" in reply.headers.get("Vary", "")
    assert "Traceback" not in body and 'File "' not in body and "/tmp/secret.py" not in body
    shown = case.default if fmt == "default" else fmt
    if shown == "json":
        assert reply.mimetype == "application/json"
        error = json.loads(body)["error"]
        assert set(error) in ({"status", "title", "message"}, {"status", "title", "message", "spec"}), error
        assert (error["status"], error["title"]) == (case.status, title)
        assert isinstance(error["message"], str) and error["message"].strip()
    elif shown == "text":
        assert reply.mimetype == "text/plain"
        first, *rest = body.splitlines()
        assert first.startswith(f"{case.status} {title}: ") and first.removeprefix(f"{case.status} {title}: ").strip()
        assert all(line.startswith("See http") for line in rest), rest
    else:
        # The error page (heading "STATUS Title"), or the page the request was for with the
        # error in it (the query page shows a bad query's error beside the form).
        assert reply.mimetype == "text/html"
        page = Page(body)
        assert any(f"{case.status} {title}" in h or f"({case.status})" in h for h in page.headings), page.headings
        message = json.loads(request(env, case, "json").get_data(as_text=True))["error"]["message"]
        if message in WERKZEUG_STOCK:  # the page says what it means in the reader's words instead
            assert page.meaning.strip() and not page.message
        else:
            assert " ".join(page.message.split()) == " ".join(message.split())


def test_unexpected_failures_are_logged_not_shown(env, caplog):
    reply = env["client"].get("/test-only/fail/unexpected", headers={"Accept": "application/json"})
    assert reply.get_json()["error"]["message"] == "an unexpected error occurred; it has been logged"
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_every_error_status_a_route_gives_is_a_case():
    """The statuses the README's error table and the routes name, each with at least one case."""
    assert {c.status for c in CASES} >= {400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 500, 502, 503}
    assert len({c.name for c in CASES}) == len(CASES)
