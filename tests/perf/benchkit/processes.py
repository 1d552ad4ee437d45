"""Processes the benchmark starts: each in its own process group, all stopped on exit, error or Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

from . import ROOT

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


def process_tree(root: int) -> set[int]:
    """``root`` and all its live descendants, from /proc."""
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
    return tree


def tree_rss_kb(root: int) -> int:
    """RSS of ``root`` and all its descendants, in KiB."""
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of ``root`` and its live descendants."""
    total = 0.0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read()
            fields = fields[fields.rindex(b")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, ValueError, IndexError):
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


def folder_size_mb(folder: Path) -> float | None:
    """Bytes of the files under ``folder`` (as du counts apparent sizes), in MiB; None when it is gone."""
    if not folder.exists():
        return None
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1024 / 1024
