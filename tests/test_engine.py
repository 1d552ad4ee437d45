"""Query workers: a runaway query is stopped, and others are served meanwhile."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from server.store.engine import QueryFailed, QueryPool, QueryRequest, QueryTimeout, StorePlan

GRAPH = "http://example.org/g"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
SIMPLE = "ASK { ?s ?p ?o }"
JSON = "application/sparql-results+json"


def nquads(count: int) -> bytes:
    return "".join(
        f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" <{GRAPH}> .\n" for i in range(count)
    ).encode()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] not in ("Z", "X")


@pytest.fixture()
def pool():
    pool = QueryPool(StorePlan(()), nquads(300), workers=2, timeout=1.5, memory_limit_mb=300, max_result_bytes=10_000_000)
    yield pool
    pool.close()


def request(text: str) -> QueryRequest:
    return QueryRequest(text, JSON, (GRAPH,), None)


def test_runaway_query_is_stopped_while_a_simple_one_is_answered(pool):
    busy_pids = [w.process.pid for w in list(pool._idle.queue)]
    outcome: dict = {}

    def runaway():
        started = time.monotonic()
        try:
            pool.run(request(RUNAWAY))
        except QueryTimeout as exc:
            outcome["error"] = str(exc)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    assert b'"boolean":true' in pool.run(request(SIMPLE))  # served by the other worker meanwhile
    thread.join(10)
    assert "time limit of 1.5 s" in outcome["error"]
    assert outcome["seconds"] < 5
    time.sleep(0.5)
    killed = [pid for pid in busy_pids if not alive(pid)]
    assert len(killed) == 1  # the runaway's worker is gone, its CPU freed
    deadline = time.monotonic() + 20
    while pool._idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool._idle.qsize() == 2  # and it was replaced
    assert b'"boolean":true' in pool.run(request(SIMPLE))


def test_query_exhausting_memory_kills_only_its_worker(pool):
    hog = "SELECT ?a ?b ?c WHERE { ?a ?p1 ?x . ?b ?p2 ?y . ?c ?p3 ?z } ORDER BY ?x ?y ?z"
    with pytest.raises(QueryFailed) as failure:
        pool.run(request(hog))
    assert "memory limit" in str(failure.value) or "time limit" in str(failure.value)
    assert b'"boolean":true' in pool.run(request(SIMPLE))


def test_workers_cannot_reach_the_network_even_past_the_text_checks(pool, listener):
    """SERVICE sent straight to a worker (no text inspection) reaches no listener."""
    if not pool.network_isolated:
        pytest.skip("this machine offers no network namespaces to the workers")
    with pytest.raises(QueryFailed):
        pool.run(request(f"SELECT * WHERE {{ SERVICE <{listener.base}/sparql> {{ ?s ?p ?o }} }}"))
    assert listener.requests == []


def test_the_worker_that_just_answered_answers_next(pool):
    """Last in, first out: at low load one worker, its copy of the store warm, answers query after query."""
    first = pool._idle.queue[-1]
    pool.run(request(SIMPLE))
    assert pool._idle.queue[-1] is first
    pool.run(request(SIMPLE))
    assert pool._idle.queue[-1] is first
