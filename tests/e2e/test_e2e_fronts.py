"""Stateless fronts: several server processes over one instance folder serve the same dataset.

Real processes only: two ``mxus serve`` fronts in front of one Oxigraph server, and one
``mxus serve --workers 2`` in memory. A contribution is submitted through one front and
decided with the command line (``mxus contributions accept|reject``); every front shows
it, with the same ETag, within one second of the command's exit, without a restart
(the fronts follow the contributions' journal).

"Within one second" is the behaviour asked for, so each check polls, on its own as the
client it stands for would, until a deadline one second after the event, and then says
what it did not see; nothing here measures speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import pytest

from server.publication.tokens import TokenRegistry
from tests.e2e.conftest import PROJECT_ROOT, RunningServer, http_request, start_server, stop_server

POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
CONTRIBUTION = "https://w3id.org/mxus/id/contribution/"
WITHIN = 1.0  # seconds after the event by which every front shows it
DISK_WITHIN = 15.0  # the same over an on-disk store, whose query workers restart around each write


def triple(tag: str) -> str:
    return f"<{POWELL}> <{SEE_ALSO}> <https://example.org/powell/{tag}> ."


def submit(front: RunningServer, token: str, tag: str) -> str:
    reply = http_request(front.base + "contributions", "POST",
                         {"Content-Type": "application/n-triples", "Authorization": f"Bearer {token}",
                          "Accept": "application/json"}, (triple(tag) + "\n").encode(), timeout=120)
    assert reply.status == 201, reply.text
    return reply.header("Location").rsplit("/", 1)[1]


def decide(instance: Path, action: str, contribution_id: str) -> None:
    """``mxus contributions accept|reject ID``: a maintainer at the command line, beside the running fronts."""
    result = subprocess.run([sys.executable, "-m", "server.cli", "contributions", action, contribution_id,
                             "--instance", str(instance)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def ask(base: str, query: str) -> tuple[bool, str]:
    """The answer, and which process of the server gave it (``Mxus-Front``; "" with one process)."""
    reply = http_request(f"{base}sparql?query={quote(query, safe='')}", headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["boolean"], reply.header("Mxus-Front")


def in_default_graph(base: str, tag: str) -> tuple[bool, str]:
    return ask(base, f"ASK {{ {triple(tag)} }}")


def in_named_graph(base: str, contribution_id: str, tag: str) -> tuple[bool, str]:
    return ask(base, f"ASK {{ GRAPH <{CONTRIBUTION}{contribution_id}> {{ {triple(tag)} }} }}")


def void_etag(base: str) -> str:
    reply = http_request(base + ".well-known/void", headers={"Accept": "text/turtle"})
    assert reply.status == 200 and reply.header("ETag"), reply.text
    return reply.header("ETag")


class VoidETag:
    """A client of one front's VoID description: the ETag it got last (``seen``)."""

    def __init__(self, base: str, seen: str):
        self.base, self.seen = base, seen

    def changed_from(self, earlier: str) -> bool:
        """Fetch the description anew: has its ETag changed from ``earlier``?"""
        self.seen = void_etag(self.base)
        return self.seen != earlier

    def revalidates(self, other: "VoidETag", earlier: str) -> bool:
        """Whether this front answers 304 Not Modified to ``other``'s newer ETag, as a cache revalidating a
        copy from the other front would: the same ETag on both, without rendering the description again."""
        if other.seen == earlier:
            return False
        reply = http_request(self.base + ".well-known/void", headers={"Accept": "text/turtle", "If-None-Match": other.seen})
        assert reply.status in (200, 304), reply.text
        return reply.status == 304


def page_shows(base: str, tag: str) -> bool:
    reply = http_request(base + "page/person/colin-powell", headers={"Accept": "text/html"})
    assert reply.status == 200, reply.text
    return f"https://example.org/powell/{tag}" in reply.text


def processes_of(parent: int) -> list[tuple[int, list[str]]]:
    """The children of ``parent`` with their command lines, from /proc (no procps in a minimal image)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append((int(entry.name), (entry / "cmdline").read_bytes().decode().split("\0")[:-1]))
        except OSError:
            continue  # ended meanwhile
    return found


def all_ready(server: RunningServer) -> None:
    """Wait for ``mxus serve --workers N`` to say all N processes are ready (the first answers sooner)."""
    ready = poll(time.monotonic() + 120, {"all processes ready": lambda: "mxus-ld serving at" in server.log_text()})
    assert all(ready.values()), server.log_text()


def poll(deadline: float, checks: dict[str, Callable[[], bool]]) -> dict[str, bool]:
    """Each check called again and again, each in its own thread, until it is true or the deadline
    passes: what each one found. Independent, as the clients they stand for are: a check that is
    slow (a page rendered anew for the new version) must not keep another from asking again."""

    def until_seen(check: Callable[[], bool]) -> bool:
        while True:
            if check():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    with ThreadPoolExecutor(len(checks)) as threads:
        running = {name: threads.submit(until_seen, check) for name, check in checks.items()}
        return {name: future.result() for name, future in running.items()}


@pytest.fixture
def instance(tmp_path) -> tuple[Path, str]:
    """An instance folder with a contributor's token (decisions go through the command line)."""
    folder = tmp_path / "instance"
    return folder, TokenRegistry(folder / "tokens.json").add("Ana Contributor", "0000-0002-1825-0097")


@pytest.fixture
def remote_fronts(stores, server_logs, instance):
    """Two fronts over one instance folder, in front of one Oxigraph server."""
    store = stores.start()
    fronts = []
    try:
        for _ in range(2):
            fronts.append(start_server(server_logs, "--instance", str(instance[0]), store=store))
        yield fronts
    finally:
        for front in fronts:
            stop_server(front)


def seen_on_both(other: RunningServer, contribution_id: str, tag: str, voids: tuple[VoidETag, VoidETag], earlier: str) -> str:
    """After a submission through one front: within a second, the ``other`` front has its named graph, and
    both fronts give a new VoID ETag, the same one (which this returns)."""
    found = poll(time.monotonic() + WITHIN, {
        "its named graph on the other front": lambda: in_named_graph(other.base, contribution_id, tag)[0],
        "A's VoID ETag changed": lambda: voids[0].changed_from(earlier),
        "B's VoID ETag changed": lambda: voids[1].changed_from(earlier),
    })
    assert all(found.values()), f"within {WITHIN} s of the submission's 201, not seen: {found}"
    assert voids[0].seen == voids[1].seen, "the fronts give different VoID ETags for the submission"
    return voids[0].seen


def test_two_fronts_on_one_store_see_each_others_contributions_and_the_commands_decisions(remote_fronts, instance):
    """After each event (a submission through one front, a decision with the command line) both fronts show
    it within a second: SPARQL, pages, and the same new VoID ETag. Each description is rendered anew once
    per event (a cold render, slow on a loaded machine), so the second front's ETag is compared as a cache
    would, by revalidating the first one's."""
    a, b = remote_fronts
    folder, token = instance
    before = void_etag(b.base)
    assert void_etag(a.base) == before
    void_a, void_b = VoidETag(a.base, before), VoidETag(b.base, before)

    accepted = submit(a, token, "fronts-accepted")
    submitted = seen_on_both(b, accepted, "fronts-accepted", (void_a, void_b), before)
    assert not in_default_graph(b.base, "fronts-accepted")[0]  # pending: in its graph only

    decide(folder, "accept", accepted)
    found = poll(time.monotonic() + WITHIN, {
        "ASK on B": lambda: in_default_graph(b.base, "fronts-accepted")[0],
        "B's resource page": lambda: page_shows(b.base, "fronts-accepted"),
        "B's VoID ETag changed": lambda: void_b.changed_from(submitted),
        "the same VoID ETag on A and B": lambda: void_a.revalidates(void_b, submitted),
    })
    assert all(found.values()), f"within {WITHIN} s of the command's accept, not seen: {found}"
    after_accept = void_b.seen
    assert void_etag(a.base) == after_accept  # A's description itself, rendered now (no deadline: a cold render)

    rejected = submit(b, token, "fronts-rejected")  # through the other front this time
    submitted = seen_on_both(a, rejected, "fronts-rejected", (void_a, void_b), after_accept)

    decide(folder, "reject", rejected)
    found = poll(time.monotonic() + WITHIN, {
        "A's VoID ETag changed": lambda: void_a.changed_from(submitted),
        "the same VoID ETag on A and B": lambda: void_b.revalidates(void_a, submitted),
    })
    assert all(found.values()), f"within {WITHIN} s of the command's reject, not seen: {found}"
    for front in (a, b):
        assert not in_default_graph(front.base, "fronts-rejected")[0]
        status = json.loads(http_request(front.base + f"contributions/{rejected}", headers={"Accept": "application/json"}).body)
        assert status["status"] == "rejected"
        assert "Traceback" not in front.log_text()


def test_the_processes_of_one_server_each_follow_the_commands_decisions(server_logs, instance):
    folder, token = instance
    server = start_server(server_logs, "--instance", str(folder), "--workers", "2")
    try:
        all_ready(server)  # each process listens once it is ready
        fronts = {in_default_graph(server.base, "workers-accepted")[1] for _ in range(200)}
        assert fronts == {"1", "2"}, f"requests on fresh connections reached processes {fronts}, not both"

        accepted = submit(server, token, "workers-accepted")
        decide(folder, "accept", accepted)
        deadline = time.monotonic() + WITHIN
        seen: dict[str, bool] = {"1": False, "2": False}
        etags: dict[str, str] = {}

        def asked(process: str) -> bool:  # a request reaches either process: what each has answered so far
            answer, front = in_default_graph(server.base, "workers-accepted")
            seen[front] = seen[front] or answer
            return seen[process]

        def same_void_etag() -> bool:  # the latest ETag each process gave
            reply = http_request(server.base + ".well-known/void", headers={"Accept": "text/turtle"})
            etags[reply.header("Mxus-Front")] = reply.header("ETag")
            return len(etags) == 2 and len(set(etags.values())) == 1

        found = poll(deadline, {"ASK on process 1": lambda: asked("1"), "ASK on process 2": lambda: asked("2"),
                                "the same VoID ETag on both": same_void_etag})
        assert all(found.values()), f"within {WITHIN} s of the command's accept, not seen: {found}"
        assert "Traceback" not in server.log_text()
    finally:
        stop_server(server)


def test_a_server_over_an_on_disk_store_follows_the_commands_decisions(server_logs, instance, tmp_path):
    """One process per on-disk store (it is the store's one writer), and it follows the journal too.

    Writing stops the query workers and starts them again (RocksDB: one writer, then no readers),
    which on a busy machine takes more than a second; queries meanwhile may be answered 503."""
    folder, token = instance
    server = start_server(server_logs, "--instance", str(folder), store_path=tmp_path / "store")

    def answered(query: str) -> bool:
        reply = http_request(f"{server.base}sparql?query={quote(query, safe='')}",
                             headers={"Accept": "application/sparql-results+json"})
        assert reply.status in (200, 503), reply.text
        return reply.status == 200 and json.loads(reply.body)["boolean"]

    try:
        before = void_etag(server.base)
        accepted = submit(server, token, "disk-accepted")
        decide(folder, "accept", accepted)
        found = poll(time.monotonic() + DISK_WITHIN, {
            "ASK": lambda: answered(f"ASK {{ {triple('disk-accepted')} }}"),
            "the resource page": lambda: page_shows(server.base, "disk-accepted"),
            "a new VoID ETag": lambda: void_etag(server.base) != before,
        })
        assert all(found.values()), f"within {DISK_WITHIN} s of the command's accept, not seen: {found}"
        assert "Traceback" not in server.log_text()
    finally:
        stop_server(server)


def test_several_processes_over_an_on_disk_store_are_refused_with_the_reason(tmp_path):
    result = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--workers", "2", "--store-path", str(tmp_path / "s"),
                             "--instance", str(tmp_path / "instance")], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "--workers needs the data in memory or in a remote store" in result.stderr


def test_a_process_that_dies_is_replaced_while_the_others_answer_and_its_address_is_not_shared(server_logs, tmp_path):
    """Each process has its own socket; one that dies must not leave its share of new connections
    waiting for its successor to start, and a second server may not quietly join the address."""
    import os
    import signal

    server = start_server(server_logs, "--workers", "2")
    try:
        all_ready(server)  # before that, a process that dies fails the start instead
        children = [pid for pid, command in processes_of(server.process.pid) if command[-2:] == ["--front-number", "1"]]
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
        time.sleep(0.5)  # the parent looks every 0.2 s
        fronts = set()
        for _ in range(20):  # on fresh connections: none may wait for the replacement to start
            reply = http_request(server.base, timeout=3)
            assert reply.status == 200, reply.text
            fronts.add(reply.header("Mxus-Front"))
        assert fronts == {"2"}

        back = poll(time.monotonic() + 120, {"process 1 answers again": lambda: "1" in {
            http_request(server.base, timeout=10).header("Mxus-Front") for _ in range(20)}})
        assert all(back.values()), back

        second = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--port", str(server.port), "--workers", "2",
                                 "--instance", str(tmp_path / "second")], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 2 and "cannot listen" in second.stderr, second.stderr
    finally:
        stop_server(server)
