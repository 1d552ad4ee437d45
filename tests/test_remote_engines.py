"""What the remote-store client does about the ways stores differ (measured on Virtuoso 7.2 and
Oxigraph server; README "Engines compared"), against the scripted endpoint of test_remote_store.
The real engines run in tests/e2e (the "remote" and "virtuoso" modes)."""

# ruff: noqa: F811  (the tests take the scripted endpoint ``fake`` of test_remote_store as their fixture)
from __future__ import annotations

import json

import pytest
import pyoxigraph as ox
from test_remote_store import JSON_RESULTS, Answer, endpoint, fake  # noqa: F401

from server.settings import check_settings
from server.store.errors import QueryOverLimit, QuerySyntaxError, QueryTimeout, QueryTooLarge, StoreFailed
from server.store.remote import RemoteStore
from server.store.updates import batches

ROWS = json.dumps({"head": {"vars": ["s", "o"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": "https://example.org/a"}, "o": {"type": "literal", "value": "a\tb", "xml:lang": "en"}},
]}}).encode()


def test_a_partial_answer_marked_in_headers_is_never_passed_on_as_whole(fake):
    fake.script.answer = Answer(body=ROWS, headers={"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"})
    with pytest.raises(QueryTimeout, match="partial answer"):
        endpoint(fake).query("SELECT * WHERE { ?s ?o ?p }", JSON_RESULTS)
    fake.script.answer = Answer(body=ROWS, headers={"X-SPARQL-MaxRows": "10000"})
    with pytest.raises(QueryTooLarge, match="cuts answers at 10000 rows"):
        endpoint(fake).query("SELECT * WHERE { ?s ?o ?p }", JSON_RESULTS)


def test_virtuosos_errors_keep_their_message_without_the_query_it_repeats(fake):
    query = "SELECT * WHERE { ?s ?p }"
    fake.script.answer = Answer(400, "text/plain", f"Virtuoso 37000 Error SP030: syntax error at '}}'\n\nSPARQL query:\n{query}".encode())
    with pytest.raises(QuerySyntaxError) as raised:
        endpoint(fake).query(query, JSON_RESULTS)
    assert "SP030" in str(raised.value) and "?s ?p" not in str(raised.value)
    fake.script.answer = Answer(500, "text/plain",
                                b"Virtuoso 42000 Error The estimated execution time 11977 (sec) exceeds the limit of 400 (sec).")
    with pytest.raises(QueryOverLimit) as over:
        endpoint(fake).query(query, JSON_RESULTS)
    assert over.value.status == 422 and "400 (sec)" in str(over.value)
    fake.script.answer = Answer(500, "text/plain", b"Virtuoso S1T00 Error SR171: Transaction timed out")
    with pytest.raises(QueryTimeout):
        endpoint(fake).query(query, JSON_RESULTS)


def test_tab_separated_results_are_written_here_from_json(fake):
    fake.script.answer = Answer(body=ROWS)
    body = endpoint(fake).query("SELECT * WHERE { ?s ?o ?p }", "text/tab-separated-values")
    assert fake.script.seen[0].headers["accept"] == JSON_RESULTS
    assert body.decode().splitlines() == ["?s\t?o", '<https://example.org/a>\t"a\\tb"@en']


def test_batches_keep_every_blank_node_in_one_request_and_lose_no_triple():
    lines = [f"<https://example.org/s{i}> <https://example.org/p> {i} ." for i in range(1200)]
    lines[3] = "_:x <https://example.org/p> _:y ."
    lines[1100] = '_:y <https://example.org/p> "not _:z" .'
    lines[1101] = "_:z <https://example.org/p> _:x ."
    parts = batches("\n".join(lines).encode(), size=500)
    assert len(parts) == 3 and sorted(b"\n".join(parts).splitlines()) == sorted(line.encode() for line in lines)
    holding = [part for part in parts if b"_:" in part]
    assert len(holding) == 1 and holding[0].count(b"_:") == 6  # x, y and z, linked through two triples, together
    for part in parts:
        ox.parse(part, format=ox.RdfFormat.N_TRIPLES)  # each one N-Triples on its own
    assert batches(b"\n \n") == []


def test_a_dump_refuses_a_graph_the_store_cut_short(fake, tmp_path):
    """Virtuoso cuts a CONSTRUCT at its ResultSetMaxRows without a word (measured): the dump counts."""
    graph = "https://w3id.org/mxus/graph/data"

    def store(seen):
        if "COUNT" in seen.form["query"][0]:
            return Answer(body=json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
                {"n": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode())
        return Answer(content_type="application/n-triples", body=b"<https://example.org/a> <https://example.org/p> \"1\" .\n")

    fake.script.responder = store
    remote = RemoteStore("digest", check_settings({"STORE_URL": fake.query}))
    with pytest.raises(StoreFailed, match="gave 1 of the 3 triples"):
        remote.dump(tmp_path / "data.nt", "application/n-triples", {graph: (graph,)})
