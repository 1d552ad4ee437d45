"""Benchmark mxus-ld against Oxigraph server and rdflib-endpoint (issue 5, item 7). Run on demand only.

    .venv/bin/python tests/perf/bench.py                      # article, ~10k and ~100k triples (~10 minutes)
    .venv/bin/python tests/perf/bench.py --sizes 10k --duration 2
    .venv/bin/python tests/perf/bench.py --sizes 10k,100k,1m  # 1M: rdflib-endpoint parses with rdflib (slow)
    .venv/bin/python tests/perf/bench.py --sizes 1m --mxus-store disk   # mxus over an on-disk store

What it does, for each corpus size (made by generate_corpus.py, article copies of ~2,219 triples):

* starts, one after the other on free loopback ports, ``mxus serve`` over the corpus (embedded engine;
  gunicorn --workers 1 --threads 8 when gunicorn is importable, else the README's production command),
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
* measures the same dereference with wrk (compiled, HTTP/1.1 keep-alive: the urllib clients above
  top out near 2,000 req/s and cannot tell fast servers apart) against the physical limit: nginx
  serving, as static files, the very Turtle bodies mxus gave for the sampled resources (its own
  config in the temp folder, worker_processes 1, access_log off). One wrk run per target and
  concurrency (-t1 -c1 and -t2 -c8 by default; a Lua script picks a random resource per request):
  nginx static file, mxus /data/... 200, mxus 304 (If-None-Match with the ETag mxus gave) and
  Oxigraph DESCRIBE (GET ?query=); prints req/s, p50/p90/p99 and the ratios mxus 304/nginx,
  mxus 200/nginx and mxus 200/Oxigraph. nginx and wrk are Debian packages: when missing, the script
  installs them with apt-get (as root or with passwordless sudo, time-limited), and otherwise skips
  this part with a note saying why (--no-static skips it outright);
* times contribution validation in-process (Publication.validate over a LocalStore) for 10, 100 and 1,000 triples.

Every process it starts is in its own process group and is stopped on exit, on error and on Ctrl-C.
Not collected by pytest (the file name does not start with test_) and makes no timed assertions.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
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
from tests.production import production_command  # noqa: E402

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


def run_to_end(cmd: list[str], log: Path, timeout: float) -> tuple[int | None, str]:
    """Run a command that ends by itself (apt-get, wrk) through start(), so that a time-out or Ctrl-C
    stops its whole process group (dpkg under apt-get) too. Returns (exit code, None on time-out; output)."""
    proc = start(cmd, log)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        stop(proc)
    return code, log.read_text(errors="replace")


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

    def probe_url(self) -> str:
        """What launch() polls until the server answers 2xx."""
        return self.sparql_url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})

    def describe_request(self, kind: str, slug: str) -> urllib.request.Request:
        """The request for the Turtle description of one corpus resource (a SPARQL DESCRIBE by default)."""
        return sparql_request(self.sparql_url, f"DESCRIBE <{ID}{kind}/{slug}>", "text/turtle")

    def launch(self, timeout: float) -> bool:
        self.prepare()
        started = time.monotonic()
        self.proc = start(self.command(), self.work / f"{self.name}.log", env=self.env())
        self.sampler = RssSampler(self.proc.pid)
        self.sampler.start()
        probe = self.probe_url()
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

    def __init__(self, corpus, work, server: str, store: str = "memory"):
        super().__init__(corpus, work)
        self.server = server
        # "disk": an on-disk store (--store-path), loaded before the start as Oxigraph's is (load_s)
        self.store_path = work / f"mxus-store-{corpus.stem}" if store == "disk" else None

    def prepare(self):
        if self.store_path is None:
            return
        shutil.rmtree(self.store_path, ignore_errors=True)
        started = time.monotonic()
        code = (
            "import sys; from server.settings import check_settings; from server.publication.dataset import load_published; "
            "from server.store.graphs import prepare_disk_store; "
            "p = load_published(check_settings({'DATA_PATHS': [sys.argv[1]]})); "
            "prepare_disk_store(sys.argv[2], p.graph_files(), p.digest, b'')"
        )
        subprocess.run([sys.executable, "-c", code, str(self.corpus), str(self.store_path)], cwd=ROOT, check=True,
                       timeout=1800)
        self.load_s = time.monotonic() - started

    def command(self):
        config = {
            "BASE_URI": f"{self.base}/",
            "DATA_PATHS": [str(self.corpus)],
            "INSTANCE_DIR": str(self.work / "mxus-instance"),
            # Every benchmark client has one address: per-client limits would measure the limits, not the server.
            "PER_CLIENT_QUERIES": 100, "PER_CLIENT_WINDOW_SECONDS": 0.001,
        }
        store = ["--store-path", str(self.store_path)] if self.store_path else []
        if self.store_path:
            config["STORE_PATH"] = str(self.store_path)
        if self.server == "gunicorn":
            return [
                str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "600", "--log-level", "warning", f"server:create_app({json.dumps(config)})",
            ]
        return [  # the README's production command (waitress), on loopback
            *production_command("127.0.0.1", self.port), "--data", str(self.corpus),
            "--instance", str(self.work / "mxus-instance"), *store, "--client-queries", "100",
            "--client-window-seconds", "0.001",
        ]

    def describe_request(self, kind, slug):
        return urllib.request.Request(f"{self.base}/data/{kind}/{slug}", headers={"Accept": "text/turtle"})


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


NGINX_WORKERS = 1  # one core, as mxus's single gunicorn worker; wrk and the other core's noise share the rest

NGINX_CONF = """\
{user}worker_processes {workers};
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/turtle;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    {http_extra}
    server {{
        listen 127.0.0.1:{port};
        {site}
    }}
}}
"""

# mxus behind nginx as a caching reverse proxy, the deployment the README shows: /data answers carry
# Cache-Control: public, max-age=300, a strong ETag and Vary: Accept, so nginx keeps them and answers
# If-None-Match itself; mxus sees a request only when an entry expires.
CACHE_HTTP = ("proxy_cache_path {home}/cache levels=1:2 keys_zone=mxus:10m max_size=256m inactive=60m "
              "use_temp_path=off;")
CACHE_SITE = """location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache mxus;
            proxy_cache_key "$request_method$request_uri$http_accept";
            proxy_cache_revalidate on;
        }}"""


class Nginx(System):
    """nginx sending the Turtle bodies mxus gave, as static files: the most a server that only sends
    bytes achieves on this machine, the yardstick of the dereference figures. Everything it writes (config,
    pid, error log, temp files) stays in its folder under the temp folder; keep-alive requests are unlimited
    so wrk's connections last the whole run."""

    name = "nginx"

    def __init__(self, work: Path, binary: str, root: Path, probe: tuple[str, str], upstream: int | None = None):
        """``upstream``: the port of mxus, to run as its caching proxy instead of serving files."""
        super().__init__(root, work)  # its "corpus" is the folder of files
        self.binary, self.root, self.probe, self.upstream = binary, root, probe, upstream
        if upstream:
            self.name = "nginx cache"
        # a cache of its own per run: another size's mxus gave the same URIs other ETags
        self.home = work / (f"nginx-cache-{self.port}" if upstream else "nginx")

    def prepare(self):
        (self.home / "tmp").mkdir(parents=True, exist_ok=True)
        # as root, nginx would switch its worker to nobody, who may not read the 0700 temp folder
        user = "user root;\n" if os.geteuid() == 0 else ""
        site = CACHE_SITE.format(upstream=self.upstream) if self.upstream else f"root {self.root};"
        extra = CACHE_HTTP.format(home=self.home) if self.upstream else ""
        (self.home / "nginx.conf").write_text(NGINX_CONF.format(
            user=user, workers=NGINX_WORKERS, home=self.home, port=self.port, site=site, http_extra=extra))

    def command(self):
        # -e: the error log before the config is read, else nginx tries /var/log/nginx/error.log
        return [self.binary, "-c", str(self.home / "nginx.conf"), "-p", str(self.home), "-e",
                str(self.home / "error.log")]

    def probe_url(self):
        if self.upstream:  # through the proxy to mxus's endpoint, which answers the JSON launch() asks for
            return super().probe_url()
        return self.describe_request(*self.probe).full_url

    @property
    def sparql_url(self):
        return self.base + "/sparql"

    def describe_request(self, kind, slug):
        suffix = "" if self.upstream else ".ttl"
        return urllib.request.Request(f"{self.base}/data/{kind}/{slug}{suffix}", headers={"Accept": "text/turtle"})


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


STATIC_TOOLS = {"nginx": "nginx", "wrk": "wrk"}  # command: Debian package
APT_TIMEOUT = 300  # seconds for each apt-get step


def find_tool(name: str) -> str | None:
    """The command's path; nginx lives in /usr/sbin, which a non-root PATH often lacks."""
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def apt_install(packages: list[str], work: Path) -> str:
    """Install Debian packages without ever prompting: only as root or with passwordless sudo. Returns ""
    or why not. apt-get update runs only when a first try fails, as it does when the lists are missing."""
    env = ["env", "DEBIAN_FRONTEND=noninteractive"]
    if os.geteuid() == 0:
        prefix = env
    elif find_tool("sudo") and run_to_end(["sudo", "-n", "true"], work / "sudo.log", 10)[0] == 0:
        prefix = ["sudo", "-n"] + env
    else:
        return f"not root and no passwordless sudo to run apt-get install {' '.join(packages)}"
    print(f"installing {' '.join(packages)} with apt-get ...", file=sys.stderr, flush=True)
    install = prefix + ["apt-get", "install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=60", *packages]
    log = work / "apt-get.log"
    code, output = run_to_end(install, log, APT_TIMEOUT)
    if code != 0:
        run_to_end(prefix + ["apt-get", "update"], work / "apt-get-update.log", APT_TIMEOUT)
        code, output = run_to_end(install, log, APT_TIMEOUT)
    if code != 0:
        why = f"timed out after {APT_TIMEOUT} s" if code is None else f"exit {code}: {output.strip()[-300:]}"
        return f"apt-get install {' '.join(packages)} failed ({why})"
    return ""


def static_tools(work: Path) -> tuple[dict[str, str], str]:
    """Paths of nginx and wrk, installing the missing ones; and a note on any still missing and why."""
    missing = [STATIC_TOOLS[name] for name in STATIC_TOOLS if not find_tool(name)]
    note = apt_install(missing, work) if missing else ""
    found = {name: find_tool(name) for name in STATIC_TOOLS}
    still = [name for name, path in found.items() if not path]
    note = f"{' and '.join(still)} missing: {note or 'not found after installation'}" if still else ""
    return {name: path for name, path in found.items() if path}, note


def tool_version(binary: str, flag: str, work: Path) -> str:
    """First line of ``binary flag`` (nginx -v and wrk -v print to stderr; wrk -v exits 1)."""
    _, output = run_to_end([binary, flag], work / "version.log", 10)
    return (output.strip().splitlines() or ["?"])[0].split(" Copyright")[0]


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
    from rdflib import RDFS, Graph, URIRef

    from server.publication.dataset import load_published
    from server.publication.service import Publication
    from server.settings import check_settings
    from server.store import open_store

    settings = check_settings({})
    published = load_published(settings)
    store = open_store(settings, published.graph_files(), published.digest, in_process=True)
    validate = Publication(published, store, records=None).validate
    rows = []
    subject = URIRef(ID + "person/colin-powell")
    for size in (10, 100, 1000):
        submission = Graph()
        for i in range(size):
            submission.add((subject, RDFS.seeAlso, URIRef(f"https://example.org/see-also/{i}")))
        times, conforms = [], None
        for _ in range(repeats if size < 1000 else 3):
            t0 = time.perf_counter()
            report = validate(submission)
            times.append(time.perf_counter() - t0)
            conforms = report.conforms
        rows.append([size, len(times), fmt(statistics.median(times) * 1000), fmt(max(times) * 1000), conforms])
    return rows


def deref_what(name: str) -> str:
    """The request column of the dereference tables."""
    return {"mxus": "GET /data/{type}/{slug} (text/turtle)", "mxus 304": "same, If-None-Match -> 304",
            "nginx": "GET /data/{type}/{slug}.ttl, static file",
            "nginx cache 304": "mxus behind nginx proxy_cache, If-None-Match -> 304"}.get(
                name, "DESCRIBE, GET ?query= (text/turtle)")


def fetch_descriptions(mxus: System, resources: list[tuple[str, str]]) -> list[tuple[str, str, bytes, str | None]]:
    """(type, slug, Turtle body, ETag) of each resource as mxus serves it, fetched once: the ETags make the
    If-None-Match requests and the bodies the files nginx serves."""
    found = []
    for kind, slug in resources:
        with urllib.request.urlopen(mxus.describe_request(kind, slug), timeout=60) as answer:
            found.append((kind, slug, answer.read(), answer.headers.get("ETag")))
    return found


def conditional_request(mxus: System, kind: str, slug: str, tag: str) -> urllib.request.Request:
    request = mxus.describe_request(kind, slug)
    request.add_header("If-None-Match", tag)
    return request


def write_static(root: Path, descriptions) -> None:
    """The bodies mxus gave, as <root>/data/{type}/{slug}.ttl (the paths of Nginx.describe_request)."""
    for kind, slug, body, _ in descriptions:
        path = root / "data" / kind / f"{slug}.ttl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


# wrk runs one Lua state a thread: setup() (main state) numbers the threads, init() (each thread) reads the
# list file named after "--" (one "path<TAB>ETag or nothing" a line) into ready-made requests, request()
# picks one at random. Pre-formatted requests keep the script's cost per request to a table look-up.
WRK_SCRIPT = """\
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

local requests = {}
function init(args)
  math.randomseed(seed or 1)
  for line in io.lines(args[1]) do
    local path, tag = line:match("^([^\\t]+)\\t?(.*)$")
    local headers = { ["Accept"] = "text/turtle" }
    if tag ~= "" then headers["If-None-Match"] = tag end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
end

function request()
  return requests[math.random(#requests)]
end
"""


@dataclasses.dataclass
class WrkTarget:
    """One row group of the wrk table: what is asked of which server, and the status every answer must have."""

    name: str
    what: str
    system: System
    requests: list[urllib.request.Request]
    expect: int = 200

    def check(self) -> str:
        """"" when the first request answers the expected status, else what it answered: a wrong path would
        otherwise be measured as a fast 404 (wrk only counts statuses outside 2xx and 3xx)."""
        try:
            with urllib.request.urlopen(self.requests[0], timeout=60) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            return f"{self.name}: {exc}"
        return "" if status == self.expect else f"{self.name}: answered {status}, expected {self.expect}"

    def write_list(self, path: Path) -> Path:
        """The list file WRK_SCRIPT reads (urllib stores header names capitalize()d, hence If-none-match)."""
        path.write_text("".join(f"{r.selector}\t{r.get_header('If-none-match') or ''}\n" for r in self.requests))
        return path


WRK_LATENCY = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
WRK_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> dict | None:
    """req/s, p50/p90/p99 (ms), requests and errors (non-2xx/3xx answers + socket errors) from wrk --latency's
    report, or None when it has no Requests/sec line."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not rps:
        return None
    latency = {int(q): float(value) * WRK_TO_MS[unit] for q, value, unit in WRK_LATENCY.findall(output)}
    count = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(rps[1]), "p50": latency.get(50), "p90": latency.get(90), "p99": latency.get(99),
        "requests": int(count[1]) if count else 0,
        "errors": (int(bad[1]) if bad else 0) + (sum(int(n) for n in sockets.groups()) if sockets else 0),
    }


def run_wrk(wrk: str, target: WrkTarget, params: list[str], seconds: int, work: Path) -> dict | str:
    """One wrk run (``params``: -tN -cN) against a target: its parsed figures, or what went wrong."""
    script = work / "wrk-random.lua"
    script.write_text(WRK_SCRIPT)
    listing = target.write_list(work / f"wrk-{target.name.replace(' ', '-')}.tsv")
    cmd = [wrk, *params, f"-d{seconds}s", "--timeout", "10s", "--latency",
           "-s", str(script), target.system.base + "/", "--", str(listing)]
    code, output = run_to_end(cmd, work / "wrk.log", seconds + 60)
    figures = parse_wrk(output) if code == 0 else None
    return figures or f"wrk exit {code}: {output.strip()[-200:]}"


def wrk_targets(by_name: dict[str, System], nginx: System | None, descriptions, cache: System | None = None) -> list[WrkTarget]:
    """nginx static file, mxus 200, mxus 304, mxus 304 through nginx's cache and Oxigraph DESCRIBE, each over
    all sampled resources."""
    systems = ([nginx] if nginx else []) + [by_name[name] for name in ("mxus", "oxigraph") if name in by_name]
    targets = []
    for system in systems:
        requests = [system.describe_request(kind, slug) for kind, slug, _, _ in descriptions]
        targets.append(WrkTarget(system.name, deref_what(system.name), system, requests))
        if system.name == "mxus" and all(tag for *_, tag in descriptions):
            targets.append(WrkTarget("mxus 304", deref_what("mxus 304"), system, expect=304, requests=[
                conditional_request(system, kind, slug, tag) for kind, slug, _, tag in descriptions]))
    if cache and all(tag for *_, tag in descriptions):
        targets.append(WrkTarget("nginx cache 304", deref_what("nginx cache 304"), cache, expect=304, requests=[
            conditional_request(cache, kind, slug, tag) for kind, slug, _, tag in descriptions]))
    return targets


def start_cache(nginx_binary: str, work: Path, mxus: System, descriptions, out) -> Nginx | None:
    """nginx as mxus's caching proxy, every sampled description fetched through it once (so it is cached)."""
    cache = Nginx(work, nginx_binary, work, descriptions[0][:2], upstream=mxus.port)
    print(f"starting nginx cache on port {cache.port} ...", file=sys.stderr, flush=True)
    if not cache.launch(30):
        print(f"- nginx cache: {cache.note} (see {cache.home / 'error.log'})", file=out)
        cache.shutdown()
        return None
    for kind, slug, _, _ in descriptions:
        with urllib.request.urlopen(cache.describe_request(kind, slug), timeout=60) as answer:
            answer.read()
    return cache


def start_nginx(nginx_binary: str, work: Path, descriptions, out) -> Nginx | None:
    """nginx over static copies of the descriptions, or None (with a note) when it does not answer."""
    root = work / "static"
    shutil.rmtree(root, ignore_errors=True)
    write_static(root, descriptions)
    nginx = Nginx(work, nginx_binary, root, descriptions[0][:2])
    print(f"starting nginx on port {nginx.port} ...", file=sys.stderr, flush=True)
    if nginx.launch(30):
        return nginx
    print(f"- nginx: {nginx.note} (see {nginx.home / 'error.log'}); no static-file baseline", file=out)
    nginx.shutdown()
    return None


def wrk_dereference(by_name: dict[str, System], descriptions, args, work: Path, out) -> None:
    """The dereference sub-table measured with wrk, nginx static files as the physical limit, and its ratios."""
    print("\n### Dereference under wrk (HTTP/1.1 keep-alive), against nginx serving the same Turtle as static "
          "files\n", file=out)
    if args.no_static:
        print("- skipped (--no-static)", file=out)
        return
    wrk = args.static_tools.get("wrk")
    if not wrk or not descriptions:
        print(f"- skipped: {args.static_note if not wrk else 'mxus is not running'}", file=out)
        return
    seconds = max(1, round(args.duration / 2))
    print(f"- {tool_version(wrk, '-v', work)}; {seconds} s a run, {len(descriptions)} resources, a random one per "
          f"request (Lua script); -t threads, -c connections; wrk runs on the same cores as the servers", file=out)
    nginx = cache = None
    if "nginx" in args.static_tools:
        nginx = start_nginx(args.static_tools["nginx"], work, descriptions, out)
        cache = start_cache(args.static_tools["nginx"], work, by_name["mxus"], descriptions, out)
    else:
        print(f"- no nginx baseline: {args.static_note}", file=out)
    try:
        if nginx:
            print(f"- {tool_version(nginx.binary, '-v', work)}, worker_processes {NGINX_WORKERS}, access_log off, "
                  f"sendfile on, files at {{type}}/{{slug}}.ttl, default_type text/turtle", file=out)
        if cache:
            print("- nginx cache: the same nginx as a caching reverse proxy in front of mxus (proxy_cache, key: "
                  "method, URI and Accept), every sampled description fetched through it once beforehand", file=out)
        results = wrk_measure(wrk, wrk_targets(by_name, nginx, descriptions, cache), args.clients, seconds, work, out)
    finally:
        for server in (nginx, cache):
            if server:
                server.shutdown()
    print_wrk(results, args.clients, out)


def wrk_measure(wrk: str, targets: list[WrkTarget], clients_levels: list[int], seconds: int, work: Path,
                out) -> dict[tuple[str, int], tuple[WrkTarget, str, dict]]:
    """Each target at each concurrency: (target, wrk parameters, figures) by (name, clients). A target that
    answers the wrong status, or a run that fails, is left out with a note."""
    results = {}
    for target in targets:
        problem = target.check()
        if problem:
            print(f"- left out, {problem}", file=out)
            continue
        for clients in clients_levels:
            params = f"-t{min(clients, len(os.sched_getaffinity(0)))} -c{clients}"
            print(f"  wrk {target.name} {params}", file=sys.stderr, flush=True)
            got = run_wrk(wrk, target, params.split(), seconds, work)
            if isinstance(got, str):
                print(f"- {target.name} {params}: {got}", file=out)
            else:
                results[(target.name, clients)] = (target, params, got)
    return results


def print_wrk(results: dict[tuple[str, int], tuple[WrkTarget, str, dict]], clients_levels: list[int], out) -> None:
    rows = [[target.name, target.what, params, fmt(got["rps"]), fmt(got["p50"], 3), fmt(got["p90"], 3),
             fmt(got["p99"], 3), got["requests"], got["errors"]] for target, params, got in results.values()]
    print("\n" + table(["system", "request", "wrk", "req/s", "p50 ms", "p90 ms", "p99 ms", "requests", "errors"],
                       rows), file=out)

    def ratio(mine: str, theirs: str, clients: int) -> str:
        a, b = results.get((mine, clients)), results.get((theirs, clients))
        return f"{a[2]['rps'] / b[2]['rps']:.2f}x" if a and b and b[2]["rps"] else "-"

    print("\nRatios of requests/s (target: mxus 304 at least 0.2x nginx static):\n", file=out)
    print(table(["clients", "mxus 304 / nginx static", "mxus 200 / nginx static", "mxus 200 / Oxigraph DESCRIBE",
                 "mxus behind nginx cache, 304 / nginx static"],
                [[clients] + [ratio(a, b, clients) for a, b in
                              (("mxus 304", "nginx"), ("mxus", "nginx"), ("mxus", "oxigraph"), ("nginx cache 304", "nginx"))]
                 for clients in clients_levels]), file=out)


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="article,10k,100k",
                        help="comma-separated among article (1 copy), 10k, 100k, 1m (default article,10k,100k; 1m is slow: minutes to load)")
    parser.add_argument("--clients", default="1,8", help="concurrency levels (default 1,8)")
    parser.add_argument("--duration", type=float, default=6.0,
                        help="seconds of query mix per system, size and concurrency, split in rounds (default 6)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per measurement (default 2)")
    parser.add_argument("--mxus-server", choices=("gunicorn", "serve"), default=None,
                        help="how to run mxus (default: gunicorn when installed, else the README's production "
                             "command, mxus serve on waitress)")
    parser.add_argument("--mxus-store", choices=("memory", "disk"), default="memory",
                        help="mxus's embedded store: each query worker loads the data in memory (default), or "
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
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose among {list(SIZES)}")
    if args.mxus_server is None:
        args.mxus_server = "gunicorn" if (VENV_BIN / "gunicorn").exists() else "serve"

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
