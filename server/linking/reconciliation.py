"""Reconciliation (W3C Entity Reconciliation CG, Reconciliation Service API 0.2): candidates, suggestions, the manifest.

Candidates come from the name index (``catalogue``): the resources that
share a folded word with the query, of the types asked, scored by name
(``names``). Properties restrict: a candidate is kept only when, for every
property given, one of its values matches one of the values asked (a date
matches at its precision: "2001-09" and "2001-09-06" agree; an entity by
its id or by the words of its name). Their values are read from the store
for the best ``POOL`` candidates only, in one query.

``match`` is true for a clear winner only: every word of the query is in
its name (accents and case aside), and no other candidate comes within
``MARGIN`` points of it (or, when only properties were given, it is the
one candidate that has them all).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.linking.catalogue import (
    PROPERTIES,
    PROPERTIES_BY_ID,
    TYPES,
    TYPES_BY_ID,
    Entity,
    NameIndex,
    short_id,
)
from server.linking.names import best_comparison, compare, completes, fold, starts_with
from server.linking.queries import MAX_BATCH, Query, entity_iri
from server.rdf.namespaces import CANONICAL_BASE, ID_SPACE, PREFIXES
from server.store import Store

API_VERSION = "0.2"
POOL = 200  # candidates, best by name first, whose property values are read
MARGIN = 15.0  # points by which a clear winner leads the next candidate
MIN_MATCH_SCORE = 50.0
SUGGEST_PAGE = 10
SERVICE = CANONICAL_BASE + "reconcile"
VALUE_NAMES = " ".join(f"<{PREFIXES[p]}{n}>" for p, n in (("rdfs", "label"), ("skos", "prefLabel"), ("foaf", "name")))


def manifest(service_version: str) -> dict:
    """The service manifest, with canonical URLs (the caller rewrites them to the served base)."""
    return {
        "versions": [API_VERSION],
        "name": "mxus-ld: Délano (2012), the Mexico-United States migration negotiations 2000-2008",
        "identifierSpace": ID_SPACE,
        "schemaSpace": CANONICAL_BASE + "ontology#",
        "documentation": CANONICAL_BASE + "query",
        "serviceVersion": service_version,
        "batchSize": MAX_BATCH,
        "defaultTypes": [type_view(t.key) for t in TYPES],
        "view": {"url": ID_SPACE + "{{id}}"},
        "preview": {"url": SERVICE + "/preview?id={{id}}", "width": 400, "height": 200},
        "suggest": {
            kind: {"service_url": SERVICE, "service_path": f"/suggest/{kind}"} for kind in ("entity", "type", "property")
        },
        "extend": {"propose_properties": {"service_url": SERVICE, "service_path": "/properties"}},
    }


def type_view(key: str) -> dict:
    found = TYPES_BY_ID[key]
    return {"id": found.id, "name": found.name}


def _entity_types(entity: Entity) -> list[dict]:
    return [type_view(t.key) for t in TYPES if t.key in entity.types]


@dataclass
class Candidate:
    entity: Entity
    similarity: float  # of the name, 0..1
    all_words: bool
    properties_matched: int = 0

    @property
    def score(self) -> float:
        return round(100 * self.similarity, 1)

    def view(self, match: bool) -> dict:
        shown = {"id": self.entity.id, "name": self.entity.name, "score": self.score, "match": match,
                 "type": _entity_types(self.entity),
                 "features": [{"id": "name_similarity", "value": round(self.similarity, 4)},
                              {"id": "all_query_words", "value": self.all_words},
                              {"id": "properties_matched", "value": self.properties_matched}]}
        if self.entity.description:
            shown["description"] = self.entity.description
        return shown


def reconcile(queries: list[Query], index: NameIndex, store: Store) -> dict:
    """A reconciliation result batch: for each query's key, its candidates, best first."""
    return {query.key: {"result": _result(query, index, store)} for query in queries}


def _result(query: Query, index: NameIndex, store: Store) -> list[dict]:
    candidates = _by_name(query, index)
    if query.properties:
        candidates = _with_properties(query, candidates[:POOL], store)
    candidates.sort(key=lambda c: (-c.similarity, -c.all_words, c.entity.name, c.entity.iri))
    shown = candidates[: query.limit]
    return [c.view(i == 0 and _clear_winner(candidates)) for i, c in enumerate(shown)]


def _by_name(query: Query, index: NameIndex) -> list[Candidate]:
    if not query.text:
        return [Candidate(e, 1.0, True) for e in sorted(index.of_types(query.types), key=lambda e: e.iri)]
    named = index.entities.get(entity_iri(query.text))
    if named is not None and (query.types is None or named.types & query.types):
        return [Candidate(named, 1.0, True)]
    found = []
    folded = fold(query.text)
    for iri in index.sharing_words(query.text):
        entity = index.entities[iri]
        if query.types is not None and not entity.types & query.types:
            continue
        comparison = best_comparison(folded, entity.folded)
        if comparison.similarity > 0:
            found.append(Candidate(entity, comparison.similarity, comparison.all_words))
    found.sort(key=lambda c: (-c.similarity, c.entity.iri))
    return found


def _clear_winner(candidates: list[Candidate]) -> bool:
    if not candidates:
        return False
    top = candidates[0]
    if not top.all_words or top.score < MIN_MATCH_SCORE:
        return False
    return len(candidates) == 1 or top.score - candidates[1].score >= MARGIN


def property_values(store: Store, iris: list[str], property_ids: list[str]) -> dict[tuple[str, str], list[tuple]]:
    """{(entity IRI, property id): [(value term, [names of the value])]} read in one query."""
    if not iris or not property_ids:
        return {}
    unions = " UNION ".join(
        f'{{ ?s {PROPERTIES_BY_ID[pid].path} ?o BIND ("{pid}" AS ?pid) }}' for pid in property_ids
    )
    rows = store.select(
        f"""SELECT ?s ?pid ?o ?name WHERE {{
          VALUES ?s {{ {" ".join(f"<{iri}>" for iri in iris)} }}
          {unions}
          OPTIONAL {{ VALUES ?np {{ {VALUE_NAMES} }} ?o ?np ?name FILTER isIRI(?o) }}
        }}"""
    )
    values: dict[tuple[str, str], dict] = {}
    for row in rows:
        by_term = values.setdefault((str(row["s"]), str(row["pid"])), {})
        names = by_term.setdefault(row["o"], [])
        if "name" in row and str(row["name"]) not in names:
            names.append(str(row["name"]))
    return {key: sorted(by_term.items(), key=lambda item: str(item[0])) for key, by_term in values.items()}


def _with_properties(query: Query, candidates: list[Candidate], store: Store) -> list[Candidate]:
    wanted = [pid for pid, _ in query.properties]
    values = property_values(store, [c.entity.iri for c in candidates], wanted)
    kept = []
    for candidate in candidates:
        if all(any(value_matches(asked, term, names) for asked in asked_values
                   for term, names in values.get((candidate.entity.iri, pid), []))
               for pid, asked_values in query.properties):
            candidate.properties_matched = len(query.properties)
            kept.append(candidate)
    return kept


def _dates_agree(a: str, b: str) -> bool:
    """Two ISO dates at any precision agree when the shorter begins the longer at a boundary."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and (len(long) == len(short) or long[len(short)] in "-T")


def value_matches(asked, term, names: list[str]) -> bool:
    """Whether a value asked in a query matches one value of a candidate (an IRI with its names, or a literal)."""
    text = str(term)
    if isinstance(asked, dict):
        return text in (entity_iri(asked["id"]), asked["id"])
    if isinstance(asked, bool) or isinstance(asked, (int, float)):
        return fold(text) == fold(str(asked).lower() if isinstance(asked, bool) else str(asked))
    if text.startswith(ID_SPACE) and asked in (short_id(text), text):
        return True
    if text == asked:
        return True
    if asked[:4].isdigit() and text[:4].isdigit():
        return _dates_agree(asked, text)
    return any(compare(asked, name).all_words for name in (names or [text]))


def suggest_entities(index: NameIndex, prefix: str, cursor: int, types: set[str] | None = None) -> dict:
    ranked = []
    typed = fold(prefix)
    for entity in index.of_types(types):
        fit = max((completes(typed, name) for name in entity.folded), default=0)
        if fit or prefix.strip() in (entity.id, entity.iri):
            ranked.append((-fit, fold(entity.name), entity.iri, entity))
    ranked.sort(key=lambda item: item[:3])
    page = [item[3] for item in ranked[cursor: cursor + SUGGEST_PAGE]]
    return {"result": [_suggested(e) for e in page]}


def _suggested(entity: Entity) -> dict:
    shown = {"id": entity.id, "name": entity.name, "notable": _entity_types(entity)}
    if entity.description:
        shown["description"] = entity.description
    return shown


def suggest_types(prefix: str, cursor: int) -> dict:
    found = [t for t in TYPES if not prefix.strip() or starts_with(prefix, t.name) or starts_with(prefix, t.key)
             or prefix.strip() == t.id]
    return {"result": [type_view(t.key) for t in found[cursor: cursor + SUGGEST_PAGE]]}


def suggest_properties(prefix: str, cursor: int) -> dict:
    found = [p for p in PROPERTIES if not prefix.strip() or starts_with(prefix, p.name) or prefix.strip() == p.id]
    return {"result": [{"id": p.id, "name": p.name} for p in found[cursor: cursor + SUGGEST_PAGE]]}


def propose_properties(type_key: str | None, limit: int) -> list[dict]:
    """The properties of a type's entities (of any type's, without one), for data extension."""
    return [{"id": p.id, "name": p.name} for p in PROPERTIES
            if type_key is None or "*" in p.types or type_key in p.types][:limit]


CARD_PROPERTIES = (PREFIXES["sem"] + "hasTimeStamp", PREFIXES["sem"] + "hasBeginTimeStamp",
                   PREFIXES["sem"] + "hasEndTimeStamp", PREFIXES["sem"] + "hasPlace", PREFIXES["org"] + "holds",
                   PREFIXES["prov"] + "wasAttributedTo", PREFIXES["owl"] + "sameAs")


def card_facts(index: NameIndex, store: Store, iri: str) -> list[tuple[str, list[str]]]:
    """The few facts a preview card shows (dates, place, post, voice, identifiers elsewhere), in one query."""
    values = property_values(store, [iri], list(CARD_PROPERTIES))
    facts = []
    for pid in CARD_PROPERTIES:
        shown = []
        for term, names in values.get((iri, pid), []):
            entity = index.entities.get(str(term))
            shown.append(entity.name if entity else (sorted(names)[0] if names else str(term)))
        if shown:
            facts.append((PROPERTIES_BY_ID[pid].name, shown))
    return facts
