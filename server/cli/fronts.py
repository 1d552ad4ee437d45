"""``mxus serve --workers N``: N server processes answering on one listening socket.

The parent binds one socket per process on the same address (Linux's
``SO_REUSEPORT``: the kernel spreads new connections evenly over the listening ones
by a hash of each connection's addresses), then starts N copies of the same ``mxus
serve`` command, each handed its socket (``--front-socket``): each is a whole server
(its own app, store and query workers, following the contributions' journal), and
listens once it is ready. Where ``SO_REUSEPORT`` is missing, all processes share one
socket and the kernel gives each connection to whichever process accepts first (on
an idle machine often the same one). The parent
only watches: it says when all are ready, starts again one that dies, and on
Ctrl-C or SIGTERM stops them all. A process that fails to start stops the others,
and the command exits with its exit code and message.

Each process answers with ``Mxus-Front: n`` (its number, not its pid), so a client
or a test can tell which one it reached.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time

RESTART_PAUSE = 1.0  # seconds before a process that died is started again
STOP_WAIT = 15.0  # seconds each process gets to stop its query workers


def front_command(argv: list[str], number: int, listener: int, ready: int) -> list[str]:
    return [sys.executable, "-m", "server.cli", *argv, "--front-socket", str(listener), "--front-ready", str(ready),
            "--front-number", str(number)]


class Listeners:
    """The processes' sockets on one address: one each (``SO_REUSEPORT``), or one for all elsewhere.

    Each own socket is handed over bound but not listening: its process listens once its app is
    ready, so the kernel never gives a connection to a process still starting. When a process
    dies its socket is closed at once (the connections waiting in it are reset; new ones go to
    the live processes) and its successor gets a new one.
    """

    def __init__(self, host: str, port: int, count: int):
        self._host = host
        self._family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        self.shared = not hasattr(socket, "SO_REUSEPORT") or sys.platform != "linux"  # elsewhere it does not spread
        self._sockets: dict[int, socket.socket] = {}
        if self.shared:
            one = socket.create_server((host, port), family=self._family, backlog=1024)
            one.set_inheritable(True)
            self._sockets = dict.fromkeys(range(1, count + 1), one)
            return
        if port:  # an address another server holds is refused here, where SO_REUSEPORT would quietly share it
            socket.create_server((host, port), family=self._family).close()
        self._port = port
        try:
            for number in range(1, count + 1):
                self._sockets[number] = self._bound()
                self._port = self._sockets[number].getsockname()[1]
        except OSError:
            self.close()
            raise

    def of(self, number: int) -> socket.socket:
        return self._sockets[number]

    def renew(self, number: int) -> None:
        """Process ``number`` died: its socket closes now; its successor gets a new one."""
        if not self.shared:
            self._sockets[number].close()
            self._sockets[number] = self._bound()

    def close(self) -> None:
        for listener in set(self._sockets.values()):
            listener.close()

    def _bound(self) -> socket.socket:
        listener = socket.socket(self._family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if self._family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind((self._host, self._port))
        except OSError:
            listener.close()
            raise
        listener.set_inheritable(True)
        return listener


def run_fronts(argv: list[str], host: str, port: int, workers: int, started_message: str) -> int:
    try:
        listeners = Listeners(host, port, workers)
    except OSError as exc:
        print(f"mxus serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    ready_read, ready_write = os.pipe()
    stopping = False

    def start(number: int) -> subprocess.Popen:
        listener = listeners.of(number)
        return subprocess.Popen(front_command(argv, number, listener.fileno(), ready_write),
                                pass_fds=(listener.fileno(), ready_write), stdin=subprocess.DEVNULL)

    def stop(*_) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    fronts = {number: start(number) for number in range(1, workers + 1)}
    try:
        ready = 0
        while ready < workers and not stopping:
            if select.select([ready_read], [], [], 0.2)[0]:
                ready += len(os.read(ready_read, 64))
            failed = next((front for front in fronts.values() if front.poll() is not None), None)
            if failed is not None:
                return failed.returncode if failed.returncode > 0 else 2
        if not stopping:
            print(started_message, flush=True)
        while not stopping:
            time.sleep(0.2)
            while select.select([ready_read], [], [], 0)[0]:
                os.read(ready_read, 64)  # a restarted process said it is ready
            for number, front in list(fronts.items()):
                if front.poll() is not None and not stopping:
                    print(f"mxus serve: process {number} exited ({front.returncode}); starting it again", file=sys.stderr,
                          flush=True)
                    listeners.renew(number)
                    time.sleep(RESTART_PAUSE)
                    fronts[number] = start(number)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_all(list(fronts.values()))
        listeners.close()
    return 0


def end_with_parent() -> None:
    """In each process: end (SIGTERM, so its query workers are stopped) when the parent ends, even by
    SIGKILL, instead of serving on unwatched (Linux ``PR_SET_PDEATHSIG``; elsewhere nothing)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent was already gone
        os.kill(os.getpid(), signal.SIGTERM)


def _stop_all(fronts: list[subprocess.Popen]) -> None:
    """SIGTERM to each (its exit handlers stop its query workers), then SIGKILL to any still there."""
    for front in fronts:
        if front.poll() is None:
            front.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    for front in fronts:
        try:
            front.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            front.kill()
            front.wait(5)
