"""Dereferencing a resource: mxus /data vs Oxigraph DESCRIBE, and wrk against nginx static files."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .nginx import NGINX_WORKERS, Nginx
from .processes import run_to_end
from .report import fmt, table
from .systems import System
from .tools import tool_version


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
