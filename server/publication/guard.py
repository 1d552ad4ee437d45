"""What a contribution may not touch: what the system itself asserts, and what it would contradict.

The shapes say what a well-formed statement is; this module says whose
statement it may be. A contribution adds statements about the article's
world. It never speaks about the system's own records (contributions,
graphs, the dataset description, contributors), never redefines or
relabels a vocabulary term, never merges two resources (directly or
through one external identifier), never gives a curated resource a second
label in its curated language or a new type, and never carries a link a
browser would run (``javascript:``, ``data:``). Each refusal is a 422 with
a message naming the statement; nothing is stored.

The checks that need the published data ask the store once each, for the
submission's subjects only, so their cost follows the submission's size.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from server.publication.errors import InputRefused
from server.rdf.namespaces import CANONICAL_BASE, CONTRIBUTION_BASE, DATASET, DUMPS_BASE, ENDPOINT, GRAPH_BASE, ID, PREFIXES, SCHEMA
from server.store import Store
from server.store.graphs import DATA_GRAPH, DEFAULT_GRAPHS

FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")
LABELS = (RDFS.label, SKOS.prefLabel, FOAF_NAME, SCHEMA.name)
IDENTITY = (OWL.sameAs, SKOS.exactMatch, SCHEMA.sameAs)
UNSAFE_SCHEMES = ("javascript:", "data:", "file:", "vbscript:")
# The system's own things: its records and its description of itself.
SYSTEM_SPACES = (CONTRIBUTION_BASE, GRAPH_BASE, CANONICAL_BASE + ".well-known/", str(ENDPOINT), DUMPS_BASE)
SYSTEM_THINGS = {str(DATASET)}
# Vocabularies: their terms are defined by their authors (or by us in mxus:), never by a contribution.
VOCABULARY_SPACES = tuple(namespace for prefix, namespace in PREFIXES.items() if prefix != "wd" and not namespace.startswith(str(ID)))


def refuse_what_the_system_owns(graph: Graph, store: Store, contributors: set[str], max_literal_chars: int,
                                max_triples_per_subject: int) -> None:
    """InputRefused (422) for the first statement a contribution may not make."""
    _refuse_unsafe_terms(graph, max_literal_chars, max_triples_per_subject)
    for subject, predicate, obj in graph:
        about = str(subject)
        if isinstance(subject, URIRef) and (about.startswith(SYSTEM_SPACES) or about in SYSTEM_THINGS
                                              or about.split("#")[0] in SYSTEM_THINGS or about in contributors):
            _refuse(subject, predicate, obj, "is about the system's own records (contributions, graphs, the dataset "
                    "description, contributors); those are written by the system, not by contribution")
        if isinstance(subject, URIRef) and about.startswith(VOCABULARY_SPACES):
            _refuse(subject, predicate, obj, "is about a vocabulary term; terms are defined and labelled by their "
                    "vocabularies, not by contribution")
    _refuse_merges(graph, store)
    _refuse_contradictions(graph, store)


def _refuse(subject, predicate, obj, why: str) -> None:
    shown = obj.n3() if len(str(obj)) <= 200 else f"{obj.n3()[:200]}…"
    raise InputRefused(f"the statement {subject.n3()} {predicate.n3()} {shown} {why}", 422)


def _refuse_unsafe_terms(graph: Graph, max_literal_chars: int, max_triples_per_subject: int) -> None:
    per_subject: dict = defaultdict(int)
    for subject, predicate, obj in graph:
        for term in (subject, predicate, obj):
            if isinstance(term, URIRef) and str(term).strip().lower().startswith(UNSAFE_SCHEMES):
                raise InputRefused(f"<{str(term)[:100]}> has a scheme this dataset never links to "
                                   f"({', '.join(UNSAFE_SCHEMES)}): use http or https", 422)
        if isinstance(obj, Literal) and len(obj) > max_literal_chars:
            raise InputRefused(f"a literal of {len(obj)} characters on {subject.n3()} {predicate.n3()}; "
                               f"the limit is {max_literal_chars} (MAX_LITERAL_CHARS)", 422)
        per_subject[subject] += 1
        if per_subject[subject] > max_triples_per_subject:
            raise InputRefused(f"more than {max_triples_per_subject} statements about {subject.n3()} "
                               "(MAX_TRIPLES_PER_SUBJECT); split the contribution", 422)


def _ours(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(ID))


def _refuse_merges(graph: Graph, store: Store) -> None:
    """No identity link between two of our resources, and no external identifier shared by two of them."""
    links = [(s, p, o) for p in IDENTITY for s, o in graph.subject_objects(p)]
    if not links:
        return
    external_of: dict = defaultdict(set)  # external IRI -> our resources it is said to be
    for subject, predicate, obj in links:
        # owl:sameAs to one of ours is the shapes' to refuse (DescribedResourceShape says so, in curated data too).
        if _ours(subject) and _ours(obj) and subject != obj and predicate != OWL.sameAs:
            _refuse(subject, predicate, obj, "would merge two resources of this dataset")
        ours, other = (subject, obj) if _ours(subject) else (obj, subject)
        if _ours(ours) and isinstance(other, URIRef) and not _ours(other):
            external_of[other].add(ours)
    if not external_of:
        return
    values = " ".join(f"<{iri}>" for iri in external_of)
    predicates = " ".join(f"<{p}>" for p in IDENTITY)
    rows = store.select(
        f"""SELECT ?ours ?external WHERE {{ VALUES ?external {{ {values} }} VALUES ?p {{ {predicates} }}
              {{ ?ours ?p ?external }} UNION {{ ?external ?p ?ours }} FILTER (STRSTARTS(STR(?ours), "{ID}")) }}""",
        DEFAULT_GRAPHS,
    )
    for row in rows:
        external_of[row["external"]].add(row["ours"])
    for external, resources in external_of.items():
        if len(resources) > 1:
            names = ", ".join(sorted(r.n3() for r in resources))
            raise InputRefused(f"{external.n3()} would be the same thing as several resources of this dataset "
                               f"({names}): one external identifier identifies one resource", 422)


def _refuse_contradictions(graph: Graph, store: Store) -> None:
    """A curated resource keeps its label in its curated language (any variant, or untagged) and its types."""
    subjects = {s for s in graph.subjects() if _ours(s)}
    if not subjects:
        return
    values = " ".join(f"<{s}>" for s in subjects)
    labels = " ".join(f"<{p}>" for p in LABELS)
    curated = store.select(
        f"""SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }}
              {{ VALUES ?p {{ {labels} }} ?s ?p ?o }} UNION {{ BIND (<{RDF.type}> AS ?p) ?s ?p ?o }} }}""",
        (DATA_GRAPH,),
    )
    english: dict = defaultdict(set)  # (subject, label property) -> its curated English or untagged labels
    types: dict = defaultdict(set)
    for row in curated:
        if row["p"] == RDF.type:
            types[row["s"]].add(row["o"])
        elif isinstance(row["o"], Literal) and _english_or_untagged(row["o"]):
            english[(row["s"], row["p"])].add(row["o"])
    for subject, predicate, obj in graph:
        if subject not in subjects:
            continue
        curated_labels = english.get((subject, predicate), set())
        if predicate in LABELS and isinstance(obj, Literal) and _english_or_untagged(obj) and curated_labels \
                and obj not in curated_labels:
            _refuse(subject, predicate, obj, "would give a curated resource a second English label (in any English "
                    "variant or without a language tag); labels in other languages are welcome")
        if predicate == RDF.type and subject in types and obj not in types[subject]:
            _refuse(subject, predicate, obj, "would give a curated resource a new type; its types are curated")


def _english_or_untagged(literal: Literal) -> bool:
    language = (literal.language or "").lower()
    return language == "" or language == "en" or language.startswith("en-")
