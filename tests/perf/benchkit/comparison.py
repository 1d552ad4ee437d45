"""One corpus size: every system started in turn, driven with the mix, dereferenced, then stopped."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from . import PERF
from .dereference import conditional_request, deref_what, fetch_descriptions, wrk_dereference
from .report import fmt, table
from .validation import http_validation_ms
from .systems import Mxus, Oxigraph, RdflibEndpoint, System
from .workload import Cell, drive, query_mix, resources_of, sparql_request

@dataclasses.dataclass(frozen=True)
class Size:
    """A corpus size: how many article copies (generate_corpus.py), cut at ``max_triples`` if given."""

    articles: int
    max_triples: int | None = None
    disk_only: bool = False  # mxus in memory would hold a copy per query worker: too big for this machine
    rdflib_endpoint: bool = True  # rdflib-endpoint parses into Python objects: 1M took 38 s and 1.3 GB


SIZES = {
    "1k": Size(1, max_triples=1000), "article": Size(1), "10k": Size(5), "100k": Size(45), "1m": Size(451),
    "10m": Size(4510, disk_only=True, rdflib_endpoint=False),
}  # one article copy is ~2.2k triples: ~1k, ~2.2k, ~11k, ~100k, ~1.0M, ~10M


def make_corpus(label: str, size: Size, work: Path) -> tuple[Path, int]:
    corpus = work / f"corpus-{label}.nt"
    cut = ["--max-triples", str(size.max_triples)] if size.max_triples else []
    subprocess.run([sys.executable, str(PERF / "generate_corpus.py"), "--articles", str(size.articles), "--out",
                    str(corpus), *cut], check=True, stdout=subprocess.DEVNULL)
    return corpus, sum(1 for _ in corpus.open("rb"))


def run_size(label: str, size: Size, args, work: Path, venv: Path | None, out) -> dict[str, dict]:
    """Figures by system name (load_s, ready_s, rss_mb, disk_mb, mix C=n, deref C=n, validation_ms)."""
    articles = size.articles
    corpus, triples = make_corpus(label, size, work)
    print(f"\n## ~{label}: {articles} articles, {triples:,} triples\n", file=out, flush=True)

    store = "disk" if size.disk_only else args.mxus_store
    if store != args.mxus_store:
        print("- mxus over its on-disk store at this size (in memory each query worker would hold a copy)", file=out)
    systems: list[System] = [Mxus(corpus, work, args.mxus_server, store), Oxigraph(corpus, work)]
    if venv and size.rdflib_endpoint:
        systems.append(RdflibEndpoint(corpus, work, venv))
    elif venv:
        print("- rdflib-endpoint left out at this size (it parses the corpus into Python objects: at 1M it "
              "took 38 s and 1.3 GB)", file=out)
    figures: dict[str, dict] = {s.name: {"triples": triples} for s in systems}
    running: list[System] = []
    try:
        for system in systems:  # one after the other, so each starts on an otherwise idle machine
            print(f"starting {system.name} on port {system.port} ...", file=sys.stderr, flush=True)
            if system.launch(args.start_timeout):
                running.append(system)
            else:
                print(f"{system.name}: {system.note}", file=out)
                system.shutdown()
        cells = measure_mix(running, query_mix(articles), label, args, out)
        deref_cells = measure_dereference(running, corpus, args, work, out)
        for system in running:
            figures[system.name].update({f"mix C={c}": cells[(system.name, c)].rps for c in args.clients
                                         if (system.name, c) in cells})
            figures[system.name].update({f"deref C={c}": deref_cells[(system.name, c)].rps for c in args.clients
                                         if (system.name, c) in deref_cells})
            if isinstance(system, Mxus) and not args.no_validation:
                figures[system.name]["validation ms"] = http_validation_ms(system.base)
    finally:
        for system in systems:
            system.shutdown()

    print("\n### Start and memory\n", file=out)
    print(table(
        ["system", "size", "load s (separate step)", "ready s (start to first answer)", "peak RSS MiB (process tree)",
         "disk MiB"],
        [[s.name, f"~{label}", fmt(s.load_s, 2) if s.load_s is not None else "-",
          fmt(s.ready_s, 2) if s.ready_s is not None else f"failed: {s.note}", fmt(s.peak_rss_mb, 0),
          fmt(s.disk_mb, 0)] for s in systems]), file=out)
    out.flush()
    for system in systems:
        figures[system.name].update({"load s": system.load_s, "ready s": system.ready_s,
                                     "peak RSS MiB": system.peak_rss_mb, "disk MiB": system.disk_mb})
        system.remove_files()
    corpus.unlink(missing_ok=True)
    return figures


def measure_mix(running: list[System], mix, label: str, args, out) -> dict[tuple[str, int], Cell]:
    """The query mix, cold (every text new) for every system and warm (texts repeated) for mxus; prints
    its tables and returns the cold cells by (system, clients)."""

    def mix_request(system, cold: bool = True):
        """Cold: every query text is new (a numbered comment), so no result cache can answer it."""
        def make(rng, n):
            name, accept, build = mix[n % len(mix)]
            text = build(rng) + (f"\n# {system.name} {rng.random()} {n}" if cold else "")
            return name, sparql_request(system.sparql_url, text, accept)
        return make

    cells: dict[tuple[str, int], Cell] = {}
    for clients in args.clients:
        for round_ in range(args.rounds):
            order = running if round_ % 2 == 0 else list(reversed(running))  # alternate systems
            for system in order:
                print(f"  mix {system.name} C={clients} round {round_ + 1}", file=sys.stderr, flush=True)
                cells.setdefault((system.name, clients), Cell()).add(
                    drive(mix_request(system), clients, args.duration / args.rounds, min_requests=len(mix),
                          seed=round_ + 1))
    warm = {}  # the same texts again and again: mxus answers from its result cache
    for system in running:
        if system.name == "mxus":
            for clients in args.clients:
                print(f"  mix {system.name} warm C={clients}", file=sys.stderr, flush=True)
                warm[clients] = drive(mix_request(system, cold=False), clients, args.duration / args.rounds,
                                      min_requests=len(mix), seed=1)

    def row(name: str, clients: int, cell: Cell) -> list:
        return [name, f"~{label}", clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)), fmt(cell.pct(99)),
                cell.errors, len(cell.latencies)]

    rows = [row(system.name, clients, cells[(system.name, clients)]) for clients in args.clients for system in running]
    for clients, result in warm.items():
        cell = Cell()
        cell.add(result)
        rows.append(row("mxus (warm)", clients, cell))
    print("### Query mix (describe, label search, 3-hop join, count by type, incoming links)\n", file=out)
    print("Cold: every query text is new, no cache can answer; warm: mxus with the texts repeated "
          "(its result cache answers).\n", file=out)
    print(table(["system", "size", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "answered"], rows),
          file=out)

    ratio_rows = []
    for clients in args.clients:
        mine = cells.get(("mxus", clients))
        if mine is None:
            continue
        theirs = [cells.get((other, clients)) for other in ("oxigraph", "rdflib-endpoint")]
        ratio_rows.append([f"~{label}", clients] + [f"{mine.rps / t.rps:.2f}x" if t and t.rps else "-" for t in theirs])
    print("\nRatios of requests/s:\n", file=out)
    print(table(["size", "clients", "mxus/oxigraph", "mxus/rdflib-endpoint"], ratio_rows), file=out)

    label_rows = [[system.name] + [fmt(cell.pct(50, cell.per_label.get(name, []))) for name, _, _ in mix]
                  for system in running if (cell := cells.get((system.name, 1)))]
    print("\nMedian latency per query at 1 client (ms):\n", file=out)
    print(table(["system"] + [name for name, _, _ in mix], label_rows), file=out)
    for (name, clients), cell in cells.items():
        if cell.notes:
            print(f"\n- first error, {name}, C={clients}: {cell.notes[0]}", file=out)
    return cells


def measure_dereference(running: list[System], corpus: Path, args, work: Path, out) -> dict[tuple[str, int], Cell]:
    """mxus /data/... against Oxigraph's (and rdflib-endpoint's) DESCRIBE, mxus 304s, then the wrk part;
    prints the tables and returns the cells by (system, clients)."""
    resources = resources_of(corpus, 200)
    by_name = {s.name: s for s in running}

    def deref_request(system):
        def make(rng, n):
            kind, slug = rng.choice(resources)
            return ("data" if system.name == "mxus" else "describe"), system.describe_request(kind, slug)
        return make

    deref_cells: dict[tuple[str, int], Cell] = {}
    for clients in args.clients:
        for round_ in range(args.rounds):
            order = running if round_ % 2 == 0 else list(reversed(running))
            for system in order:
                if system.name == "rdflib-endpoint" and clients > 1:
                    continue  # the point of comparison is Oxigraph; keeps the run short
                deref_cells.setdefault((system.name, clients), Cell()).add(
                    drive(deref_request(system), clients, args.duration / args.rounds / 2, seed=round_ + 11))

    descriptions = fetch_descriptions(by_name["mxus"], resources) if "mxus" in by_name else []
    if descriptions:
        etags = [(kind, slug, tag) for kind, slug, _, tag in descriptions[:50]]
        if all(tag for _, _, tag in etags):
            def conditional(rng, n):
                kind, slug, tag = rng.choice(etags)
                return "304", conditional_request(by_name["mxus"], kind, slug, tag)
            for clients in args.clients:
                deref_cells[("mxus 304", clients)] = cell = Cell()
                cell.add(drive(conditional, clients, args.duration / 2, expect=(304,)))
        else:
            print("\n- mxus /data/... answered without an ETag: no 304 measurement", file=out)

    deref_rows = [[name.split()[0], deref_what(name), clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)),
                   fmt(cell.pct(99)), cell.errors] for (name, clients), cell in deref_cells.items()]
    print("\n### Dereference of a random resource (200 resources of the corpus)\n", file=out)
    print(table(["system", "request", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"], deref_rows),
          file=out)
    deref_ratio = []
    for clients in args.clients:
        a, b = deref_cells.get(("mxus", clients)), deref_cells.get(("oxigraph", clients))
        if a and b and b.rps:
            deref_ratio.append(f"C={clients}: {a.rps / b.rps:.2f}x")
    if deref_ratio:
        print("\nmxus /data/... vs Oxigraph DESCRIBE, requests/s: " + ", ".join(deref_ratio), file=out)
    for (name, clients), cell in deref_cells.items():
        if cell.notes:
            print(f"\n- first error, {name} C={clients}: {cell.notes[0]}", file=out)
    out.flush()
    wrk_dereference(by_name, descriptions, args, work, out)
    return deref_cells
