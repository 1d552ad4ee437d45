"""Contributions over HTTP with the Flask test client, and with the ``mxus`` command.

One app per module, on a temporary instance folder, with small limits
(``MAX_BODY_BYTES``, ``MAX_SUBMISSION_TRIPLES``) so the limits can be hit.
Each test makes contributions of its own (distinct pages linked from Colin
Powell, distinct new topics), so the tests do not depend on one another.
Refused input is checked to leave the contributions folder exactly as it was.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import logging
import re
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from server import create_app
from server.publication.tokens import TokenRegistry
from server.settings import PROJECT_ROOT

BASE = "http://localhost/"
CANONICAL = "https://w3id.org/mxus/"
POWELL = CANONICAL + "id/person/colin-powell"
SEE_ALSO = str(RDFS.seeAlso)
CONTRIBUTION = CANONICAL + "id/contribution/"
MAX_BODY_BYTES, MAX_TRIPLES = 6000, 30
MXUS = Path(sys.executable).parent / "mxus"
ORCID = "0000-0002-1825-0097"
ENDPOINTS = ("/validate", "/contributions")
_serial = itertools.count(1)


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("contributions") / "instance"


@pytest.fixture(scope="module")
def tokens(instance) -> SimpleNamespace:
    registry = TokenRegistry(instance / "tokens.json")
    return SimpleNamespace(
        registry=registry,
        contributor=registry.add("Ana Contributor", ORCID),
        maintainer=registry.add("Mia Maintainer", maintainer=True),
    )


def make_app(instance: Path):
    return create_app(
        {
            "BASE_URI": BASE,
            "INSTANCE_DIR": instance,
            "QUERY_WORKERS": 1,
            "MAX_BODY_BYTES": MAX_BODY_BYTES,
            "MAX_SUBMISSION_TRIPLES": MAX_TRIPLES,
        }
    )


@pytest.fixture(scope="module")
def app(instance, tokens):
    app = make_app(instance)
    yield app
    app.extensions["mxus"].store.close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def canonical(text: str) -> str:
    return text.replace(BASE, CANONICAL)


def page_link(tag: str = "") -> str:
    return f"https://example.org/powell/{tag or next(_serial)}"


def see_also(url: str) -> bytes:
    """A conforming contribution: a new rdfs:seeAlso on Colin Powell, in N-Triples."""
    return f"<{POWELL}> <{SEE_ALSO}> <{url}> .\n".encode()


def new_topic(slug: str) -> bytes:
    """A conforming contribution: a new topic with English and Spanish labels, in Turtle."""
    return f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix concept: <https://w3id.org/mxus/id/concept/> .
concept:{slug} a skos:Concept ;
    rdfs:label "{slug.replace('-', ' ')}"@en , "tema {slug}"@es ;
    skos:prefLabel "{slug.replace('-', ' ')}"@en , "tema {slug}"@es ;
    skos:inScheme <https://w3id.org/mxus/id/scheme/topics> .
""".encode()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def submit(client, token: str | None, body: bytes, media_type: str | None = "application/n-triples", accept="application/json"):
    headers = {"Accept": accept, **(bearer(token) if token else {})}
    if media_type:
        headers["Content-Type"] = media_type
    return client.post("/contributions", data=body, headers=headers)


def submitted(client, tokens, body: bytes, media_type: str = "application/n-triples") -> str:
    reply = submit(client, tokens.contributor, body, media_type)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    return reply.headers["Location"].rsplit("/", 1)[1]


def decide(client, token: str, contribution_id: str, action: str, **form):
    return client.post(f"/contributions/{contribution_id}/{action}", headers={**bearer(token), "Accept": "application/json"}, data=form or None)


def snapshot(instance: Path) -> dict[str, str]:
    """Every file under the contributions folder, with its checksum."""
    folder = instance / "contributions"
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def select(client, query: str, **params) -> list[dict]:
    reply = client.get("/sparql", query_string={"query": query, **params}, headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()["results"]["bindings"]


def ask(client, query: str) -> bool:
    reply = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()["boolean"]


def in_default_graph(client, url: str) -> bool:
    return ask(client, f"ASK {{ <{POWELL}> <{SEE_ALSO}> <{url}> }}")


def in_named_graph(client, contribution_id: str, url: str) -> bool:
    return ask(client, f"ASK {{ GRAPH <{CONTRIBUTION}{contribution_id}> {{ <{POWELL}> <{SEE_ALSO}> <{url}> }} }}")


def error_message(reply) -> str:
    return reply.get_json()["error"]["message"]


# --------------------------------------------------------------------------- tokens: 401 and 403


def test_no_valid_bearer_token_is_401_and_nothing_is_stored(client, instance, tokens):
    revoked = tokens.registry.add("Rex Revoked")
    assert tokens.registry.revoke("Rex Revoked") == 1
    before = snapshot(instance)
    body = see_also(page_link())
    for headers in (
        {},
        {"Authorization": "Basic YW5hOnNlY3JldA=="},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer mxus_not-a-token"},
        bearer(revoked),
        {"Authorization": tokens.contributor},  # the token without its scheme
    ):
        reply = client.post("/contributions", data=body, headers={"Content-Type": "application/n-triples", "Accept": "application/json", **headers})
        assert reply.status_code == 401, headers
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
        assert "bearer token" in error_message(reply)
    assert snapshot(instance) == before


def test_token_without_the_right_is_403(client, instance, tokens):
    # A token whose record carries no right to contribute (the file format allows it).
    reader = tokens.registry.add("Rita Reader")
    document = json.loads(tokens.registry.path.read_text(encoding="utf-8"))
    for record in document["tokens"]:
        if record["name"] == "Rita Reader":
            record["rights"] = []
    tokens.registry.path.write_text(json.dumps(document), encoding="utf-8")
    before = snapshot(instance)
    reply = submit(client, reader, see_also(page_link()))
    assert reply.status_code == 403
    assert "contribute" in error_message(reply)
    assert snapshot(instance) == before

    # A contributor's token does not carry the right to decide.
    contribution_id = submitted(client, tokens, see_also(page_link()))
    before = snapshot(instance)
    for action in ("accept", "reject"):
        reply = decide(client, tokens.contributor, contribution_id, action)
        assert reply.status_code == 403
        assert "maintain" in error_message(reply)
        assert decide(client, reader, contribution_id, action).status_code == 403
        assert client.post(f"/contributions/{contribution_id}/{action}").status_code == 401
    assert snapshot(instance) == before
    assert client.get(f"/contributions/{contribution_id}").get_json()["status"] == "pending"


# --------------------------------------------------------------------------- a conforming submission


def test_conforming_contribution_is_stored_with_provenance_then_201(client, instance, tokens):
    url = page_link("stored")
    body = (
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{POWELL}> rdfs:seeAlso <{url}> .\n"
    ).encode()
    before = datetime.now(timezone.utc)
    reply = submit(client, tokens.contributor, body, "text/turtle; charset=utf-8")
    after = datetime.now(timezone.utc)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    contribution_id = reply.headers["Location"].removeprefix("/contributions/")
    assert reply.headers["Location"] == f"/contributions/{contribution_id}"
    assert re.fullmatch(r"[0-9a-z-]+", contribution_id)
    answer = reply.get_json()
    assert answer["id"] == contribution_id and answer["status"] == "pending"
    assert answer["graph"] == BASE + f"id/contribution/{contribution_id}"  # the served form of its named graph

    # On disk, in its own folder, before the answer.
    folder = instance / "contributions" / contribution_id
    assert sorted(p.name for p in folder.iterdir()) == ["content.nt", "meta.json"]
    stored = Graph().parse(folder / "content.nt", format="nt")
    assert isomorphic(stored, Graph().parse(data=body.decode(), format="turtle"))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["status"] == "pending"
    assert meta["contributor"] == {"name": "Ana Contributor", "orcid": f"https://orcid.org/{ORCID}"}
    assert before <= datetime.fromisoformat(meta["submitted"]) <= after
    assert meta["media_type"] == "text/turtle"
    assert meta["sha256"] == hashlib.sha256(body).hexdigest()
    assert meta["triples"] == 1
    assert meta["history"] == []
    assert not any(p.name.startswith(".") and p.name != ".lock" for p in (instance / "contributions").rglob("*"))

    # In its named graph (GRAPH, FROM NAMED), not in the default graph.
    assert in_named_graph(client, contribution_id, url)
    graph = f"{CONTRIBUTION}{contribution_id}"
    from_named = select(client, f"SELECT ?g FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ <{POWELL}> <{SEE_ALSO}> <{url}> }} }}")
    assert [canonical(b["g"]["value"]) for b in from_named] == [graph]
    assert not in_default_graph(client, url)
    assert not ask(client, f"ASK {{ <{graph}> ?p ?o }}")  # provenance joins the default graph on acceptance


def test_contribution_reads_as_json_rdf_and_html(client, tokens):
    url = page_link()
    contribution_id = submitted(client, tokens, see_also(url))
    path = f"/contributions/{contribution_id}"
    summary = client.get(path, headers={"Accept": "application/json"})
    assert summary.status_code == 200 and summary.mimetype == "application/json"
    data = summary.get_json()
    assert data["id"] == contribution_id and data["status"] == "pending"
    assert data["contributor"]["name"] == "Ana Contributor"
    assert data["sha256"] == hashlib.sha256(see_also(url)).hexdigest()
    expected = Graph().parse(data=see_also(url).decode(), format="nt")
    for accept, rdflib_format in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        reply = client.get(path, headers={"Accept": accept})
        assert reply.status_code == 200 and reply.mimetype == accept
        assert isomorphic(Graph().parse(data=canonical(reply.get_data(as_text=True)), format=rdflib_format), expected), accept
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert contribution_id in html and "pending" in html and "Ana Contributor" in html and url in html
    assert client.get("/contributions/20000101t000000-000000000000").status_code == 404
    assert client.get("/contributions/.tmp-x").status_code == 404
    assert client.get(path, headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/trig", "trig"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_every_syntax_is_accepted_and_stored_as_sent(client, instance, tokens, media_type, rdflib_format):
    slug = f"topic-{rdflib_format.replace('-', '')}-{next(_serial)}"
    graph = Graph().parse(data=new_topic(slug).decode(), format="turtle")
    body = graph.serialize(format=rdflib_format, encoding="utf-8")
    contribution_id = submitted(client, tokens, body, media_type)
    stored = Graph().parse(instance / "contributions" / contribution_id / "content.nt", format="nt")
    assert isomorphic(stored, graph)
    assert client.get(f"/contributions/{contribution_id}").get_json()["media_type"] == media_type


# --------------------------------------------------------------------------- refused submissions


def test_non_conforming_contribution_is_422_with_the_report_and_nothing_stored(client, instance, tokens):
    body = (PROJECT_ROOT / "tests" / "cases" / "shapes" / "invalid" / "concept-without-spanish-preflabel.ttl").read_bytes()
    before = snapshot(instance)
    reply = submit(client, tokens.contributor, body, "text/turtle")
    assert reply.status_code == 422
    report = reply.get_json()
    assert report["conforms"] is False and report["counts"]["Violation"] >= 1
    assert any("Spanish skos:prefLabel" in r["message"] for r in report["results"])
    assert snapshot(instance) == before
    assert not ask(client, "ASK { GRAPH ?g { <https://w3id.org/mxus/id/concept/guest-worker-programmes> ?p ?o } }")


@pytest.mark.parametrize(
    "body",
    [
        b'<https://w3id.org/mxus/ontology#Claim> <http://www.w3.org/2000/01/rdf-schema#label> "afirmaci\\u00F3n"@es .\n',
        b'<https://w3id.org/mxus/ontology#mentions> <http://www.w3.org/2000/01/rdf-schema#domain> <http://xmlns.com/foaf/0.1/Person> .\n',
        b'<https://w3id.org/mxus/shapes#ConceptShape> <http://www.w3.org/ns/shacl#deactivated> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n',
        # The same, named by the served base (what a client following the server's links sees).
        b'<http://localhost/ontology#Claim> <http://www.w3.org/2000/01/rdf-schema#comment> "x"@en .\n',
    ],
    ids=["ontology-label", "ontology-domain", "shape-deactivated", "ontology-by-served-base"],
)
def test_statements_about_the_ontology_or_shapes_are_refused(client, instance, tokens, body):
    before = snapshot(instance)
    reply = submit(client, tokens.contributor, body)
    assert reply.status_code == 422
    assert "ontology or shapes" in error_message(reply)
    assert snapshot(instance) == before


def _unparseable() -> list:
    return [
        ("turtle", "text/turtle", b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
         b"<https://example.org/a> rdfs:seeAlso <https://example.org/x> ;\n    rdfs:seeAlso .\n", 3),
        ("trig", "application/trig", b"<https://example.org/g> {\n  <https://example.org/a> <https://example.org/b> .\n}\n", 2),
        ("ntriples", "application/n-triples", b'<https://example.org/a> <https://example.org/b> "x"@en .\n'
         b'<https://example.org/a> <https://example.org/b> "unterminated .\n', 2),
        ("jsonld", "application/ld+json", b'{\n  "@id": "https://example.org/a",\n  "https://example.org/b": [\n}', 4),
        ("rdfxml", "application/rdf+xml", b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
         b'  <rdf:Description rdf:about="https://example.org/a">\n    <x>\n  </rdf:Description>\n</rdf:RDF>\n', 5),
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("name", "media_type", "body", "line"), _unparseable(), ids=[c[0] for c in _unparseable()])
def test_unparseable_body_is_400_with_line_and_column(client, instance, tokens, endpoint, name, media_type, body, line):
    before = snapshot(instance)
    reply = client.post(endpoint, data=body, headers={"Content-Type": media_type, "Accept": "application/json", **bearer(tokens.contributor)})
    assert reply.status_code == 400
    match = re.match(r"request body:(\d+):(\d+): ", error_message(reply))
    assert match, error_message(reply)
    assert int(match.group(1)) == line and int(match.group(2)) >= 1
    assert snapshot(instance) == before


def _too_many_triples() -> bytes:
    return b"".join(see_also(f"https://example.org/many/{n}") for n in range(MAX_TRIPLES + 1))


def _too_large() -> bytes:
    padding = b"# " + b"x" * 100 + b"\n"
    body = see_also("https://example.org/large") + padding * (MAX_BODY_BYTES // len(padding) + 1)
    assert len(body) > MAX_BODY_BYTES
    return body


BAD_INPUT = [
    # name, media type, body, status, message
    ("empty", "text/turtle", b"", 400, "the request body is empty"),
    ("whitespace", "text/turtle", b"  \n\t\n", 400, "the request body is empty"),
    ("too-large", "application/n-triples", _too_large(), 413, f"limit of {MAX_BODY_BYTES} bytes"),
    ("too-many-triples", "application/n-triples", _too_many_triples(), 413, f"{MAX_TRIPLES + 1} triples; the limit is {MAX_TRIPLES}"),
    ("no-content-type", None, see_also("https://example.org/nct"), 415, "no Content-Type"),
    ("csv", "text/csv", see_also("https://example.org/csv"), 415, "unsupported media type 'text/csv'"),
    ("json", "application/json", b'{"@id": "https://example.org/a"}', 415, "unsupported media type 'application/json'"),
    ("turtle-file-base", "text/turtle", b'@base <file:///etc/> .\n<passwd> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n',
     400, "file: IRI <file:///etc/passwd> is not accepted"),
    ("turtle-file-iri", "application/n-triples", f'<{POWELL}> <{SEE_ALSO}> <file:///etc/passwd> .\n'.encode(), 400, "file: IRI"),
    ("jsonld-file-base", "application/ld+json",
     json.dumps({"@context": {"@base": "file:///etc/"}, "@id": "passwd", "http://www.w3.org/2000/01/rdf-schema#label": "x"}).encode(),
     400, "file: IRI <file:///etc/passwd>"),
    ("rdfxml-file-base", "application/rdf+xml",
     b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     b'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xml:base="file:///etc/">\n'
     b'<rdf:Description rdf:about="passwd"><rdfs:label>x</rdfs:label></rdf:Description>\n</rdf:RDF>\n',
     400, "file: IRI <file:///etc/passwd>"),
    ("turtle-relative", "text/turtle", f'<{POWELL}> <{SEE_ALSO}> <../powell.html> .\n'.encode(), 400, "has no base: use absolute IRIs"),
    ("jsonld-relative", "application/ld+json",
     json.dumps({"@id": POWELL, SEE_ALSO: {"@id": "powell.html"}}).encode(), 400, "relative IRI <powell.html> has no base: use absolute IRIs"),
    ("rdfxml-relative", "application/rdf+xml",
     b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     b'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
     b'<rdf:Description rdf:about="powell.html"><rdfs:label>x</rdfs:label></rdf:Description>\n</rdf:RDF>\n',
     400, "relative IRI <powell.html> has no base"),
    ("not-utf8", "text/turtle", f'<{POWELL}> <{SEE_ALSO}> "caf'.encode() + b'\xe9" .\n', 400, "not valid UTF-8"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("name", "media_type", "body", "status", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_a_clear_4xx_and_nothing_is_stored(client, instance, tokens, endpoint, name, media_type, body, status, message):
    before = snapshot(instance)
    headers = {"Accept": "application/json", **bearer(tokens.contributor)}
    if media_type:
        headers["Content-Type"] = media_type
    reply = client.post(endpoint, data=body, headers=headers)
    assert reply.status_code == status, reply.get_data(as_text=True)
    assert message in error_message(reply)
    assert snapshot(instance) == before
    # As plain text for clients that ask for nothing in particular.
    plain = client.post(endpoint, data=body, headers={k: v for k, v in headers.items() if k != "Accept"})
    assert plain.status_code == status and plain.mimetype == "text/plain"
    assert message in plain.get_data(as_text=True) and "Traceback" not in plain.get_data(as_text=True)


def test_form_upload_over_the_size_limit_is_413_with_a_page(client, instance):
    before = snapshot(instance)
    upload = (io.BytesIO(_too_large()), "large.nt")
    reply = client.post("/validate", data={"file": upload, "media_type": "application/n-triples"}, content_type="multipart/form-data")
    assert reply.status_code == 413
    assert reply.mimetype == "text/html"
    assert f"limit of {MAX_BODY_BYTES} bytes" in reply.get_data(as_text=True)
    assert snapshot(instance) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_remote_jsonld_context_is_never_fetched(client, instance, tokens, listener, endpoint):
    base = listener.base
    documents = [
        {"@context": f"{base}/context.jsonld", "@id": POWELL, "ex:b": "c"},
        {"@context": [f"{base}/context.jsonld", {"ex": "http://example.org/"}], "@id": POWELL, "ex:b": "c"},
        {"@context": {"ex": "http://example.org/"}, "@graph": [{"@context": f"{base}/nested.jsonld", "@id": POWELL}]},
        {"@context": {"ex": {"@id": "http://example.org/ex", "@context": f"{base}/scoped.jsonld"}}, "@id": POWELL, "ex": {"@id": POWELL}},
        {"@context": {"@import": f"{base}/imported.jsonld", "ex": "http://example.org/"}, "@id": POWELL, "ex:b": "c"},
    ]
    before = snapshot(instance)
    for document in documents:
        reply = client.post(
            endpoint,
            data=json.dumps(document).encode(),
            headers={"Content-Type": "application/ld+json", "Accept": "application/json", **bearer(tokens.contributor)},
        )
        assert reply.status_code == 400, document
        assert f"remote JSON-LD context '{base}/" in error_message(reply)
        assert "embed the context" in error_message(reply)
    assert listener.requests == [], "the server fetched a remote context"
    assert snapshot(instance) == before
    # The listener does count requests: one of our own is seen.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base}/context.jsonld", timeout=10) as response:
        assert json.load(response)["@context"]
    assert listener.requests == ["/context.jsonld"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_xml_external_entities_are_never_resolved(client, instance, tokens, listener, tmp_path, caplog, endpoint):
    canary = "CANARY-7d41e0c9-must-not-leak"
    secret = tmp_path / "secret.txt"
    secret.write_text(canary, encoding="utf-8")
    rdf = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'  <rdf:Description rdf:about="{POWELL}"><rdfs:comment>&secret;</rdfs:comment></rdf:Description>\n'
        "</rdf:RDF>\n"
    )
    attacks = [
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{secret.as_uri()}"> ]>\n{rdf}',
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{secret}"> ]>\n{rdf}',
        f'<?xml version="1.0"?>\n<!doctype rdf:RDF [\n  <!ENTITY % remote SYSTEM "{listener.base}/evil.dtd"> %remote;\n'
        f'  <!ENTITY secret SYSTEM "{secret.as_uri()}"> ]>\n{rdf}',
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{listener.base}/external.dtd">\n{rdf.replace("&secret;", "&leak;")}',
    ]
    before = snapshot(instance)
    caplog.set_level(logging.DEBUG)
    for attack in attacks:
        for accept in ("application/json", "text/html", "*/*"):
            reply = client.post(
                endpoint,
                data=attack.encode(),
                headers={"Content-Type": "application/rdf+xml", "Accept": accept, **bearer(tokens.contributor)},
            )
            assert reply.status_code == 400, attack
            text = reply.get_data(as_text=True)
            assert "DOCTYPE and ENTITY declarations are not accepted" in text
            assert canary not in text and "LEAKED-FROM-DTD" not in text
            assert re.search(r"request body:2:1: ", text), text
    assert listener.requests == [], "the server fetched an external DTD"
    assert snapshot(instance) == before
    stored = "".join(p.read_text(errors="replace") for p in instance.rglob("*") if p.is_file())
    assert canary not in stored
    assert canary not in caplog.text


# --------------------------------------------------------------------------- accept and reject


def test_accepting_publishes_the_statements_and_their_provenance(client, instance, tokens):
    data_files = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((PROJECT_ROOT / "data").rglob("*")) if p.is_file()}
    url = page_link("accepted")
    slug = f"accepted-topic-{next(_serial)}"
    link_id = submitted(client, tokens, see_also(url))
    topic_id = submitted(client, tokens, new_topic(slug), "text/turtle")
    page = client.get("/page/person/colin-powell", headers={"Accept": "text/html"})
    assert page.status_code == 200 and url not in page.get_data(as_text=True)
    assert not in_default_graph(client, url)

    reply = decide(client, tokens.maintainer, link_id, "accept")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    decided = reply.get_json()
    assert decided["status"] == "accepted"
    assert [(s["status"], s["by"]) for s in decided["history"]] == [("accepted", "Mia Maintainer")]
    assert json.loads((instance / "contributions" / link_id / "meta.json").read_text())["status"] == "accepted"

    # In the default graph, with its provenance; still in its named graph.
    assert in_default_graph(client, url)
    assert in_named_graph(client, link_id, url)
    provenance = select(
        client,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?agent ?name ?time ?format ?sha ?status WHERE {{
          <{CONTRIBUTION}{link_id}> a prov:Entity ; prov:wasAttributedTo ?agent ; prov:generatedAtTime ?time ;
              dcterms:format ?format ; <https://schema.org/sha256> ?sha ; <https://schema.org/creativeWorkStatus> ?status .
          ?agent foaf:name ?name }}""",
    )
    assert len(provenance) == 1
    row = {key: value["value"] for key, value in provenance[0].items()}
    assert row["agent"] == f"https://orcid.org/{ORCID}"
    assert row["name"] == "Ana Contributor"
    assert row["format"] == "application/n-triples"
    assert row["sha"] == hashlib.sha256(see_also(url)).hexdigest()
    assert row["status"] == "accepted"
    assert provenance[0]["time"]["datatype"] == "http://www.w3.org/2001/XMLSchema#dateTime"

    # On the resource page it adds a statement to.
    page = client.get("/page/person/colin-powell", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert url in page.get_data(as_text=True), "the accepted rdfs:seeAlso is not on Colin Powell's page"
    contributed = page.get_data(as_text=True).split('id="contributed-heading"', 1)[-1].split("</section>", 1)[0]
    assert f"/contributions/{link_id}" in contributed and "Ana Contributor" in contributed, "not under Contributed statements"

    # A new topic: in the default graph with both labels, and validated against from now on.
    assert decide(client, tokens.maintainer, topic_id, "accept").status_code == 200
    labels = select(client, f"SELECT ?label WHERE {{ <{CANONICAL}id/concept/{slug}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}")
    assert sorted(b["label"]["xml:lang"] for b in labels) == ["en", "es"]
    about_it = f"<{CANONICAL}id/claim/working-group-progress> <https://schema.org/about> <{CANONICAL}id/concept/{slug}> .\n".encode()
    assert submit(client, tokens.contributor, about_it).status_code == 201  # refers to an accepted topic

    # A second decision is a conflict, and changes nothing.
    before = snapshot(instance)
    for action in ("accept", "reject"):
        reply = decide(client, tokens.maintainer, link_id, action)
        assert reply.status_code == 409
        assert "already accepted" in error_message(reply)
    assert snapshot(instance) == before
    assert in_default_graph(client, url)

    # Additions only: the curated statements are all still there, and data/ was never written.
    assert ask(client, f'ASK {{ <{POWELL}> <{RDFS.label}> "Colin Powell"@en ; <http://www.w3.org/2002/07/owl#sameAs> ?wikidata }}')
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_files} == data_files
    assert sorted(p for p in (PROJECT_ROOT / "data").rglob("*") if p.is_file()) == sorted(data_files)


def test_rejecting_keeps_the_statements_out_of_the_default_graph(client, instance, tokens):
    url = page_link("rejected")
    contribution_id = submitted(client, tokens, see_also(url))
    reply = client.post(
        f"/contributions/{contribution_id}/reject",
        headers={**bearer(tokens.maintainer), "Accept": "application/json"},
        data={"reason": "the page is not about him"},
    )
    assert reply.status_code == 200
    decided = reply.get_json()
    assert decided["status"] == "rejected"
    assert decided["history"][0]["reason"] == "the page is not about him"
    assert not in_default_graph(client, url)
    assert in_named_graph(client, contribution_id, url)
    assert not ask(client, f"ASK {{ <{CONTRIBUTION}{contribution_id}> ?p ?o }}")
    assert url not in client.get("/page/person/colin-powell", headers={"Accept": "text/html"}).get_data(as_text=True)
    reply = decide(client, tokens.maintainer, contribution_id, "accept")
    assert reply.status_code == 409 and "already rejected" in error_message(reply)
    assert not in_default_graph(client, url)
    assert decide(client, tokens.maintainer, "20000101t000000-000000000000", "accept").status_code == 404


# --------------------------------------------------------------------------- listing


def test_listing_filters_by_status_and_pages_with_link_next(client, instance, tokens):
    """Whatever the module's other tests left: five new ones, one accepted and one rejected."""
    mine = [submitted(client, tokens, see_also(page_link())) for _ in range(5)]
    assert decide(client, tokens.maintainer, mine[0], "accept").status_code == 200
    assert decide(client, tokens.maintainer, mine[1], "reject", reason="a test").status_code == 200
    on_disk = {p.parent.name: json.loads(p.read_text())["status"] for p in (instance / "contributions").glob("*/meta.json")}
    assert len(on_disk) >= 5

    def collect(query: str) -> list[str]:
        ids, url, pages = [], f"/contributions?{query}", 0
        while url:
            reply = client.get(url, headers={"Accept": "application/json"})
            assert reply.status_code == 200
            body = reply.get_json()
            assert len(body["items"]) <= body["per_page"] == 2
            ids += [item["id"] for item in body["items"]]
            assert all(item["href"] == f"/contributions/{item['id']}" for item in body["items"])
            link = reply.headers.get("Link")
            match = re.fullmatch(r'<([^>]+)>; rel="next"', link) if link else None
            assert bool(match) == (len(ids) < body["total"])
            url, pages = (match.group(1) if match else None), pages + 1
        assert len(ids) == len(set(ids)) == body["total"]
        return ids

    assert sorted(collect("per_page=2")) == sorted(on_disk)
    for status in ("pending", "accepted", "rejected"):
        ids = collect(f"per_page=2&status={status}")
        assert sorted(ids) == sorted(i for i, s in on_disk.items() if s == status), status
    assert client.get("/contributions?status=bogus").status_code == 400
    assert client.get("/contributions?page=x").status_code == 400


# --------------------------------------------------------------------------- the mxus command, and a restart


def mxus(*args) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(MXUS), *map(str, args)], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert "Traceback" not in completed.stderr + completed.stdout, completed.stderr
    return completed


def test_tokens_command_stores_tokens_hashed(client, instance):
    made = mxus("tokens", "--instance", instance, "add", "--name", "Cleo Cli", "--orcid", ORCID)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("mxus_") and len(token) > 40
    maintainer = mxus("tokens", "--instance", instance, "add", "--name", "Max Cli", "--maintainer").stdout.strip()
    tokens_file = (instance / "tokens.json").read_text(encoding="utf-8")
    assert token not in tokens_file and maintainer not in tokens_file
    assert hashlib.sha256(token.encode()).hexdigest() in tokens_file
    listing = mxus("tokens", "--instance", instance, "list")
    assert re.search(rf"^Cleo Cli\thttps://orcid.org/{ORCID}\tcontribute\t\S+\tactive$", listing.stdout, re.MULTILINE)
    assert re.search(r"^Max Cli\t-\tcontribute,maintain\t", listing.stdout, re.MULTILINE)
    assert token not in listing.stdout and maintainer not in listing.stdout

    contribution_id = submitted(client, SimpleNamespace(contributor=token), see_also(page_link()))
    assert client.get(f"/contributions/{contribution_id}").get_json()["contributor"]["name"] == "Cleo Cli"
    assert decide(client, maintainer, contribution_id, "reject").status_code == 200

    revoked = mxus("tokens", "--instance", instance, "revoke", "Cleo Cli")
    assert revoked.returncode == 0 and "revoked 1" in revoked.stdout
    assert submit(client, token, see_also(page_link())).status_code == 401
    assert re.search(r"^Cleo Cli\t.*\trevoked$", mxus("tokens", "--instance", instance, "list").stdout, re.MULTILINE)
    assert mxus("tokens", "--instance", instance, "revoke", "Nobody").returncode == 1


def test_contributions_command_reviews_exports_and_a_restart_publishes(client, instance, tokens, tmp_path):
    by_http = submitted(client, tokens, see_also(url_http := page_link("http-accepted")))
    assert decide(client, tokens.maintainer, by_http, "accept").status_code == 200
    by_cli = submitted(client, tokens, see_also(url_cli := page_link("cli-accepted")))
    rejected = submitted(client, tokens, see_also(url_rejected := page_link("cli-rejected")))
    pending = submitted(client, tokens, see_also(url_pending := page_link("still-pending")))
    folder = ["contributions", "--instance", instance]

    listing = mxus(*folder, "list", "--status", "pending")
    assert listing.returncode == 0
    listed = {line.split("\t")[0] for line in listing.stdout.splitlines()}
    assert {by_cli, rejected, pending} <= listed and by_http not in listed
    assert by_http in mxus(*folder, "list").stdout

    shown = mxus(*folder, "show", by_cli)
    assert shown.returncode == 0 and f'"id": "{by_cli}"' in shown.stdout and url_cli in shown.stdout

    accepted = mxus(*folder, "accept", by_cli, "--by", "Carla Cli")
    assert accepted.returncode == 0 and f"{by_cli} is now accepted" in accepted.stdout
    assert mxus(*folder, "reject", rejected, "--reason", "duplicate").returncode == 0
    again = mxus(*folder, "accept", by_cli)
    assert again.returncode == 1 and "already accepted" in again.stderr
    missing = mxus(*folder, "show", "20000101t000000-000000000000")
    assert missing.returncode == 2 and "no contribution" in missing.stderr

    out = tmp_path / "export"
    exported = mxus(*folder, "export", "--out", out)
    assert exported.returncode == 0
    files = {p.stem: p for p in out.glob("*.ttl")}
    accepted_ids = {p.parent.name for p in (instance / "contributions").glob("*/meta.json") if json.loads(p.read_text())["status"] == "accepted"}
    assert set(files) == accepted_ids and {by_http, by_cli} <= set(files)
    text = files[by_cli].read_text(encoding="utf-8")
    assert text.startswith(f"# Contribution {by_cli}") and "accepted by Carla Cli" in text
    assert isomorphic(Graph().parse(files[by_cli], format="turtle"), Graph().parse(data=see_also(url_cli).decode(), format="nt"))

    # The running app follows the command's decisions (the journal, checked every quarter second), and
    # an app started afterwards replays them.
    deadline = time.monotonic() + 5
    while not in_default_graph(client, url_cli) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_default_graph(client, url_cli) and not in_default_graph(client, url_rejected)
    restarted = make_app(instance)
    try:
        again = restarted.test_client()
        assert in_default_graph(again, url_http) and in_default_graph(again, url_cli)
        assert not in_default_graph(again, url_rejected) and not in_default_graph(again, url_pending)
        assert in_named_graph(again, rejected, url_rejected) and in_named_graph(again, pending, url_pending)
        assert again.get(f"/contributions/{by_http}").get_json()["status"] == "accepted"
        assert again.get(f"/contributions/{rejected}").get_json()["history"][0]["reason"] == "duplicate"
        names = select(again, f"SELECT ?name WHERE {{ <{CONTRIBUTION}{by_http}> <http://www.w3.org/ns/prov#wasAttributedTo>/<http://xmlns.com/foaf/0.1/name> ?name }}")
        assert [b["name"]["value"] for b in names] == ["Ana Contributor"]
        assert ask(again, f"ASK {{ <{CONTRIBUTION}{by_cli}> <https://schema.org/creativeWorkStatus> \"accepted\" }}")
        assert url_cli in again.get("/page/person/colin-powell", headers={"Accept": "text/html"}).get_data(as_text=True)
    finally:
        restarted.extensions["mxus"].store.close()


def test_accepted_statements_appear_once_in_the_default_graph(client, tokens):
    """Shared triples (the same contributor, a curated triple repeated) are not repeated in results."""
    url = page_link("once")
    repeated_curated = f'<{POWELL}> <http://xmlns.com/foaf/0.1/name> "Colin Powell" .\n'.encode()
    first = submitted(client, tokens, see_also(url) + repeated_curated)
    second = submitted(client, tokens, see_also(url))
    for contribution_id in (first, second):
        assert decide(client, tokens.maintainer, contribution_id, "accept").status_code == 200
    seen_also = select(client, f"SELECT ?o WHERE {{ <{POWELL}> <{SEE_ALSO}> ?o FILTER (?o = <{url}>) }}")
    assert len(seen_also) == 1
    names = select(client, f'SELECT ?n WHERE {{ <{POWELL}> <http://xmlns.com/foaf/0.1/name> ?n }}')
    assert [b["n"]["value"] for b in names] == ["Colin Powell"]
    contributors = select(client, "SELECT ?name WHERE { ?agent a <http://www.w3.org/ns/prov#Agent> ; <http://xmlns.com/foaf/0.1/name> ?name }")
    assert sorted(b["name"]["value"] for b in contributors) == sorted({b["name"]["value"] for b in contributors})
