"""HTTP behaviour of the running server, with a plain HTTP client (no redirects followed)."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

WD_POWELL = URIRef("http://www.wikidata.org/entity/Q150851")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": ("turtle", ".ttl"),
    "application/ld+json": ("json-ld", ".jsonld"),
    "application/n-triples": ("nt", ".nt"),
    "application/rdf+xml": ("xml", ".rdf"),
}
SIMPLE = "SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> } LIMIT 1"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def sparql_get(base: str, query: str, **params: str) -> str:
    extra = "".join(f"&{name.replace('_', '-')}={quote(value, safe='')}" for name, value in params.items())
    return f"{base}sparql?query={quote(query, safe='')}{extra}"


def direct_post(fetch, base: str, query: str, accept: str = "application/sparql-results+json", **kwargs):
    headers = {"Content-Type": "application/sparql-query", "Accept": accept}
    return fetch(base + "sparql", "POST", headers, query.encode("utf-8"), **kwargs)


def form_post(fetch, base: str, **fields: str):
    body = "&".join(f"{name}={quote(value, safe='')}" for name, value in fields.items()).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **JSON_RESULTS}
    return fetch(base + "sparql", "POST", headers, body)


# --------------------------------------------------------------------------- /id: 303 See Other


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/html", "/page/person/colin-powell"),
        (BROWSER_ACCEPT, "/page/person/colin-powell"),
        ("text/turtle", "/data/person/colin-powell"),
        ("application/ld+json", "/data/person/colin-powell"),
        ("application/rdf+xml;q=0.9, text/html;q=0.5", "/data/person/colin-powell"),
    ],
)
def test_id_redirects_303_by_accept(base_url, fetch, accept, target):
    reply = fetch(base_url + "id/person/colin-powell", headers={"Accept": accept})
    assert reply.status == 303
    assert urljoin(base_url + "id/person/colin-powell", reply.header("Location")) == base_url + target.lstrip("/")
    assert "accept" in reply.header("Vary").lower()


# --------------------------------------------------------------------------- /data: conneg


def _powell_graph(reply, parser: str, base_url: str) -> Graph:
    graph = Graph().parse(data=reply.body, format=parser)
    assert (URIRef(base_url + "id/person/colin-powell"), OWL.sameAs, WD_POWELL) in graph
    assert b"https://w3id.org/mxus/id/" not in reply.body  # rewritten to the served base
    return graph


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_data_by_accept(base_url, fetch, media_type):
    reply = fetch(base_url + "data/person/colin-powell", headers={"Accept": media_type})
    assert reply.status == 200
    assert reply.header("Content-Type").split(";")[0] == media_type
    assert "accept" in reply.header("Vary").lower()
    _powell_graph(reply, RDF_TYPES[media_type][0], base_url)


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_data_by_extension(base_url, fetch, media_type):
    parser, extension = RDF_TYPES[media_type]
    # The extension wins over the Accept header.
    reply = fetch(f"{base_url}data/person/colin-powell{extension}", headers={"Accept": "text/html"})
    assert reply.status == 200
    assert reply.header("Content-Type").split(";")[0] == media_type
    _powell_graph(reply, parser, base_url)


def test_data_etag_and_304(base_url, fetch):
    url = base_url + "data/person/colin-powell"
    first = fetch(url, headers={"Accept": "text/turtle"})
    etag = first.header("ETag")
    assert first.status == 200 and etag
    again = fetch(url, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.header("ETag") == etag
    # Another representation has another tag, so the cached Turtle is not reused for it.
    other = fetch(url, headers={"Accept": "application/ld+json", "If-None-Match": etag})
    assert other.status == 200 and other.header("ETag") != etag
    assert fetch(url, headers={"Accept": "text/turtle", "If-None-Match": '"stale"'}).status == 200


def test_data_head(base_url, fetch):
    url = base_url + "data/person/colin-powell.ttl"
    get = fetch(url)
    head = fetch(url, "HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.header("Content-Type") == get.header("Content-Type")
    assert head.header("ETag") == get.header("ETag")
    assert fetch(base_url + "id/person/colin-powell", "HEAD", {"Accept": "text/turtle"}).status == 303


def test_data_link_alternates(base_url, fetch):
    reply = fetch(base_url + "data/person/colin-powell", headers={"Accept": "text/turtle"})
    link = reply.header("Link")
    for media_type, (_, extension) in RDF_TYPES.items():
        assert f'/data/person/colin-powell{extension}>; rel="alternate"; type="{media_type}"' in link
    assert '/page/person/colin-powell>; rel="alternate"; type="text/html"' in link


def test_unknown_resources_are_404(base_url, fetch):
    reply = fetch(base_url + "data/person/nobody-at-all", headers={"Accept": "text/turtle"})
    assert reply.status == 404
    page = fetch(base_url + "no/such/path", headers={"Accept": BROWSER_ACCEPT})
    assert page.status == 404
    assert page.header("Content-Type").startswith("text/html")
    assert b"<html" in page.body.lower()
    machine = fetch(base_url + "no/such/path", headers={"Accept": "application/json"})
    assert machine.status == 404 and machine.header("Content-Type").startswith("application/json")
    assert fetch(base_url + "id/Person/Colin_Powell", headers={"Accept": "text/turtle"}).status == 404


def test_unknown_thing_ends_in_an_html_404_for_browsers(base_url, fetch):
    url = base_url + "id/person/nobody-at-all"
    reply = fetch(url, headers={"Accept": BROWSER_ACCEPT})
    if reply.status == 303:  # /id answers without looking; the page it points to must not exist
        url = urljoin(url, reply.header("Location"))
        reply = fetch(url, headers={"Accept": BROWSER_ACCEPT})
    assert reply.status == 404, url
    assert reply.header("Content-Type").startswith("text/html")


# --------------------------------------------------------------------------- pages: the passages they quote

STATED_IN = """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim ?start ?end WHERE {
  ?claim a/rdfs:subClassOf mxus:Claim ; mxus:statedIn ?span .
  ?span oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end .
}"""


def test_every_claim_page_quotes_the_passage_that_states_it(base_url, fetch):
    """What the source says is on every claim's page, whatever the store (Virtuoso once answered the
    page's query with nothing, while /sparql answered this one)."""
    reply = fetch(sparql_get(base_url, STATED_IN), headers=JSON_RESULTS)
    rows = json.loads(reply.body)["results"]["bindings"]
    assert len(rows) >= 20, reply.text
    missing = []
    for row in rows:
        path = "page/" + row["claim"]["value"].split("/id/", 1)[1]  # served under the base it answers at
        page = fetch(base_url + path, headers={"Accept": "text/html"})
        own = page.text.partition('id="passages-heading"')[2].partition("</section>")[0]
        link = f'href="/source?char={row["start"]["value"]},{row["end"]["value"]}#'
        if page.status != 200 or link not in own:
            missing.append(f"{path} ({page.status}): no {link} under 'In the source text'")
    assert not missing, "\n".join(missing)


# --------------------------------------------------------------------------- CORS


def test_cors_on_get(base_url, fetch):
    for url, accept in (
        (sparql_get(base_url, SIMPLE), "application/sparql-results+json"),
        (base_url + "data/person/colin-powell", "text/turtle"),
        (base_url + ".well-known/void", "application/ld+json"),
    ):
        reply = fetch(url, headers={"Origin": "https://example.org", "Accept": accept})
        assert reply.status == 200, url
        assert reply.header("Access-Control-Allow-Origin") == "*"


def test_cors_preflight(base_url, fetch):
    reply = fetch(
        base_url + "sparql",
        "OPTIONS",
        {
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert 200 <= reply.status < 300
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert "POST" in reply.header("Access-Control-Allow-Methods")
    assert "content-type" in reply.header("Access-Control-Allow-Headers").lower()


# --------------------------------------------------------------------------- errors of the endpoint


def test_not_acceptable(base_url, fetch):
    reply = fetch(sparql_get(base_url, SIMPLE), headers={"Accept": "image/png"})
    assert reply.status == 406
    assert "application/sparql-results+json" in reply.text  # says what is offered


def test_malformed_query(base_url, fetch):
    reply = fetch(sparql_get(base_url, "SELECT ?x WHERE { ?x"), headers=JSON_RESULTS)
    assert reply.status == 400
    assert "syntax error" in reply.text.lower()
    assert "400" in reply.text


@pytest.mark.parametrize(
    "send",
    [
        lambda fetch, base: fetch(f"{base}sparql?update={quote('INSERT DATA { <a:s> <a:p> <a:o> }')}"),
        lambda fetch, base: form_post(fetch, base, update="INSERT DATA { <a:s> <a:p> <a:o> }"),
        lambda fetch, base: fetch(sparql_get(base, "INSERT DATA { <a:s> <a:p> <a:o> }")),
        lambda fetch, base: direct_post(fetch, base, "PREFIX x: <a:> DELETE WHERE { ?s ?p ?o }"),
        lambda fetch, base: fetch(
            base + "sparql", "POST", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"
        ),
    ],
    ids=["update-param", "update-form", "insert-in-query", "delete-direct-post", "sparql-update-body"],
)
def test_updates_are_forbidden(base_url, fetch, send):
    reply = send(fetch, base_url)
    assert reply.status == 403
    assert "read-only" in reply.text
    # ... and nothing changed.
    ask = fetch(sparql_get(base_url, "ASK { <a:s> <a:p> <a:o> }"), headers=JSON_RESULTS)
    assert b"false" in ask.body


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def _record(self):
        type(self).hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, *args):
        pass


@pytest.fixture()
def listener():
    """A local HTTP server the SPARQL endpoint must never contact."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_is_fetched_from_elsewhere(base_url, fetch, listener):
    remote = listener
    refused = {
        "service": (fetch(sparql_get(base_url, f"SELECT * WHERE {{ SERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}")), 400),
        "service-silent-lowercase": (
            direct_post(fetch, base_url, f"select * where {{ service silent <{remote}/sparql> {{ ?s ?p ?o }} }}"),
            400,
        ),
        "service-prefixed": (
            form_post(fetch, base_url, query=f"PREFIX r: <{remote}/> SELECT * {{ SERVICE r:sparql {{ ?s ?p ?o }} }}"),
            400,
        ),
        "from": (fetch(sparql_get(base_url, f"SELECT * FROM <{remote}/x> WHERE {{ ?s ?p ?o }}")), 400),
        "from-named": (
            direct_post(fetch, base_url, f"SELECT * FROM NAMED <{remote}/x> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
            400,
        ),
        "default-graph-uri": (
            fetch(sparql_get(base_url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", default_graph_uri=f"{remote}/x")),
            400,
        ),
        "named-graph-uri": (
            fetch(sparql_get(base_url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", named_graph_uri=f"{remote}/x")),
            400,
        ),
        "load": (direct_post(fetch, base_url, f"LOAD <{remote}/x>"), 403),
    }
    for name, (reply, status) in refused.items():
        assert reply.status == status, (name, reply.status, reply.text)
    assert "SERVICE" in refused["service"][0].text
    assert "not in this dataset" in refused["from"][0].text
    time.sleep(0.3)
    assert _Recorder.hits == []


def test_graphs_of_the_dataset_by_served_base_are_accepted(base_url, fetch):
    reply = fetch(sparql_get(base_url, f"SELECT * FROM <{base_url}graph/data> WHERE {{ ?s ?p ?o }} LIMIT 1"),
                  headers=JSON_RESULTS)
    assert reply.status == 200


MAX_QUERY_BYTES = 100_000


def _padded(size: int) -> str:
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 #"
    return query + "x" * (size - len(query.encode()))


def test_oversize_query_is_413(base_url, fetch):
    assert direct_post(fetch, base_url, _padded(MAX_QUERY_BYTES)).status == 200  # the limit itself is fine
    too_big = _padded(MAX_QUERY_BYTES + 1)
    reply = direct_post(fetch, base_url, too_big)
    assert reply.status == 413
    assert str(MAX_QUERY_BYTES) in reply.text
    assert form_post(fetch, base_url, query=too_big).status == 413
    assert form_post(fetch, base_url, query=_padded(10 * MAX_QUERY_BYTES)).status == 413
    assert fetch(sparql_get(base_url, SIMPLE), headers=JSON_RESULTS).status == 200


# --------------------------------------------------------------------------- time limit


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIMIT_SECONDS = 2


def _query_workers(server) -> list[int]:
    """Pids of the server's query workers: in its process group, forked by the zygote (whose command
    line they share), which is not counted."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != server.process.pid:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
            status, parent = (entry / "stat").read_text().split(") ", 1)[1].split()[:2]
        except (OSError, IndexError, ValueError):
            continue
        if b"server.store.query_worker" in command and status != "Z":
            found[int(entry.name)] = int(parent)
    return sorted(pid for pid, parent in found.items() if parent in found)


def test_runaway_query_is_stopped_at_the_time_limit(short_timeout_server, fetch):
    """Every mode: 422 naming the limit within it, other queries answered meanwhile and afterwards.
    Embedded and disk modes (their worker processes are the server's): the runaway's worker is killed
    and replaced. In remote mode the front abandons the answer; the store's own time limit stops it there.
    Virtuoso differs (README, "Engines compared"): it estimates the query's cost before running it and
    refuses it at once, over its MaxQueryCostEstimationTime as shipped (400 s): 422 naming that."""
    base = short_timeout_server.base
    if short_timeout_server.mode == "virtuoso":
        reply = direct_post(fetch, base, RUNAWAY, timeout=60)
        assert reply.status == 422, reply.text
        assert "estimating it would take too long" in reply.text and "exceeds the limit of 400" in reply.text
        assert fetch(sparql_get(base, SIMPLE), headers=JSON_RESULTS).status == 200
        return
    embedded = short_timeout_server.mode in ("embedded", "disk")
    workers_before = _query_workers(short_timeout_server) if embedded else []
    if embedded:
        assert len(workers_before) == 3  # two for public queries, one reserved for the site
    outcome: dict = {}

    def runaway():
        started = time.monotonic()
        outcome["reply"] = direct_post(fetch, base, RUNAWAY, timeout=60)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    # Meanwhile another request is answered (by the other worker, or by the store).
    started = time.monotonic()
    simple = fetch(sparql_get(base, SIMPLE), headers=JSON_RESULTS)
    assert simple.status == 200
    assert time.monotonic() - started < LIMIT_SECONDS
    assert thread.is_alive()  # the runaway query is still running

    thread.join(LIMIT_SECONDS + 20)
    assert not thread.is_alive()
    reply = outcome["reply"]
    assert reply.status == 422, reply.text
    assert "time limit" in reply.text and f"{LIMIT_SECONDS} s" in reply.text
    assert outcome["seconds"] < LIMIT_SECONDS + 4

    # Afterwards the server still answers ...
    assert fetch(sparql_get(base, SIMPLE), headers=JSON_RESULTS).status == 200
    if embedded:  # ... and the killed worker has been replaced.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            workers = _query_workers(short_timeout_server)
            if len(workers) == 3 and workers != workers_before:
                break
            time.sleep(0.2)
        assert len(workers) == 3
        assert len(set(workers) & set(workers_before)) == 2  # one killed, one new
    replies = []
    threads = [
        threading.Thread(target=lambda: replies.append(fetch(sparql_get(base, SIMPLE), headers=JSON_RESULTS)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [r.status for r in replies] == [200] * 4
    assert "Traceback" not in short_timeout_server.log_text()
