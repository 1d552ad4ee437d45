"""OWL RL consistency of the data with the ontology and the reused vocabularies' own axioms.

The graph is the published data, ``ontology/mxus.ttl`` and ``external.ttl``
(what the server loads) and the published axioms under ``ontology/vocab/``
(which the server does not load: they are only for this check; their
annotations are left out, ``axioms_of``). owlrl computes
the OWL 2 RL closure; the graph is inconsistent when the closure has a member
of owl:Nothing or when owlrl reports a clash (a disjointness such as PROV-O's
prov:Activity / prov:Entity, an owl:AllDisjointClasses, a property asserted
for an individual and its negation, an ill-typed literal, an individual
owl:differentFrom itself).
"""

from __future__ import annotations

from contextlib import contextmanager

from dataclasses import dataclass
from pathlib import Path

import owlrl
from rdflib import Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS

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


# OWL 2's built-in annotation properties (the vocabularies declare their own as owl:AnnotationProperty).
BUILT_IN_ANNOTATIONS = frozenset({
    RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.deprecated, OWL.versionInfo,
    OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith,
})


def axioms_of(vocabularies: Graph) -> Graph:
    """The vocabularies without the annotations on their own terms (labels, comments, definitions, notes).

    Annotations carry no meaning in OWL, so they can make nothing inconsistent, yet they are half the
    triples and owlrl's time grows with the triple count. What an annotation property means for the
    data (its domain, range or super-property) is a triple about the property, so it stays; and the
    data and the ontology keep every annotation of their own.
    """
    annotation = BUILT_IN_ANNOTATIONS | set(vocabularies.subjects(RDF.type, OWL.AnnotationProperty))
    axioms = Graph()
    for triple in vocabularies:
        if triple[1] not in annotation:
            axioms.add(triple)
    return axioms


class WithoutSelfSameness(owlrl.OWLRL_Semantics):
    """OWL RL without the ``x owl:sameAs x`` that rule eq-ref derives for every term (half the closure's time).

    Such a triple derives nothing new (eq-sym, eq-trans and eq-rep-* give back triples already there)
    and takes part in one clash, eq-diff1 for ``x owl:differentFrom x``, which ``closure_verdict``
    looks for itself. A reflexive owl:sameAs the input states is kept.
    """

    def store_triple(self, t):
        if t[1] == SAME_AS and t[0] == t[2]:
            return
        super().store_triple(t)


SAME_AS = OWL.sameAs


class LookedUpOnce:
    """A namespace whose terms are built once. rdflib's build a new URIRef at every ``OWL.sameAs``, and
    owlrl's rules look up millions of them (a quarter of the closure's time)."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str):
        term = getattr(self._namespace, name)
        setattr(self, name, term)  # from now on a plain attribute: __getattr__ is not called again
        return term

    def __getitem__(self, name: str):
        return self._namespace[name]


@contextmanager
def namespaces_looked_up_once():
    """owlrl's modules see ``LookedUpOnce`` namespaces while the closure runs, and rdflib's again after."""
    modules = (owlrl.OWLRL, owlrl.Closure)
    saved = [(module, name, getattr(module, name)) for module in modules for name in ("OWL", "RDF", "RDFS")
             if hasattr(module, name)]
    for module, name, namespace in saved:
        setattr(module, name, LookedUpOnce(namespace))
    try:
        yield
    finally:
        for module, name, namespace in saved:
            setattr(module, name, namespace)


def closure_verdict(graph: Graph) -> Verdict:
    # rdflib's store without named graphs: the closure needs none, and its lookups (most of owlrl's
    # time) cost a fifth less there.
    closed = Graph(store="SimpleMemory")
    closed += graph
    with namespaces_looked_up_once():
        owlrl.DeductiveClosure(WithoutSelfSameness, improved_datatypes=False).expand(closed)
    nothing = sorted(str(s) for s in closed.subjects(RDF.type, OWL.Nothing))
    clashes = sorted(str(message) for error in closed.subjects(RDF.type, ERR.ErrorMessage)
                     for message in closed.objects(error, ERR.error))
    clashes += sorted(f"{s} is owl:differentFrom itself" for s, o in closed.subject_objects(OWL.differentFrom) if s == o)
    return Verdict(nothing, clashes)
