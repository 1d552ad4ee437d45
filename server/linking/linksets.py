"""Our links out, as VoID linksets: one per external dataset and link predicate, found in the data.

Which datasets we link to is read from the data, not listed by hand: every
identity link (``owl:sameAs``, ``skos:exactMatch``, ``schema:sameAs``)
from our data graphs to an http(s) IRI outside our identifier space is
counted by the host of its target, in one grouped query. A host we know
(Wikidata, GeoNames, ROR, DBpedia, DOI) is named and described; any other
host still gets its linkset, named after the host, so a contribution
linking to a new dataset is described without a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.rdf.namespaces import ID_SPACE, PREFIXES, SCHEMA
from server.store import Store

LINK_PREDICATES = {  # predicate IRI -> the part of a linkset's name that says which
    PREFIXES["owl"] + "sameAs": "sameas",
    PREFIXES["skos"] + "exactMatch": "exactmatch",
    str(SCHEMA.sameAs): "schema-sameas",
}
# The host of an http(s) IRI, lower-cased, in SPARQL (XPath regular expressions).
_HOST = 'LCASE(REPLACE(STR(?o), "^[hH][tT][tT][pP][sS]?://([^/:?#]*).*$", "$1"))'


@dataclass(frozen=True)
class Target:
    name: str  # in URLs: /linksets/{name}-{predicate}.nt
    label: str
    hosts: tuple[str, ...]
    uri_space: str | None = None
    homepage: str | None = None
    sparql: str | None = None


KNOWN_TARGETS = (
    Target("wikidata", "Wikidata", ("www.wikidata.org", "wikidata.org"), "http://www.wikidata.org/entity/",
           "https://www.wikidata.org/", "https://query.wikidata.org/sparql"),
    Target("geonames", "GeoNames", ("sws.geonames.org",), "https://sws.geonames.org/", "https://www.geonames.org/"),
    Target("ror", "Research Organization Registry (ROR)", ("ror.org",), "https://ror.org/", "https://ror.org/"),
    Target("dbpedia", "DBpedia", ("dbpedia.org",), "http://dbpedia.org/resource/", "https://www.dbpedia.org/",
           "https://dbpedia.org/sparql"),
    Target("doi", "DOI (Digital Object Identifiers)", ("doi.org", "dx.doi.org"), "https://doi.org/", "https://www.doi.org/"),
)
_BY_HOST = {host: target for target in KNOWN_TARGETS for host in target.hosts}


@dataclass(frozen=True)
class Linkset:
    target: Target
    predicate: str
    triples: int

    @property
    def name(self) -> str:
        return f"{self.target.name}-{LINK_PREDICATES[self.predicate]}"


def target_of(host: str) -> Target:
    known = _BY_HOST.get(host)
    if known is not None:
        return known
    return Target(re.sub(r"[^a-z0-9]+", "-", host).strip("-") or "unnamed", host, (host,))


def _links(predicates: str, hosts: str = "") -> str:
    """The pattern of an identity link out, its target's ``?host`` bound."""
    only = f"FILTER (?host IN ({hosts}))" if hosts else ""
    return f"""VALUES ?p {{ {predicates} }}
          ?s ?p ?o
          FILTER (isIRI(?s) && isIRI(?o) && REGEX(STR(?o), "^https?://", "i") && !STRSTARTS(STR(?o), "{ID_SPACE}"))
          BIND ({_HOST} AS ?host)
          {only}"""


def find_linksets(store: Store, graphs: tuple[str, ...]) -> list[Linkset]:
    """Every linkset of the data in ``graphs``, by target then predicate, with its number of links."""
    predicates = " ".join(f"<{p}>" for p in LINK_PREDICATES)
    rows = store.select(
        f"SELECT ?p ?host (COUNT(*) AS ?n) WHERE {{ {_links(predicates)} }} GROUP BY ?p ?host", graphs
    )
    counts: dict[tuple[Target, str], int] = {}
    for row in rows:
        key = (target_of(str(row["host"])), str(row["p"]))
        counts[key] = counts.get(key, 0) + int(row["n"])
    return sorted((Linkset(t, p, n) for (t, p), n in counts.items()), key=lambda ls: ls.name)


def linkset_ntriples(store: Store, linkset: Linkset, graphs: tuple[str, ...]) -> bytes:
    """The links of one linkset as N-Triples, one per line, sorted (the same data, the same bytes)."""
    hosts = ", ".join('"' + host.replace("\\", "\\\\").replace('"', '\\"') + '"' for host in linkset.target.hosts)
    body = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_links(f'<{linkset.predicate}>', hosts)} }}",
        "application/n-triples",
        graphs,
    )
    lines = sorted({line for line in body.splitlines() if line.strip()})
    return b"".join(line + b"\n" for line in lines)
