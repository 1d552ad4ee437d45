"""Data-driven tests of the SHACL shapes: one small submission per file.

Every file under ``cases/shapes/invalid/`` is a submission that must be
rejected when validated together with the published data, and every file
under ``cases/shapes/valid/`` one that must be accepted without a single
result. An invalid file says what it expects in its leading comments::

    # expect-shape: https://w3id.org/mxus/shapes#ClaimShape
    # expect-message: must be anchored to exactly one span

``expect-shape`` names the node shape: a result of one of its anonymous
property shapes or SPARQL constraints is reported as "<node shape> (...)".
``expect-message`` is a substring of the English sh:message. A file is
written to break one rule only, so every other result it produces (of any
severity) is an error too, unless the file declares it as a known side
effect, which is then tolerated but not required::

    # also-reported: <node shape IRI> | <message substring>

A valid file must conform with no result at all (no warning either), and
its new spans must select their oa:exact text in the seed.

To add a case, add a file: it is collected automatically. The reports are those
of one ``mxus validate`` run over every case (the ``shape_reports`` fixture: the
same validation as in-process, and one process instead of one per case).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF, SH

from server.publication.validation import ValidationResult, run_shacl
from server.rdf.media import rdf_format_for_filename
from server.rdf.parsing import parse_rdf, union_graph

CASES = Path(__file__).parent / "cases" / "shapes"
INVALID_DIR = CASES / "invalid"
VALID_DIR = CASES / "valid"
OA = Namespace("http://www.w3.org/ns/oa#")


def case_files(folder: Path) -> list[Path]:
    """Every file in ``folder`` (whatever its extension), sorted by name."""
    return sorted(path for path in folder.iterdir() if path.is_file())


INVALID = case_files(INVALID_DIR)
VALID = case_files(VALID_DIR)


@dataclass
class Expectation:
    shape: str
    message: str

    def matches(self, result: ValidationResult) -> bool:
        named = result.shape == self.shape or result.shape.startswith(self.shape + " (")
        return named and self.message in result.message

    def __str__(self) -> str:
        return f"{self.shape} | {self.message}"


@dataclass
class Header:
    expected: Expectation
    also_reported: list[Expectation] = field(default_factory=list)


def read_header(path: Path) -> Header:
    """The ``# key: value`` lines of the comment block a case file starts with."""
    values: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, colon, value = line[1:].strip().partition(":")
        if colon and key.strip() in ("expect-shape", "expect-message", "also-reported"):
            values.setdefault(key.strip(), []).append(value.strip())
    shapes, messages = values.get("expect-shape", []), values.get("expect-message", [])
    assert len(shapes) == 1 and len(messages) == 1, (
        f"{path.name}: the header must have exactly one '# expect-shape:' and one '# expect-message:' line"
    )
    also = []
    for entry in values.get("also-reported", []):
        shape, bar, message = entry.partition("|")
        assert bar and shape.strip() and message.strip(), f"{path.name}: '# also-reported: SHAPE | MESSAGE'"
        also.append(Expectation(shape.strip(), message.strip()))
    return Header(Expectation(shapes[0], messages[0]), also)


def parse_case(path: Path) -> Graph:
    return union_graph(parse_rdf(path.read_bytes(), rdf_format_for_filename(path.name), str(path)))


def comparable(result: ValidationResult) -> str:
    """A result as text, blank-node labels aside (each run makes its own)."""
    return re.sub(r"_:[A-Za-z0-9]+", "_:b", repr(result))


def describe(results: list[ValidationResult]) -> str:
    return "\n".join(
        f"  [{r.severity}] {r.shape}\n      {r.message}\n      focus {r.focus_node} path {r.path} value {r.value}"
        for r in results
    ) or "  (no results)"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in INVALID])
def test_invalid_case_is_rejected_for_its_reason(path: Path, shape_reports):
    header = read_header(path)
    report = shape_reports[path]
    assert not report.conforms, f"{path.name} conforms, expected {header.expected}"

    matching = [r for r in report.results if r.severity == "Violation" and header.expected.matches(r)]
    assert matching, f"{path.name}: no violation matches {header.expected}; got:\n{describe(report.results)}"

    accepted = [header.expected, *header.also_reported]
    stray = [r for r in report.results if not any(e.matches(r) for e in accepted)]
    assert not stray, f"{path.name}: results it was not written for:\n{describe(stray)}"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in VALID])
def test_valid_case_conforms_without_results(path: Path, shape_reports, seed_text):
    submission = parse_case(path)
    report = shape_reports[path]
    assert report.conforms, f"{path.name}:\n{describe(report.results)}"
    assert report.results == [], f"{path.name} conforms but is not clean:\n{describe(report.results)}"

    # The shapes check that offsets and exact text agree in length; a valid
    # case must also anchor the right passage.
    for span in submission.subjects(OA.hasSelector, None, unique=True):
        selectors = list(submission.objects(span, OA.hasSelector))
        positions = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in submission]
        quotes = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in submission]
        start, end = (int(submission.value(positions[0], p)) for p in (OA.start, OA.end))
        exact = str(submission.value(quotes[0], OA.exact))
        assert seed_text[start:end] == exact, f"{path.name}: {span} does not select its oa:exact"
        prefix, suffix = submission.value(quotes[0], OA.prefix), submission.value(quotes[0], OA.suffix)
        if prefix is not None:
            assert seed_text[:start].endswith(str(prefix)), f"{path.name}: {span} oa:prefix"
        if suffix is not None:
            assert seed_text[end:].startswith(str(suffix)), f"{path.name}: {span} oa:suffix"


def test_every_case_file_is_collected(request):
    """Each file is one case, named after the file; none is skipped."""
    for folder, cases in ((INVALID_DIR, INVALID), (VALID_DIR, VALID)):
        on_disk = sorted(entry.name for entry in os.scandir(folder) if entry.is_file())
        assert [path.name for path in cases] == on_disk
        assert all(name.endswith(".ttl") for name in on_disk), f"{folder}: case files are Turtle"
    assert len(INVALID) >= 25
    assert len(VALID) >= 4
    assert len(INVALID) + len(VALID) <= 50, "each case takes a few seconds: keep the suite fast"

    # And pytest did collect one test per file (unless the run was filtered).
    options = request.config.option
    filtered = options.keyword or options.markexpr or getattr(options, "deselect", None) or any(
        "::" in str(arg) for arg in request.config.args
    )
    if not filtered:
        module = request.node.module
        for function, cases in (
            (test_invalid_case_is_rejected_for_its_reason, INVALID),
            (test_valid_case_conforms_without_results, VALID),
        ):
            ids = sorted(
                item.callspec.id
                for item in request.session.items
                if getattr(item, "module", None) is module and getattr(item, "originalname", None) == function.__name__
            )
            assert ids == sorted(path.name for path in cases), function.__name__


def test_case_headers_quote_existing_shapes_and_messages(published):
    """A renamed shape or a reworded message shows up here, also in 'also-reported' lines."""
    shapes = published.shapes
    node_shapes = {str(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    messages = [str(m) for m in shapes.objects(None, SH.message) if getattr(m, "language", None) == "en"]
    problems = []
    for path in INVALID:
        header = read_header(path)
        for expectation in (header.expected, *header.also_reported):
            if expectation.shape not in node_shapes:
                problems.append(f"{path.name}: {expectation.shape} is not a sh:NodeShape")
            if not any(expectation.message in message for message in messages):
                problems.append(f"{path.name}: no sh:message contains {expectation.message!r}")
    assert problems == []


def test_nested_failures_are_one_result_with_details(validated_in_process):
    """A failure deep inside a membership is counted once, explained by its details."""
    report = validated_in_process(INVALID_DIR / "membership-instant-with-two-dates.ttl")
    assert report.counts()["Violation"] == 1
    [result] = report.results
    assert any("An instant has exactly one of time:inXSDDate" in detail for detail in result.details)


# ---------------------------------------------------------------- the shortcut gives the full verdict
# A submission is validated against the data around it, read from the store
# (server.publication.focus.needed_data), with only the (shape, node) pairs it can affect
# as focus nodes. These cases reach furthest into the data: SPARQL
# constraints over three links, a nested node shape, an inverse path, a
# claim's kind, a new span on the shared source text, and valid additions.
FAR_REACHING = (
    "invalid/claim-attribution-inconsistent.ttl",
    "invalid/membership-instant-with-two-dates.ttl",
    "invalid/disputed-view-nobody-disputes.ttl",
    "invalid/claim-without-kind.ttl",
    "invalid/span-end-beyond-source.ttl",
    "invalid/tenure-gets-instant-with-two-dates.ttl",
    "valid/new-reported-fact-with-new-span.ttl",
    "valid/spanish-label-for-existing-claim.ttl",
)


@pytest.mark.parametrize("name", FAR_REACHING)
def test_validation_around_the_submission_agrees_with_a_full_validation(name: str, published, validated_in_process,
                                                                         shape_reports):
    submission = parse_case(CASES / name)
    shortcut = validated_in_process(CASES / name)
    # In this process, the same verdict and results as the command gave (the reports the cases above read).
    assert shortcut.conforms == shape_reports[CASES / name].conforms
    assert sorted(map(comparable, shortcut.results)) == sorted(map(comparable, shape_reports[CASES / name].results))
    everything = Graph()
    everything += published.data
    everything += submission
    shapes = Graph()
    shapes += published.shapes  # pySHACL may add to the shapes graph it is given: never the shared fixture
    conforms, report = run_shacl(everything, shapes, published.ontology)
    full = sorted(
        (str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1], str(report.value(r, SH.resultMessage)))
        for r in report.objects(None, SH.result)
    )
    ours = sorted((r.severity, r.message) for r in shortcut.results if r.constraint != "mxus:AnchorCheck")
    assert ours == full
    assert shortcut.conforms == conforms or any(r.constraint == "mxus:AnchorCheck" for r in shortcut.results)
