"""``mxus validate``: files (or the published dataset) against the shapes, through the same
validation as the server, over an in-process store of the published data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from server.cli.common import EXIT_CONFORMS, EXIT_UNREADABLE, EXIT_VIOLATIONS
from server.publication.dataset import load_published
from server.publication.errors import InputRefused
from server.publication.reports import report_as_text
from server.publication.service import Publication
from server.rdf.media import UnknownFormat, rdf_format_by_name, rdf_format_for_filename
from server.rdf.parsing import RdfInputError, parse_rdf, union_graph
from server.settings import check_settings
from server.store import open_store


def register(commands) -> None:
    validate = commands.add_parser(
        "validate",
        help="validate RDF files (or, with none, the published dataset) against the SHACL shapes",
        description="Validate RDF files against ontology/shapes.ttl, with the ontology and the published "
        "data as context. Exit code 0: conforms; 1: violations; 2: unreadable input.",
    )
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    validate.add_argument(
        "--input-format",
        help="syntax of the files: turtle, trig, ntriples, nquads, jsonld, rdfxml (default: by extension)",
    )
    validate.add_argument(
        "--format", choices=("text", "turtle", "json"), default="text", help="report format (default: text)"
    )
    validate.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    settings = check_settings({})
    try:
        forced = rdf_format_by_name(args.input_format) if args.input_format else None
    except UnknownFormat as exc:
        print(f"mxus validate: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    published = load_published(settings)
    store = open_store(settings, published.graph_files(), published.digest, in_process=True)
    publication = Publication(published, store, records=None)
    targets = args.files or [None]
    outcomes, worst = [], EXIT_CONFORMS
    for index, path in enumerate(targets, start=1):
        label = str(path) if path else "published dataset"
        if len(targets) > 1:
            print(f"[{index}/{len(targets)}] {label}", file=sys.stderr)
        try:
            submission = _read_submission(path, forced) if path else None
        except (RdfInputError, UnknownFormat, OSError) as exc:
            message = str(exc) if isinstance(exc, RdfInputError) else f"{path}: {exc}"
            print(f"mxus validate: {message}", file=sys.stderr)
            outcomes.append((label, None, f"unreadable: {message}"))
            worst = EXIT_UNREADABLE
            continue
        try:
            report = publication.validate(submission)
        except InputRefused as refused:  # what no contribution may say (server.publication.guard)
            print(f"mxus validate: {label}: refused: {refused.message}", file=sys.stderr)
            outcomes.append((label, None, f"refused: {refused.message}"))
            worst = max(worst, EXIT_VIOLATIONS)
            continue
        outcomes.append((label, report, None))
        if not report.conforms and worst == EXIT_CONFORMS:
            worst = EXIT_VIOLATIONS
    print(_render(outcomes, args.format))
    return worst


def _read_submission(path: Path, forced):
    fmt = forced or rdf_format_for_filename(path.name)
    if not path.is_file():
        raise RdfInputError(str(path), "no such file")
    return union_graph(parse_rdf(path.read_bytes(), fmt, str(path)))


def _render(outcomes, fmt: str) -> str:
    if fmt == "json":
        files = []
        for label, report, error in outcomes:
            entry = {"file": label}
            entry.update(report.as_dict() if report else {"conforms": False, "error": error})
            files.append(entry)
        return json.dumps(
            {"conforms": all(f["conforms"] for f in files), "files": files}, indent=2, ensure_ascii=False
        )
    if fmt == "turtle":
        return "\n".join(
            f"# {label}\n" + (report.graph.serialize(format="turtle") if report else f"# {error}\n")
            for label, report, error in outcomes
        )
    return "\n".join(
        report_as_text(report, label) if report else f"{label}: {error}"
        for label, report, error in outcomes
    )
