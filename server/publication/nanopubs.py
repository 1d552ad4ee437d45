"""Every claim and every quotation as a nanopublication, read from the store; no HTTP.

A nanopublication is four named graphs: the head (which graph is which),
the assertion (every statement the dataset makes about the claim, its
relations to other claims included: exactly what ``<claim> ?p ?o``
answers, blank nodes closed), the provenance (of the assertion: the
passages that state it with their selectors and the source text they
count in, its asserting voice, the in-text citation and the work it cites,
and the curators' reading of its relations where data/interpretation.ttl
reifies one) and the publication info (creator, date, licence, rights and
version, as data/dataset.ttl states them for the whole dataset: nothing is
added that the dataset does not say).

Each is named by a trusty URI (module RA, ``server.publication.trusty``)
under https://w3id.org/mxus/np/, computed from its content: the same data
gives the same URI, and any change to a claim, its passage or the dataset's
licence gives a new one. The content names things by their canonical URIs
and must be served as it is: rewriting it to another base would change
what the URI was computed from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF

from server.publication.trusty import PLACEHOLDER, Quad, artifact_code
from server.rdf.namespaces import DATASET, DCTERMS, MXUS, NANOPUB, NANOPUB_BASE, OA, PREFIXES
from server.store import Store

WAS_DERIVED_FROM = URIRef(PREFIXES["prov"] + "wasDerivedFrom")
WAS_ATTRIBUTED_TO = URIRef(PREFIXES["prov"] + "wasAttributedTo")
HAD_PRIMARY_SOURCE = URIRef(PREFIXES["prov"] + "hadPrimarySource")
WAS_QUOTED_FROM = URIRef(PREFIXES["prov"] + "wasQuotedFrom")
DENOTES = URIRef(PREFIXES["c4o"] + "denotes")
# What the publication info repeats from the dataset's own description.
PUBLICATION_INFO = (DCTERMS.creator, DCTERMS.license, DCTERMS.rights, DCTERMS.issued)
_PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
_PARTS = ("Head", "assertion", "provenance", "pubinfo")
_UNSAFE_IN_IRI = set('<>"{}|^`\\ ')

SUBJECTS = """
  VALUES ?top { mxus:Claim mxus:Quotation }
  %s?s a/rdfs:subClassOf* ?top . FILTER (isIRI(?s))"""
_CLOSED = """?r ?p ?o .
  OPTIONAL { FILTER (isBlank(?o)) ?o ?p1 ?o1 . OPTIONAL { FILTER (isBlank(?o1)) ?o1 ?p2 ?o2 } }"""
ASSERTIONS = _PREFIXES + f"""CONSTRUCT {{ ?r ?p ?o . ?o ?p1 ?o1 . ?o1 ?p2 ?o2 . ?link rdf:subject ?r }} WHERE {{
  {{ SELECT DISTINCT (?s AS ?r) WHERE {{ {SUBJECTS} }} }}
  {{ {_CLOSED} }} UNION {{ ?link a mxus:InterpretiveLink ; rdf:subject ?r }}
}}"""
CONTEXT = _PREFIXES + "CONSTRUCT { ?r ?p ?o . ?o ?p1 ?o1 . ?o1 ?p2 ?o2 } WHERE { VALUES ?r { %s } " + _CLOSED + " }"


@dataclass(frozen=True)
class Nanopub:
    subject: str  # the claim or quotation
    uri: str  # its trusty URI
    quads: tuple[Quad, ...]
    trig: bytes

    @property
    def code(self) -> str:
        return self.uri[len(NANOPUB_BASE):]


@dataclass
class Nanopubs:
    by_subject: dict[str, Nanopub] = field(default_factory=dict)
    by_code: dict[str, Nanopub] = field(default_factory=dict)

    def dump(self) -> bytes:
        """All of them in one TriG document, in the order of their subjects."""
        return b"\n".join(self.by_subject[subject].trig for subject in sorted(self.by_subject))


def build_nanopubs(store: Store, only: str | None = None) -> Nanopubs:
    """One nanopublication per claim and quotation the store's default graph holds (three queries).

    ``only``: the one claim or quotation to build (a page asks for one; the listing and the dump for all),
    so a request for one costs three queries about it whatever the size of the data."""
    if only is not None and _UNSAFE_IN_IRI & set(only):
        raise ValueError(f"not an IRI to query: {only!r}")
    own = store.construct(ASSERTIONS % (f"VALUES ?s {{ <{only}> }} " if only else ""))
    subjects = sorted({s for s in own.subjects() if isinstance(s, URIRef) and (s, RDF.type, None) in own})
    first = {o for s in subjects for p in (MXUS.statedIn, MXUS.attributedTo) for o in own.objects(s, p)}
    first |= {link for link in own.subjects(RDF.subject, None)}
    context = _closures(store, first)
    second = {o for r in first for p in (OA.hasSource, DENOTES) for o in context.objects(r, p)}
    context += _closures(store, second - first)
    dataset = [(p, o) for p, o in store.construct(
        f"CONSTRUCT {{ <{DATASET}> ?p ?o }} WHERE {{ <{DATASET}> ?p ?o }}").predicate_objects(DATASET)]
    found = Nanopubs()
    for subject in subjects:
        nanopub = _nanopub(subject, own, context, dataset)
        found.by_subject[str(subject)] = nanopub
        found.by_code[nanopub.code] = nanopub
    return found


def _closures(store: Store, resources: set) -> Graph:
    iris = sorted(str(r) for r in resources if isinstance(r, URIRef))
    for iri in iris:
        if _UNSAFE_IN_IRI & set(iri):
            raise ValueError(f"not an IRI to query: {iri!r}")
    return store.construct(CONTEXT % " ".join(f"<{iri}>" for iri in iris)) if iris else Graph()


def _nanopub(subject: URIRef, own: Graph, context: Graph, dataset: list) -> Nanopub:
    draft = URIRef(NANOPUB_BASE + PLACEHOLDER)
    head, assertion, provenance, pubinfo = (URIRef(f"{draft}#{part}") for part in _PARTS)
    quads: list[Quad] = [
        (head, draft, RDF.type, NANOPUB.Nanopublication),
        (head, draft, NANOPUB.hasAssertion, assertion),
        (head, draft, NANOPUB.hasProvenance, provenance),
        (head, draft, NANOPUB.hasPublicationInfo, pubinfo),
    ]
    quads += _skolemized(assertion, _closure(own, subject), own, draft)

    about: list[tuple] = []
    described: list[URIRef] = []
    for span in sorted(own.objects(subject, MXUS.statedIn)):
        about.append((WAS_DERIVED_FROM, span))
        described += [span, *sorted(context.objects(span, OA.hasSource))]
    for voice in sorted(own.objects(subject, WAS_ATTRIBUTED_TO)):
        about.append((WAS_ATTRIBUTED_TO, voice))
    for work in sorted({*own.objects(subject, HAD_PRIMARY_SOURCE), *own.objects(subject, WAS_QUOTED_FROM)}):
        about.append((HAD_PRIMARY_SOURCE, work))
    for pointer in sorted(own.objects(subject, MXUS.attributedTo)):
        described += [pointer, *sorted(context.objects(pointer, DENOTES))]
    described += sorted(own.subjects(RDF.subject, subject))  # the curators' reading of its relations
    quads += [(provenance, assertion, p, o) for p, o in about]
    triples = [t for resource in dict.fromkeys(described) for t in _closure(context, resource)]
    quads += _skolemized(provenance, triples, context, draft)

    for predicate, value in sorted(dataset):
        if predicate in PUBLICATION_INFO:
            quads.append((pubinfo, draft, predicate, value))
        elif predicate == OWL.versionInfo:
            quads.append((pubinfo, DATASET, predicate, value))
    quads.append((pubinfo, draft, WAS_DERIVED_FROM, DATASET))

    code = artifact_code(quads)
    final = tuple(tuple(_named(term, code) for term in quad) for quad in quads)
    return Nanopub(str(subject), NANOPUB_BASE + code, final, _trig(final, NANOPUB_BASE + code))


def _closure(graph: Graph, node) -> list[tuple]:
    """The triples about ``node`` and, through blank nodes, about what it holds."""
    triples, queue, seen = [], [node], set()
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in sorted(graph.predicate_objects(current)):
            triples.append((current, p, o))
            if isinstance(o, BNode):
                queue.append(o)
    return triples


def _skolemized(graph_name: URIRef, triples: list[tuple], source: Graph, draft: URIRef) -> list[Quad]:
    """Blank nodes named inside the nanopublication (the trusty URI module has none), by their content."""
    def name(term):
        return URIRef(f"{draft}#_{_fingerprint(source, term)}") if isinstance(term, BNode) else term
    return [(graph_name, name(s), p, name(o)) for s, p, o in triples]


def _fingerprint(graph: Graph, node: BNode, depth: int = 0) -> str:
    """A name for a blank node from what it holds (a selector from its offsets or its quote): stable across loads."""
    lines = sorted(
        f"{p.n3()} {('[' + _fingerprint(graph, o, depth + 1) + ']') if isinstance(o, BNode) and depth < 8 else o.n3()}"
        for p, o in graph.predicate_objects(node)
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def _named(term, code: str):
    return URIRef(str(term).replace(PLACEHOLDER, code)) if isinstance(term, URIRef) else term


def _trig(quads: tuple[Quad, ...], uri: str) -> bytes:
    """TriG, the graphs in one order (head, assertion, provenance, publication info): the same bytes every time.

    Each graph is written as Turtle by rdflib (sorted) inside its braces; rdflib's own TriG writer
    orders graphs as its store happens to hold them."""
    prefixes: set[str] = set()
    bodies = []
    for part in _PARTS:
        name = URIRef(f"{uri}#{part}")
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        graph.bind("np", str(NANOPUB))
        graph.bind("this", uri + "#")
        for g, s, p, o in quads:
            if g == name:
                graph.add((s, p, o))
        lines = graph.serialize(format="turtle").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix "))
        # Not indented: a line may be inside a long literal (a quote selector's text).
        body = "\n".join(line for line in lines if not line.startswith("@prefix ")).strip("\n")
        bodies.append(f"this:{part} {{\n{body}\n}}\n")
    prefixes.add(f"@prefix this: <{uri}#> .")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(bodies)).encode("utf-8")
