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
from rdflib.namespace import OWL, RDF, RDFS, SH

from server.publication.shape_reads import TARGETS, Trace, prune_prefixes, shape_traces
from server.rdf.namespaces import MXUS, OA

Around = Callable[[str], Graph]  # a CONSTRUCT over the published data and accepted contributions
INCOMING = MXUS["validation-incoming"]  # private to the target query below: (node, INCOMING, predicate)

# What the anchor check (validation.anchor_mismatches) reads from a submitted span.
ANCHOR_TRACES = (((OA.hasSource, False), (MXUS.sha256, False)), ((OA.hasSelector, False), (OA.exact, False)))


class Unfocused(Exception):
    """The submission reaches something this module cannot name (a blank node in the store, a shape
    it cannot analyse, a new class hierarchy): validate against everything instead."""


def focus_pairs(submission: Graph, shapes: Graph, ontology: Graph, around: Around) -> tuple[dict, set]:
    """{shape: {focus node}} of the pairs whose verdict the submission can change, and the submission's
    IRIs the store does not hold (for ``needed_data``)."""
    traces = shape_traces(shapes)
    if any(found is None for found in traces.values()):
        raise Unfocused("a shape cannot be analysed")
    if (None, RDFS.subClassOf, None) in submission:
        raise Unfocused("the submission extends the class hierarchy")
    by_predicate: dict = {}
    for triple in submission:
        by_predicate.setdefault(triple[1], []).append(triple)
    walks: dict = {}  # (start node, reversed trace prefix): the shapes whose traces walk it
    candidates: dict = {}  # shape: nodes (those read at the first step need no walk)
    everything = list(submission)
    for shape, shape_walks in traces.items():
        here = candidates.setdefault(shape, set())
        for trace in shape_walks:
            (predicate, inverse), before = trace[-1], _reversed(trace[:-1])
            triples = by_predicate.get(predicate, ()) if predicate is not None else everything
            if not before:
                here.update(o if inverse else s for s, _, o in triples)
                continue
            for s, _, o in triples:
                walks.setdefault((o if inverse else s, before), set()).add(shape)
    absent = absent_from_store(submission, around)
    reached = Surroundings(submission, around, absent).follow(set(walks))
    for walk, shapes_walking in walks.items():
        for shape in shapes_walking:
            candidates[shape].update(reached[walk])
    made = made_targets(submission, shapes, ontology)
    everyone = set().union(*candidates.values())
    if any(isinstance(node, BNode) and (node, None, None) not in submission and (None, None, node) not in submission
           for node in everyone):
        raise Unfocused("a trace reaches a blank node of the store")
    facts = TargetFacts(shapes, ontology, submission, around, everyone - absent)
    pairs = {shape: set(nodes) for shape, nodes in made.items() if nodes}
    for shape, nodes in candidates.items():
        for node in nodes:
            if facts.targets(shape, node):
                pairs.setdefault(shape, set()).add(node)
    return pairs, absent


STORED = MXUS["validation-stored"]  # private to the query below


def absent_from_store(submission: Graph, around: Around) -> set:
    """The submission's IRIs the store knows nothing about: new resources, which no stored triple reaches,
    so no walk asks the store about them (a thousand new claims are a thousand fewer lookups)."""
    named = {term for s, _, o in submission for term in (s, o) if isinstance(term, URIRef)}
    if not named:
        return set()
    stored = around(f"""CONSTRUCT {{ ?n <{STORED}> true }} WHERE {{
  VALUES ?n {{ {" ".join(sorted(term.n3() for term in named))} }}
  FILTER (EXISTS {{ ?n ?p ?o }} || EXISTS {{ ?s ?p ?n }})
}}""")
    return named - set(stored.subjects(STORED, None))


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
        self.submission = submission
        self.graph = Graph()  # what the store says about the nodes
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
        self.superclasses = _superclass_closure(ontology, self.graph)  # (a submission's own: Unfocused)
        self._shapes: dict = {}
        self._nodes: dict = {}

    def targets(self, shape, node) -> bool:
        named, classes, objects_of, subjects_of = self._shape(shape)
        types, incoming, outgoing = self._node(node)
        return node in named or bool(types & classes or incoming & objects_of or outgoing & subjects_of)

    def _shape(self, shape) -> tuple:
        if shape not in self._shapes:
            self._shapes[shape] = tuple(frozenset(self.shapes.objects(shape, predicate)) for predicate in
                                        (SH.targetNode, SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf))
        return self._shapes[shape]

    def _node(self, node) -> tuple:
        if node not in self._nodes:
            types, incoming, outgoing = set(), set(self.graph.objects(node, INCOMING)), set()
            for g in (self.graph, self.submission):
                for direct in g.objects(node, RDF.type):
                    types |= self.superclasses.get(direct, {direct})
                incoming |= set(g.predicates(None, node))
                outgoing |= set(g.predicates(node, None))
            self._nodes[node] = types, incoming, outgoing
        return self._nodes[node]


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
    """The shapes of ``pairs`` with all they refer to, whose targets are exactly ``pairs``, as sh:targetNode.

    pySHACL's own focus_nodes option also filters nested evaluations (sh:not,
    sh:node, qualified shapes) and drops blank nodes, which changes verdicts;
    rewriting top-level targets as sh:targetNode leaves everything else as is.
    A shape without targets is evaluated only where another refers to it, so
    the shapes nothing in ``pairs`` reaches are left out: pySHACL reads a
    sixth of the shapes graph instead of all of it, which halved a
    submission's validation. Where the shapes graph defines something every
    shape may use (a constraint component, a function, a rule, a shape that is
    also a class), it is all kept.
    """
    kept = shapes if _defines_for_all(shapes) else _reachable(shapes, pairs)
    restricted = Graph()
    restricted.addN((s, p, o, restricted) for s, p, o in kept if p not in TARGETS)
    for prefix, namespace in shapes.namespaces():
        restricted.bind(prefix, namespace, override=False)
    for shape, nodes in pairs.items():
        for node in nodes:
            restricted.add((shape, SH.targetNode, node))
    return restricted


# What a shapes graph can define for every shape rather than within one: then no shape is left out.
SHARED_DEFINITIONS = (SH.ConstraintComponent, SH.Function, SH.SPARQLFunction, SH.TargetType, SH.SPARQLTargetType,
                      RDFS.Class, OWL.Class)


def _defines_for_all(shapes: Graph) -> bool:
    return any((None, RDF.type, kind) in shapes for kind in SHARED_DEFINITIONS) or (None, SH.rule, None) in shapes


def _reachable(shapes: Graph, pairs: dict) -> list[tuple]:
    """The triples of the shapes in ``pairs`` and of every node of the shapes graph they lead to."""
    found, seen, todo = [], set(pairs), list(pairs)
    while todo:
        node = todo.pop()
        for p, o in shapes.predicate_objects(node):
            found.append((node, p, o))
            if isinstance(o, (URIRef, BNode)) and o not in seen:
                seen.add(o)
                todo.append(o)
    return found


def needed_data(submission: Graph, shapes: Graph, pairs: dict, around: Around, absent: set) -> Graph:
    """The submission and every stored triple the pairs' traces walk over (the anchor check's too)."""
    traces = shape_traces(shapes)
    starts = set()
    for shape, nodes in pairs.items():
        walked = prune_prefixes(traces[shape])
        starts.update((node, trace) for node in nodes for trace in walked)
    starts |= {(span, trace) for span in submission.subjects(RDF.type, OA.SpecificResource) for trace in ANCHOR_TRACES}
    forwards = Surroundings(submission, around, absent, describe=True)
    forwards.follow(starts)
    return forwards.graph


class Surroundings:
    """The submission and the stored triples around it, fetched as traces are walked, one query a step.

    Walking backwards (finding focus nodes), each stored node met is asked for the rest of the walk as
    one chain, so a blank node on the way is met inside one answer. Walking forwards (``describe``: the
    data a validation reads), each stored node is fetched whole, with the blank nodes under it, once:
    a blank node is the same node everywhere in the graph pySHACL reads.
    """

    def __init__(self, submission: Graph, around: Around, absent: set, describe: bool = False):
        self.graph = Graph()
        self.around = around
        self.describing = describe
        self.asked: set = set()
        self.absent = absent  # not in the store: never asked about
        self.out: dict = {}  # (node, predicate or None): objects
        self.into: dict = {}  # (node, predicate or None): subjects
        self._add(submission)

    def _add(self, graph: Graph) -> None:
        if self.describing:  # the graph pySHACL reads; walking backwards needs only the indexes
            self.graph += graph
        for s, p, o in graph:
            for key in ((s, p), (s, None)):
                self.out.setdefault(key, set()).add(o)
            for key in ((o, p), (o, None)):
                self.into.setdefault(key, set()).add(s)

    def follow(self, starts: set) -> dict:
        """{(start, steps): the nodes at the end of ``steps`` from ``start``}."""
        after: dict = {}  # (node, steps left): the (node, steps left) one step on
        frontier = set(starts)
        while frontier:
            self._fetch({state for state in frontier if state[1]})
            following = set()
            for node, rest in frontier:
                if rest and (node, rest) not in after:
                    (predicate, inverse), later = rest[0], rest[1:]
                    nodes = (self.into if inverse else self.out).get((node, predicate), ())
                    after[(node, rest)] = {(other, later) for other in nodes}
                    following |= after[(node, rest)]
            frontier = following
        ends: dict = {}

        def end(state) -> set:
            if state not in ends:
                ends[state] = {state[0]} if not state[1] else set()  # a walk through a cycle ends nowhere new
                for step in after.get(state, ()):
                    ends[state] |= end(step)
            return ends[state]

        return {start: end(start) for start in starts}

    def _fetch(self, requests: set) -> None:
        requests = {(node, rest) for node, rest in requests if node not in self.absent
                    and (isinstance(node, URIRef) or isinstance(node, Literal) and rest[0][1])}
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
        if self.describing and any(isinstance(o, BNode) and (o, None, None) not in fetched
                                   for o in fetched.objects(None, None)):
            raise Unfocused(f"blank nodes nested deeper than {DESCRIBE_DEPTH} levels")
        self._add(fetched)


DESCRIBE_DEPTH = 3  # blank nodes under blank nodes: a membership's interval's instant


def _description(name: str, _rest) -> tuple[str, list[str]]:
    """Every triple of ?{name}_0 and of the blank nodes under it."""
    pattern = f"?{name}_0 ?{name}_p0 ?{name}_1 ."
    triples = [f"?{name}_0 ?{name}_p0 ?{name}_1 ."]
    for level in range(1, DESCRIBE_DEPTH + 1):
        node, below = f"?{name}_{level}", f"?{name}_{level + 1}"
        pattern += f" OPTIONAL {{ FILTER (isBlank({node})) {node} ?{name}_p{level} {below} ."
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
