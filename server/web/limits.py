"""Per-client limits on the queries anyone may send (/sparql and the query page).

A public endpoint is shared: one client sending runaway queries in a loop
must not take every worker, nor all the CPU. Each client may have
``PER_CLIENT_QUERIES`` queries running at once and use
``PER_CLIENT_QUERY_SECONDS`` of query time per ``PER_CLIENT_WINDOW_SECONDS``;
a query stopped at the time limit, or stopped to make room for waiting
ones (``server.store.lanes``), uses the whole budget (whoever sends
runaway queries in a loop gets one per window). Over a limit: 429 with
Retry-After, as Wikidata's query service does.

A client is its address: the peer's, or, when the peer is one of
``TRUSTED_PROXIES``, the last address in X-Forwarded-For that is not a
trusted proxy (what a client writes there itself is never believed).
The table is bounded: past ``MAX_CLIENTS`` the clients seen longest ago
and idle are forgotten.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Request, request

from server.settings import Settings
from server.state import state
from server.web.errors import ApiError

MAX_CLIENTS = 10_000


@dataclass
class _Client:
    running: int = 0
    spent: list = field(default_factory=list)  # (when it ended, seconds charged), oldest first


class ClientLimits:
    def __init__(self, settings: Settings):
        self.concurrent = settings["PER_CLIENT_QUERIES"]
        self.budget = float(settings["PER_CLIENT_QUERY_SECONDS"])
        self.window = float(settings["PER_CLIENT_WINDOW_SECONDS"])
        self.time_limit = float(settings["QUERY_TIMEOUT"])
        self.trusted = frozenset(settings["TRUSTED_PROXIES"])
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._lock = threading.Lock()

    def client_of(self, request: Request) -> str:
        peer = request.remote_addr or "unknown"
        if peer not in self.trusted:
            return peer
        hops = [hop.strip() for value in request.headers.getlist("X-Forwarded-For") for hop in value.split(",")]
        for hop in reversed([hop for hop in hops if hop]):
            if hop not in self.trusted:
                return hop
        return peer

    @contextmanager
    def query(self, client: str):
        """Count a query of ``client`` while it runs and charge its time; ApiError 429 when over a limit."""
        self._admit(client)
        started, spent_all = time.monotonic(), False
        try:
            yield
        except Exception as error:
            spent_all = getattr(error, "uses_budget", False)  # stopped at the time limit or to make room
            raise
        finally:
            elapsed = time.monotonic() - started
            self._release(client, self.budget if spent_all or elapsed >= self.time_limit else elapsed)

    def _admit(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            record = self._clients.get(client)
            if record is None:
                record = self._clients[client] = _Client()
                self._forget_some()
            self._clients.move_to_end(client)
            record.spent = [(ended, cost) for ended, cost in record.spent if ended > now - self.window]
            if record.running >= self.concurrent:
                raise _too_many(
                    f"this client already has {record.running} quer{'y' if record.running == 1 else 'ies'} running "
                    f"(limit: {self.concurrent} at once per client); send the next when it has been answered", 1)
            used = sum(cost for _, cost in record.spent)
            if used >= self.budget:
                wait = self._until_under_budget(record, used, now)
                raise _too_many(
                    f"this client has used {used:.1f} s of query time in the last {self.window:g} s (limit: "
                    f"{self.budget:g} s per {self.window:g} s per client; a query stopped at the time limit uses "
                    f"it all); try again in {wait} s", wait)
            record.running += 1

    def _until_under_budget(self, record: _Client, used: float, now: float) -> int:
        for ended, cost in record.spent:
            used -= cost
            if used < self.budget:
                return max(1, math.ceil(ended + self.window - now))
        return 1

    def _release(self, client: str, cost: float) -> None:
        with self._lock:
            record = self._clients.get(client)
            if record is None:
                return
            record.running -= 1
            record.spent.append((time.monotonic(), cost))

    def _forget_some(self) -> None:
        """Keep the table bounded: forget the idle clients seen longest ago."""
        for name in list(self._clients):
            if len(self._clients) <= MAX_CLIENTS:
                return
            if self._clients[name].running == 0:
                del self._clients[name]


def client_query():
    """The current request's query, counted and charged to its client (``ClientLimits.query``)."""
    limits = state().limits
    return limits.query(limits.client_of(request))


def _too_many(message: str, retry_after: int) -> ApiError:
    return ApiError(429, message, headers={"Retry-After": str(retry_after)})
