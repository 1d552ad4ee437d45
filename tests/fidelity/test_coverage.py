"""Every sentence of the seed is covered by spans or left out with a reason.

The rule that cuts the seed into sentences is code (``coverage.py``); the
table (``coverage.json``) says, for each sentence and each region of page
furniture or host text, which spans cover it or why it is left out. The
checker must also be able to fail: on a table with a row removed, on a
sentence whose spans leave words out, and on a claim span that reaches into
a page footer.
"""

from __future__ import annotations

import copy
import json

import pytest
from rdflib import Graph, Literal, URIRef

from tests.fidelity.coverage import OA, TABLE, check, load_table, split_sentences

SPAN = "https://w3id.org/mxus/id/span/"


@pytest.fixture(scope="module")
def table() -> dict:
    return load_table()


def test_every_sentence_is_covered_or_excluded(published, seed_text, table):
    report = check(seed_text, published.data, table)
    assert report.problems == []
    # What was measured, for the record (and so a silently empty table fails).
    assert report.sentences == 27
    assert report.covered + report.excluded == report.sentences + report.regions


def test_the_rule_cuts_the_running_text_into_sentences(seed_text, table):
    sentences = split_sentences(seed_text, table["regions"])
    keys = [s.key for s in sentences]
    assert keys[0].startswith("Why were the Mexican")
    assert keys[-1].startswith("Yet, the initiatives")
    # Initials do not end a sentence ...
    assert not any(key.startswith(("Bush, met", "Castañeda", "S. borders")) for key in keys)
    # ... and a sentence a page footer interrupts is one sentence in two pieces.
    [interrupted] = [s for s in sentences if s.key.startswith("They recognised the need")]
    assert len(interrupted.pieces) == 2
    assert "New School" not in interrupted.text


def test_a_sentence_without_a_row_fails(published, seed_text, table, tmp_path):
    broken = copy.deepcopy(table)
    broken["sentences"] = [r for r in broken["sentences"] if not r["begins"].startswith("The idea of a bilateral")]
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    report = check(seed_text, published.data, load_table(path))
    assert any("The idea of a bilateral" in p and "neither covered nor excluded" in p for p in report.problems)


def test_a_sentence_its_spans_do_not_cover_fails(published, seed_text, table):
    broken = copy.deepcopy(table)
    [row] = [r for r in broken["sentences"] if r["begins"].startswith("Although this event")]
    row["covered_by"].remove("span:concession-priorities-changed")
    report = check(seed_text, published.data, broken)
    assert any("Although this event" in p and "is not inside its spans" in p for p in report.problems)


def test_an_excluded_row_needs_a_reason(published, seed_text, table):
    broken = copy.deepcopy(table)
    [row] = [r for r in broken["sentences"] if r["begins"].startswith("The idea of a bilateral")]
    del row["covered_by"], row["represents"]
    row["excluded"] = " "
    report = check(seed_text, published.data, broken)
    assert any("either covered_by spans or an excluded reason" in p for p in report.problems)


def test_a_span_over_page_furniture_fails(published, seed_text, table):
    """The span the issue found (406 characters for a 76-character quotation) is refused."""
    graph = Graph()
    graph += published.data
    span = URIRef(SPAN + "quote-human-treatment")
    [position] = [s for s in graph.objects(span, OA.hasSelector) if graph.value(s, OA.start) is not None]
    graph.set((position, OA.end, Literal(2957)))
    report = check(seed_text, graph, table)
    assert any(p.startswith(f"{span} covers page furniture") for p in report.problems)


def test_the_table_file_is_the_one_checked():
    assert TABLE.name == "coverage.json" and TABLE.is_file()
