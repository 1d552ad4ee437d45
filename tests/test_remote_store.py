"""RemoteStore and RemoteEndpoint against a scripted SPARQL endpoint on loopback.

What goes over the wire (method, Accept, the dataset parameters, credentials,
the update body) and how every kind of failure of the store comes back: a
syntax error, the time limit, the size limit, a store error, a wrong media
type, an unreachable store. The end-to-end tests run the same code against a
real Oxigraph server (tests/e2e).
"""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest

from server import create_app
from server.publication.dataset import load_published
from server.settings import check_settings
from server.store.graphs import ACCEPTED_GRAPH, DATA_GRAPH, DEFAULT_GRAPHS, ONTOLOGY_GRAPH, SHAPES_GRAPH
from server.store.errors import QueryFailed, QuerySyntaxError, QueryTimeout, QueryTooLarge, StoreFailed
from server.store.remote import RemoteEndpoint, RemoteStore, default_update_url

JSON_RESULTS = "application/sparql-results+json"
EMPTY_RESULTS = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class Answer:
    status: int = 200
    content_type: str = JSON_RESULTS
    body: bytes = EMPTY_RESULTS
    delay: float = 0.0  # before the headers
    dribble: float | None = None  # seconds between body bytes (chunked), None: all at once
    length: bool = True  # send Content-Length
    headers: dict = field(default_factory=dict)  # more response headers


@dataclass
class Script:
    seen: list[Seen] = field(default_factory=list)
    answer: Answer = field(default_factory=Answer)
    responder: object = None  # Seen -> Answer, when set


def _handler(script: Script):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            script.seen.append(seen)
            answer = script.responder(seen) if script.responder else script.answer
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.dribble is None:
                    if answer.length:
                        self.send_header("Content-Length", str(len(answer.body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(answer.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                for byte in answer.body:
                    self.wfile.write(b"1\r\n" + bytes([byte]) + b"\r\n")
                    self.wfile.flush()
                    time.sleep(answer.dribble)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: what the time limit is for

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def fake():
    """A scripted SPARQL endpoint: ``fake.script`` says what it answers and records what it saw."""
    script = Script()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SimpleNamespace(base=base, query=base + "/query", update=base + "/update", script=script)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def endpoint(fake, **options) -> RemoteEndpoint:
    return RemoteEndpoint(fake.query, **options)


# --------------------------------------------------------------------------- what is sent


def test_query_is_a_form_post_with_the_dataset_and_the_media_type(fake):
    fake.script.answer = Answer(content_type="text/csv; charset=utf-8", body=b"s\r\nhttps://w3id.org/mxus/id/x\r\n")
    body = endpoint(fake).query("SELECT ?s WHERE { ?s ?p ?o }", "text/csv", (DATA_GRAPH, ONTOLOGY_GRAPH), (SHAPES_GRAPH,))
    assert body == b"s\r\nhttps://w3id.org/mxus/id/x\r\n"  # the bytes as the store sent them
    [seen] = fake.script.seen
    assert seen.method == "POST" and seen.path == "/query"
    assert seen.headers["accept"] == "text/csv"
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
    form = seen.form
    assert form["query"] == ["SELECT ?s WHERE { ?s ?p ?o }"]
    assert form["default-graph-uri"] == [DATA_GRAPH, ONTOLOGY_GRAPH]
    assert form["named-graph-uri"] == [SHAPES_GRAPH]
    assert not {"format", "output", "results"} & set(form)  # content negotiation only
    assert "authorization" not in seen.headers


def test_text_that_is_not_a_query_is_sent_as_it_is_without_a_warning(fake, recwarn):
    fake.script.answer = Answer(400, "text/plain", b"error at 1:1: expected a query")
    with pytest.raises(QuerySyntaxError):
        endpoint(fake).query("SELEKT nothing", JSON_RESULTS)
    assert fake.script.seen[0].form["query"] == ["SELEKT nothing"]
    assert not recwarn.list


def test_credentials_go_with_queries_and_updates(fake):
    store = endpoint(fake, user="mxus", password="s3cret:pw")
    store.query("ASK {}", JSON_RESULTS)
    store.insert(DATA_GRAPH, b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    expected = "Basic " + base64.b64encode(b"mxus:s3cret:pw").decode()
    assert [seen.headers.get("authorization") for seen in fake.script.seen] == [expected, expected]


def test_update_is_a_sparql_update_post_to_the_update_url(fake):
    fake.script.answer = Answer(204, "text/plain", b"")
    triples = b'<https://example.org/a> <https://example.org/b> "c"@en .\n_:b1 <https://example.org/b> _:b2 .\n'
    endpoint(fake).insert("https://w3id.org/mxus/id/contribution/x", triples)
    endpoint(fake).replace(ACCEPTED_GRAPH, triples)
    endpoint(fake).insert(ACCEPTED_GRAPH, b"\n")  # nothing to add: nothing sent
    first, second = fake.script.seen
    for seen in (first, second):
        assert seen.path.startswith("/update")
        assert seen.headers["content-type"] == "application/sparql-update"
    assert first.body.decode() == (  # a template, not INSERT DATA: Virtuoso refuses blank nodes there
        "INSERT { GRAPH <https://w3id.org/mxus/id/contribution/x> {\n" + triples.decode().rstrip("\n") + "\n} } WHERE { }"
    )
    assert second.body.decode().startswith(f"DROP SILENT GRAPH <{ACCEPTED_GRAPH}> ;\nINSERT {{ GRAPH <{ACCEPTED_GRAPH}> {{")


@pytest.mark.parametrize(
    "query_url, update_url",
    [
        ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update"),  # Oxigraph server
        ("https://store.example.org/ds/query", "https://store.example.org/ds/update"),
        ("http://localhost:8890/sparql", "http://localhost:8890/sparql"),  # one URL for both
        ("http://localhost:3030/ds", "http://localhost:3030/ds"),
    ],
)
def test_default_update_url(query_url, update_url):
    assert default_update_url(query_url) == update_url
    assert RemoteEndpoint(query_url).update_url == update_url
    assert RemoteEndpoint(query_url, "http://elsewhere/update").update_url == "http://elsewhere/update"


def test_remote_store_names_the_whole_dataset_in_every_query(fake, published):
    settings = check_settings({"STORE_URL": fake.query})
    contribution = "https://w3id.org/mxus/id/contribution/c1"
    store = RemoteStore(published.digest, settings, [contribution])
    store.query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)
    store.query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS, default_graphs=(SHAPES_GRAPH,), named_graphs=(DATA_GRAPH,))
    everything, chosen = (seen.form for seen in fake.script.seen)
    assert everything["default-graph-uri"] == list(DEFAULT_GRAPHS)
    assert everything["named-graph-uri"] == [DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, ACCEPTED_GRAPH, contribution]
    assert chosen["default-graph-uri"] == [SHAPES_GRAPH] and chosen["named-graph-uri"] == [DATA_GRAPH]
    assert store.capabilities.network_isolated is False


def test_adding_a_graph_and_publishing_write_to_the_store_and_change_the_version(fake, published):
    fake.script.answer = Answer(204, "text/plain", b"")
    store = RemoteStore(published.digest, check_settings({"STORE_URL": fake.query}))
    versions = [store.version]
    contribution = "https://w3id.org/mxus/id/contribution/c2"
    store.add_graph(contribution, b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    versions.append(store.version)
    store.publish(b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n", "c2")
    versions.append(store.version)
    assert len(set(versions)) == 3
    assert contribution in store.graph_names
    assert [f"GRAPH <{contribution}>" in fake.script.seen[0].body.decode(), f"GRAPH <{ACCEPTED_GRAPH}>" in fake.script.seen[1].body.decode()] == [True, True]


# --------------------------------------------------------------------------- failures


def test_syntax_error_of_the_store_is_a_query_syntax_error_with_its_message(fake):
    fake.script.answer = Answer(400, "text/plain; charset=utf-8", "error at 1:22: expected one of \"<\", \"?\"".encode())
    with pytest.raises(QuerySyntaxError) as raised:
        endpoint(fake).query("SELECT ?s WHERE { ?s ", JSON_RESULTS)
    assert str(raised.value) == 'error at 1:22: expected one of "<", "?"'
    assert raised.value.status == 400


def test_a_store_that_does_not_answer_in_time_is_a_timeout_naming_the_limit(fake):
    fake.script.answer = Answer(delay=3)
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as raised:
        endpoint(fake, timeout=0.5).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)
    assert time.monotonic() - started < 1.5
    assert "time limit of 0.5 s" in str(raised.value) and raised.value.status == 422


def test_an_answer_that_trickles_past_the_limit_is_a_timeout(fake):
    # Headers at once, then a byte every 0.1 s: each read is quick, the whole is not.
    fake.script.answer = Answer(body=EMPTY_RESULTS * 4, dribble=0.1)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        endpoint(fake, timeout=1).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "chunked-or-unknown"])
def test_a_result_over_the_limit_is_too_large(fake, length):
    fake.script.answer = Answer(body=b"x" * 5000, length=length)
    with pytest.raises(QueryTooLarge) as raised:
        endpoint(fake, max_result_bytes=1000).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)
    assert "limit of 1000 bytes" in str(raised.value) and "LIMIT" in str(raised.value)
    assert raised.value.status == 422


def test_the_limit_itself_is_fine(fake):
    fake.script.answer = Answer(body=b"x" * 1000, length=False)
    assert endpoint(fake, max_result_bytes=1000).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS) == b"x" * 1000


def test_a_store_error_is_a_502_with_its_text_not_its_page(fake):
    page = b"<html><head><style>p{}</style></head><body><h1>Server error</h1><p>disk full</p></body></html>"
    fake.script.answer = Answer(500, "text/html", page)
    with pytest.raises(StoreFailed) as raised:
        endpoint(fake).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)
    message = str(raised.value)
    assert raised.value.status == 502
    assert "Server error" in message and "disk full" in message and "<" not in message and "p{}" not in message


def test_a_store_that_stops_the_query_itself_is_a_timeout(fake):
    fake.script.answer = Answer(503, "text/plain", b"Query timed out")
    with pytest.raises(QueryTimeout, match="own time limit"):
        endpoint(fake).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_say_so(fake, status):
    fake.script.answer = Answer(status, "text/plain", b"no")
    with pytest.raises(StoreFailed, match="credentials"):
        endpoint(fake, user="u", password="wrong").update("DROP SILENT GRAPH <https://example.org/g>")


def test_an_answer_in_another_media_type_is_refused(fake):
    fake.script.answer = Answer(content_type="text/html", body=b"<html></html>")
    with pytest.raises(StoreFailed, match="answered text/html when asked for application/sparql-results"):
        endpoint(fake).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS)
    fake.script.answer = Answer(content_type="application/json")  # the older name of the same thing
    assert endpoint(fake).query("SELECT * WHERE { ?s ?p ?o }", JSON_RESULTS) == EMPTY_RESULTS


def test_an_unreachable_store_is_a_502_without_its_address(fake):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    with pytest.raises(StoreFailed) as raised:
        RemoteEndpoint(f"http://user:pw@127.0.0.1:{port}/query").query("ASK {}", JSON_RESULTS)
    assert "could not be reached" in str(raised.value)
    assert str(port) not in str(raised.value) and "pw" not in str(raised.value)
    assert isinstance(raised.value, QueryFailed)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"STORE_URL": "ftp://example.org/sparql"}, "STORE_URL must be"),
        ({"STORE_UPDATE_URL": "http://example.org/update"}, "need STORE_URL"),
        ({"STORE_URL": "http://example.org/query", "STORE_USER": "u"}, "go together"),
    ],
)
def test_store_settings_are_checked(overrides, message):
    with pytest.raises(ValueError, match=message):
        check_settings(overrides)


# --------------------------------------------------------------------------- the app in front of a store


def _store_like(published, seen: Seen, fail: dict) -> Answer:
    """Answers what create_app asks a loaded store at start, and what a test makes fail."""
    if seen.path.startswith("/update"):
        return Answer(204, "text/plain", b"")
    query = seen.form["query"][0]
    if fail.get("queries"):
        return Answer(500, "text/plain", b"the store is having a bad day")
    counts = {DATA_GRAPH: len(published.data), ONTOLOGY_GRAPH: len(published.ontology), SHAPES_GRAPH: len(published.shapes)}
    for graph, count in counts.items():
        if f"GRAPH <{graph}>" in query and "COUNT" in query:
            value = count - 1 if fail.get("counts") else count
            body = {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": str(value)}}]}}
            return Answer(body=json.dumps(body).encode())
    return Answer(body=b'{"head":{"vars":["g"]},"results":{"bindings":[]}}')


@pytest.fixture
def files():
    """The published graphs as create_app reads them (the session's ``published`` may have been added to)."""
    return load_published(check_settings({}))


def test_the_app_serves_from_the_store_and_its_failures_are_clear_502s(fake, files, tmp_path):
    published, fail = files, {}
    fake.script.responder = lambda seen: _store_like(published, seen, fail)
    app = create_app({"STORE_URL": fake.query, "INSTANCE_DIR": tmp_path / "instance"})
    assert isinstance(app.extensions["mxus"].store, RemoteStore)
    updates = [seen.body.decode() for seen in fake.script.seen if seen.path.startswith("/update")]
    assert updates == [f"DROP SILENT GRAPH <{ACCEPTED_GRAPH}>"]  # no contributions yet: the accepted graph emptied
    description = app.test_client().get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "separate SPARQL store" in description and "not network-isolated" in description

    fail["queries"] = True
    client = app.test_client()
    for path, accept in (("/data/person/colin-powell", "text/turtle"), ("/page/person/colin-powell", "text/html"),
                         ("/sparql?query=ASK%20%7B%7D", "application/json")):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 502, path
        text = response.get_data(as_text=True)
        assert "bad day" in text and "Traceback" not in text, path


def test_the_app_refuses_a_store_without_the_published_graphs(fake, files, tmp_path):
    fake.script.responder = lambda seen: _store_like(files, seen, {"counts": True})
    with pytest.raises(StoreFailed, match="mxus load --store"):
        create_app({"STORE_URL": fake.query, "INSTANCE_DIR": tmp_path / "instance"})


def test_an_answer_the_store_cut_off_at_its_own_limit_is_a_timeout_not_a_result(fake):
    # Oxigraph server, at its --timeout-s, appends its message to the answer it had begun with 200.
    fake.script.answer = Answer(body=b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled')
    with pytest.raises(QueryTimeout, match="own time limit"):
        endpoint(fake).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON_RESULTS)
