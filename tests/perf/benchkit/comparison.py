"""One corpus size: every system started in turn, driven with the mix, dereferenced, then stopped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from . import PERF
from .dereference import conditional_request, deref_what, fetch_descriptions, wrk_dereference
from .report import fmt, table
from .systems import Mxus, Oxigraph, RdflibEndpoint, System
from .workload import Cell, drive, query_mix, resources_of, sparql_request

TRIPLES_PER_ARTICLE = 2219
SIZES = {"article": 1, "10k": 5, "100k": 45, "1m": 451}  # articles: ~2.2k, ~11k, ~100k, ~1.0M triples


def run_size(label: str, articles: int, args, work: Path, venv: Path | None, out) -> dict:
    corpus = work / f"corpus-{label}.nt"
    subprocess.run([sys.executable, str(PERF / "generate_corpus.py"), "--articles", str(articles), "--out", str(corpus)],
                   check=True, stdout=subprocess.DEVNULL)
    triples = sum(1 for _ in corpus.open("rb"))
    print(f"\n## ~{label}: {articles} articles, {triples:,} triples\n", file=out, flush=True)

    systems: list[System] = [Mxus(corpus, work, args.mxus_server, args.mxus_store), Oxigraph(corpus, work)]
    if venv:
        systems.append(RdflibEndpoint(corpus, work, venv))
    running: list[System] = []
    try:
        for system in systems:  # one after the other, so each starts on an otherwise idle machine
            print(f"starting {system.name} on port {system.port} ...", file=sys.stderr, flush=True)
            if system.launch(args.start_timeout):
                running.append(system)
            else:
                print(f"{system.name}: {system.note}", file=out)
                system.shutdown()

        mix = query_mix(articles)

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

        rows = []
        for clients in args.clients:
            for system in running:
                cell = cells[(system.name, clients)]
                rows.append([system.name, f"~{label}", clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)),
                             fmt(cell.pct(99)), cell.errors, len(cell.latencies)])
        for clients, result in warm.items():
            cell = Cell()
            cell.add(result)
            rows.append(["mxus (warm)", f"~{label}", clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)),
                         fmt(cell.pct(99)), cell.errors, len(cell.latencies)])
        print("### Query mix (describe, label search, 3-hop join, count by type, incoming links)\n", file=out)
        print("Cold: every query text is new, no cache can answer; warm: mxus with the texts repeated "
              "(its result cache answers).\n", file=out)
        print(table(["system", "size", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "answered"], rows),
              file=out)

        names = [s.name for s in running]
        ratio_rows = []
        for clients in args.clients:
            if "mxus" not in names:
                continue
            mine = cells[("mxus", clients)].rps
            row = [f"~{label}", clients]
            for other in ("oxigraph", "rdflib-endpoint"):
                theirs = cells.get((other, clients))
                row.append(f"{mine / theirs.rps:.2f}x" if theirs and theirs.rps else "-")
            ratio_rows.append(row)
        print("\nRatios of requests/s:\n", file=out)
        print(table(["size", "clients", "mxus/oxigraph", "mxus/rdflib-endpoint"], ratio_rows), file=out)

        label_rows = []
        for system in running:
            cell = cells[(system.name, 1)] if (system.name, 1) in cells else None
            if cell:
                label_rows.append([system.name] + [fmt(cell.pct(50, cell.per_label.get(name, [])))
                                                   for name, _, _ in mix])
        print("\nMedian latency per query at 1 client (ms):\n", file=out)
        print(table(["system"] + [name for name, _, _ in mix], label_rows), file=out)
        notes = {f"{s}, C={c}": cell.notes[0] for (s, c), cell in cells.items() if cell.notes}
        for where, note in notes.items():
            print(f"\n- first error, {where}: {note}", file=out)

        # dereference: mxus /data/... vs Oxigraph DESCRIBE (and rdflib-endpoint DESCRIBE when present)
        resources = resources_of(corpus, 200)
        by_name = {s.name: s for s in running}
        deref_rows = []

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

        for (name, clients), cell in deref_cells.items():
            deref_rows.append([name.split()[0], deref_what(name), clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)),
                               fmt(cell.pct(99)), cell.errors])
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
    finally:
        for system in systems:
            system.shutdown()

    print("\n### Start and memory\n", file=out)
    print(table(
        ["system", "size", "load s (separate step)", "ready s (start to first answer)", "peak RSS MiB (process tree)"],
        [[s.name, f"~{label}", fmt(s.load_s, 2) if s.load_s is not None else "-",
          fmt(s.ready_s, 2) if s.ready_s is not None else f"failed: {s.note}", fmt(s.peak_rss_mb, 0)]
         for s in systems]), file=out)
    out.flush()
    corpus.unlink(missing_ok=True)
    for system in systems:
        if isinstance(system, Oxigraph) and getattr(system, "location", None):
            shutil.rmtree(system.location, ignore_errors=True)
    return {}
