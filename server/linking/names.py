"""Comparing names as people type them: accents, case, punctuation and small words do not count.

"Jorge Castaneda" must find "Jorge G. Castañeda", "Secretaria de Relaciones
Exteriores" "Secretaría de Relaciones Exteriores": names are folded (Unicode
decomposition without combining marks, case-folded, punctuation as spaces),
then compared word by word. A word of the query that differs from a word of
the name by a letter or two (five letters or more) counts half; function words (English and
Spanish) and initials weigh a quarter, so "G." or "de" neither makes nor
breaks a match. Only an identical folded name scores 1.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

SMALL_WORDS = frozenset(
    "a an and at de del el en for in la las los of on the to y".split()
)
LIGHT = 0.25  # weight of a small word or an initial
NEAR = 0.5  # credit for a word one or two letters away
NEAR_EDITS = 2  # letters added, removed or changed between two "near" words
NOT_EXACT = 0.95  # the best a name that is not identical can score
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Castañeda, J." -> "castaneda j"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare).strip()


def words(text: str) -> list[str]:
    return fold(text).split()


def _weight(word: str) -> float:
    return LIGHT if word in SMALL_WORDS or len(word) == 1 else 1.0


@functools.lru_cache(maxsize=65536)
def _near(a: str, b: str) -> bool:
    """Two words of five letters or more, same first letter, at most ``NEAR_EDITS`` edits apart
    ("secretaria", "secretario"): cheap tests first, the edit distance last (names repeat: cached)."""
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > NEAR_EDITS or a[0] != b[0]:
        return False
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > NEAR_EDITS:
            return False
        previous = current
    return previous[-1] <= NEAR_EDITS


@dataclass(frozen=True)
class Comparison:
    """How one query compares with one name."""

    similarity: float  # 0..1, 1 only for the identical folded name
    all_words: bool  # every word of the query is a word of the name (not merely near)


def compare(query: str, name: str) -> Comparison:
    return compare_folded(fold(query), fold(name))


def compare_folded(folded_query: str, folded_name: str) -> Comparison:
    """``compare`` of a query and a name folded already (the index keeps its names folded)."""
    if not folded_query or not folded_name:
        return Comparison(0.0, False)
    if folded_query == folded_name:
        return Comparison(1.0, True)
    query_words, name_words = folded_query.split(), folded_name.split()
    name_set = set(name_words)
    found = 0.0
    exact = True
    used: set[str] = set()
    for word in query_words:
        if word in name_set:
            found += _weight(word)
            used.add(word)
            continue
        exact = False
        near = next((other for other in name_words if other not in used and _near(word, other)), None)
        if near is not None:
            found += NEAR * _weight(word)
            used.add(near)
    recall = found / sum(_weight(word) for word in query_words)
    query_set = set(query_words)
    matched_in_name = sum(_weight(w) * (1.0 if w in query_set else NEAR) for w in name_words if w in used)
    precision = matched_in_name / sum(_weight(word) for word in name_words)
    if recall <= 0 or precision <= 0:
        return Comparison(0.0, False)
    f_measure = 2 * precision * recall / (precision + recall)
    return Comparison(NOT_EXACT * f_measure, exact)


def best_comparison(folded_query: str, folded_names) -> Comparison:
    """The best comparison of a folded query with any of the folded names (the highest similarity, then all words)."""
    best = Comparison(0.0, False)
    for name in folded_names:
        found = compare_folded(folded_query, name)
        if (found.similarity, found.all_words) > (best.similarity, best.all_words):
            best = found
    return best


def completes(folded_prefix: str, folded_name: str) -> int:
    """How well a name completes what was typed (both folded): 2 it begins with it, 1 each typed word
    begins a word of it, 0 not."""
    if not folded_prefix:
        return 0
    if folded_name.startswith(folded_prefix):
        return 2
    name_words = folded_name.split()
    if all(any(word.startswith(part) for word in name_words) for part in folded_prefix.split()):
        return 1
    return 0


def starts_with(prefix: str, name: str) -> int:
    return completes(fold(prefix), fold(name))
