"""The contributions' journal: what it holds after crashes, and two apps over one instance folder.

The end-to-end behaviour (real server processes, the command line, one second) is in
tests/e2e/test_e2e_fronts.py; here the pieces, in process.
"""

from __future__ import annotations

import json
import time

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from server import create_app
from server.publication.contributions import ContributionStore
from server.publication.journal import Journal, Position
from server.publication.tokens import TokenRegistry
from server.rdf.namespaces import ID
from server.store import open_store

POWELL = "https://w3id.org/mxus/id/person/colin-powell"


def _create(records: ContributionStore, tag: str) -> str:
    graph = Graph()
    graph.add((URIRef(POWELL), RDFS.seeAlso, URIRef(f"https://example.org/journal/{tag}")))
    return records.create(graph, "application/n-triples", tag, {"name": "Ana", "orcid": None}, {}).id


def _lines(records: ContributionStore) -> list[str]:
    return records.journal.path.read_text().splitlines()


def test_every_submission_and_decision_is_one_line_after_its_record(tmp_path):
    records = ContributionStore(tmp_path / "contributions")
    first, second = _create(records, "first"), _create(records, "second")
    records.decide(first, "accepted", "Mia")
    records.decide(second, "rejected", "Mia")
    assert _lines(records) == [f"submitted {first}", f"submitted {second}", f"accepted {first}", f"rejected {second}"]
    events, position = records.journal.events()
    assert [(e.kind, e.contribution_id) for e in events] == [("submitted", first), ("submitted", second),
                                                            ("accepted", first), ("rejected", second)]
    assert position.offset == records.journal.size()


def test_a_line_cut_short_by_a_crash_is_never_read_and_the_next_append_removes_it(tmp_path):
    records = ContributionStore(tmp_path / "contributions")
    first = _create(records, "first")
    with records.journal.path.open("ab") as handle:
        handle.write(b"accepted 2026")  # the crash came mid-line
    events, position = records.journal.events()
    assert [e.kind for e in events] == ["submitted"] and position.offset == len(f"submitted {first}\n")
    second = _create(records, "second")
    assert _lines(records) == [f"submitted {first}", f"submitted {second}"]


def test_a_start_journals_what_the_records_say_and_the_journal_does_not(tmp_path):
    """A folder from before the journal, or a crash between a record and its line."""
    folder = tmp_path / "contributions"
    records = ContributionStore(folder)
    accepted, pending = _create(records, "accepted"), _create(records, "pending")
    records.decide(accepted, "accepted", "Mia")
    records.journal.path.write_text(f"submitted {accepted}\n")  # the rest was never written
    ContributionStore(folder)  # a server starting: recovers
    lines = _lines(records)
    assert sorted(lines) == sorted([f"submitted {accepted}", f"submitted {pending}", f"accepted {accepted}"])
    assert lines.index(f"submitted {accepted}") < lines.index(f"accepted {accepted}")
    ContributionStore(folder)  # and again: nothing more to say
    assert len(_lines(records)) == 3


def test_positions_name_the_bytes_read(tmp_path):
    journal = Journal(tmp_path / "journal")
    journal.append("submitted", "20260101t000000-000000000001")
    (_, here), = journal.read(Position())
    again, = journal.read(Position())
    assert here.mark == again[1].mark and here.offset == journal.size()
    journal.append("accepted", "20260101t000000-000000000001")
    assert journal.read(here)[-1][1].mark != here.mark


def test_two_apps_over_one_instance_folder_follow_each_other(tmp_path):
    """Two processes' worth of state in one: each app has its own store; the journal joins them."""
    instance = tmp_path / "instance"
    registry = TokenRegistry(instance / "tokens.json")
    contributor, maintainer = registry.add("Ana", "0000-0002-1825-0097"), registry.add("Mia", maintainer=True)
    apps = [create_app({"INSTANCE_DIR": instance, "QUERY_WORKERS": 1, "SITE_WORKERS": 1, "BASE_URI": "http://localhost/"})
            for _ in range(2)]
    try:
        a, b = (app.test_client() for app in apps)
        body = f"<{POWELL}> <{RDFS.seeAlso}> <https://example.org/journal/two-apps> .\n"
        created = a.post("/contributions", data=body, headers={"Content-Type": "application/n-triples",
                                                                "Authorization": f"Bearer {contributor}"})
        assert created.status_code == 201, created.get_data(as_text=True)
        contribution_id = created.headers["Location"].rsplit("/", 1)[1]
        assert b.post(f"/contributions/{contribution_id}/accept",
                      headers={"Authorization": f"Bearer {maintainer}"}).status_code == 200

        def seen(client) -> bool:
            query = f"ASK {{ <{POWELL}> <{RDFS.seeAlso}> <https://example.org/journal/two-apps> }}"
            reply = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
            return json.loads(reply.data)["boolean"]

        assert seen(b)  # who decided sees it at once
        deadline = time.monotonic() + 5
        while not seen(a) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen(a)
        deadline = time.monotonic() + 5
        while apps[0].extensions["mxus"].store.version != apps[1].extensions["mxus"].store.version and time.monotonic() < deadline:
            time.sleep(0.05)
        assert apps[0].extensions["mxus"].store.version == apps[1].extensions["mxus"].store.version
    finally:
        for app in apps:
            app.extensions["mxus"].publication.follower.stop()
            app.extensions["mxus"].store.close()


def test_while_a_store_follows_the_journal_readers_see_no_version_of_its_own(settings, published):
    """A graph added, then the journal's position settled: readers get the version from before until the
    end, then the one every process at that position has, never one of this process alone (two fronts
    gave two ETags for one submission)."""
    stores = [open_store(settings, published.graph_files(), published.digest, in_process=True) for _ in range(2)]
    try:
        following, other = stores
        before = following.version
        with following.settling():
            following.add_graph(ID + "contribution/on-the-way", f"<{POWELL}> <{RDFS.seeAlso}> <https://example.org/x> .\n".encode())
            assert following.version == before
            following.settle("journal position 1")
            assert following.version == before
        other.settle("journal position 1")
        assert following.version == other.version != before
    finally:
        for store in stores:
            store.close()
