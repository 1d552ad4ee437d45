"""Light traffic with and without runaway clients (issue 10, item 1). Run on demand only, never in CI.

    .venv/bin/python tests/perf/hostile_load.py                       # 4 light + 4 runaway clients, 60 s a phase
    .venv/bin/python tests/perf/hostile_load.py --duration 20 --runaway 2
    .venv/bin/python tests/perf/hostile_load.py --url http://127.0.0.1:8080/   # a server already running

Starts the README's production command (``mxus serve``) on a free loopback port (its own process group, stopped on exit) with
``--trusted-proxy 127.0.0.1``, so that each simulated client can name itself in X-Forwarded-For
and the per-client limits see eight clients, as they would behind a reverse proxy. With --url the
server is yours: without that setting there, every client here is one client to it.

Phase 1: N light clients (a page, a /data description, a simple SELECT, in turn) for D seconds.
Phase 2: the same light clients with M runaway clients sending a cross-product COUNT in a loop
(as an attacker would: no pause, Retry-After ignored). Prints, for light traffic in each phase,
requests, success rate and p50/p95 latency, and what the runaway clients got (counts by status).
Loopback only; every loop ends with its phase. Makes no assertions.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.production import production_command  # noqa: E402
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = ("SELECT ?label WHERE { <https://w3id.org/mxus/id/person/colin-powell> "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5")
REQUEST_TIMEOUT = 60.0


def light_requests(base: str) -> list[tuple[str, str, dict]]:
    return [
        ("page", base + "page/person/colin-powell", {"Accept": "text/html"}),
        ("data", base + "data/person/colin-powell", {"Accept": "text/turtle"}),
        ("select", base + "sparql?query=" + quote(SIMPLE), {"Accept": "application/sparql-results+json"}),
    ]


def fetch(url: str, headers: dict) -> tuple[int, float]:
    """(status, seconds); status 0 when the connection failed or timed out."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=REQUEST_TIMEOUT) as reply:
            reply.read()
            status = reply.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    except (urllib.error.URLError, OSError):
        status = 0
    return status, time.monotonic() - started


def light_client(base: str, address: str, until: float, results: list) -> None:
    requests = light_requests(base)
    n = 0
    while time.monotonic() < until:
        kind, url, headers = requests[n % len(requests)]
        status, seconds = fetch(url, {**headers, "X-Forwarded-For": address})
        results.append((kind, status, seconds))
        n += 1


def runaway_client(base: str, address: str, until: float, statuses: Counter, lock: threading.Lock) -> None:
    url = base + "sparql?query=" + quote(RUNAWAY)
    while time.monotonic() < until:
        status, _ = fetch(url, {"Accept": "application/sparql-results+json", "X-Forwarded-For": address})
        with lock:
            statuses[status] += 1


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_phase(base: str, light: int, runaway: int, duration: float) -> tuple[list, Counter]:
    until = time.monotonic() + duration
    results: list = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    threads = [threading.Thread(target=light_client, args=(base, f"10.1.0.{i + 1}", until, results)) for i in range(light)]
    threads += [threading.Thread(target=runaway_client, args=(base, f"10.2.0.{i + 1}", until, statuses, lock))
                for i in range(runaway)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + REQUEST_TIMEOUT + 10)
    return results, statuses


def report(name: str, results: list, statuses: Counter | None) -> dict:
    ok = [seconds for _, status, seconds in results if status == 200]
    every = [seconds for _, _, seconds in results]
    rate = 100.0 * len(ok) / len(results) if results else float("nan")
    print(f"{name}: light requests {len(results)}, success {rate:.2f} %, "
          f"p50 {percentile(every, 0.5) * 1000:.0f} ms, p95 {percentile(every, 0.95) * 1000:.0f} ms")
    for kind in ("page", "data", "select"):
        mine = [r for r in results if r[0] == kind]
        failed = Counter(status for _, status, _ in mine if status != 200)
        print(f"    {kind:<6} {len(mine):>5} requests, p50 {percentile([s for *_, s in mine], 0.5) * 1000:.0f} ms, "
              f"p95 {percentile([s for *_, s in mine], 0.95) * 1000:.0f} ms, failures {dict(failed) or 'none'}")
    if statuses is not None:
        print(f"    runaway clients got: {dict(sorted(statuses.items()))} (status: count; 0 = no answer)")
    return {"rate": rate, "p95": percentile(every, 0.95)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def behind_proxy(port: int) -> list[str]:
    """The README's production command, trusting X-Forwarded-For from loopback (see above)."""
    return production_command("127.0.0.1", port, "--trusted-proxy", "127.0.0.1")


def start_server(log: Path, command: Callable[[int], list[str]] = behind_proxy) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(command(port), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode}); see {log}")
        if fetch(base + "sparql?query=ASK%7B%7D", {})[0] == 200:
            return process, base
        time.sleep(0.5)
    stop(process)
    raise SystemExit(f"the server did not answer within 180 s; see {log}")


@contextmanager
def served(url: str | None, name: str, command: Callable[[int], list[str]] = behind_proxy) -> Iterator[str]:
    """The base URL of the running server at ``url``, or of one started and stopped after; caches warmed."""
    process = None
    try:
        if url:
            base = url if url.endswith("/") else url + "/"
        else:
            log = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}-{os.getpid()}.log"
            process, base = start_server(log, command)
            print(f"server at {base} (log: {log})")
        for _ in range(3):  # warm the caches and the workers
            for _, page, headers in light_requests(base):
                fetch(page, headers)
        yield base
    finally:
        if process is not None:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (loopback); default: start mxus serve")
    parser.add_argument("--light", type=int, default=4, help="light clients (default 4)")
    parser.add_argument("--runaway", type=int, default=4, help="runaway clients in phase 2 (default 4)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase (default 60)")
    args = parser.parse_args()
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        parser.error("--url must be on loopback")
    with served(args.url, "hostile-load") as base:
        print(f"{args.light} light clients, {args.runaway} runaway clients, {args.duration:g} s per phase")
        alone = report("phase 1, light alone", *run_phase(base, args.light, 0, args.duration)[:1], None)
        loaded = report("phase 2, with runaway clients", *run_phase(base, args.light, args.runaway, args.duration))
        ratio = loaded["p95"] / alone["p95"] if alone["p95"] else float("nan")
        print(f"light p95 with runaway clients / alone: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
