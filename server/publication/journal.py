"""The journal: one line per contribution event, appended by whoever records it, read by every front.

``instance/contributions/journal`` holds lines ``submitted ID``, ``accepted ID``,
``rejected ID``. The records (``contributions``) hold what was said; the journal
holds the order in which it happened, so that every server process, on this host
or another sharing the instance folder, and the command line learn of each
other's contributions and decisions by reading it (``server.publication.follower``)
instead of at restart.

A line is appended with one ``write`` on an ``O_APPEND`` descriptor and fsynced,
by a caller holding the contributions folder's lock, after the record it names
is durable. Readers take whole lines only, so a line cut short by a crash is never
read; the next append removes it. The dataset version every front serves is
named by the journal's bytes (``Position.mark``): the same prefix, the same version.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from server.publication.files import fsync_directory

log = logging.getLogger(__name__)

SUBMITTED, ACCEPTED, REJECTED = "submitted", "accepted", "rejected"
_LINE = re.compile(rb"\A(submitted|accepted|rejected) ([0-9]{8}t[0-9]{6}-[0-9a-f]{12})\Z")
READ_CHUNK = 1 << 20  # bytes read at once while catching up


@dataclass(frozen=True)
class Event:
    kind: str  # SUBMITTED, ACCEPTED or REJECTED
    contribution_id: str


@dataclass
class Position:
    """How far a reader has read: a byte offset, and a digest of every byte up to it."""

    offset: int = 0
    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)

    @property
    def mark(self) -> str:
        """Names the state the journal describes up to here: equal on every front at this offset."""
        return f"journal {self.offset} {self.digest.hexdigest()[:16]}"

    def advanced(self, line: bytes) -> "Position":
        digest = self.digest.copy()
        digest.update(line)
        return Position(self.offset + len(line), digest)


class Journal:
    def __init__(self, path: Path):
        self.path = path

    def size(self) -> int:
        """The cheap check a follower makes: bytes written so far (0 when there is no journal yet)."""
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def append(self, kind: str, contribution_id: str) -> None:
        """One line, durably. The caller holds the folder's lock (``ContributionStore.locked``)."""
        line = f"{kind} {contribution_id}\n".encode()
        created = not self.path.exists()
        descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _drop_torn_tail(descriptor)
            os.write(descriptor, line)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if created:
            fsync_directory(self.path.parent)

    def read(self, position: Position) -> list[tuple[Event | None, Position]]:
        """Each whole line after ``position``, with the position after it; None for a line that is no event."""
        found: list[tuple[Event | None, Position]] = []
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return found
        with handle:
            handle.seek(position.offset)
            pending = b""
            while chunk := handle.read(READ_CHUNK):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    position = position.advanced(line + b"\n")
                    found.append((_event(line), position))
        return found

    def events(self) -> tuple[list[Event], Position]:
        """The whole journal as it is now, and the position at its end."""
        read = self.read(Position())
        return [event for event, _ in read if event is not None], (read[-1][1] if read else Position())


def _event(line: bytes) -> Event | None:
    match = _LINE.match(line.strip())
    if match is None:
        log.warning("journal: a line that is no event was skipped: %r", line[:80])
        return None
    return Event(match[1].decode(), match[2].decode())


def _drop_torn_tail(descriptor: int) -> None:
    """Remove a last line a crash cut short (no reader ever took it: readers take whole lines)."""
    size = os.fstat(descriptor).st_size
    if size == 0 or os.pread(descriptor, 1, size - 1) == b"\n":
        return
    start = max(0, size - READ_CHUNK)
    tail = os.pread(descriptor, size - start, start)
    os.ftruncate(descriptor, start + tail.rfind(b"\n") + 1)
