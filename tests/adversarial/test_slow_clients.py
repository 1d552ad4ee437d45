"""Slow clients cannot stop the server (issue 10: 8 connections trickling their headers stopped
gunicorn's threaded worker, then the README's production command).

The server is the README's production command (the ``production`` fixture). Slow connections
trickle headers (slowloris) or a declared body; while every one of them is open and still sending,
a normal client must be answered at all. Not a timing test: the normal client's socket timeout is
generous, and it would only be reached if the slow connections held every thread.
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.production import get

SLOW = 24  # three times the production command's threads
PATIENCE = 60.0  # the normal client's socket timeout, seconds


def _slowloris(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
    return sock


def _slow_body(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"POST /validate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/turtle\r\n"
                 "Content-Length: 100000\r\n\r\n@prefix".encode())
    return sock


@pytest.mark.parametrize("opener", [_slowloris, _slow_body], ids=["headers-trickled", "body-trickled"])
def test_a_normal_client_is_answered_while_slow_connections_are_open(production, opener):
    base, port = production.base, production.port
    slow = [opener(port) for _ in range(SLOW)]
    try:
        for round_ in range(3):  # keep them all sending, a byte at a time
            for sock in slow:
                sock.sendall(b"X-a: b\r\n"[round_:round_ + 1] if opener is _slowloris else b" ")
            time.sleep(0.2)
        assert get(base + "sparql?query=ASK%7B%7D", PATIENCE) == 200
        assert get(base + "page/person/colin-powell", PATIENCE) == 200
        for sock in slow:  # still open: the server answered while they were, not after closing them
            sock.sendall(b"X")
    finally:
        for sock in slow:
            sock.close()
