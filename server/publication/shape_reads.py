"""What each shape reads around its focus node, derived from the shapes themselves.

A *trace* is a walk from a focus node: a tuple of steps ``(predicate, inverse)``
(``None`` for any predicate). A shape reads the triples its traces walk over:
its paths (every prefix: sh:minCount counts the first step's values), the
constraints on the values at their ends (sh:class reads the value's
rdf:type; sh:node, sh:or, sh:not, sh:xone and qualified shapes read their own
traces from there), sh:lessThan and the like, and the triple patterns of its
SPARQL constraints (walked from ``$this`` along every simple path of the
query's patterns, including those inside FILTER NOT EXISTS).

Adding a triple can change a shape's verdict on a focus node only if one of
its traces from that node ends on that triple, or if the triple makes the
node a target. Validation of a submission uses this twice
(``server.publication.focus``): to find the focus nodes a submission can
affect (traces walked backwards from each submitted triple) and to fetch
what those nodes need (traces walked forwards from them).

A shape this cannot analyse (an unbounded path such as sh:zeroOrMorePath, a
recursive shape, a constraint component not listed here, a SPARQL pattern
not connected to ``$this``) is ``None``: submissions are then validated
against everything, never against a guess.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

from rdflib import BNode, Graph, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.paths import AlternativePath, InvPath, SequencePath

Step = tuple  # (URIRef | None, inverse: bool)
Trace = tuple  # of Steps

TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
MAX_STEPS = 8  # longer than any walk the shapes make: a longer one means a cycle, not analysed

# Parameters that read nothing beyond the value (or focus) node they are given.
LOCAL = {SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.pattern, SH.flags,
         SH.languageIn, SH.uniqueLang, SH["in"], SH.hasValue, SH.minInclusive, SH.maxInclusive, SH.minExclusive,
         SH.maxExclusive, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.message, SH.severity, SH.name,
         SH.description, SH.order, SH.group, SH.deactivated, SH.path, *TARGETS}
NESTED_ONE = (SH.node, SH["not"], SH.qualifiedValueShape, SH.property)
NESTED_LIST = (SH["and"], SH["or"], SH.xone)
PAIRS = (SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint)


class Unanalysable(Exception):
    pass


def targeted_shapes(shapes: Graph) -> set:
    return {shape for predicate in TARGETS for shape in shapes.subjects(predicate, None)}


@lru_cache(maxsize=8)
def shape_traces(shapes: Graph) -> dict:
    """{targeted shape: frozenset of its traces, or None when it cannot be analysed}. Once per shapes graph."""
    prefixes = {str(g_prefix): str(namespace) for g_prefix, namespace in _declared_prefixes(shapes)}
    found = {}
    for shape in targeted_shapes(shapes):
        try:
            found[shape] = frozenset(_traces(shapes, shape, frozenset(), prefixes))
        except Unanalysable:
            found[shape] = None
    return found


def _traces(g: Graph, shape, seen: frozenset, prefixes: dict) -> set:
    if shape in seen:
        raise Unanalysable(f"{shape} is recursive")
    seen = seen | {shape}
    for predicate in set(g.predicates(shape, None)):
        known = predicate in LOCAL or predicate in NESTED_ONE or predicate in NESTED_LIST or predicate in PAIRS or \
            predicate in (SH["class"], SH.sparql, SH.qualifiedValueShapesDisjoint)
        if str(predicate).startswith(str(SH)) and not known:
            raise Unanalysable(f"{shape}: {predicate} is not analysed")
    at_value = set()  # what the constraints read from each value node (the focus node itself for a node shape)
    if (shape, SH["class"], None) in g:
        at_value.add(((RDF.type, False),))
    for predicate in NESTED_ONE:
        for nested in g.objects(shape, predicate):
            at_value |= _traces(g, nested, seen, prefixes)
    for predicate in NESTED_LIST:
        for members in g.objects(shape, predicate):
            for nested in Collection(g, members):
                at_value |= _traces(g, nested, seen, prefixes)
    if g.value(shape, SH.qualifiedValueShapesDisjoint) is not None:
        raise Unanalysable(f"{shape}: sh:qualifiedValueShapesDisjoint reads its siblings")
    traces = set()
    path = g.value(shape, SH.path)
    if path is None:
        traces |= at_value
    else:
        for walk in _shacl_path(g, path):
            traces |= {walk[:length] for length in range(1, len(walk) + 1)}
            traces |= {walk + trace for trace in at_value}
        traces |= {((other, False),) for predicate in PAIRS for other in g.objects(shape, predicate)}
    for constraint in g.objects(shape, SH.sparql):
        traces |= _sparql_traces(g, constraint, prefixes)
    if any(len(trace) > MAX_STEPS for trace in traces):
        raise Unanalysable(f"{shape} walks more than {MAX_STEPS} steps")
    return traces


def _shacl_path(g: Graph, path) -> list:
    """The walks a SHACL path can take (one per alternative)."""
    if isinstance(path, URIRef):
        return [((path, False),)]
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return [_inverted(walk) for walk in _shacl_path(g, inverse)]
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return [walk for member in Collection(g, alternatives) for walk in _shacl_path(g, member)]
    if g.value(path, RDF.first) is not None:
        return [sum(parts, ()) for parts in product(*(_shacl_path(g, member) for member in Collection(g, path)))]
    raise Unanalysable(f"path {path} is not a predicate, inverse, alternative or sequence")


def _inverted(walk: Trace) -> Trace:
    return tuple((predicate, not inverse) for predicate, inverse in reversed(walk))


def _declared_prefixes(g: Graph):
    for declaration in g.objects(None, SH.declare):
        prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
        if prefix is not None and namespace is not None:
            yield prefix, namespace


def _sparql_traces(g: Graph, constraint, prefixes: dict) -> set:
    """The shortest walk from ``$this`` to each triple pattern, through patterns every match satisfies.

    A match of a pattern satisfies the query's top-level patterns and those of the FILTER (NOT) EXISTS
    group the pattern is in, so walking those from ``$this`` reaches the matched triple: one such walk per
    pattern finds every focus node a triple can matter to. Among equally short walks, the one with fewer
    inverse steps (walked backwards from a submitted triple, a forward step is a cheap lookup).
    """
    text = g.value(constraint, SH.select)
    if text is None or "$PATH" in str(text):
        raise Unanalysable(f"SPARQL constraint {constraint}: only SELECT constraints without $PATH are analysed")
    from rdflib.plugins.sparql import prepareQuery  # here: a server that never validates need not load it

    groups: list = []  # (patterns of the group, index of the enclosing group or None)
    _collect_groups(prepareQuery(str(text), initNs=prefixes).algebra, None, groups)
    traces: set = set()
    for index, (patterns, parent) in enumerate(groups):
        allowed = list(patterns)
        while parent is not None:
            allowed += groups[parent][0]
            parent = groups[parent][1]
        best = _shortest_walks(allowed)
        for subject, walk, obj in patterns:
            options = [best[subject] + walk] if subject in best else []
            options += [best[obj] + _inverted(walk)] if obj in best else []
            if not options:
                raise Unanalysable(f"SPARQL constraint {constraint}: a pattern is not connected to $this")
            chosen = min(options, key=_rank)
            traces.update(chosen[:length] for length in range(1, len(chosen) + 1))
    return traces


def _rank(trace: Trace) -> tuple:
    return len(trace), sum(inverse for _, inverse in trace)


def _shortest_walks(patterns: list) -> dict:
    """{term: the shortest walk from $this to it over ``patterns``}."""
    best = {Variable("this"): ()}
    changed = True
    while changed:
        changed = False
        for subject, walk, obj in patterns:
            for start, end, oriented in ((subject, obj, walk), (obj, subject, _inverted(walk))):
                if start in best:
                    reached = best[start] + oriented
                    if end not in best or _rank(reached) < _rank(best[end]):
                        best[end], changed = reached, True
    return best


# Graph patterns whose parts not every match satisfies: not analysed.
NOT_ANALYSED = {"LeftJoin", "Union", "Minus", "Graph", "ServiceGraphPattern", "ToMultiSet", "OptionalGraphPattern",
                "GroupOrUnionGraphPattern", "MinusGraphPattern", "GraphGraphPattern", "InlineData", "SubSelect"}


def top_level_patterns(algebra) -> list:
    """The triple patterns every answer of a query matches (its top level); Unanalysable if it has OPTIONAL,
    UNION, MINUS, GRAPH, VALUES or a subquery."""
    groups: list = []
    _collect_groups(algebra, None, groups)
    return groups[0][0]


def _collect_groups(node, group, groups: list) -> None:
    """The triple patterns of a query's algebra, by group: the top level, and each FILTER (NOT) EXISTS."""
    if group is None:
        groups.append(([], None))
        group = 0
    name = getattr(node, "name", None)
    if name in NOT_ANALYSED:
        raise Unanalysable(f"{name} in a SPARQL constraint is not analysed")
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "triples":  # an algebra BGP's 3-tuples, or a parsed block's flat s p o s p o ... lists
                for run in value:
                    run = list(run)
                    for i in range(0, len(run), 3):
                        s, p, o = run[i:i + 3]
                        groups[group][0].extend((s, walk, o) for walk in _sparql_path(p))
            elif key == "graph" and name in ("Builtin_NOTEXISTS", "Builtin_EXISTS"):
                groups.append(([], group))
                _collect_groups(value, len(groups) - 1, groups)
            else:
                _collect_groups(value, group, groups)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _collect_groups(item, group, groups)


def _sparql_path(p) -> list:
    if isinstance(p, Variable):
        return [((None, False),)]
    if isinstance(p, URIRef):
        return [((p, False),)]
    if isinstance(p, InvPath):
        return [_inverted(walk) for walk in _sparql_path(p.arg)]
    if isinstance(p, SequencePath):
        return [sum(parts, ()) for parts in product(*(_sparql_path(arg) for arg in p.args))]
    if isinstance(p, AlternativePath):
        return [walk for arg in p.args for walk in _sparql_path(arg)]
    raise Unanalysable(f"SPARQL path {p!r} is not analysed")


def prune_prefixes(traces) -> set:
    """The traces that are not a prefix of another: walking those walks all of them."""
    traces = set(traces)
    return {t for t in traces if not any(len(o) > len(t) and o[:len(t)] == t for o in traces)}


__all__ = ["BNode", "Step", "Trace", "Unanalysable", "prune_prefixes", "shape_traces", "targeted_shapes"]
