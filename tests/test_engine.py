"""Query workers: a runaway query is stopped, and others are served meanwhile."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from server.store.engine import QueryFailed, QueryPool, QueryRequest, QueryTimeout, StorePlan
from server.store import engine
from server.store.errors import EngineBusy, QueryShed

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


def test_a_runaway_worker_is_replaced_even_after_the_process_workers_are_forked_from_died(pool):
    """Workers are forked from one process that loaded the store (server.store.zygote): if it dies, the
    next replacement starts it again instead of leaving the pool a worker short."""
    pool._zygote._process.kill()
    pool._zygote._process.wait(5)
    with pytest.raises(QueryTimeout):
        pool.run(request(RUNAWAY))
    deadline = time.monotonic() + 20
    while pool._idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool._idle.qsize() == 2
    assert b'"boolean":true' in pool.run(request(SIMPLE))
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


def test_a_closed_pool_refuses_queries_and_stops_those_waiting_for_a_worker(pool):
    """Closing (the server shutting down): a query then is a 503 to retry, and one waiting for a worker
    stops waiting rather than wait out its time for a worker that never comes back."""
    from server.store.lanes import IdleWorkers

    idle = IdleWorkers()  # no worker in it: a taker waits its whole time
    taken: dict = {}
    waiter = threading.Thread(target=lambda: taken.setdefault("worker", idle.take(False, 600)))
    waiter.start()
    _wait_until(lambda: waiter.is_alive())
    idle.close()
    waiter.join(60)
    assert not waiter.is_alive() and taken == {"worker": None}

    pool.close()
    with pytest.raises(EngineBusy) as stopping:
        pool.run(request(SIMPLE))
    assert "shutting down" in str(stopping.value) and stopping.value.retry_after >= 1


@pytest.fixture()
def lanes():
    """One public worker, one reserved for the site; a public query waits at most 0.2 s for a worker."""
    pool = QueryPool(StorePlan(()), nquads(300), workers=1, timeout=30, memory_limit_mb=300, max_result_bytes=10_000_000,
                     site_workers=1, public_wait=0.2)
    yield pool
    pool.close()


def _run_in_thread(pool, text: str, **kwargs) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["answer"] = pool.run(request(text), **kwargs)
        except QueryFailed as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until(condition) -> None:
    for _ in range(400):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("never happened")


def test_a_public_query_never_takes_the_site_worker_and_gives_up_quickly(lanes, monkeypatch):
    """A public query not yet long holds the only public worker: the next public query is refused
    503 with Retry-After without waiting for it, and the site is answered meanwhile."""
    monkeypatch.setattr(engine, "DEMOTE_AFTER", 60)  # nothing long here, nothing to stop to make room
    thread, _ = _run_in_thread(lanes, RUNAWAY, public=True, timeout=3)  # ample for the four checks below
    _wait_until(lambda: [w.lane for w in lanes._idle.queue] == ["site"])
    with pytest.raises(EngineBusy) as busy:
        lanes.run(request(SIMPLE), public=True)
    assert busy.value.retry_after >= 1
    assert b'"boolean":true' in lanes.run(request(SIMPLE))  # the site's worker
    assert thread.is_alive()
    thread.join(30)


def test_a_long_public_query_is_demoted_then_yields_its_worker_to_a_waiting_one(lanes):
    thread, outcome = _run_in_thread(lanes, RUNAWAY, public=True)
    _wait_until(lambda: lanes._long._workers)  # running long
    runaway_pid = lanes._long._workers[0].process.pid
    assert os.getpriority(os.PRIO_PROCESS, runaway_pid) > os.getpriority(os.PRIO_PROCESS, 0)  # demoted
    assert b'"boolean":true' in lanes.run(request(SIMPLE), public=True)  # on the worker started in its place
    thread.join(30)
    assert isinstance(outcome["error"], QueryShed) and outcome["error"].status == 503
    assert not alive(runaway_pid)

