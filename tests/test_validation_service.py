"""POST /validate and the form at GET /validate, with the Flask test client.

The service reads the five RDF syntaxes by Content-Type and answers the SHACL
report by content negotiation; on the same file it gives the verdict and the
results ``mxus validate`` gives (one test compares them over every shape case, the command's one run shared with the
shape-case tests).
Nothing it is sent is ever stored.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from server import create_app

BASE = "http://localhost/"
CANONICAL = "https://w3id.org/mxus/"
CASES = Path(__file__).parent / "cases" / "shapes"
CASE_FILES = sorted(p for p in (CASES / "invalid").iterdir() if p.is_file()) + sorted(
    p for p in (CASES / "valid").iterdir() if p.is_file()
)
MISSING_SPANISH = CASES / "invalid" / "concept-without-spanish-preflabel.ttl"
MISSING_SPANISH_MESSAGE = "A concept has a Spanish skos:prefLabel (@es)"
NEW_CONCEPT = CASES / "valid" / "new-concept-with-both-labels.ttl"
POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
# Media type -> rdflib serializer: the same graph in each syntax the service reads.
SYNTAXES = {
    "text/turtle": "turtle",
    "application/trig": "trig",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
BNODE = re.compile(r"_:[A-Za-z0-9]+")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("validation") / "instance"
    app = create_app({"BASE_URI": BASE, "INSTANCE_DIR": instance, "QUERY_WORKERS": 1})
    yield app
    app.extensions["mxus"].store.close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def canonical(text: str) -> str:
    """Answers name things under the served base; compare them under the canonical one."""
    return text.replace(BASE, CANONICAL)


def post_validate(client, body: bytes, media_type: str, accept: str = "application/json"):
    return client.post("/validate", data=body, headers={"Content-Type": media_type, "Accept": accept})


def result_key(result: dict) -> tuple:
    """What must agree between the command and the service: blank-node ids may differ."""

    def norm(value):
        return BNODE.sub("_:b", canonical(value)) if isinstance(value, str) else value

    return (norm(result["focusNode"]), norm(result["resultPath"]), norm(result["message"]), result["severity"])


def in_syntax(path: Path, rdflib_format: str) -> bytes:
    """The Turtle file ``path`` in another syntax; quad syntaxes put it in a named graph
    (a submission's graphs are read as one)."""
    graph = Graph().parse(path, format="turtle")
    if rdflib_format not in ("trig", "nquads"):
        return graph.serialize(format=rdflib_format, encoding="utf-8")
    name = "<https://example.org/graph/submitted>"
    lines = graph.serialize(format="nt", encoding="utf-8").decode().strip().splitlines()
    if rdflib_format == "nquads":
        return "".join(line.rstrip(" .") + f" {name} .\n" for line in lines).encode()
    return (f"{name} {{\n" + "\n".join(lines) + "\n}\n").encode()


# --------------------------------------------------------------------------- syntaxes and the JSON summary


@pytest.mark.parametrize("media_type", list(SYNTAXES))
def test_every_syntax_gives_the_same_report(client, media_type):
    turtle = post_validate(client, MISSING_SPANISH.read_bytes(), "text/turtle").get_json()
    reply = post_validate(client, in_syntax(MISSING_SPANISH, SYNTAXES[media_type]), media_type)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.mimetype == "application/json"
    report = reply.get_json()
    assert report["conforms"] is False
    assert Counter(map(result_key, report["results"])) == Counter(map(result_key, turtle["results"]))

    conforming = post_validate(client, in_syntax(NEW_CONCEPT, SYNTAXES[media_type]), media_type)
    assert conforming.status_code == 200
    assert conforming.get_json() == {"conforms": True, "counts": {"Violation": 0, "Warning": 0, "Info": 0}, "results": []}


def test_json_summary_has_counts_and_one_entry_per_result(client):
    reply = post_validate(client, MISSING_SPANISH.read_bytes(), "text/turtle")
    assert reply.status_code == 200
    assert "accept" in reply.headers["Vary"].lower()
    report = reply.get_json()
    assert report["conforms"] is False
    assert set(report["counts"]) == {"Violation", "Warning", "Info"}
    assert report["counts"]["Violation"] == sum(1 for r in report["results"] if r["severity"] == "Violation") >= 1
    assert sum(report["counts"].values()) == len(report["results"])
    [result] = [r for r in report["results"] if MISSING_SPANISH_MESSAGE in r["message"]]
    assert result["severity"] == "Violation"
    # Rewritten to the served base, like every answer of this server.
    assert result["focusNode"] == BASE + "id/concept/guest-worker-programmes"
    assert result["resultPath"] == "skos:prefLabel"
    assert result["sourceShape"].startswith(BASE + "shapes#ConceptShape")
    for entry in report["results"]:
        assert {"focusNode", "resultPath", "value", "message", "sourceShape", "severity"} <= set(entry)


@pytest.mark.parametrize(("accept", "rdflib_format"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_report_as_a_shacl_validation_report(client, accept, rdflib_format):
    summary = post_validate(client, MISSING_SPANISH.read_bytes(), "text/turtle").get_json()
    reply = post_validate(client, MISSING_SPANISH.read_bytes(), "text/turtle", accept)
    assert reply.status_code == 200
    assert reply.mimetype == accept
    graph = Graph().parse(data=canonical(reply.get_data(as_text=True)), format=rdflib_format)
    [report] = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms) == Literal(False)
    results = list(graph.objects(report, SH.result))
    assert len(results) == len(summary["results"])
    focus = URIRef(CANONICAL + "id/concept/guest-worker-programmes")
    messages = [str(m) for r in results if graph.value(r, SH.focusNode) == focus for m in graph.objects(r, SH.resultMessage)]
    assert any(MISSING_SPANISH_MESSAGE in m for m in messages)

    conforming = post_validate(client, NEW_CONCEPT.read_bytes(), "text/turtle", accept)
    graph = Graph().parse(data=conforming.get_data(as_text=True), format=rdflib_format)
    [report] = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms) == Literal(True)
    assert list(graph.objects(report, SH.result)) == []


def test_report_as_a_page_for_browsers(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    reply = post_validate(client, MISSING_SPANISH.read_bytes(), "text/turtle", accept)
    assert reply.status_code == 200
    assert reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert "Does not conform" in page
    assert MISSING_SPANISH_MESSAGE.replace("(@es)", "") in page
    assert BASE + "id/concept/guest-worker-programmes" in page
    conforming = post_validate(client, NEW_CONCEPT.read_bytes(), "text/turtle", "text/html").get_data(as_text=True)
    assert "Conforms" in conforming and "Does not conform" not in conforming


def test_nothing_acceptable_is_406(client):
    reply = post_validate(client, NEW_CONCEPT.read_bytes(), "text/turtle", "image/png")
    assert reply.status_code == 406


def test_served_base_uris_are_read_as_the_canonical_ones(client):
    """A client that names things by the links the server gave it gets the same verdict."""
    served = MISSING_SPANISH.read_text(encoding="utf-8").replace(CANONICAL, BASE).encode()
    assert BASE.encode() in served
    as_served = post_validate(client, served, "text/turtle").get_json()
    as_canonical = post_validate(client, MISSING_SPANISH.read_bytes(), "text/turtle").get_json()
    assert as_served == as_canonical
    link = f"<{BASE}id/person/colin-powell> <{SEE_ALSO}> <https://example.org/powell-page> .\n".encode()
    assert post_validate(client, link, "application/n-triples").get_json()["conforms"] is True


# --------------------------------------------------------------------------- the form


def test_form_offers_paste_and_upload(client):
    reply = client.get("/validate", headers={"Accept": "text/html"})
    assert reply.status_code == 200
    assert reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert re.search(r'<form[^>]+method="post"[^>]+enctype="multipart/form-data"', page)
    assert re.search(r'<textarea[^>]+name="text"', page)
    assert re.search(r'<input[^>]+name="file"[^>]+type="file"', page)
    assert 'name="media_type"' in page and 'value="application/ld+json"' in page


def test_form_with_pasted_text_shows_the_report(client):
    text = MISSING_SPANISH.read_text(encoding="utf-8")
    reply = client.post("/validate", data={"text": text, "media_type": "text/turtle"}, content_type="multipart/form-data")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "Does not conform" in page and "Spanish skos:prefLabel" in page
    assert "guest worker programmes" in page  # the pasted text is kept in the form

    urlencoded = client.post("/validate", data={"text": NEW_CONCEPT.read_text(encoding="utf-8"), "media_type": "text/turtle"})
    assert urlencoded.status_code == 200
    assert "<h2 id=\"report-title\">Conforms</h2>" in urlencoded.get_data(as_text=True)


def test_form_with_an_uploaded_file_shows_the_report(client):
    body = in_syntax(MISSING_SPANISH, "json-ld")
    reply = client.post(
        "/validate",
        data={"file": (io.BytesIO(body), "concepts.jsonld"), "media_type": "application/ld+json", "text": ""},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "Does not conform" in page and "Spanish skos:prefLabel" in page


def test_form_with_unreadable_text_says_where(client):
    reply = client.post("/validate", data={"text": "@prefix ex: <http://example.org/> .\nex:a ex:b .\n", "media_type": "text/turtle"})
    assert reply.status_code == 400
    assert reply.mimetype == "text/html"
    assert re.search(r"pasted text:2:\d+: syntax error", reply.get_data(as_text=True))


def test_validation_stores_nothing(app, client):
    folder = Path(app.config["INSTANCE_DIR"]) / "contributions"

    def stored() -> list[Path]:  # the folder's lock file (the journal's follower takes it) is not content
        return sorted(p for p in folder.rglob("*") if p.name != ".lock")

    before = stored()
    for _ in range(3):
        assert post_validate(client, NEW_CONCEPT.read_bytes(), "text/turtle").status_code == 200
    assert stored() == before == []
    query = f"ASK {{ <{POWELL}> ?p <https://example.org/powell-page> }}"
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.get_json()["boolean"] is False


# --------------------------------------------------------------------------- the same verdict as mxus validate


def test_command_and_service_agree_on_every_shape_case(client, command_validation):
    """``mxus validate --format json`` over every case file (the session's one run), then POST /validate on each."""
    served = {}
    for path in CASE_FILES:
        reply = post_validate(client, path.read_bytes(), "text/turtle")
        assert reply.status_code == 200, (path.name, reply.get_data(as_text=True))
        served[str(path)] = reply.get_json()
    assert command_validation.returncode == 1, command_validation.stderr  # the invalid cases have violations
    assert "Traceback" not in command_validation.stderr
    files = {entry["file"]: entry for entry in json.loads(command_validation.stdout)["files"]}
    assert sorted(files) == sorted(served) and len(files) == len(CASE_FILES) > 40
    for name, by_command in files.items():
        by_service = served[name]
        assert by_service["conforms"] == by_command["conforms"], name
        assert by_service["counts"] == by_command["counts"], name
        assert Counter(map(result_key, by_service["results"])) == Counter(map(result_key, by_command["results"])), name
    verdicts = Counter(entry["conforms"] for entry in files.values())
    assert verdicts == {False: len(list((CASES / "invalid").iterdir())), True: len(list((CASES / "valid").iterdir()))}
