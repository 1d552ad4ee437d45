"""``mxus tokens`` and ``mxus contributions``: the maintainers' side of contributions.

Decisions go through the publication service, the same compare-and-set as the server's."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from server.cli.common import EXIT_CONFORMS, EXIT_UNREADABLE, EXIT_VIOLATIONS, _instance


def register(commands) -> None:
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
    from server.publication.contributions import ContributionStore
    from server.publication.errors import ContributionNotFound, InvalidTransition
    from server.publication.service import Publication

    store = ContributionStore(_instance(args) / "contributions", recover=False)
    # No store: a decision is recorded and journalled; running servers follow the journal.
    publication = Publication(None, None, store)
    try:
        if args.action == "list":
            for contribution in store.all(args.status):
                print(f"{contribution.id}\t{contribution.status}\t{contribution.contributor['name']}\t{contribution.triples} triples\t{contribution.submitted}")
        elif args.action == "show":
            print(json.dumps(store.get(args.id).summary(), indent=2, ensure_ascii=False))
            print(store.content(args.id).serialize(format="turtle"))
        elif args.action in ("accept", "reject"):
            contribution = publication.decide(args.id, args.action == "accept", args.by, args.reason)
            print(f"{contribution.id} is now {contribution.status} (running servers follow within a second)")
        else:
            written = publication.export(args.out)
            print(f"wrote {len(written)} file(s) to {args.out}")
    except ContributionNotFound:
        print(f"mxus contributions: no contribution {args.id}", file=sys.stderr)
        return EXIT_UNREADABLE
    except InvalidTransition as exc:
        print(f"mxus contributions: {exc}", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_CONFORMS
