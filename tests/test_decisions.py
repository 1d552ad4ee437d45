"""A decision on a contribution is one compare-and-set, whoever makes it.

Two deciders (two processes: the server and ``mxus contributions``; here two
record stores with locks of their own) racing on the same contribution:
exactly one wins, the other is told it was already decided (409 over HTTP,
exit code 1 from the command line), and the record holds the winner's.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from server import create_app
from server.publication.contributions import ContributionStore
from server.publication.errors import InvalidTransition
from server.publication.tokens import TokenRegistry

MXUS = Path(sys.executable).parent / "mxus"
POWELL = "https://w3id.org/mxus/id/person/colin-powell"


def _pending(records: ContributionStore, tag: str) -> str:
    graph = Graph()
    graph.add((URIRef(POWELL), RDFS.seeAlso, URIRef(f"https://example.org/race/{tag}")))
    return records.create(graph, "application/n-triples", tag, {"name": "Ana", "orcid": None}, {}).id


def test_two_deciders_racing_on_one_contribution_have_exactly_one_winner(tmp_path):
    folder = tmp_path / "contributions"
    deciders = [ContributionStore(folder), ContributionStore(folder, recover=False)]  # each with its own lock
    for trial in range(20):
        contribution_id = _pending(deciders[0], f"trial-{trial}")
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def decide(records: ContributionStore, status: str) -> None:
            barrier.wait(10)
            try:
                records.decide(contribution_id, status, f"maintainer {status}")
                outcomes[status] = "won"
            except InvalidTransition:
                outcomes[status] = "lost"

        threads = [threading.Thread(target=decide, args=(records, status))
                   for records, status in zip(deciders, ("accepted", "rejected"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes.values()) == ["lost", "won"], (trial, outcomes)
        winner = next(status for status, outcome in outcomes.items() if outcome == "won")
        record = deciders[1].get(contribution_id)
        assert record.status == winner and len(record.history) == 1


def test_the_command_line_and_the_server_lose_the_same_way(tmp_path):
    instance = tmp_path / "instance"
    maintainer = TokenRegistry(instance / "tokens.json").add("Mia Maintainer", maintainer=True)
    app = create_app({"INSTANCE_DIR": instance, "QUERY_WORKERS": 1})
    try:
        client = app.test_client()
        records = app.extensions["mxus"].publication.records
        for trial in range(3):
            contribution_id = _pending(records, f"cli-{trial}")
            cli = subprocess.Popen([str(MXUS), "contributions", "--instance", str(instance), "accept", contribution_id],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            http = client.post(f"/contributions/{contribution_id}/reject", headers={"Authorization": f"Bearer {maintainer}"})
            out, err = cli.communicate(timeout=120)
            assert "Traceback" not in err
            won = [cli.returncode == 0, http.status_code == 200]
            assert won.count(True) == 1, (trial, cli.returncode, err, http.status_code)
            if cli.returncode == 0:
                assert http.status_code == 409 and "already accepted" in http.get_data(as_text=True)
            else:
                assert cli.returncode == 1 and "already rejected" in err
            assert records.get(contribution_id).status == ("accepted" if cli.returncode == 0 else "rejected")
    finally:
        app.extensions["mxus"].store.close()
