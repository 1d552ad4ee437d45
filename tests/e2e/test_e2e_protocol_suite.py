"""The W3C SPARQL 1.1 Protocol test suite's query tests, as data (tests/cases/sparql-protocol/,
source and changes in its SOURCE.md), each sent as written to a real server in every mode."""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest

CASES = Path(__file__).resolve().parents[1] / "cases" / "sparql-protocol"
FILES = sorted(CASES.glob("*.http"))
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


@dataclass
class Case:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    status_class: int  # 2 or 4
    media_types: list[str]  # acceptable answers (none listed: any)
    boolean: bool | None  # the ASK answer the test states, if it does


def read_case(path: Path, base: str) -> Case:
    text = path.read_text(encoding="utf-8").replace("{BASE%}", quote(base, safe="")).replace("{BASE}", base)
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    arrow = next(i for i, line in enumerate(lines) if line.startswith("=> "))
    request, (expect, *result) = lines[:arrow], lines[arrow:]
    method, target = request[0].split(" ", 1)
    blank = request.index("") if "" in request else len(request)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in request[1:blank]]
    body_text = "\n".join(request[blank + 1:]) if blank < len(request) else None
    charset = re.search(r"charset=([\w-]+)", dict(headers).get("Content-Type", ""))
    body = body_text.encode(charset.group(1) if charset else "utf-8") if body_text is not None else None
    status, *media_types = expect[3:].split()
    boolean = {"true": True, "false": False}[result[0]] if result else None
    return Case(method, target, headers, body, int(status[0]), media_types, boolean)


def send(base: str, case: Case) -> tuple[int, str, bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest(case.method, case.path, skip_accept_encoding=True)
        for name, value in case.headers:
            connection.putheader(name, value)
        if case.body is not None:
            connection.putheader("Content-Length", str(len(case.body)))
        connection.endheaders(case.body)
        reply = connection.getresponse()
        return reply.status, reply.getheader("Content-Type", ""), reply.read()
    finally:
        connection.close()


def ask_answer(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    return ElementTree.fromstring(body).find(f"{SPARQL_RESULTS}boolean").text.strip() == "true"


def test_every_case_file_is_collected():
    assert len(FILES) == 20  # the suite's 20 query tests (SOURCE.md)


# Where Virtuoso (the "virtuoso" mode) answers otherwise, by case: what it answers and why (README,
# "Engines compared"). Not bugs of the front: the store's own rules, which the front passes on.
VIRTUOSO_DIFFERS = {
    # Over 10,000 rows: Virtuoso's ResultSetMaxRows (as shipped) cuts the answer and says so in a header;
    # the front refuses the cut answer rather than serve it as whole.
    "query_dataset_full": {"status": 422, "says": "cuts answers at 10000 rows"},
    # Virtuoso lets the query's FROM win over the protocol's default-graph-uri (the protocol says the
    # reverse, section 2.1.4); both name graphs of this dataset (the front checks), so nothing else is reached.
    "query_multiple_dataset": {"boolean": True},
}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_protocol_case(live_server, path):
    base_url = live_server.base
    case = read_case(path, base_url)
    status, content_type, body = send(base_url, case)
    differs = VIRTUOSO_DIFFERS.get(path.stem, {}) if live_server.mode == "virtuoso" else {}
    if "status" in differs:
        assert status == differs["status"] and differs["says"] in body.decode(), (status, body[:300])
        return
    case.boolean = differs.get("boolean", case.boolean)
    assert status // 100 == case.status_class, (status, body[:300])
    if case.status_class != 2:
        return
    media_type = content_type.split(";")[0].strip()
    assert media_type in case.media_types, content_type
    if case.boolean is not None:
        assert ask_answer(media_type, body) is case.boolean
