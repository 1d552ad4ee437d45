"""Benchmark mxus-ld against Oxigraph server and rdflib-endpoint (issue 5, item 7). Run on demand only.

    make bench    # the cost curve: 1k, 10k, 100k, 1M (memory) and 10M (disk), table and plot (about an hour)
    .venv/bin/python tests/perf/bench.py                      # article, ~10k and ~100k triples (~10 minutes)
    .venv/bin/python tests/perf/bench.py --sizes 10k --duration 2
    .venv/bin/python tests/perf/bench.py --sizes 10k,100k,1m  # 1M: rdflib-endpoint parses with rdflib (slow)
    .venv/bin/python tests/perf/bench.py --sizes 1m --mxus-store disk   # mxus over an on-disk store

What it does, for each corpus size (made by generate_corpus.py, article copies of ~2,700 triples; 1k is one
copy cut short; 10m runs mxus over its on-disk store and leaves rdflib-endpoint out):

* starts, one after the other on free loopback ports, ``mxus serve`` over the corpus (the README's
  production command, or gunicorn --workers 1 --threads 8 with --mxus-server gunicorn),
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
* times contribution validation in-process (Publication.validate over a LocalStore) for 10, 100 and 1,000 triples,
  and at each size POST /validate of a new claim with its span (a shape case) on the running mxus;
* ends with the cost curve: every figure of every system by size in one table, and with --plot a plot of
  each figure against size (matplotlib, from the bench extra).

Every process it starts is in its own process group and is stopped on exit, on error and on Ctrl-C.
Not collected by pytest (the file name does not start with test_) and makes no timed assertions.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf.benchkit.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
