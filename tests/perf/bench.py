"""Benchmark mxus-ld against Oxigraph server and rdflib-endpoint (issue 5, item 7). Run on demand only.

    .venv/bin/python tests/perf/bench.py                      # article, ~10k and ~100k triples (~10 minutes)
    .venv/bin/python tests/perf/bench.py --sizes 10k --duration 2
    .venv/bin/python tests/perf/bench.py --sizes 10k,100k,1m  # 1M is slow to load: mxus and rdflib-endpoint
                                                              # parse with rdflib, about 7 s per 100k triples

What it does, for each corpus size (made by generate_corpus.py, article copies of ~2,219 triples):

* starts, one after the other on free loopback ports, ``mxus serve`` over the corpus (embedded engine;
  gunicorn --workers 1 --threads 8 when gunicorn is importable, else Flask's threaded server),
  Oxigraph server (``oxigraph load`` then ``oxigraph serve``) and rdflib-endpoint (installed by this
  script into a separate virtual environment under the temp folder; skipped with a note when that
  fails), measuring the ready time (process start to first answer) and, all along, the peak RSS of
  each server's process tree (read from /proc);
* drives them, alternating systems in short rounds, with the same five-query mix (describe,
  label search, 3-hop join, count by type, incoming links) at 1 and 8 concurrent clients (threads,
  urllib, loopback, fixed duration per round), and prints requests/s, p50/p95/p99 latency and errors,
  plus the ratios mxus/oxigraph and mxus/rdflib-endpoint;
* measures dereferencing a random resource (mxus ``GET /data/{type}/{slug}``, Accept text/turtle)
  against Oxigraph's DESCRIBE, and mxus 304s with If-None-Match;
* times contribution validation in-process (validate_submission) for 10, 100 and 1,000 triples.

Every process it starts is in its own process group and is stopped on exit, on error and on Ctrl-C.
Not collected by pytest (the file name does not start with test_) and makes no timed assertions.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PERF = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
TRIPLES_PER_ARTICLE = 2219
SIZES = {"article": 1, "10k": 5, "100k": 45, "1m": 451}  # articles: ~2.2k, ~11k, ~100k, ~1.0M triples
ID = "https://w3id.org/mxus/id/"

PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX schema: <https://schema.org/> "
    "PREFIX org: <http://www.w3.org/ns/org#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
)

# ---------------------------------------------------------------- processes


_STARTED: list[subprocess.Popen] = []


def start(cmd: list[str], log: Path, cwd: Path = ROOT, env: dict | None = None) -> subprocess.Popen:
    handle = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    handle.close()
    _STARTED.append(proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    """Stop the process group the process leads (its gunicorn worker, query workers...)."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 8), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    # children that outlived their leader (same process group)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc in _STARTED:
        _STARTED.remove(proc)


def stop_all() -> None:
    for proc in list(_STARTED):
        stop(proc)


def _on_signal(signum, _frame):
    stop_all()
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_kb(root: int) -> int:
    """RSS of ``root`` and all its descendants, in KiB, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
                parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb, self.done = pid, every, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self.done.wait(self.every)


# ---------------------------------------------------------------- systems


class System:
    name = ""

    def __init__(self, corpus: Path, work: Path):
        self.corpus, self.work, self.port = corpus, work, free_port()
        self.proc: subprocess.Popen | None = None
        self.sampler: RssSampler | None = None
        self.ready_s = self.load_s = None
        self.note = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sparql_url(self) -> str:
        return self.base + "/sparql"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        pass

    def launch(self, timeout: float) -> bool:
        self.prepare()
        started = time.monotonic()
        self.proc = start(self.command(), self.work / f"{self.name}.log", env=self.env())
        self.sampler = RssSampler(self.proc.pid)
        self.sampler.start()
        probe = self.sparql_url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                self.note = f"exited with {self.proc.returncode} (see {self.work / (self.name + '.log')})"
                return False
            try:
                request = urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    answer.read()
                self.ready_s = time.monotonic() - started
                return True
            except urllib.error.HTTPError as exc:
                self.note = f"answers {exc.code} at {self.sparql_url}"
                return False
            except OSError:
                time.sleep(0.1)
        self.note = f"not ready after {timeout:.0f} s"
        return False

    def env(self):
        return None

    def shutdown(self) -> None:
        if self.sampler:
            self.sampler.done.set()
            self.sampler.join()
        if self.proc:
            stop(self.proc)

    @property
    def peak_rss_mb(self) -> float | None:
        return self.sampler.peak_kb / 1024 if self.sampler else None


class Mxus(System):
    name = "mxus"

    def __init__(self, corpus, work, server: str):
        super().__init__(corpus, work)
        self.server = server

    def command(self):
        config = {
            "BASE_URI": f"{self.base}/",
            "DATA_PATHS": [str(self.corpus)],
            "INSTANCE_DIR": str(self.work / "mxus-instance"),
        }
        if self.server == "gunicorn":
            return [
                str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "600", "--log-level", "warning", f"server:create_app({json.dumps(config)})",
            ]
        return [
            str(VENV_BIN / "mxus"), "serve", "--port", str(self.port), "--data", str(self.corpus),
            "--instance", str(self.work / "mxus-instance"),
        ]


class Oxigraph(System):
    name = "oxigraph"

    def prepare(self):
        location = self.work / f"oxigraph-{self.corpus.stem}"
        shutil.rmtree(location, ignore_errors=True)
        started = time.monotonic()
        subprocess.run(
            [str(VENV_BIN / "oxigraph"), "load", "--location", str(location), "--file", str(self.corpus)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900,
        )
        self.load_s = time.monotonic() - started
        self.location = location

    def command(self):
        return [str(VENV_BIN / "oxigraph"), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"]

    @property
    def sparql_url(self):
        return self.base + "/query"


class RdflibEndpoint(System):
    name = "rdflib-endpoint"

    @property
    def sparql_url(self):
        return self.base + "/"  # rdflib-endpoint serves SPARQL at the root by default

    def __init__(self, corpus, work, venv: Path):
        super().__init__(corpus, work)
        self.venv = venv

    def command(self):
        return [str(self.venv / "bin" / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                str(self.corpus)]


def rdflib_endpoint_venv(work: Path, given: Path | None) -> tuple[Path | None, str]:
    """A separate virtual environment with rdflib-endpoint and uvicorn, or None and why not."""
    venv = given or work / "rdflib-endpoint-venv"
    if (venv / "bin" / "rdflib-endpoint").exists():
        return venv, ""
    print(f"installing rdflib-endpoint into {venv} ...", file=sys.stderr, flush=True)
    try:
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "rdflib-endpoint", "uvicorn"],
                       check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"rdflib-endpoint skipped: installation failed ({exc}; {detail.decode(errors='replace')[-300:]})"
    return venv, ""


# ---------------------------------------------------------------- workload


def query_mix(articles: int):
    """The five queries; each takes a random generator and picks one of the article copies."""

    def iri(kind, slug, rng):
        return f"<{ID}{kind}/{slug}-a{rng.randint(1, articles)}>"

    return [
        ("describe", "text/turtle",
         lambda rng: (lambda r: f"CONSTRUCT {{ {r} ?p ?o }} WHERE {{ {r} ?p ?o }}")(iri("person", "colin-powell", rng))),
        ("label search", "application/sparql-results+json",
         lambda rng: PREFIXES + 'SELECT ?s ?label WHERE { ?s rdfs:label ?label '
                                'FILTER CONTAINS(LCASE(STR(?label)), "' + rng.choice(["powell", "migration", "fox"])
                     + '") } LIMIT 100'),
        ("3-hop join", "application/sparql-results+json",
         lambda rng: PREFIXES + "SELECT ?claim ?person ?post ?postLabel WHERE { ?claim schema:about ?person . "
                                "?person a foaf:Person ; org:holds ?post . ?post rdfs:label ?postLabel } LIMIT 1000"),
        ("count by type", "application/sparql-results+json",
         lambda rng: "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"),
        ("incoming links", "application/sparql-results+json",
         lambda rng: f"SELECT ?s ?p WHERE {{ ?s ?p {iri('person', 'colin-powell', rng)} }}"),
    ]


def drive(make_request, clients: int, duration: float, expect=(200,), min_requests: int = 0, seed: int = 1):
    """Run ``clients`` threads issuing ``make_request(rng, n)`` until ``duration`` is over (and at least
    ``min_requests`` were started). Returns (latencies in s, errors, elapsed s, per-label latencies)."""
    deadline = time.monotonic() + duration
    lock = threading.Lock()
    latencies, per_label, errors, started_count = [], {}, [0], [0]
    first_error: list[str] = []

    def client(index: int):
        rng = random.Random(seed * 1000 + index)
        n = index  # each client starts at a different point of the mix
        while True:
            with lock:
                if time.monotonic() >= deadline and started_count[0] >= min_requests:
                    return
                started_count[0] += 1
            label, request = make_request(rng, n)
            n += 1
            t0 = time.perf_counter()
            ok = False
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    answer.read()
                    ok = answer.status in expect
            except urllib.error.HTTPError as exc:
                exc.read()
                ok = exc.code in expect
                if not ok and not first_error:
                    first_error.append(f"{label}: HTTP {exc.code}")
            except OSError as exc:
                if not first_error:
                    first_error.append(f"{label}: {exc}")
            elapsed = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(elapsed)
                    per_label.setdefault(label, []).append(elapsed)
                else:
                    errors[0] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.monotonic() - began, per_label, first_error


def sparql_request(url: str, query: str, accept: str) -> urllib.request.Request:
    return urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})


class Cell:
    """Accumulated measurements of one system at one size and concurrency."""

    def __init__(self):
        self.latencies, self.errors, self.elapsed, self.per_label, self.notes = [], 0, 0.0, {}, []

    def add(self, result):
        latencies, errors, elapsed, per_label, first_error = result
        self.latencies += latencies
        self.errors += errors
        self.elapsed += elapsed
        for label, values in per_label.items():
            self.per_label.setdefault(label, []).extend(values)
        self.notes += first_error

    @property
    def rps(self):
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float, values=None):
        values = sorted(self.latencies if values is None else values)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


def resources_of(corpus: Path, count: int, seed: int = 7) -> list[tuple[str, str]]:
    """``count`` random (type, slug) pairs of resources that are subjects in the corpus."""
    subject = re.compile(rb"^<" + re.escape(ID.encode()) + rb"([a-z]+)/([a-z0-9-]+)> ")
    found = set()
    with corpus.open("rb") as handle:
        for line in handle:
            match = subject.match(line)
            if match:
                found.add((match[1].decode(), match[2].decode()))
    ordered = sorted(found)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))


# ---------------------------------------------------------------- output


def fmt(value, digits=1):
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def environment(venv: Path | None) -> str:
    def version(package):
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    cpu = "?"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    try:
        oxigraph = subprocess.run([str(VENV_BIN / "oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        oxigraph = "?"
    rdflib_endpoint = "-"
    if venv:
        rdflib_endpoint = subprocess.run(
            [str(venv / "bin" / "python"), "-c",
             "import importlib.metadata as m; print(m.version('rdflib-endpoint'), 'rdflib', m.version('rdflib'))"],
            capture_output=True, text=True).stdout.strip()
    return (
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
        f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{mem_kb / 1024 / 1024:.1f} GiB RAM, {cpu}, {platform.system()} {platform.release()}\n"
        f"- versions: Python {platform.python_version()}, pyoxigraph {version('pyoxigraph')}, {oxigraph}, "
        f"rdflib {version('rdflib')}, Flask {version('flask')}, gunicorn {version('gunicorn')}, "
        f"rdflib-endpoint {rdflib_endpoint}"
    )


# ---------------------------------------------------------------- parts


def validation_times(repeats: int = 5) -> list[list]:
    from rdflib import Graph, RDFS, URIRef

    from server.config import check_settings
    from server.dataset import load_published
    from server.validation import validate_submission

    published = load_published(check_settings({}))
    rows = []
    subject = URIRef(ID + "person/colin-powell")
    for size in (10, 100, 1000):
        submission = Graph()
        for i in range(size):
            submission.add((subject, RDFS.seeAlso, URIRef(f"https://example.org/see-also/{i}")))
        times, conforms = [], None
        for _ in range(repeats if size < 1000 else 3):
            t0 = time.perf_counter()
            report = validate_submission(submission, published)
            times.append(time.perf_counter() - t0)
            conforms = report.conforms
        rows.append([size, len(times), fmt(statistics.median(times) * 1000), fmt(max(times) * 1000), conforms])
    return rows


def run_size(label: str, articles: int, args, work: Path, venv: Path | None, out) -> dict:
    corpus = work / f"corpus-{label}.nt"
    subprocess.run([sys.executable, str(PERF / "generate_corpus.py"), "--articles", str(articles), "--out", str(corpus)],
                   check=True, stdout=subprocess.DEVNULL)
    triples = sum(1 for _ in corpus.open("rb"))
    print(f"\n## ~{label}: {articles} articles, {triples:,} triples\n", file=out, flush=True)

    systems: list[System] = [Mxus(corpus, work, args.mxus_server), Oxigraph(corpus, work)]
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

        def mix_request(system):
            def make(rng, n):
                name, accept, build = mix[n % len(mix)]
                return name, sparql_request(system.sparql_url, build(rng), accept)
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

        rows = []
        for clients in args.clients:
            for system in running:
                cell = cells[(system.name, clients)]
                rows.append([system.name, f"~{label}", clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)),
                             fmt(cell.pct(99)), cell.errors, len(cell.latencies)])
        print("### Query mix (describe, label search, 3-hop join, count by type, incoming links)\n", file=out)
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
                if system.name == "mxus":
                    return "data", urllib.request.Request(f"{system.base}/data/{kind}/{slug}",
                                                          headers={"Accept": "text/turtle"})
                return "describe", sparql_request(system.sparql_url, f"DESCRIBE <{ID}{kind}/{slug}>", "text/turtle")
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

        if "mxus" in by_name:
            etags = []
            for kind, slug in resources[:50]:
                request = urllib.request.Request(f"{by_name['mxus'].base}/data/{kind}/{slug}",
                                                 headers={"Accept": "text/turtle"})
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()
                    etags.append((kind, slug, answer.headers.get("ETag")))
            if all(tag for _, _, tag in etags):
                def conditional(rng, n):
                    kind, slug, tag = rng.choice(etags)
                    return "304", urllib.request.Request(f"{by_name['mxus'].base}/data/{kind}/{slug}",
                                                         headers={"Accept": "text/turtle", "If-None-Match": tag})
                for clients in args.clients:
                    deref_cells[("mxus 304", clients)] = cell = Cell()
                    cell.add(drive(conditional, clients, args.duration / 2, expect=(304,)))
            else:
                print("\n- mxus /data/... answered without an ETag: no 304 measurement", file=out)

        for (name, clients), cell in deref_cells.items():
            what = {"mxus": "GET /data/{type}/{slug} (text/turtle)", "mxus 304": "same, If-None-Match -> 304"}.get(
                name, "DESCRIBE (text/turtle)")
            deref_rows.append([name.split()[0], what, clients, fmt(cell.rps), fmt(cell.pct(50)), fmt(cell.pct(95)),
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="article,10k,100k",
                        help="comma-separated among article (1 copy), 10k, 100k, 1m (default article,10k,100k; 1m is slow: minutes to load)")
    parser.add_argument("--clients", default="1,8", help="concurrency levels (default 1,8)")
    parser.add_argument("--duration", type=float, default=6.0,
                        help="seconds of query mix per system, size and concurrency, split in rounds (default 6)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per measurement (default 2)")
    parser.add_argument("--mxus-server", choices=("gunicorn", "flask"), default=None,
                        help="how to run mxus (default: gunicorn when installed, else mxus serve)")
    parser.add_argument("--rdflib-endpoint-venv", type=Path,
                        help="reuse this virtual environment for rdflib-endpoint (default: a new one in the temp folder)")
    parser.add_argument("--no-rdflib-endpoint", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--no-validation", action="store_true", help="skip the contribution validation timing")
    parser.add_argument("--start-timeout", type=float, default=600, help="seconds a server may take to answer")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose among {list(SIZES)}")
    if args.mxus_server is None:
        args.mxus_server = "gunicorn" if (VENV_BIN / "gunicorn").exists() else "flask"

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
                                                          else " (Flask threaded server)"), file=out)
        print(f"- clients: {args.clients}; {args.duration:g} s of mix per system, size and concurrency in "
              f"{args.rounds} alternating rounds; urllib, one connection per request, loopback; the clients run "
              f"on the same {len(os.sched_getaffinity(0))} cores as the servers", file=out)
        if note:
            print(f"- {note}", file=out)
        out.flush()
        if not args.no_validation:
            print("\n## Contribution validation (in-process, article dataset, N rdfs:seeAlso triples on "
                  "person:colin-powell)\n", file=out)
            print(table(["triples", "runs", "p50 ms", "max ms", "conforms"], validation_times()), file=out)
            out.flush()
        for size in sizes:
            run_size(size, SIZES[size], args, work, venv, out)
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
