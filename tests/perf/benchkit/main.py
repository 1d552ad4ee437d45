"""The command line: which sizes, systems and parts to run; the report goes to standard output."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from .comparison import SIZES, run_size
from .fronts import run_fronts
from .curve import curve_table, plot_curve
from .processes import _on_signal, stop_all
from .report import environment, table
from .tools import rdflib_endpoint_venv, static_tools
from .validation import validation_times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="article,10k,100k",
                        help="comma-separated among 1k (one article cut short), article (one copy, ~2.2k), 10k, 100k, "
                             "1m, 10m (default article,10k,100k; 1m takes minutes to load, 10m most of an hour)")
    parser.add_argument("--fronts", metavar="SIZE",
                        help="also run one and then two mxus fronts in front of one Oxigraph server at this size")
    parser.add_argument("--plot", type=Path, help="write the cost-curve plot (SVG or PNG by the name) here")
    parser.add_argument("--clients", default="1,8", help="concurrency levels (default 1,8)")
    parser.add_argument("--duration", type=float, default=6.0,
                        help="seconds of query mix per system, size and concurrency, split in rounds (default 6)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per measurement (default 2)")
    parser.add_argument("--mxus-server", choices=("gunicorn", "serve"), default="serve",
                        help="how to run mxus: the README's production command, mxus serve on waitress (default), "
                             "or gunicorn --workers 1 --threads 8 (the bench extra installs it)")
    parser.add_argument("--mxus-store", choices=("memory", "disk"), default="memory",
                        help="mxus's embedded store: in memory, loaded once and forked into each query worker (default), or "
                             "one on-disk store the workers open read-only (--store-path), loaded before the start")
    parser.add_argument("--rdflib-endpoint-venv", type=Path,
                        help="reuse this virtual environment for rdflib-endpoint (default: a new one in the temp folder)")
    parser.add_argument("--no-rdflib-endpoint", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--no-static", action="store_true",
                        help="skip the wrk dereference table and its nginx static-file baseline (no apt-get)")
    parser.add_argument("--no-validation", action="store_true", help="skip the contribution validation timing")
    parser.add_argument("--start-timeout", type=float, default=600, help="seconds a server may take to answer")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if args.fronts and args.fronts not in SIZES:
        unknown.append(args.fronts)
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose among {list(SIZES)}")
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    atexit.register(stop_all)
    work = Path(tempfile.mkdtemp(prefix="mxus-bench-"))
    out = sys.stdout
    began = time.monotonic()
    try:
        venv, note = (None, "rdflib-endpoint left out (--no-rdflib-endpoint)") if args.no_rdflib_endpoint else \
            rdflib_endpoint_venv(work, args.rdflib_endpoint_venv)
        print("# mxus-ld benchmark\n", file=out)
        print(environment(venv), file=out)
        print(f"- mxus served by: {args.mxus_server}" + (" (--workers 1 --threads 8)" if args.mxus_server == "gunicorn"
                                                          else " (the README's production command: waitress)")
              + f", store: {args.mxus_store}" + (" (--store-path)" if args.mxus_store == "disk" else " (each query worker)"),
              file=out)
        print(f"- clients: {args.clients}; {args.duration:g} s of mix per system, size and concurrency in "
              f"{args.rounds} alternating rounds; urllib, one connection per request, loopback; the clients run "
              f"on the same {len(os.sched_getaffinity(0))} cores as the servers", file=out)
        if note:
            print(f"- {note}", file=out)
        args.static_tools, args.static_note = ({}, "--no-static") if args.no_static else static_tools(work)
        if args.static_note:
            print(f"- nginx/wrk part: {args.static_note}", file=out)
        out.flush()
        if not args.no_validation:
            print("\n## Contribution validation (in-process, article dataset, N rdfs:seeAlso triples on "
                  "person:colin-powell)\n", file=out)
            print(table(["triples", "runs", "p50 ms", "max ms", "conforms"], validation_times()), file=out)
            out.flush()
        results = {size: run_size(size, SIZES[size], args, work, venv, out) for size in sizes}
        if results:
            print("\n## Cost curve\n", file=out)
            print(curve_table(results), file=out)
        if results and args.plot:
            why_not = plot_curve(results, args.plot)
            print(f"\n- plot: {why_not or args.plot}", file=out)
        if args.fronts:
            run_fronts(args.fronts, args, work, out)
        print(f"\n(total run {time.monotonic() - began:.0f} s)", file=out)
    finally:
        stop_all()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
