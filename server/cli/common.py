"""What the commands share: exit codes, the store options, the instance folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from server.settings import check_settings

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2


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


def _instance(args: argparse.Namespace) -> Path:
    return args.instance or Path(check_settings({})["INSTANCE_DIR"])
