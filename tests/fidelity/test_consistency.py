"""Data + ontology + the reused vocabularies' own axioms are consistent under OWL RL.

One OWL RL closure serves both tests (it takes about ten seconds): the published graph
with a deliberately inconsistent example beside it, in a namespace of its own. The data is
consistent when no clash names anything else; the check works when the example's clashes are found.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph

from server.publication.dataset import ONTOLOGY_FILES
from tests.fidelity.consistency import Verdict, axioms_of, closure_verdict, vocabulary_files


@pytest.fixture(scope="module")
def vocabularies(project_root) -> Graph:
    graph = Graph()
    for path in vocabulary_files(project_root / "ontology"):
        graph.parse(path)
    return graph


def test_the_vocabularies_are_shipped_with_source_and_licence(project_root):
    folder = project_root / "ontology" / "vocab"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    files = [path.name for path in vocabulary_files(project_root / "ontology")]
    assert {"prov.ttl", "org.ttl", "oa.ttl", "skos.ttl", "time.ttl", "c4o-terms.ttl",
            "cito-terms.ttl", "biro-terms.ttl", "fabio-terms.ttl", "pro-terms.ttl"} <= set(files)
    for name in files:
        [row] = [line for line in readme.splitlines() if line.startswith(f"| `{name}`")]
        source, licence = row.split("|")[3:5]
        assert re.search(r"https?://", source), f"{name}: no source URL"
        assert licence.strip(), f"{name}: no licence"


def test_the_server_does_not_load_the_vocabularies():
    assert ONTOLOGY_FILES == ("mxus.ttl", "external.ttl")


INCONSISTENT = """
@prefix mxus: <https://w3id.org/mxus/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix ex:   <https://example.org/planted/> .

# An event that generated a declaration (so a prov:Activity, by PROV-O's domain
# of prov:generated) and is also derived from a passage (a prov:Entity, by the
# domain of prov:wasDerivedFrom): PROV-O makes the two classes disjoint. This
# is what mxus:statedIn did while it was a sub-property of prov:wasDerivedFrom.
ex:meeting prov:generated ex:declaration ; prov:wasDerivedFrom ex:passage .

# A claim of two kinds: the kinds are owl:AllDisjointClasses.
ex:claim a mxus:Thesis , mxus:ReportedFact .

# Someone different from themselves (the one clash the closure leaves to closure_verdict).
ex:someone owl:differentFrom ex:someone .
"""


PLANTED = "https://example.org/planted/"


@pytest.fixture(scope="module")
def verdict(published, vocabularies):
    """The closure of data, ontology, vocabularies and the planted example: (the data's, the example's)."""
    graph = Graph()
    graph += published.data
    graph += published.ontology
    graph += axioms_of(vocabularies)
    graph.parse(data=INCONSISTENT, format="turtle")
    closed = closure_verdict(graph)
    planted = Verdict([s for s in closed.nothing if PLANTED in s], [m for m in closed.clashes if PLANTED in m])
    ours = Verdict([s for s in closed.nothing if PLANTED not in s], [m for m in closed.clashes if PLANTED not in m])
    return ours, planted


def test_data_ontology_and_vocabularies_are_consistent(verdict):
    ours, _ = verdict
    assert ours.nothing == []
    assert ours.clashes == []


def test_an_inconsistent_example_is_caught(verdict):
    _, planted = verdict
    assert not planted.consistent
    joined = "\n".join(planted.clashes + planted.nothing)
    assert all(f"{PLANTED}{name}" in joined for name in ("meeting", "claim", "someone")), joined
