"""Finding things by name: labels in English and Spanish, accents and case ignored, words by prefix.

The engine answers (one SELECT through the store, as every page reads the
data): each word of the query becomes a case-insensitive REGEX whose
letters are character classes of their accented forms, anchored at the
start of a word of the label, so "castaneda", "CASTAÑEDA" and "cast" all
find "Jorge G. Castañeda". Words are runs of letters and digits of the
folded query (``server.linking.names``), so nothing the user types reaches
the regular expression as syntax. The cost is bounded: at most
``MAX_QUERY_CHARS`` characters and ``MAX_WORDS`` words, at most
``MAX_ROWS`` rows from the engine.

Results are grouped by the kind of thing their identifier names
(``/id/person/…`` is a person), headed in plain words in the page's language.
Not a blueprint: /search (``search_service``) and the 404 page (``errors``) use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from server.linking.names import SMALL_WORDS, words
from server.rdf.namespaces import ID_SPACE, MXUS
from server.web.views import iri_view, row_label, row_text, select

MAX_QUERY_CHARS = 100
MAX_WORDS = 6
MAX_ROWS = 300  # label matches read from the engine (a thing with several matching labels counts several)
LABELS = "rdfs:label skos:prefLabel skos:altLabel foaf:name schema:name dcterms:title"

# A folded letter and the forms it stands for in English and Spanish text (and its neighbours').
ACCENTED = {
    "a": "aáàâäãåāą",
    "e": "eéèêëēę",
    "i": "iíìîïī",
    "o": "oóòôöõøō",
    "u": "uúùûüū",
    "n": "nñ",
    "c": "cç",
    "y": "yýÿ",
}
WORD_START = r"(^|[^\p{L}\p{N}])"  # the start of the label or after a character that is not part of a word

# Headings of the groups, in the order shown, with the kinds of identifier (/id/{kind}/…) each gathers.
GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("people", _l("People"), ("person",)),
    ("organisations", _l("Organisations and groups"), ("organisation", "group")),
    ("places", _l("Places"), ("place",)),
    ("events", _l("Events"), ("event",)),
    ("documents", _l("Declarations, agreements and initiatives"), ("document", "agreement", "initiative")),
    ("claims", _l("Claims"), ("claim",)),
    ("quotations", _l("Quotations"), ("quotation",)),
    ("posts", _l("Posts, roles and tenures"), ("post", "role", "membership", "interval")),
    ("concepts", _l("Topics"), ("concept", "scheme")),
    ("publications", _l("Publications"), ("article", "work", "journal", "volume", "issue", "reference", "source",
                                          "pointer", "dataset")),
    ("links", _l("Interpretive links"), ("link",)),
    ("terms", _l("Terms of the ontology"), ("term",)),
    ("other", _l("Other"), ()),
)
GROUP_OF_KIND = {kind: key for key, _, kinds in GROUPS for kind in kinds}


class SearchRefused(ValueError):
    """A query that cannot be searched for: no words, or too long (400)."""


@dataclass
class Hit:
    iri: str
    kind: str
    label: str  # in the page's language, else the one that matched
    matched: list[str] = field(default_factory=list)  # the labels that matched, when not the one shown
    score: int = 0  # query words found (suggestions); a search needs them all

    def as_dict(self) -> dict:
        view = iri_view(self.iri, self.label)
        return {"iri": self.iri, "href": view["href"], "label": self.label, "kind": self.kind, "matched": self.matched}


@dataclass
class Results:
    query: str
    words: list[str]
    groups: list[dict]
    truncated: bool  # the engine had more matches than were read

    @property
    def count(self) -> int:
        return sum(len(group["items"]) for group in self.groups)

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "count": self.count,
            "truncated": self.truncated,
            "groups": [{"key": g["key"], "title": str(g["title"]), "items": [h.as_dict() for h in g["items"]]}
                       for g in self.groups],
        }


def query_words(text: str) -> list[str]:
    """The words to look for, folded; SearchRefused when there are none or too many characters."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchRefused(f"the search is {len(text)} characters long; at most {MAX_QUERY_CHARS} are searched")
    found = words(text)
    if not found:
        raise SearchRefused("type a name or a word to search for (letters or digits)")
    return list(dict.fromkeys(found))[:MAX_WORDS]


def word_pattern(word: str) -> str:
    """A regular expression for labels with a word starting with ``word`` (folded: a-z and 0-9 only)."""
    letters = "".join(f"[{ACCENTED[ch]}]" if ch in ACCENTED else ch for ch in word if ch.isalnum())
    return WORD_START + letters


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def label_query(patterns: list[str], every: bool) -> str:
    """Things of ours (and terms of the ontology) with a label matching all ``patterns`` (``every``) or any."""
    if every:
        tests = " && ".join(f"REGEX(STR(?label), {sparql_string(p)}, \"i\")" for p in patterns)
    else:
        tests = f"REGEX(STR(?label), {sparql_string('|'.join(f'({p})' for p in patterns))}, \"i\")"
    return f"""SELECT ?thing ?label ?en ?es WHERE {{
  VALUES ?labelling {{ {LABELS} }}
  ?thing ?labelling ?label .
  FILTER (isIRI(?thing) && (STRSTARTS(STR(?thing), "{ID_SPACE}") || STRSTARTS(STR(?thing), "{MXUS}")))
  FILTER (isLiteral(?label) && (LANG(?label) = "" || LANGMATCHES(LANG(?label), "en") || LANGMATCHES(LANG(?label), "es")))
  FILTER ({tests})
  OPTIONAL {{ ?thing rdfs:label ?en FILTER (LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ ?thing rdfs:label ?es FILTER (LANGMATCHES(LANG(?es), "es")) }}
}} LIMIT {MAX_ROWS + 1}"""


def kind_of(iri: str) -> str:
    if iri.startswith(str(MXUS)):
        return "term"
    return iri[len(ID_SPACE):].split("/", 1)[0] if iri.startswith(ID_SPACE) else "other"


def _hits(rows: list[dict], looked_for: list[str]) -> dict[str, Hit]:
    hits: dict[str, Hit] = {}
    for row in rows:
        iri = row_text(row, "thing")
        matched = row_text(row, "label") or ""
        hit = hits.get(iri)
        if hit is None:
            hit = hits[iri] = Hit(iri, kind_of(iri), row_label(row) or matched)
        own_names = {row_text(row, "en"), row_text(row, "es"), hit.label}  # the thing's labels: no need to repeat them
        if matched not in own_names and matched not in hit.matched:
            hit.matched.append(matched)
        label_words = set(words(matched))
        found = sum(1 for w in looked_for if any(lw.startswith(w) for lw in label_words))
        hit.score = max(hit.score, found)
    return hits


def _grouped(hits: list[Hit], first_word: str) -> list[dict]:
    """Non-empty groups in GROUPS order; in each, labels that begin with the first word first, then by score and name."""
    members: dict[str, list[Hit]] = {key: [] for key, _, _ in GROUPS}
    for hit in hits:
        members[GROUP_OF_KIND.get(hit.kind, "other")].append(hit)
    groups = []
    for key, title, _ in GROUPS:
        items = sorted(members[key], key=lambda h: (-h.score, not _begins_with(h.label, first_word), h.label.casefold()))
        if items:
            groups.append({"key": key, "title": title, "items": items})
    return groups


def _begins_with(label: str, word: str) -> bool:
    first = words(label)[:1]
    return bool(first) and first[0].startswith(word)


def search(text: str) -> Results:
    """Everything whose labels have a word starting with each word of ``text``, grouped by kind."""
    looked_for = query_words(text)
    rows = select(label_query([word_pattern(w) for w in looked_for], every=True))
    hits = _hits(rows[:MAX_ROWS], looked_for)
    return Results(text, looked_for, _grouped(list(hits.values()), looked_for[0]), len(rows) > MAX_ROWS)


def suggestions(text: str, most: int = 8) -> list[Hit]:
    """Near matches for words that found nothing exact (a missing page's slug): any word, the most words first."""
    looked_for = [w for w in words(text) if len(w) > 2 and w not in SMALL_WORDS][:MAX_WORDS]
    if not looked_for:
        return []
    rows = select(label_query([word_pattern(w) for w in looked_for], every=False))
    hits = sorted(_hits(rows[:MAX_ROWS], looked_for).values(), key=lambda h: (-h.score, h.label.casefold()))
    return hits[:most]
