"""Loading the published files into the engine: in memory, on disk (--store-path), and bad files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server.publication.dataset import load_published
from server.settings import PROJECT_ROOT, check_settings
from server.store import open_store
from server.store.errors import LoadFailed
from server.store.graphs import DATA_GRAPH, prepare_disk_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }" % DATA_GRAPH
SEE_ALSO = "<https://w3id.org/mxus/id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/x> .\n"
ASK_SEE_ALSO = "ASK { <https://w3id.org/mxus/id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/x> }"


def count(store) -> int:
    return number(store, COUNT)


def asks(store, text: str) -> bool:
    return json.loads(store.query(text, "application/sparql-results+json"))["boolean"]


def test_data_loaded_by_pyoxigraph_is_the_data_rdflib_reads(published, settings):
    store = open_store(settings, published.graph_files(), published.digest)
    try:
        assert count(store) == len(published.data)
    finally:
        store.close()


def test_disk_store_is_loaded_once_and_again_only_when_the_files_change(tmp_path, published):
    files = published.graph_files()
    assert prepare_disk_store(tmp_path, files, published.digest, b"") is True
    assert prepare_disk_store(tmp_path, files, published.digest, b"") is False  # a restart re-parses nothing
    assert prepare_disk_store(tmp_path, files, "another version of the files", b"") is True


def test_disk_store_serves_the_data_and_takes_additions(tmp_path, published):
    settings = check_settings({"STORE_PATH": tmp_path / "store"})
    store = open_store(settings, published.graph_files(), published.digest)
    try:
        assert count(store) == len(published.data)
        assert not asks(store, ASK_SEE_ALSO)
        store.publish(SEE_ALSO.encode(), "test")  # the workers are stopped, the store written, the workers restarted
        assert asks(store, ASK_SEE_ALSO)
        assert count(store) == len(published.data)  # into the accepted graph, not the data's
    finally:
        store.close()
    # At the next start the contributions' graphs are those the instance folder gives (here: none).
    again = open_store(settings, published.graph_files(), published.digest)
    try:
        assert not asks(again, ASK_SEE_ALSO) and count(again) == len(published.data)
    finally:
        again.close()


@pytest.mark.parametrize("store_path", [False, True], ids=["memory", "disk"])
def test_a_bad_data_file_is_named_with_line_and_column(tmp_path, store_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    overrides = {"DATA_PATHS": [bad]}
    if store_path:
        overrides["STORE_PATH"] = tmp_path / "store"
    settings = check_settings(overrides)
    with pytest.raises(LoadFailed, match=rf"^{bad}:3:11: "):
        _open(load_published(settings), settings)


def test_serve_with_a_bad_data_file_exits_with_its_position(tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("<https://example.org/a> <https://example.org/b> .\n")
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--port", "0", "--data", str(bad), "--instance", str(tmp_path / "i")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert f"{bad}:1:" in result.stderr and "Traceback" not in result.stderr


def test_disk_and_memory_stores_answer_the_same_default_graph(tmp_path, published, settings):
    """On disk the default graph is stored as one graph; its triples are those of the union in memory."""
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    memory = open_store(settings, published.graph_files(), published.digest)
    disk = open_store(check_settings({"STORE_PATH": tmp_path / "store"}), published.graph_files(), published.digest)
    try:
        counts = [[number(store, text) for text in (everything, distinct)] for store in (memory, disk)]
        assert counts[0][1] == counts[1][1] == counts[1][0]  # the same triples, each once on disk
        assert asks(disk, "ASK { <https://w3id.org/mxus/ontology#Claim> a <http://www.w3.org/2002/07/owl#Class> }")
        disk.publish(SEE_ALSO.encode(), "test")
        assert asks(disk, ASK_SEE_ALSO) and number(disk, distinct) == counts[1][1] + 1
    finally:
        memory.close()
        disk.close()


def number(store, text: str) -> int:
    return int(json.loads(store.query(text, "application/sparql-results+json"))["results"]["bindings"][0]["n"]["value"])


def test_ntriples_read_by_pyoxigraph_give_the_graph_rdflib_reads():
    """What a store answers a CONSTRUCT with (its N-Triples: xsd:string literals written plain), read both ways."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from server.store import graph_from_ntriples

    written = (
        '<https://example.org/a> <https://example.org/p> "plain" .\n'
        '<https://example.org/a> <https://example.org/p> "tagged"@es .\n'
        '<https://example.org/a> <https://example.org/p> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<https://example.org/a> <https://example.org/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
        '<https://example.org/a> <https://example.org/q> _:b .\n'
        '_:b <https://example.org/p> "line\\nbreak \\u00e9" .\n'
    ).encode()
    store = ox.Store()
    store.load(written, format=ox.RdfFormat.N_TRIPLES)
    body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    ours = graph_from_ntriples(body)
    assert len(ours) == 6
    assert isomorphic(ours, Graph().parse(data=body.decode(), format="nt"))


def _open(published, settings):
    return open_store(settings, published.graph_files(), published.digest)


def test_the_graph_names_are_spelled_alike_in_the_store_and_the_namespaces():
    from server.rdf import namespaces
    from server.store import graphs

    assert graphs.GRAPH_BASE == namespaces.GRAPH_BASE
