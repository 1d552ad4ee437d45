"""What only the remote-store modes have: `mxus load`, the start against a store, writes reaching
the store, and the store failing. Against real Oxigraph server and Virtuoso processes (see conftest),
each test once per engine.

Everything else (SPARQL, URIs, pages, VoID, dumps, contributions) runs in both modes in the
other e2e modules.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest


from server.publication.dataset import load_published
from server.publication.tokens import TokenRegistry
from server.settings import PROJECT_ROOT, check_settings

GRAPHS = ("data", "ontology", "shapes")
GRAPH = "https://w3id.org/mxus/graph/"
CONTRIBUTION = "https://w3id.org/mxus/id/contribution/"
POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def store_select(store, query: str) -> list[dict[str, str]]:
    """Straight to the store, past the front."""
    request = urllib.request.Request(
        store.url, urlencode({"query": query}).encode(), {"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def store_update(store, update: str) -> None:
    request = urllib.request.Request(store.update_url, update.encode(), {"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def graph_counts(store) -> dict[str, int]:
    """Triples in each graph of ours. Virtuoso holds graphs of its own besides (its system graphs):
    a difference of engines, not of what mxus wrote."""
    rows = store_select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                               'FILTER (STRSTARTS(STR(?g), "https://w3id.org/mxus/")) } GROUP BY ?g')
    return {row["g"]: int(row["n"]) for row in rows}


def serve(store_url: str, instance: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`mxus serve --store URL` expected to exit at once (it refuses to start), over a temporary
    instance folder: the app makes its contributions folder before it finds the store wanting."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(free_port()), "--store", store_url,
         "--instance", str(instance), *extra],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def empty_store(stores):
    return stores.start(load=False)


def test_load_prints_what_it_loaded_and_replaces_the_graphs(empty_store, stores):
    store, published = empty_store, load_published(check_settings({}))  # as `mxus load` reads them
    store_update(store, f"INSERT DATA {{ GRAPH <{GRAPH}data> {{ <https://example.org/stale> <https://example.org/p> 1 }} }}")
    output = stores.load(store)
    expected = {f"{GRAPH}data": len(published.data), f"{GRAPH}ontology": len(published.ontology),
                f"{GRAPH}shapes": len(published.shapes)}
    for graph, triples in expected.items():
        assert any(line.split() == [graph, str(triples), "triples"] for line in output.splitlines()), output
    assert f"{sum(expected.values())} triples in 3 graphs" in output
    assert graph_counts(store) == expected  # the stale triple is gone: each graph was replaced
    stores.load(store)
    assert graph_counts(store) == expected  # loading again changes nothing


def test_serve_refuses_a_store_without_the_published_graphs(empty_store, tmp_path):
    result = serve(empty_store.url, tmp_path / "instance")
    assert result.returncode == 2
    assert "mxus load --store" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_store_it_cannot_reach(tmp_path):
    result = serve(f"http://127.0.0.1:{free_port()}/query", tmp_path / "instance")
    assert result.returncode == 2
    assert "could not be reached" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("live_server", ["remote", "virtuoso"], indirect=True)
def test_the_service_description_says_a_separate_store_answers(live_server, fetch):
    reply = fetch(live_server.base + "sparql", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    assert "separate SPARQL store" in reply.text and "not network-isolated" in reply.text
    assert "from the SPARQL store" in live_server.log_text()


@pytest.mark.parametrize("servers", ["remote", "virtuoso"], indirect=True)
def test_contributions_are_written_to_the_store_and_a_restart_mirrors_the_instance(servers, fetch, tmp_path):
    instance = tmp_path / "instance"
    registry = TokenRegistry(instance / "tokens.json")
    contributor, maintainer = registry.add("Ana Contributor"), registry.add("Mia Maintainer", maintainer=True)
    first = servers.start("--instance", str(instance))
    store = servers.store
    triple = f"<{POWELL}> <{SEE_ALSO}> <https://example.org/powell/remote> .\n"
    reply = fetch(first.base + "contributions", "POST",
                  {"Authorization": f"Bearer {contributor}", "Content-Type": "application/n-triples"}, triple.encode())
    assert reply.status == 201, reply.text
    graph = CONTRIBUTION + json.loads(reply.body)["id"]
    assert graph_counts(store)[graph] == 1  # INSERT DATA into its graph, before the 201
    assert f"{GRAPH}accepted" not in graph_counts(store)

    reply = fetch(first.base + f"contributions/{graph.rsplit('/', 1)[1]}/accept", "POST", {"Authorization": f"Bearer {maintainer}"})
    assert reply.status == 200, reply.text
    accepted = store_select(store, f"SELECT ?o WHERE {{ GRAPH <{GRAPH}accepted> {{ <{POWELL}> <{SEE_ALSO}> ?o }} }}")
    assert accepted == [{"o": "https://example.org/powell/remote"}]
    provenance = store_select(store, f"SELECT ?p WHERE {{ GRAPH <{GRAPH}accepted> {{ <{graph}> ?p ?o }} }}")
    assert {"p": "http://www.w3.org/ns/prov#wasAttributedTo"} in provenance
    counts = graph_counts(store)
    servers.stop(first)

    # A graph the instance does not know (another instance's, or one left behind) ...
    store_update(store, f"INSERT DATA {{ GRAPH <{CONTRIBUTION}left-behind> {{ <https://example.org/a> <https://example.org/b> 1 }} }}")
    second = servers.start("--instance", str(instance))
    # ... is dropped at start, and what the instance holds is there once, not twice.
    assert graph_counts(store) == counts
    query = f"ASK {{ <{POWELL}> <{SEE_ALSO}> <https://example.org/powell/remote> }}"
    answer = fetch(f"{second.base}sparql?{urlencode({'query': query})}", headers={"Accept": "application/sparql-results+json"})
    assert json.loads(answer.body)["boolean"] is True
    for server in (first, second):
        assert "Traceback" not in server.log_text()


@pytest.mark.parametrize("servers", ["remote", "virtuoso"], indirect=True)
def test_a_store_that_goes_away_gives_clear_502s_and_no_stack_trace(servers, fetch, tmp_path):
    instance = tmp_path / "instance"
    contributor = TokenRegistry(instance / "tokens.json").add("Ana Contributor")
    server = servers.start("--instance", str(instance))
    servers.stop_store()
    query = fetch(f"{server.base}sparql?{urlencode({'query': 'ASK {}'})}", headers={"Accept": "application/json"})
    assert query.status == 502
    assert "could not be reached" in json.loads(query.body)["error"]["message"]
    for path, accept in (("data/person/colin-powell", "text/turtle"), ("page/person/colin-powell", "text/html")):
        reply = fetch(server.base + path, headers={"Accept": accept})
        assert reply.status == 502, (path, reply.text)
        assert "could not be reached" in reply.text
    # A contribution cannot be validated against the data without the store: refused, nothing stored, and said so.
    triple = f"<{POWELL}> <{SEE_ALSO}> <https://example.org/powell/while-down> .\n".encode()
    reply = fetch(server.base + "contributions", "POST",
                  {"Authorization": f"Bearer {contributor}", "Content-Type": "application/n-triples", "Accept": "application/json"},
                  triple)
    assert reply.status == 502
    assert "could not be reached" in reply.text and "nothing was stored" in reply.text
    folder = instance / "contributions"
    assert not folder.exists() or not [p for p in folder.iterdir() if not p.name.startswith(".")]
    # What does not need the store still answers.
    assert fetch(server.base + "ontology", headers={"Accept": "text/turtle"}).status == 200
    assert fetch(server.base + "sparql", headers={"Accept": "text/turtle"}).status == 200
    assert "Traceback" not in server.log_text()
