"""The ``mxus`` command: validate files, locate passages, serve the dataset."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .anchors import locate, read_source
from .config import check_settings
from .dataset import load_published
from .media import UnknownFormat, rdf_format_by_name, rdf_format_for_filename
from .parsing import RdfInputError, parse_rdf, union_graph
from .validation import report_as_json, report_as_text, validate_submission

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mxus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

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

    anchor = commands.add_parser(
        "anchor",
        help="print Web Annotation selectors for a passage of the seed text",
        description="Find EXACT in the seed and print its TextPositionSelector and TextQuoteSelector "
        "as Turtle, ready to paste into a contribution. Use \\n for line breaks.",
    )
    anchor.add_argument("exact", help="the passage, verbatim")
    anchor.add_argument("--occurrence", type=int, default=1, help="which occurrence (default 1)")
    anchor.add_argument("--seed", type=Path, help="the source text (default: the one in seeds/)")
    anchor.set_defaults(handler=run_anchor)

    serve = commands.add_parser("serve", help="serve the dataset: SPARQL endpoint, URIs, pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--base-uri",
        help="base URI the server answers at (default: http://HOST:PORT/); canonical URIs are rewritten to it",
    )
    serve.add_argument(
        "--query-timeout",
        type=float,
        metavar="SECONDS",
        help="seconds a SPARQL query may run before it is stopped (default: the QUERY_TIMEOUT setting, 10)",
    )
    serve.set_defaults(handler=run_serve)

    args = parser.parse_args(argv)
    return args.handler(args)


def run_validate(args: argparse.Namespace) -> int:
    settings = check_settings({})
    try:
        forced = rdf_format_by_name(args.input_format) if args.input_format else None
    except UnknownFormat as exc:
        print(f"mxus validate: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    published = load_published(settings)
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
            outcomes.append((label, None, message))
            worst = EXIT_UNREADABLE
            continue
        report = validate_submission(submission, published)
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
            f"# {label}\n" + (report.graph.serialize(format="turtle") if report else f"# unreadable: {error}\n")
            for label, report, error in outcomes
        )
    return "\n".join(
        report_as_text(report, label) if report else f"{label}: unreadable: {error}"
        for label, report, error in outcomes
    )


def run_serve(args: argparse.Namespace) -> int:
    import logging

    from . import create_app

    import signal

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # SIGTERM (systemd, docker stop, kill) exits like Ctrl-C, so exit handlers stop the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    base = args.base_uri or f"http://{args.host}:{args.port}/"
    config = {"BASE_URI": base}
    if args.query_timeout is not None:
        config["QUERY_TIMEOUT"] = args.query_timeout
    app = create_app(config)
    print(f"mxus-ld serving at {base} (SPARQL endpoint: {base}sparql)", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return EXIT_CONFORMS


def run_anchor(args: argparse.Namespace) -> int:
    seed = args.seed or next(Path(check_settings({})["SEEDS_DIR"]).glob("*.txt"))
    text = read_source(seed)
    exact = args.exact.encode().decode("unicode_escape") if "\\" in args.exact else args.exact
    try:
        span = locate(text, exact, args.occurrence)
    except ValueError as exc:
        print(f"mxus anchor: {seed}: {exc}", file=sys.stderr)
        return EXIT_VIOLATIONS

    def lit(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    print(
        "    oa:hasSelector [ a oa:TextPositionSelector ; "
        f"oa:start {span.start} ; oa:end {span.end} ] ,\n"
        "        [ a oa:TextQuoteSelector ;\n"
        f"          oa:prefix {lit(span.prefix)} ;\n"
        f"          oa:exact {lit(span.exact)} ;\n"
        f"          oa:suffix {lit(span.suffix)} ] ."
    )
    return EXIT_CONFORMS


if __name__ == "__main__":
    sys.exit(main())
