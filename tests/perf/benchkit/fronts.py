"""Do fronts add capacity? One and then two ``mxus serve`` fronts in front of one Oxigraph server.

The cold query mix at C=8 is sent to one front, then spread over two (each client picks a front at
random per request), and the CPU time of every process is read from /proc before and after: the fronts
(with their children), the store, and the load generator itself. On a 2-core machine fronts, store and
clients share the cores, so what this shows is whether the second front adds throughput while a core
is idle, not what two machines would give.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.production import production_command

from . import ROOT, VENV_BIN
from .comparison import SIZES, make_corpus
from .processes import free_port, start, stop, tree_cpu_seconds
from .report import fmt, table
from .workload import Cell, drive, query_mix, sparql_request

def wait_answering(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                answer.read()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def start_front(corpus: Path, store_url: str, work: Path, number: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [*production_command("127.0.0.1", port), "--data", str(corpus), "--store", store_url,
               "--instance", str(work / "fronts-instance"), "--client-queries", "100",
               "--client-window-seconds", "0.001"]
    process = start(command, work / f"front-{number}.log")
    base = f"http://127.0.0.1:{port}"
    wait_answering(base + "/sparql?query=ASK%7B%7D", process, 600)
    return process, base


def run_fronts(label: str, args, work: Path, out) -> None:
    size = SIZES[label]
    corpus, triples = make_corpus(f"fronts-{label}", size, work)
    print(f"\n## Fronts in front of one Oxigraph server (~{label}, {triples:,} triples)\n", file=out, flush=True)
    store_port = free_port()
    store = start([str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{store_port}"], work / "fronts-store.log")
    store_url = f"http://127.0.0.1:{store_port}/query"
    fronts: list[tuple[subprocess.Popen, str]] = []
    try:
        wait_answering(store_url + "?query=ASK%7B%7D", store, 60)
        subprocess.run([sys.executable, "-m", "server.cli", "load", "--store", store_url, "--data", str(corpus)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=3600)
        mix = query_mix(size.articles)
        rows = []
        for count in (1, 2):
            while len(fronts) < count:
                fronts.append(start_front(corpus, store_url, work, len(fronts) + 1))
            bases = [base for _, base in fronts]

            def make(rng, n):
                name, accept, build = mix[n % len(mix)]
                text = build(rng) + f"\n# fronts {rng.random()} {n}"  # cold: no cache can answer
                return name, sparql_request(rng.choice(bases) + "/sparql", text, accept)

            clients = max(args.clients)
            before = {pid: tree_cpu_seconds(pid) for pid in [store.pid, *(p.pid for p, _ in fronts)]}
            own_before = time.process_time()
            cell = Cell()
            cell.add(drive(make, clients, args.duration, min_requests=len(mix)))
            cpu = {pid: tree_cpu_seconds(pid) - seconds for pid, seconds in before.items()}
            own = time.process_time() - own_before
            elapsed = cell.elapsed or 1.0
            front_cpu = ", ".join(f"{cpu[p.pid] / elapsed:.0%}" for p, _ in fronts)
            rows.append([count, clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)), cell.errors,
                         front_cpu, f"{cpu[store.pid] / elapsed:.0%}", f"{own / elapsed:.0%}"])
        print(table(["fronts", "clients", "req/s", "p50 ms", "p95 ms", "errors", "CPU of each front",
                     "CPU of the store", "CPU of the clients"], rows), file=out)
        print(f"\n- CPU: share of one core over the run (100 % = one core busy); {len(os.sched_getaffinity(0))} "
              "cores shared by fronts, store and clients", file=out)
    finally:
        for process, _ in fronts:
            stop(process)
        stop(store)
        corpus.unlink(missing_ok=True)
