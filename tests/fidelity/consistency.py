"""OWL RL consistency of the data with the ontology and the reused vocabularies' own axioms.

The graph is the published data, ``ontology/mxus.ttl`` and ``external.ttl``
(what the server loads) and the published axioms under ``ontology/vocab/``
(which the server does not load: they are only for this check). owlrl computes
the OWL 2 RL closure; the graph is inconsistent when the closure has a member
of owl:Nothing or when owlrl reports a clash (a disjointness such as PROV-O's
prov:Activity / prov:Entity, an owl:AllDisjointClasses, a property asserted
for an individual and its negation, an ill-typed literal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import owlrl
from rdflib import Graph, Namespace
from rdflib.namespace import OWL, RDF

ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


@dataclass
class Verdict:
    nothing: list[str]
    clashes: list[str]

    @property
    def consistent(self) -> bool:
        return not self.nothing and not self.clashes


def vocabulary_files(ontology_dir: Path) -> list[Path]:
    return sorted((ontology_dir / "vocab").glob("*.ttl"))


def closure_verdict(graph: Graph) -> Verdict:
    # rdflib's store without named graphs: the closure needs none, and its lookups (most of owlrl's
    # time) cost a fifth less there.
    closed = Graph(store="SimpleMemory")
    closed += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(closed)
    nothing = sorted(str(s) for s in closed.subjects(RDF.type, OWL.Nothing))
    clashes = sorted(str(message) for error in closed.subjects(RDF.type, ERR.ErrorMessage)
                     for message in closed.objects(error, ERR.error))
    return Verdict(nothing, clashes)
