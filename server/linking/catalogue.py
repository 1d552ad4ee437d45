"""What can be reconciled: the types (our vocabulary's classes), the properties, and the name index.

A type's id is a class of the vocabularies the data uses; its members are
the instances of that class or of the classes listed with it, through
``rdfs:subClassOf*`` (the ontology is in the default graph). The name index
is read from the store once per dataset version with one SELECT (labels,
preferred, alternative and official names, in every language) and one for
short descriptions; it holds a few strings per resource, and an inverted
index from folded words to resources so that a query scores only the
resources that share a word with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from server.linking.names import fold, words
from server.rdf.namespaces import ID_SPACE, MXUS, PREFIXES, SCHEMA
from server.store import Store

FOAF = PREFIXES["foaf"]
SEM = PREFIXES["sem"]
ORG = PREFIXES["org"]
SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
PROV = PREFIXES["prov"]
OWL = PREFIXES["owl"]
DESCRIPTION_CHARS = 200
MAX_SCORED = 5000  # resources scored for one query (the rarest of its words first)


@dataclass(frozen=True)
class EntityType:
    key: str  # short name, also accepted as an id in queries
    id: str  # the class IRI
    name: str
    members: tuple[str, ...]  # classes whose instances (with subclasses) are of this type


TYPES = (
    EntityType("person", FOAF + "Person", "Person", (FOAF + "Person",)),
    EntityType("organisation", FOAF + "Organization", "Organisation",
               (FOAF + "Organization", ORG + "Organization", str(SCHEMA.Organization), FOAF + "Group")),
    EntityType("place", SEM + "Place", "Place", (SEM + "Place", str(SCHEMA.Place))),
    EntityType("event", SEM + "Event", "Event", (SEM + "Event",)),
    EntityType("document", str(SCHEMA.CreativeWork), "Document (declaration, agreement, cited work, article)",
               (str(SCHEMA.CreativeWork), "http://purl.org/spar/fabio/Expression")),
    EntityType("initiative", str(MXUS.Initiative), "Initiative", (str(MXUS.Initiative),)),
    EntityType("claim", str(MXUS.Claim), "Claim", (str(MXUS.Claim),)),
    EntityType("concept", SKOS + "Concept", "Concept", (SKOS + "Concept",)),
)
TYPES_BY_ID = {t.id: t for t in TYPES} | {t.key: t for t in TYPES}


@dataclass(frozen=True)
class Property:
    id: str  # the predicate IRI, or a property path for the few that are not one predicate
    name: str
    path: str  # SPARQL property path from the entity to its values
    types: tuple[str, ...]  # keys of the types it is proposed for ("*": all)


def _p(iri: str, name: str, types: tuple[str, ...], path: str | None = None) -> Property:
    return Property(iri, name, path or f"<{iri}>", types)


PROPERTIES = (
    _p(RDFS + "label", "label", ("*",)),
    _p(SKOS + "altLabel", "alternative label", ("*",)),
    _p(str(SCHEMA.description), "description", ("event", "document", "initiative")),
    _p(RDFS + "comment", "comment", ("*",)),
    _p(OWL + "sameAs", "same as (identifier in another dataset)", ("*",)),
    _p(ORG + "holds", "holds post", ("person",)),
    _p(str(MXUS.post), "post (through a tenure)", ("person",), f"^<{ORG}member>/<{MXUS.post}>"),
    _p(ORG + "subOrganizationOf", "part of organisation", ("organisation",)),
    _p(str(SCHEMA.containedInPlace), "contained in place", ("place",)),
    _p(SEM + "hasTimeStamp", "date", ("event",)),
    _p(SEM + "hasBeginTimeStamp", "begins", ("event",)),
    _p(SEM + "hasEndTimeStamp", "ends", ("event",)),
    _p(SEM + "hasPlace", "place", ("event",)),
    _p(SEM + "hasActor", "actor", ("event",)),
    _p(SEM + "eventType", "kind of event", ("event",)),
    _p(str(SCHEMA.about), "about", ("event", "claim", "document")),
    _p(PROV + "generated", "generated", ("event",)),
    _p(PROV + "wasAttributedTo", "voice (who asserts it)", ("claim",)),
    _p(str(SCHEMA.text), "text", ("claim",)),
    _p(SKOS + "inScheme", "concept scheme", ("concept",)),
)
PROPERTIES_BY_ID = {p.id: p for p in PROPERTIES}
NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", FOAF + "name", str(SCHEMA.name),
                   str(SCHEMA.alternateName))
DESCRIPTION_PREDICATES = (str(SCHEMA.description), RDFS + "comment")


def short_id(iri: str) -> str:
    """The reconciliation id of one of our resources: its path under the identifier space."""
    return iri[len(ID_SPACE):]


@dataclass
class Entity:
    iri: str
    names: list[str] = field(default_factory=list)
    name: str = ""  # the one shown: the English label, else the first
    description: str = ""
    types: set[str] = field(default_factory=set)  # type keys
    folded: list[str] = field(default_factory=list)  # the names, folded once (suggest compares prefixes with them)

    @property
    def id(self) -> str:
        return short_id(self.iri)


@dataclass
class NameIndex:
    entities: dict[str, Entity]  # by IRI
    by_word: dict[str, set[str]]  # folded word -> IRIs

    def sharing_words(self, text: str, cap: int = MAX_SCORED) -> set[str]:
        """The resources that share a word with ``text``, rarest words first, about ``cap`` at most:
        a word in every name ("the", "de") adds nothing once rarer words have found candidates."""
        found: set[str] = set()
        postings = sorted((self.by_word.get(word, set()) for word in set(words(text))), key=len)
        for posting in postings:
            if found and len(found) + len(posting) > cap:
                break
            found |= posting
        return found

    def of_types(self, keys: set[str] | None) -> list[Entity]:
        return [e for e in self.entities.values() if keys is None or e.types & keys]


def _values(iris) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


def build_index(store: Store, graphs: tuple[str, ...] | None = None) -> NameIndex:
    """Every resource of a reconcilable type with its names, types and a short description."""
    pairs = " ".join(f'("{t.key}" <{cls}>)' for t in TYPES for cls in t.members)
    rows = store.select(
        f"""PREFIX rdfs: <{RDFS}>
        SELECT ?s ?key ?name ?lang ?predicate WHERE {{
          VALUES (?key ?class) {{ {pairs} }}
          ?s a/rdfs:subClassOf* ?class .
          VALUES ?predicate {{ {_values(NAME_PREDICATES)} }}
          ?s ?predicate ?name .
          FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}") && isLiteral(?name))
          BIND (LANG(?name) AS ?lang)
        }}""",
        graphs,
    )
    entities: dict[str, Entity] = {}
    english: dict[str, str] = {}
    for row in rows:
        iri, name = str(row["s"]), str(row["name"])
        entity = entities.setdefault(iri, Entity(iri))
        entity.types.add(str(row["key"]))
        if name not in entity.names:
            entity.names.append(name)
        if str(row["predicate"]) == RDFS + "label" and str(row.get("lang", "")) == "en":
            english[iri] = name
    for iri, entity in entities.items():
        entity.names.sort()
        entity.name = english.get(iri) or entity.names[0]
    _add_descriptions(store, entities, graphs)
    by_word: dict[str, set[str]] = defaultdict(set)
    for iri, entity in entities.items():
        entity.folded = [fold(name) for name in entity.names]
        for folded in entity.folded:
            for word in folded.split():
                by_word[word].add(iri)
    return NameIndex(entities, dict(by_word))


def _add_descriptions(store: Store, entities: dict[str, Entity], graphs) -> None:
    rows = store.select(
        f"""SELECT ?s (MIN(STR(?d)) AS ?description) WHERE {{
          VALUES ?predicate {{ {_values(DESCRIPTION_PREDICATES)} }}
          ?s ?predicate ?d .
          FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}") && LANGMATCHES(LANG(?d), "en"))
        }} GROUP BY ?s""",
        graphs,
    )
    for row in rows:
        entity = entities.get(str(row["s"]))
        if entity is not None and "description" in row:
            text = " ".join(str(row["description"]).split())
            entity.description = text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"
