"""Slow clients held open while others are served (issue 10, item 2). Run on demand only, never in CI.

    .venv/bin/python tests/perf/slow_clients.py                      # 100 slow connections, 30 s
    .venv/bin/python tests/perf/slow_clients.py --slow 8 --duration 20
    .venv/bin/python tests/perf/slow_clients.py --server gunicorn    # compare: see SERVERS below
    .venv/bin/python tests/perf/slow_clients.py --url http://127.0.0.1:8080/

By default the server is the README's production command (``tests/production.py`` reads it
from the README, as the adversarial test does), on a free loopback port in its own process group.
``--server`` picks another for comparison (each must be installed in the environment).

Half the slow connections trickle a request's headers, half send complete headers of a POST
to /validate and then trickle its body; each sends one byte every --interval seconds, spread
over time, and is reopened when the server closes it. Meanwhile one normal client asks, in turn,
for a page, a /data description and a simple SELECT, one request at a time, each on a new
connection. Prints how many of its requests were answered, how many within 1 s, p50/p95/max
latency, and how many slow connections the server closed. Loopback only; makes no assertions.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf.hostile_load import fetch, light_requests, percentile, served  # noqa: E402
from tests.production import production_command  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP = 'server:create_app({"BASE_URI": "http://127.0.0.1:%d/"})'
SERVERS = {  # name -> argv for a port; "production" is the README's command
    "production": lambda port: production_command("127.0.0.1", port),
    "werkzeug": lambda port: [sys.executable, "-c", "import sys; from server import create_app; "
                              f"create_app({{'BASE_URI': 'http://127.0.0.1:{port}/'}})"
                              f".run(host='127.0.0.1', port={port}, threaded=True)"],
    "gunicorn": lambda port: [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "8",
                              "--bind", f"127.0.0.1:{port}", APP % port],
    "waitress": lambda port: [sys.executable, "-m", "waitress", "--threads", "8", "--connection-limit", "1000",
                              "--host", "127.0.0.1", "--port", str(port), "--call", "server:create_app"],
    "granian": lambda port: [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1",
                             "--blocking-threads", "8", "--host", "127.0.0.1", "--port", str(port),
                             "--factory", "server:create_app"],
}


class SlowConnections:
    """``count`` connections that each send one byte every ``interval`` seconds until ``until``."""

    def __init__(self, address: tuple[str, int], count: int, interval: float):
        self.address, self.count, self.interval = address, count, interval
        self.closed_by_server = 0
        self.refused = 0

    def opening(self, n: int) -> bytes:
        host = f"Host: {self.address[0]}:{self.address[1]}\r\n"
        if n % 2 == 0:  # slowloris: the headers never end
            return f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n{host}".encode()
        return (f"POST /validate HTTP/1.1\r\n{host}Content-Type: text/turtle\r\n"
                "Content-Length: 1000000\r\n\r\n").encode()

    def connect(self, n: int) -> socket.socket | None:
        try:
            sock = socket.create_connection(self.address, timeout=5)
            sock.sendall(self.opening(n))
            return sock
        except OSError:
            self.refused += 1
            return None

    def run(self, until: float) -> None:
        sockets = [self.connect(n) for n in range(self.count)]
        step = self.interval / max(1, self.count)
        n = 0
        while time.monotonic() < until:
            i = n % self.count
            sock = sockets[i]
            try:
                if sock is None:
                    raise OSError
                sock.sendall(b"X-a: b\r\n"[n // self.count % 8:][:1] if i % 2 == 0 else b"@")
            except OSError:
                if sock is not None:
                    self.closed_by_server += 1
                    sock.close()
                sockets[i] = self.connect(i)
            n += 1
            time.sleep(step)
        for sock in sockets:
            if sock is not None:
                sock.close()


def normal_client(base: str, until: float, results: list) -> None:
    requests = light_requests(base)
    n = 0
    while time.monotonic() < until:
        kind, url, headers = requests[n % len(requests)]
        results.append((kind, *fetch(url, headers)))
        n += 1
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (loopback); default: start one")
    parser.add_argument("--server", choices=sorted(SERVERS), default="production")
    parser.add_argument("--slow", type=int, default=100, help="slow connections (default 100)")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between a slow connection's bytes")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (default 30)")
    args = parser.parse_args()
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("--url must be on loopback")
    with served(args.url, "slow-clients", SERVERS[args.server]) as base:
        host, port = base.split("//")[1].rstrip("/").split(":")
        until = time.monotonic() + args.duration
        slow = SlowConnections((host, int(port)), args.slow, args.interval)
        trickler = threading.Thread(target=slow.run, args=(until,))
        trickler.start()
        time.sleep(min(5.0, args.duration / 4))  # let them all connect first
        results: list = []
        normal_client(base, until, results)
        trickler.join()
        every = [seconds for *_, seconds in results]
        answered = [seconds for _, status, seconds in results if status == 200]
        within = sum(1 for seconds in answered if seconds <= 1.0)
        print(f"{args.slow} slow connections (one byte each every {args.interval:g} s) for {args.duration:g} s; "
              f"{slow.closed_by_server} closed by the server, {slow.refused} connections refused")
        print(f"normal client: {len(results)} requests, {len(answered)} answered 200, {within} within 1 s; "
              f"p50 {percentile(every, 0.5) * 1000:.0f} ms, p95 {percentile(every, 0.95) * 1000:.0f} ms, "
              f"max {max(every, default=float('nan')) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
