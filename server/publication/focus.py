"""Which (shape, focus node) pairs a submission can affect, and the data they need.

The published data conforms, and a submission only adds triples. So a shape's
verdict on a node can change only if the submission makes the node one of
the shape's targets (a new rdf:type, a new triple of a sh:targetSubjectsOf or
sh:targetObjectsOf predicate), or adds a triple one of the shape's traces
from that node walks over (``shape_reads``). The second set is found by
walking each trace backwards from each submitted triple it could end on,
through the submission and the store. Only those pairs are validated, over
the data their traces walk (``Surroundings.describe``), so the cost follows
the submission, not the dataset or its hubs (the article, the source text,
the author: a new claim names all three, and each is linked to by hundreds
of resources whose shapes never read that link).
"""

from __future__ import annotations

from typing import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from server.publication.shape_reads import TARGETS, Trace, prune_prefixes, shape_traces
from server.rdf.namespaces import MXUS, OA

Around = Callable[[str], Graph]  # a CONSTRUCT over the published data and accepted contributions
INCOMING = MXUS["validation-incoming"]  # private to the target query below: (node, INCOMING, predicate)

# What the anchor check (validation.anchor_mismatches) reads from a submitted span.
ANCHOR_TRACES = (((OA.hasSource, False), (MXUS.sha256, False)), ((OA.hasSelector, False), (OA.exact, False)))


class Unfocused(Exception):
    """The submission reaches something this module cannot name (a blank node in the store, a shape
    it cannot analyse, a new class hierarchy): validate against everything instead."""


def focus_pairs(submission: Graph, shapes: Graph, ontology: Graph, around: Around) -> dict:
    """{shape: {focus node}} of the pairs whose verdict the submission can change."""
    traces = shape_traces(shapes)
    if any(found is None for found in traces.values()):
        raise Unfocused("a shape cannot be analysed")
    if (None, RDFS.subClassOf, None) in submission:
        raise Unfocused("the submission extends the class hierarchy")
    walks = []  # (shape, reversed trace prefix, start node)
    for shape, shape_walks in traces.items():
        for trace in shape_walks:
            (predicate, inverse), before = trace[-1], _reversed(trace[:-1])
            for s, p, o in (submission.triples((None, predicate, None)) if predicate is not None else submission):
                walks.append((shape, before, o if inverse else s))
    backwards = Surroundings(submission, around)
    reached = backwards.follow({(start, steps) for _, steps, start in walks})
    candidates: dict = {}
    for shape, steps, start in walks:
        candidates.setdefault(shape, set()).update(reached[(start, steps)])
    made = made_targets(submission, shapes, ontology)
    everyone = set().union(*candidates.values())
    if any(isinstance(node, BNode) and (node, None, None) not in submission and (None, None, node) not in submission
           for node in everyone):
        raise Unfocused("a trace reaches a blank node of the store")
    facts = TargetFacts(shapes, ontology, submission, around, everyone)
    pairs = {shape: set(nodes) for shape, nodes in made.items() if nodes}
    for shape, nodes in candidates.items():
        for node in nodes:
            if facts.targets(shape, node):
                pairs.setdefault(shape, set()).add(node)
    return pairs


def made_targets(submission: Graph, shapes: Graph, ontology: Graph) -> dict:
    """{shape: the nodes the submission makes its targets}: subjects of a new rdf:type of a target class
    (or a subclass), subjects of a sh:targetSubjectsOf and objects of a sh:targetObjectsOf predicate.
    (sh:targetNode names its node whatever the data.)"""
    superclasses = _superclass_closure(ontology, submission)
    made: dict = {}
    for s, kind in submission.subject_objects(RDF.type):
        for shape in {shape for c in superclasses.get(kind, {kind}) for shape in shapes.subjects(SH.targetClass, c)}:
            made.setdefault(shape, set()).add(s)
    for shape, predicate in shapes.subject_objects(SH.targetSubjectsOf):
        made.setdefault(shape, set()).update(submission.subjects(predicate, None))
    for shape, predicate in shapes.subject_objects(SH.targetObjectsOf):
        made.setdefault(shape, set()).update(submission.objects(None, predicate))
    return made


def _reversed(steps: Trace) -> Trace:
    return tuple((predicate, not inverse) for predicate, inverse in reversed(steps))


class TargetFacts:
    """What decides whether a shape targets a node: its classes (with superclasses), its predicates in and out."""

    def __init__(self, shapes: Graph, ontology: Graph, submission: Graph, around: Around, nodes: set):
        self.shapes = shapes
        self.graph = Graph()
        self.graph += submission
        out_predicates = set(shapes.objects(None, SH.targetSubjectsOf))
        in_predicates = set(shapes.objects(None, SH.targetObjectsOf))
        stored = [node for node in nodes if isinstance(node, (URIRef, Literal))]
        if stored:
            values = f"VALUES ?f {{ {' '.join(node.n3() for node in stored)} }}"
            self.graph += around(f"""CONSTRUCT {{ ?f a ?t . ?f <{INCOMING}> ?q . ?f ?p ?o }} WHERE {{
  {{ {values} ?f a ?t }}
  UNION {{ SELECT DISTINCT ?f ?q WHERE {{ {values} VALUES ?q {{ {_terms(in_predicates)} }} ?s ?q ?f }} }}
  UNION {{ {values} VALUES ?p {{ {_terms(out_predicates)} }} ?f ?p ?o }}
}}""")
        self.superclasses = _superclass_closure(ontology, self.graph)

    def targets(self, shape, node) -> bool:
        g, shapes = self.graph, self.shapes
        if (shape, SH.targetNode, node) in shapes:
            return True
        types = set()
        for direct in g.objects(node, RDF.type):
            types |= self.superclasses.get(direct, {direct})
        if any((shape, SH.targetClass, kind) in shapes for kind in types):
            return True
        incoming = set(g.objects(node, INCOMING)) | set(g.predicates(None, node))
        if any((shape, SH.targetObjectsOf, predicate) in shapes for predicate in incoming):
            return True
        return any((shape, SH.targetSubjectsOf, predicate) in shapes for predicate in g.predicates(node, None))


def _terms(terms: Iterable) -> str:
    return " ".join(term.n3() for term in terms) or "<urn:mxus:none>"


def _superclass_closure(ontology: Graph, data: Graph) -> dict:
    """Each class with itself and all its superclasses."""
    parents: dict = {}
    for graph in (ontology, data):
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            parents.setdefault(child, set()).add(parent)
    closure: dict = {}
    for start in parents:
        seen, stack = {start}, [start]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        closure[start] = seen
    return closure


def pairs_as_targets(shapes: Graph, pairs: dict) -> Graph:
    """A copy of ``shapes`` whose targets are exactly ``pairs``, as sh:targetNode.

    pySHACL's own focus_nodes option also filters nested evaluations (sh:not,
    sh:node, qualified shapes) and drops blank nodes, which changes verdicts;
    rewriting top-level targets as sh:targetNode leaves everything else as is.
    """
    restricted = Graph()
    restricted.addN((s, p, o, restricted) for s, p, o in shapes if p not in TARGETS)
    for prefix, namespace in shapes.namespaces():
        restricted.bind(prefix, namespace, override=False)
    for shape, nodes in pairs.items():
        for node in nodes:
            restricted.add((shape, SH.targetNode, node))
    return restricted


def needed_data(submission: Graph, shapes: Graph, pairs: dict, around: Around) -> Graph:
    """The submission and every stored triple the pairs' traces walk over (the anchor check's too)."""
    traces = shape_traces(shapes)
    starts = {(node, trace) for shape, nodes in pairs.items() for node in nodes for trace in prune_prefixes(traces[shape])}
    starts |= {(span, trace) for span in submission.subjects(RDF.type, OA.SpecificResource) for trace in ANCHOR_TRACES}
    forwards = Surroundings(submission, around, describe=True)
    forwards.follow(starts)
    return forwards.graph


class Surroundings:
    """The submission and the stored triples around it, fetched as traces are walked, one query a step.

    Walking backwards (finding focus nodes), each stored node met is asked for the rest of the walk as
    one chain, so a blank node on the way is met inside one answer. Walking forwards (``describe``: the
    data a validation reads), each stored node is fetched whole, with the blank nodes under it, once:
    a blank node is the same node everywhere in the graph pySHACL reads.
    """

    def __init__(self, submission: Graph, around: Around, describe: bool = False):
        self.graph = Graph()
        self.graph += submission
        self.around = around
        self.describing = describe
        self.asked: set = set()

    def follow(self, starts: set) -> dict:
        """{(start, steps): the nodes at the end of ``steps`` from ``start``}."""
        ends: dict = {start: set() for start in starts}
        frontier = {(start, start[0], start[1]) for start in starts}
        while frontier:
            self._fetch({(node, rest) for _, node, rest in frontier if rest})
            following = set()
            for origin, node, rest in frontier:
                if not rest:
                    ends[origin].add(node)
                    continue
                (predicate, inverse), after = rest[0], rest[1:]
                for other in self._step(node, predicate, inverse):
                    following.add((origin, other, after))
            frontier = following
        return ends

    def _step(self, node, predicate, inverse: bool):
        g = self.graph
        if inverse:
            return g.subjects(predicate, node) if predicate is not None else (s for s, _ in g.subject_predicates(node))
        if isinstance(node, Literal):
            return ()
        return g.objects(node, predicate) if predicate is not None else (o for _, o in g.predicate_objects(node))

    def _fetch(self, requests: set) -> None:
        requests = {(node, rest) for node, rest in requests
                    if isinstance(node, URIRef) or isinstance(node, Literal) and rest[0][1]}
        if self.describing:
            requests = {(node, rest[:1]) if rest[0][1] else (node, ()) for node, rest in requests}
        requests -= self.asked
        if not requests:
            return
        self.asked |= requests
        by_walk: dict = {}
        for node, rest in requests:
            by_walk.setdefault(rest, set()).add(node)
        branches, template = [], []
        for number, (rest, nodes) in enumerate(sorted(by_walk.items(), key=repr)):
            pattern, triples = (_description if not rest else _chain)(f"v{number}", rest)
            values = " ".join(sorted(node.n3() for node in nodes))
            branches.append(f"{{ VALUES ?v{number}_0 {{ {values} }} {pattern} }}")
            template.extend(triples)
        fetched = self.around(f"CONSTRUCT {{ {' '.join(template)} }} WHERE {{ {' UNION '.join(branches)} }}")
        if self.describing and any(isinstance(s, BNode) and (None, None, s) not in fetched
                                   for s in fetched.subjects(None, None)):
            raise Unfocused("a walk reaches a blank node of the store from below")
        self.graph += fetched


DESCRIBE_DEPTH = 3  # blank nodes under blank nodes: a membership's interval's instant


def _description(name: str, _rest) -> tuple[str, list[str]]:
    """Every triple of ?{name}_0 and of the blank nodes under it."""
    pattern = f"?{name}_0 ?{name}_p0 ?{name}_1 ."
    triples = [f"?{name}_0 ?{name}_p0 ?{name}_1 ."]
    for level in range(1, DESCRIBE_DEPTH + 1):
        pattern += f" OPTIONAL {{ FILTER (isBlank(?{name}_{level})) ?{name}_{level} ?{name}_p{level} ?{name}_{level + 1} ."
        triples.append(f"?{name}_{level} ?{name}_p{level} ?{name}_{level + 1} .")
    return pattern + " }" * DESCRIBE_DEPTH, triples


def _chain(name: str, rest: Trace) -> tuple[str, list[str]]:
    """The triples along ``rest`` from ?{name}_0, each step optional after the first."""
    pattern, triples = "", []
    for index, (predicate, inverse) in enumerate(rest):
        here, there = f"?{name}_{index}", f"?{name}_{index + 1}"
        link = predicate.n3() if predicate is not None else f"?{name}_p{index}"
        triple = f"{there} {link} {here} ." if inverse else f"{here} {link} {there} ."
        pattern += triple if index == 0 else f" OPTIONAL {{ {triple}"
        triples.append(triple)
    return pattern + " }" * (len(rest) - 1), triples
