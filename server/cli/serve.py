"""``mxus serve`` and ``mxus load``: serve the dataset; fill a remote store for it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from server.publication.dataset import load_published
from server.cli.common import EXIT_CONFORMS, EXIT_UNREADABLE, _store_arguments, _store_settings
from server.settings import check_settings


# ``mxus serve`` options that set one setting each (unset: the setting's default).
OPTION_SETTINGS = {
    "query_timeout": "QUERY_TIMEOUT",
    "trusted_proxy": "TRUSTED_PROXIES",
    "client_queries": "PER_CLIENT_QUERIES",
    "client_query_seconds": "PER_CLIENT_QUERY_SECONDS",
    "client_window_seconds": "PER_CLIENT_WINDOW_SECONDS",
    "instance": "INSTANCE_DIR",
    "data": "DATA_PATHS",
    "store_path": "STORE_PATH",
}


def register(commands) -> None:
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
    serve.add_argument("--threads", type=int, default=8, metavar="N",
                       help="threads that run requests (default 8); requests are read whole before one gets a thread")
    serve.add_argument("--connections", type=int, default=500, metavar="N",
                       help="open connections accepted at once, slow ones included (default 500)")
    serve.add_argument("--workers", type=_positive, default=1, metavar="N",
                       help="server processes answering on the one address (default 1); each is a whole server, "
                       "following the others' contributions (not with --store-path: an on-disk store has one writer)")
    for hidden in ("--front-socket", "--front-ready", "--front-number"):  # from the parent of --workers to each process
        serve.add_argument(hidden, type=int, help=argparse.SUPPRESS)
    serve.add_argument("--trusted-proxy", action="append", metavar="ADDRESS",
                       help="a reverse proxy whose X-Forwarded-For names the client (repeatable; TRUSTED_PROXIES)")
    serve.add_argument("--client-queries", type=int, metavar="N",
                       help="queries one client may run at once (default: the PER_CLIENT_QUERIES setting, 1)")
    serve.add_argument("--client-query-seconds", type=float, metavar="SECONDS",
                       help="query time one client may use per window of PER_CLIENT_WINDOW_SECONDS (default: the PER_CLIENT_QUERY_SECONDS setting, 20)")
    serve.add_argument("--client-window-seconds", type=float, metavar="SECONDS",
                       help="the window of --client-query-seconds (default: the PER_CLIENT_WINDOW_SECONDS setting, 60)")
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
        "shared by the query workers (default: in memory, loaded once and forked into each worker)",
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


def run_load(args: argparse.Namespace) -> int:
    import time

    from server.store.errors import QueryFailed
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
    from server.store.errors import LoadFailed

    try:
        loaded = load_published_into(endpoint, published.graph_files())
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
    base = base if base.endswith("/") else base + "/"
    config = {"BASE_URI": base}
    for option, setting in OPTION_SETTINGS.items():
        if getattr(args, option) is not None:
            config[setting] = getattr(args, option)
    from server.rdf.parsing import RdfInputError
    from server.store.errors import QueryFailed
    from server.store.errors import LoadFailed

    from server.store.remote import display_url

    store = f" from the SPARQL store {display_url(args.store)}" if args.store else ""
    processes = f", {args.workers} processes" if args.workers > 1 else ""
    started = f"mxus-ld serving at {base}{store} (SPARQL endpoint: {base}sparql{processes})"
    if args.workers > 1 and args.front_socket is None:
        if args.store_path:
            print("mxus serve: --workers needs the data in memory or in a remote store (--store): an on-disk "
                  "store has one writer, so serve it with one process (its query workers use the cores)", file=sys.stderr)
            return EXIT_UNREADABLE
        from server.cli.fronts import run_fronts

        return run_fronts(args.argv, args.host, args.port, args.workers, started)
    if args.front_socket is not None:
        from server.cli.fronts import end_with_parent

        end_with_parent()
    try:
        config.update(_store_settings(args))
        app = create_app(config)
    except (ValueError, QueryFailed, LoadFailed, RdfInputError) as exc:
        print(f"mxus serve: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.front_ready is None:
        print(started, flush=True)
    else:  # one of several processes (server.cli.fronts): its parent says when all are ready
        os.write(args.front_ready, b"r")
        os.close(args.front_ready)
    return _run_waitress(app, args)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a positive whole number, not {text!r}")
    return int(text)


def _run_waitress(app, args: argparse.Namespace) -> int:
    """Waitress reads each request whole (headers and body, up to MAX_BODY_BYTES) in its own event
    loop and only then gives it a thread: clients that trickle bytes hold a socket, never a thread."""
    import socket

    from waitress.server import create_server

    if args.front_socket is None:
        where = {"host": args.host, "port": args.port}
        application = app
    else:  # the socket its parent listens on for it (server.cli.fronts)
        where = {"sockets": [socket.socket(fileno=args.front_socket)]}
        application = _naming_front(app, args.front_number)
    server = create_server(
        application, **where, threads=args.threads, connection_limit=args.connections,
        channel_timeout=30,  # a connection silent for 30 s is closed
        max_request_body_size=app.config["MAX_BODY_BYTES"] + 1,  # the app answers 413 with its message first
        asyncore_use_poll=True,  # select() cannot watch more than 1,024 sockets
        clear_untrusted_proxy_headers=False,  # the app trusts X-Forwarded-For only from TRUSTED_PROXIES
        ident="mxus-ld",
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return EXIT_CONFORMS


def _naming_front(app, number: int):
    """The app, answering with ``Mxus-Front: number``: which of the processes a client reached."""

    def named(environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Mxus-Front", str(number))], exc_info)

        return app(environ, start)

    return named
