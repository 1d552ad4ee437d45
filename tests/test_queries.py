"""Data-driven SPARQL tests: the facts the dataset must state, and health rules.

``tests/queries/facts/NAME.rq`` is a SELECT whose result must equal, as a set
of rows, the ``rows`` of ``NAME.json`` (each value compared by its lexical form:
``str()`` of the IRI or literal, ``null`` for an unbound variable). The JSON
also names the ``columns`` in order, says the ``fact`` in words, and quotes the
``evidence``: passages that must occur in the seed (read with the scan's
line-break hyphens, doubled quote marks and split "Castañeda" repaired).

``tests/queries/health/NAME.rq`` must return no row on the published data, and
at least one on ``NAME.violation.ttl`` (with the ontology), so that every rule
is shown to be able to fail.

The queries run in the in-process store (pyoxigraph, the engine behind /sparql), over
the default graph /sparql has (data, ontology, accepted contributions), with the
prefixes of ``server.rdf.namespaces`` declared: the files may use them undeclared.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from server.publication.anchors import normalize_passage
from server.rdf.namespaces import PREFIXES
from server.settings import PROJECT_ROOT
from server.store import open_store
from server.store.graphs import DATA_GRAPH, ONTOLOGY_GRAPH, GraphFile

QUERIES = Path(__file__).parent / "queries"
FACTS = QUERIES / "facts"
HEALTH = QUERIES / "health"
EXTERNAL_IDS = PROJECT_ROOT / "data" / "external-ids.tsv"  # the confirmed identifiers, with their sources
EVIDENCE = "evidence (public source where the identifier stands beside the name)"

FACT_CASES = sorted(FACTS.glob("*.rq"))
HEALTH_CASES = sorted(HEALTH.glob("*.rq"))



def lexical(term) -> str | None:
    return None if term is None else str(term)


DECLARED = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


def result_rows(store, query: str) -> tuple[list[str], set[tuple]]:
    answer = store.answer(DECLARED + query)
    return answer.variables, {tuple(lexical(row.get(name)) for name in answer.variables) for row in answer.rows}


def case_id(path: Path) -> str:
    return path.stem


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rq", FACT_CASES, ids=case_id)
def test_fact(rq: Path, local_store, seed_text: str):
    expected = json.loads(rq.with_suffix(".json").read_text(encoding="utf-8"))
    assert expected["fact"].strip(), "say the fact in words"
    assert expected["rows"], "a fact query expects at least one row"

    columns, rows = result_rows(local_store, rq.read_text(encoding="utf-8"))
    assert columns == expected["columns"]
    assert all(len(row) == len(columns) for row in expected["rows"])
    wanted = {tuple(row) for row in expected["rows"]}
    assert len(wanted) == len(expected["rows"]), "duplicate expected rows"
    assert sorted(rows - wanted, key=str) == [], "rows the data has but the fact does not expect"
    assert sorted(wanted - rows, key=str) == [], "rows the fact expects but the data lacks"

    reading = normalize_passage(seed_text)
    missing = [passage for passage in expected["evidence"] if passage not in reading]
    assert missing == [], "evidence not found in the seed"


def test_sameas_links_are_exactly_the_confirmed_external_ids(data: Graph):
    """owl:sameAs targets == the identifier column of data/external-ids.tsv, each with its source."""
    with EXTERNAL_IDS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    assert rows and all(row["entity"] and row["kind"] and row[EVIDENCE] for row in rows), "every identifier names its source"
    confirmed = {row["identifier"] for row in rows}
    assert len(confirmed) == len(rows), "an identifier listed twice"
    linked = {str(o) for o in data.objects(None, OWL.sameAs) if isinstance(o, URIRef)}
    assert sorted(linked - confirmed) == [], "owl:sameAs to an identifier not confirmed"
    assert sorted(confirmed - linked) == [], "confirmed identifier not linked"
    documented = json.loads((FACTS / "sameas-links.json").read_text(encoding="utf-8"))
    assert {row[1] for row in documented["rows"]} == confirmed


# --------------------------------------------------------------------------
# Health rules
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rq", HEALTH_CASES, ids=case_id)
def test_health_rule_holds(rq: Path, local_store):
    _, rows = result_rows(local_store, rq.read_text(encoding="utf-8"))
    assert sorted(rows, key=str) == [], f"{rq.name} finds violations"


@pytest.mark.parametrize("rq", HEALTH_CASES, ids=case_id)
def test_health_rule_catches_its_violation(rq: Path, settings, published):
    """The rule finds rows in its violation file that it does not find without it."""
    query = rq.read_text(encoding="utf-8")
    ontology = [GraphFile(str(path), ONTOLOGY_GRAPH) for path in published.ontology_files]
    violation = GraphFile(str(rq.with_name(rq.stem + ".violation.ttl")), DATA_GRAPH)
    rows = []
    for files in (ontology, [*ontology, violation]):
        store = open_store(settings, files, digest=rq.stem + str(len(files)), in_process=True)
        try:
            rows.append(result_rows(store, query)[1])
        finally:
            store.close()
    before, after = rows
    assert after - before, f"{rq.name} does not catch {rq.stem}.violation.ttl"


# --------------------------------------------------------------------------
# Guard: every query file is a collected case, every case has its companion
# --------------------------------------------------------------------------


def _listed(folder: Path, suffix: str) -> set[str]:
    return {name[: -len(suffix)] for name in os.listdir(folder) if name.endswith(suffix)}


@pytest.mark.parametrize(
    ("test", "folder", "companion"),
    [(test_fact, FACTS, ".json"), (test_health_rule_holds, HEALTH, ".violation.ttl"),
     (test_health_rule_catches_its_violation, HEALTH, ".violation.ttl")],
    ids=["facts", "health", "health-violations"],
)
def test_every_query_file_is_a_collected_case(test, folder: Path, companion: str):
    """The parametrisation really covers the folder (no filter, no slice)."""
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    cases = mark.args[1]
    on_disk = _listed(folder, ".rq")
    assert len(cases) == len(on_disk) > 0
    assert {Path(c).stem for c in cases} == on_disk
    assert _listed(folder, companion) == on_disk, f"every .rq needs its {companion} and vice versa"
