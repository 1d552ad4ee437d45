"""Sentence coverage of the seed: the rule that splits it, and the checker.

The seed is the article's first two pages as a host site printed them:
its own header, the title block, the running text of the abstract and the
body, the journal's page footers, and the host's paywall text. The table
(``coverage.json``) names by line number the *regions* that are not running
text, each with its kind and reason; everything else is running text, which
``split_sentences`` cuts into sentences by a rule in code:

* a sentence ends at ``.``, ``?`` or ``!`` (optionally followed by closing
  quotes or a parenthesis) when whitespace and then an upper-case letter or
  an opening quote follow;
* except after a single upper-case letter (an initial: "George W. Bush",
  "Jorge G. Castañeda", "U.S.");
* region lines are cut out first, so a sentence that a page footer
  interrupts is one sentence in two pieces, and the running text ends where
  the excerpt breaks off.

For every unit (region or sentence) the table gives either the spans that
cover it (``covered_by``: every letter and digit of the unit lies inside one
of them) or the reason it is left out (``excluded``). The checker also fails
when a span that states a claim, quotation, event, document or other content
reaches into page furniture or host text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from server.publication.anchors import normalize_passage

OA = Namespace("http://www.w3.org/ns/oa#")
MXUS = Namespace("https://w3id.org/mxus/ontology#")
ID = "https://w3id.org/mxus/id/"
TABLE = Path(__file__).with_name("coverage.json")

# Kinds of region: those whose text is not the article's running text.
FURNITURE_KINDS = {"host text", "page furniture", "footnote marker"}
REGION_KINDS = FURNITURE_KINDS | {"front matter"}

_END = re.compile(r"[.?!][’”)]*(?=\s+[A-Z‘“(])")
_INITIAL = re.compile(r"(?:^|[\s.\-(])[A-Z]$")


@dataclass
class Unit:
    """A sentence of running text or a region: its pieces of the seed, in order."""

    kind: str
    pieces: list[tuple[int, int]]
    text: str  # the pieces joined, as read (line breaks as spaces)

    @property
    def key(self) -> str:
        return reading(self.text)[:60]


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    covered: int = 0
    excluded: int = 0
    sentences: int = 0
    regions: int = 0


def reading(text: str) -> str:
    """What a reader sees: the scan's traps repaired, whitespace collapsed."""
    return re.sub(r"\s+", " ", normalize_passage(text)).strip()


def line_offsets(seed: str) -> list[tuple[int, int]]:
    """(start, end) of each line, 1-based by index + 1, end before the newline."""
    offsets, start = [], 0
    for line in seed.split("\n"):
        offsets.append((start, start + len(line)))
        start += len(line) + 1
    return offsets


def parse_lines(spec: str) -> tuple[int, int]:
    first, _, last = str(spec).partition("-")
    return int(first), int(last or first)


def region_units(seed: str, regions: list[dict]) -> list[Unit]:
    lines = line_offsets(seed)
    units = []
    for region in regions:
        first, last = parse_lines(region["lines"])
        start, end = lines[first - 1][0], lines[last - 1][1]
        units.append(Unit(region["kind"], [(start, end)], seed[start:end]))
    return units


def running_pieces(seed: str, regions: list[dict]) -> list[tuple[int, int]]:
    """The running text: every non-blank line that no region claims, as (start, end)."""
    lines = line_offsets(seed)
    taken = set()
    for region in regions:
        first, last = parse_lines(region["lines"])
        taken.update(range(first, last + 1))
    return [(s, e) for number, (s, e) in enumerate(lines, 1) if number not in taken and seed[s:e].strip()]


def split_sentences(seed: str, regions: list[dict]) -> list[Unit]:
    """The rule: running text joined across region lines, cut at sentence ends."""
    pieces = running_pieces(seed, regions)
    # One string of the running text, with the seed offset of each character
    # (-1 for a line break that joins lines the regions separate).
    joined, where = [], []
    for index, (start, end) in enumerate(pieces):
        if index:
            joined.append("\n")
            previous_end = pieces[index - 1][1]
            where.append(previous_end if previous_end + 1 == start else -1)
        joined.append(seed[start:end])
        where.extend(range(start, end))
    text = "".join(joined)
    cuts = [0]
    for match in _END.finditer(text):
        if _INITIAL.search(text[: match.start()]):
            continue
        cuts.append(match.end())
    cuts.append(len(text))
    units = []
    for begin, finish in zip(cuts, cuts[1:]):
        while begin < finish and text[begin].isspace():
            begin += 1
        if begin >= finish:
            continue
        seed_pieces: list[list[int]] = []
        for index in range(begin, finish):
            position = where[index]
            if position < 0:
                continue
            if seed_pieces and seed_pieces[-1][1] == position:
                seed_pieces[-1][1] = position + 1
            else:
                seed_pieces.append([position, position + 1])
        units.append(Unit("sentence", [(a, b) for a, b in seed_pieces], text[begin:finish]))
    return units


def load_table(path: Path = TABLE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def expand(curie: str) -> URIRef:
    kind, _, slug = curie.partition(":")
    return URIRef(f"{ID}{kind}/{slug}")


def span_offsets(graph: Graph) -> dict[URIRef, tuple[int, int]]:
    offsets = {}
    for span in graph.subjects(RDF.type, OA.SpecificResource):
        for selector in graph.objects(span, OA.hasSelector):
            if (selector, RDF.type, OA.TextPositionSelector) in graph:
                offsets[span] = (int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end)))
    return offsets


def check(seed: str, graph: Graph, table: dict) -> Report:
    report = Report()
    offsets = span_offsets(graph)
    regions = table["regions"]
    for region in regions:
        if region.get("kind") not in REGION_KINDS:
            report.problems.append(f"region {region.get('lines')}: kind must be one of {sorted(REGION_KINDS)}")
    units = [(u, r) for u, r in zip(region_units(seed, regions), regions)]
    sentences = split_sentences(seed, regions)
    rows = table["sentences"]
    by_key: dict[str, dict] = {}
    for row in rows:
        if row["begins"] in by_key:
            report.problems.append(f"two rows begin {row['begins']!r}")
        by_key[row["begins"]] = row
    keys = [s.key for s in sentences]
    if len(set(keys)) != len(keys):
        report.problems.append("two sentences begin alike: lengthen the key")
    for row in rows:
        if row["begins"] not in keys:
            report.problems.append(f"row {row['begins']!r} matches no sentence of the seed")
    for sentence in sentences:
        row = by_key.get(sentence.key)
        if row is None:
            report.problems.append(f"sentence {sentence.key!r} is neither covered nor excluded (no row)")
            continue
        units.append((sentence, row))
    report.sentences, report.regions = len(sentences), len(regions)

    furniture = [u for u, r in units if u.kind in FURNITURE_KINDS]
    allowed_on_furniture: set[URIRef] = set()
    for unit, row in units:
        allowed_on_furniture.update(expand(c) for c in row.get("covered_by", []) if unit.kind in FURNITURE_KINDS)

    for unit, row in units:
        label = f"{unit.kind} {unit.key!r}"
        covered_by, excluded = row.get("covered_by", []), row.get("excluded", "")
        if bool(covered_by) == bool(str(excluded).strip()):
            report.problems.append(f"{label}: give either covered_by spans or an excluded reason, not both or neither")
            continue
        if excluded:
            report.excluded += 1
            continue
        spans = []
        left_out = []
        for entry in row.get("left_out", []):
            if not str(entry.get("reason", "")).strip():
                report.problems.append(f"{label}: left_out {entry.get('text')!r} needs a reason")
            for start, end in unit.pieces:
                for match in re.finditer(re.escape(entry["text"]), seed[start:end]):
                    left_out.append((start + match.start(), start + match.end()))
        for curie in covered_by:
            span = expand(curie)
            if span not in offsets:
                report.problems.append(f"{label}: {curie} is not a span of the data")
            else:
                spans.append(offsets[span])
        for start, end in unit.pieces:
            for index in range(start, end):
                if seed[index].isalnum() and not any(a <= index < b for a, b in spans + left_out):
                    report.problems.append(f"{label}: {seed[index:index + 30]!r} (offset {index}) is not inside its spans")
                    break
        for resource in row.get("represents", []):
            target = expand(resource)
            anchors = set(graph.objects(target, MXUS.statedIn))
            anchors |= set(graph.objects(target, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
            if not anchors & {expand(c) for c in covered_by}:
                report.problems.append(f"{label}: {resource} is not stated in any of the row's spans")
        report.covered += 1

    # No content span reaches into page furniture or host text.
    for span, (start, end) in offsets.items():
        if span in allowed_on_furniture:
            continue
        for unit in furniture:
            for a, b in unit.pieces:
                if start < b and a < end and any(seed[i].isalnum() for i in range(max(a, start), min(b, end))):
                    report.problems.append(f"{span} covers {unit.kind} {unit.key!r}")
    # Spans allowed on furniture state only bibliographic facts, never claims or quotations.
    for span in allowed_on_furniture:
        for subject in graph.subjects(MXUS.statedIn, span):
            if any(str(kind).startswith(str(MXUS)) for kind in graph.objects(subject, RDF.type)):
                report.problems.append(f"{span} is page furniture yet states {subject}")
    return report
