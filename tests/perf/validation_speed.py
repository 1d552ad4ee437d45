"""How long validating a real contribution takes (issue 13, item 4). Run on demand only.

    .venv/bin/python tests/perf/validation_speed.py                    # article dataset only
    .venv/bin/python tests/perf/validation_speed.py --corpus 430       # and a ~1M-triple corpus (made once)
    .venv/bin/python tests/perf/validation_speed.py --profile claim    # cProfile of one warm run

The contribution is the README's example: a new claim with its span and quote selectors
(tests/cases/shapes/valid/new-reported-fact-with-new-span.ttl). Timed through
``Publication.validate`` (guard, then the shapes) over the server's store (worker processes; ``--store
local`` for the in-process one), like ``POST /validate`` minus HTTP and parsing:

* **cold**: the first validation in a fresh process (shapes read, caches empty);
* **warm**: the next ones (p50 and p95 of ``--runs``);
* **1,000 claims**: one submission holding 1,000 copies of the claim, each with its own IRIs.

Wall time and this process's CPU time are printed side by side: the machine is shared, and CPU time
says what the code costs when wall time says what a user waits. No timed assertion anywhere.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rdflib import BNode, Graph, URIRef  # noqa: E402

from server.publication.dataset import load_published  # noqa: E402
from server.publication.service import Publication  # noqa: E402
from server.rdf.media import rdf_format_for_filename  # noqa: E402
from server.rdf.parsing import parse_rdf, union_graph  # noqa: E402
from server.settings import check_settings  # noqa: E402
from server.store import open_store  # noqa: E402

EXAMPLE = ROOT / "tests" / "cases" / "shapes" / "valid" / "new-reported-fact-with-new-span.ttl"
ID = "https://w3id.org/mxus/id/"


def example() -> Graph:
    return union_graph(parse_rdf(EXAMPLE.read_bytes(), rdf_format_for_filename(EXAMPLE.name), str(EXAMPLE)))


def many_claims(count: int) -> Graph:
    """``count`` copies of the example, each with its own claim and span IRIs and its own blank selectors."""
    claim, claims = example(), Graph()
    for number in range(count):
        blanks: dict = {}

        def rename(term, number=number, blanks=blanks):
            if isinstance(term, BNode):
                return blanks.setdefault(term, BNode())
            if isinstance(term, URIRef) and str(term).startswith((ID + "claim/", ID + "span/")):
                return URIRef(f"{term}-copy{number}")
            return term

        for s, p, o in claim:
            claims.add((rename(s), p, rename(o)))
    return claims


def timed(function) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, result


def row(label: str, runs: list[tuple[float, float]], conforms: bool) -> str:
    walls, cpus = sorted(w for w, _ in runs), sorted(c for _, c in runs)
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    return (f"| {label} | {len(runs)} | {statistics.median(walls):,.0f} | {p95:,.0f} | "
            f"{statistics.median(cpus):,.0f} | {conforms} |")


def measure(data_paths: list[str], store_kind: str, runs: int, batch: int, profile: str | None) -> None:
    """Prints a table row per submission as soon as it is measured."""
    settings = check_settings({"DATA_PATHS": data_paths})
    published = load_published(settings)
    store = open_store(settings, published.graph_files(), published.digest, in_process=store_kind == "local")
    try:
        validate = Publication(published, store, records=None).validate
        claim, claims = example(), many_claims(batch)
        assert len(claims) == batch * len(claim), (len(claims), len(claim))  # every copy its own triples
        wall, cpu, report = timed(lambda: validate(claim))
        print(row(f"one claim ({len(claim)} triples), cold", [(wall, cpu)], report.conforms), flush=True)
        warm = []
        for _ in range(runs):
            wall, cpu, report = timed(lambda: validate(claim))
            warm.append((wall, cpu))
        print(row(f"one claim ({len(claim)} triples), warm", warm, report.conforms), flush=True)
        if batch:
            many = []
            for _ in range(max(1, runs // 5)):
                wall, cpu, report = timed(lambda: validate(claims))
                many.append((wall, cpu))
            print(row(f"{batch:,} claims in one submission ({len(claims):,} triples)", many, report.conforms),
                  flush=True)
        if profile:
            subject = claim if profile == "claim" else claims
            profiler = cProfile.Profile()
            profiler.runcall(validate, subject)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    finally:
        store.close()


def corpus_file(articles: int) -> Path:
    path = Path("/tmp") / f"mxus-validation-corpus-{articles}.nt"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "tests" / "perf" / "generate_corpus.py"), "--articles",
                        str(articles), "--out", str(path)], check=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=int, default=0, help="also over the article data plus N synthetic articles")
    parser.add_argument("--store", choices=("pool", "local"), default="pool")
    parser.add_argument("--runs", type=int, default=20, help="warm runs of the one-claim submission")
    parser.add_argument("--batch", type=int, default=1000, help="claims in the large submission")
    parser.add_argument("--profile", choices=("claim", "batch"), help="print a cProfile of one warm run")
    args = parser.parse_args(argv)
    datasets = [("article", [str(ROOT / "data")])]
    if args.corpus:
        corpus = corpus_file(args.corpus)
        datasets.append((f"article + {args.corpus} copies", [str(ROOT / "data"), str(corpus)]))
    for name, paths in datasets:
        print(f"\n## {name} ({args.store} store)\n")
        print("| submission | runs | wall p50 ms | wall p95 ms | cpu p50 ms | conforms |")
        print("|---|---|---|---|---|---|")
        measure(paths, args.store, args.runs, args.batch, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
