"""``mxus anchor``: the Web Annotation selectors of a passage of the seed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from server.cli.common import EXIT_CONFORMS, EXIT_VIOLATIONS
from server.publication.anchors import locate, read_source
from server.settings import check_settings


def register(commands) -> None:
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
