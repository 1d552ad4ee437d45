"""What the clients ask (the query mix) and how they ask it (threads, urllib, loopback)."""

from __future__ import annotations

import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from . import ID

PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX schema: <https://schema.org/> "
    "PREFIX org: <http://www.w3.org/ns/org#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
)


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
