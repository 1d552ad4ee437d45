"""The ``mxus`` command: validate files, locate passages, serve the dataset."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler

from server.publication.anchors import locate, read_source
from server.publication.dataset import load_published
from server.publication.validation import report_as_text, validate_submission
from server.rdf.media import UnknownFormat, rdf_format_by_name, rdf_format_for_filename
from server.rdf.parsing import RdfInputError, parse_rdf, union_graph
from server.settings import check_settings

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
    serve.add_argument("--instance", type=Path, help="folder for contributions and tokens (default: instance/)")
    serve.add_argument(
        "--data",
        type=Path,
        action="append",
        help="RDF file or folder to serve in place of data/ (repeatable), e.g. a benchmark corpus",
    )
    serve.add_argument(
        "--store-path",
        type=Path,
        metavar="FOLDER",
        help="keep the published data in an on-disk store in FOLDER: loaded once, reopened at restart, "
        "shared by the query workers (default: each worker loads it in memory)",
    )
    _store_arguments(serve, required=False)
    serve.set_defaults(handler=run_serve)

    load = commands.add_parser(
        "load",
        help="push the ontology, shapes and data into a remote SPARQL store (for serve --store)",
        description="Replace the data, ontology and shapes named graphs of a SPARQL 1.1 store with the "
        "published files, by SPARQL Update, and print what was loaded. Then `mxus serve --store URL` "
        "serves from it.",
    )
    _store_arguments(load, required=True)
    load.add_argument(
        "--data",
        type=Path,
        action="append",
        help="RDF file or folder to load in place of data/ (repeatable); serve with the same --data",
    )
    load.set_defaults(handler=run_load)

    # --instance may come before or after the action (mxus tokens --instance X add / mxus tokens add --instance X).
    instance_option = argparse.ArgumentParser(add_help=False)
    instance_option.add_argument("--instance", type=Path, default=argparse.SUPPRESS, help="instance folder (default: instance/)")

    tokens = commands.add_parser("tokens", help="bearer tokens for contributors and maintainers")
    tokens.add_argument("--instance", type=Path, help="instance folder (default: instance/)")
    token_actions = tokens.add_subparsers(dest="action", required=True)
    add = token_actions.add_parser("add", parents=[instance_option], help="make a token and print it (it is stored hashed)")
    add.add_argument("--name", required=True, help="the contributor's name, recorded with each contribution")
    add.add_argument("--orcid", help="the contributor's ORCID iD")
    add.add_argument("--maintainer", action="store_true", help="may also accept and reject contributions")
    revoke = token_actions.add_parser("revoke", parents=[instance_option], help="revoke every token of a contributor")
    revoke.add_argument("name")
    token_actions.add_parser("list", parents=[instance_option], help="list tokens (names and rights, never the tokens)")
    tokens.set_defaults(handler=run_tokens)

    contributions = commands.add_parser("contributions", help="review contributions (list, show, accept, reject, export)")
    contributions.add_argument("--instance", type=Path, help="instance folder (default: instance/)")
    actions = contributions.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[instance_option])
    listing.add_argument("--status", choices=("pending", "accepted", "rejected"))
    for name in ("show", "accept", "reject"):
        action = actions.add_parser(name, parents=[instance_option])
        action.add_argument("id")
        if name != "show":
            action.add_argument("--by", default="maintainer (command line)", help="who decides")
            action.add_argument("--reason")
    export = actions.add_parser("export", parents=[instance_option], help="write accepted contributions as Turtle files ready to commit")
    export.add_argument("--out", type=Path, default=Path("data") / "contributions")
    contributions.set_defaults(handler=run_contributions)

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


def _store_arguments(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        required=required,
        help="query URL of a SPARQL 1.1 store, e.g. http://127.0.0.1:7878/query (Oxigraph server)"
        + ("" if required else "; serve from it instead of the embedded engine (load it first: mxus load)"),
    )
    parser.add_argument(
        "--store-update",
        metavar="URL",
        help="update URL of the store (default: the query URL with /query replaced by /update, else the same URL)",
    )
    parser.add_argument("--user", help="user for HTTP basic authentication to the store (or MXUS_STORE_USER)")
    parser.add_argument(
        "--password", help="password for HTTP basic authentication to the store (better: MXUS_STORE_PASSWORD)"
    )


def _store_settings(args: argparse.Namespace) -> dict:
    import os

    if not args.store:
        if args.store_update or args.user or args.password:
            raise ValueError("--store-update, --user and --password need --store")
        return {}
    config = {"STORE_URL": args.store}
    if args.store_update:
        config["STORE_UPDATE_URL"] = args.store_update
    user = args.user or os.environ.get("MXUS_STORE_USER")
    password = args.password or os.environ.get("MXUS_STORE_PASSWORD")
    if user is not None or password is not None:
        config["STORE_USER"], config["STORE_PASSWORD"] = user or "", password or ""
    return config


def run_load(args: argparse.Namespace) -> int:
    import time

    from server.store.engine import QueryFailed
    from server.store.remote import RemoteEndpoint, display_url, load_published_into

    try:
        config = _store_settings(args)
        if args.data:
            config["DATA_PATHS"] = args.data
        settings = check_settings(config)
    except ValueError as exc:
        print(f"mxus load: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    started = time.monotonic()
    published = load_published(settings)
    endpoint = RemoteEndpoint.from_settings(settings)
    from server.store.graphs import LoadFailed

    try:
        loaded = load_published_into(endpoint, published)
    except (QueryFailed, LoadFailed) as exc:
        print(f"mxus load: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    width = max(len(name) for name, _ in loaded)
    print(f"loaded into {display_url(endpoint.url)} (updates: {display_url(endpoint.update_url)}), each graph replaced:")
    for name, triples in loaded:
        print(f"  {name:<{width}}  {triples:>9} triples")
    total = sum(triples for _, triples in loaded)
    print(f"{total} triples in {len(loaded)} graphs, {time.monotonic() - started:.1f} s")
    return EXIT_CONFORMS


def run_serve(args: argparse.Namespace) -> int:
    import logging
    import signal

    from server import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # mxus.access logs each request once
    # SIGTERM (systemd, docker stop, kill) exits like Ctrl-C, so exit handlers stop the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    base = args.base_uri or f"http://{args.host}:{args.port}/"
    from urllib.parse import urlsplit

    from server.rdf.uris import CANONICAL_BASE

    if urlsplit(base).path not in ("", "/") and base.rstrip("/") != CANONICAL_BASE.rstrip("/"):
        print(
            f"mxus serve: --base-uri {base} has a path; the server answers at the root of its host "
            "(serve it on a host of its own, e.g. https://data.example.org/)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    base = base if base.endswith("/") else base + "/"
    config = {"BASE_URI": base}
    if args.query_timeout is not None:
        config["QUERY_TIMEOUT"] = args.query_timeout
    if args.instance is not None:
        config["INSTANCE_DIR"] = args.instance
    if args.data:
        config["DATA_PATHS"] = args.data
    if args.store_path is not None:
        config["STORE_PATH"] = args.store_path
    from server.rdf.parsing import RdfInputError
    from server.store.engine import QueryFailed
    from server.store.graphs import LoadFailed

    try:
        config.update(_store_settings(args))
        app = create_app(config)
    except (ValueError, QueryFailed, LoadFailed, RdfInputError) as exc:
        print(f"mxus serve: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    from server.store.remote import display_url

    store = f" from the SPARQL store {display_url(args.store)}" if args.store else ""
    print(f"mxus-ld serving at {base}{store} (SPARQL endpoint: {base}sparql)", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False, request_handler=_TimedRequestHandler)
    return EXIT_CONFORMS


class _TimedRequestHandler(WSGIRequestHandler):
    """A client that stops sending (a Content-Length larger than its body) frees its thread after 30 s."""

    timeout = 30


def _instance(args: argparse.Namespace) -> Path:
    return args.instance or Path(check_settings({})["INSTANCE_DIR"])


def run_tokens(args: argparse.Namespace) -> int:
    from server.publication.tokens import TokenRegistry

    registry = TokenRegistry(_instance(args) / "tokens.json")
    if args.action == "add":
        try:
            token = registry.add(args.name, args.orcid, args.maintainer)
        except ValueError as exc:
            print(f"mxus tokens: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(token)
        print(f"token for {args.name} stored hashed in {registry.path}; it is shown only now", file=sys.stderr)
        return EXIT_CONFORMS
    if args.action == "revoke":
        count = registry.revoke(args.name)
        print(f"revoked {count} token(s) of {args.name}")
        return EXIT_CONFORMS if count else EXIT_VIOLATIONS
    for record in registry.list():
        state = "revoked" if record.revoked else "active"
        print(f"{record.name}\t{record.orcid or '-'}\t{','.join(record.rights)}\t{record.created}\t{state}")
    return EXIT_CONFORMS


def run_contributions(args: argparse.Namespace) -> int:
    from server.publication.contributions import ACCEPTED, REJECTED, ContributionNotFound, ContributionStore, InvalidTransition

    store = ContributionStore(_instance(args) / "contributions", recover=False)
    try:
        if args.action == "list":
            for contribution in store.all(args.status):
                print(f"{contribution.id}\t{contribution.status}\t{contribution.contributor['name']}\t{contribution.triples} triples\t{contribution.submitted}")
        elif args.action == "show":
            print(json.dumps(store.get(args.id).summary(), indent=2, ensure_ascii=False))
            print(store.content(args.id).serialize(format="turtle"))
        elif args.action in ("accept", "reject"):
            contribution = store.decide(args.id, ACCEPTED if args.action == "accept" else REJECTED, args.by, args.reason)
            print(f"{contribution.id} is now {contribution.status} (a running server publishes it when restarted)")
        else:
            written = export_accepted(store, args.out)
            print(f"wrote {len(written)} file(s) to {args.out}")
    except ContributionNotFound:
        print(f"mxus contributions: no contribution {args.id}", file=sys.stderr)
        return EXIT_UNREADABLE
    except InvalidTransition as exc:
        print(f"mxus contributions: {exc}", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_CONFORMS


def export_accepted(store, folder: Path) -> list[Path]:
    """Each accepted contribution as a Turtle file whose header says where it came from."""
    from server.publication.contributions import ACCEPTED
    from server.rdf.namespaces import bind_prefixes

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for contribution in store.all(ACCEPTED):
        graph = bind_prefixes(store.content(contribution.id))
        decided = contribution.history[-1] if contribution.history else {}
        header = (
            f"# Contribution {contribution.id} ({contribution.resource})\n"
            f"# by {contribution.contributor['name']}"
            + (f" <{contribution.contributor['orcid']}>" if contribution.contributor.get("orcid") else "")
            + f", submitted {contribution.submitted} as {contribution.media_type} (sha256 {contribution.sha256}),\n"
            f"# accepted by {decided.get('by', '?')} on {decided.get('at', '?')}.\n\n"
        )
        path = folder / f"{contribution.id}.ttl"
        path.write_text(header + graph.serialize(format="turtle"), encoding="utf-8")
        written.append(path)
    return written


def run_anchor(args: argparse.Namespace) -> int:
    seed = args.seed or next(Path(check_settings({})["SEEDS_DIR"]).glob("*.txt"))
    text = read_source(seed)
    exact = args.exact.replace("\\n", "\n")  # line breaks typed as \n; everything else verbatim
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
