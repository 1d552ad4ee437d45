"""Contributions on disk: one folder each, written durably before any answer.

Layout under the contributions folder::

    {id}/content.nt   the submitted triples, as N-Triples
    {id}/meta.json    status, contributor, time, media type, checksum, report

A contribution is created in a hidden temporary folder, fsynced, then
renamed into place: after a crash it is either complete or absent. Status
changes rewrite meta.json durably. Each is then a line of the journal
(``journal``), which every server process follows. Nothing here ever touches
the curated data under data/.
"""

from __future__ import annotations

import errno
import fcntl
import json
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph

from server.rdf.namespaces import CONTRIBUTION_BASE
from server.publication.errors import ContributionNotFound, InvalidTransition, PublicationError
from server.store import graph_from_ntriples
from server.publication.files import fsync_directory, write_durably
from server.publication.journal import SUBMITTED, Journal

ID_PATTERN = re.compile(r"\A[0-9]{8}t[0-9]{6}-[0-9a-f]{12}\Z")  # what new_id makes; anything else is no contribution
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


@dataclass
class Contribution:
    id: str
    status: str
    contributor: dict  # name, orcid
    submitted: str  # ISO 8601, UTC
    media_type: str
    sha256: str  # of the body as received
    triples: int
    report: dict  # counts by severity and results (warnings) at submission
    history: list[dict] = field(default_factory=list)

    @property
    def graph(self) -> str:
        return CONTRIBUTION_BASE + self.id

    @property
    def resource(self) -> str:
        return CONTRIBUTION_BASE + self.id

    def summary(self) -> dict:
        data = asdict(self)
        data.update(graph=self.graph, uri=self.resource)
        return data


class ContributionStore:
    def __init__(self, folder: Path, recover: bool = True):
        """``recover``: remove what a crash left half-written. The server, which owns the
        folder, does; ``mxus contributions`` does not, since a server may be writing meanwhile."""
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.journal = Journal(folder / "journal")
        self._lock = threading.Lock()
        if recover:
            self._recover()

    def _recover(self) -> None:
        """Under the lock, so that a server starting beside running ones never takes their work for a crash's."""
        with self.locked():
            for leftover in self.folder.glob(".tmp-*"):  # a crash mid-write: never acknowledged
                shutil.rmtree(leftover, ignore_errors=True)
            for leftover in self.folder.glob("*/.tmp-*"):  # a crash mid-decision: meta.json is the old one, intact
                leftover.unlink(missing_ok=True)
            self._complete_journal()

    def _complete_journal(self) -> None:
        """Journal what the records say and the journal does not: a crash between the two writes, or a
        folder from before the journal. Records are written first, so they are never behind."""
        events, _ = self.journal.events()
        said: dict[str, str] = {}
        for event in events:
            said[event.contribution_id] = PENDING if event.kind == SUBMITTED else event.kind
        for contribution in self.all():
            if contribution.id not in said:
                self.journal.append(SUBMITTED, contribution.id)
            if contribution.status != PENDING and said.get(contribution.id) != contribution.status:
                self.journal.append(contribution.status, contribution.id)

    @staticmethod
    def new_id() -> str:
        return datetime.now(timezone.utc).strftime("%Y%m%dt%H%M%S") + "-" + uuid.uuid4().hex[:12]

    def create(self, graph: Graph, media_type: str, sha256: str, contributor: dict, report: dict) -> Contribution:
        contribution = Contribution(
            id=self.new_id(),
            status=PENDING,
            contributor=contributor,
            submitted=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            media_type=media_type,
            sha256=sha256,
            triples=len(graph),
            report=report,
            history=[],
        )
        staging = self.folder / f".tmp-{contribution.id}"
        content = graph.serialize(format="nt", encoding="utf-8")
        with self.locked(), _disk_space("nothing was stored", cleanup=staging):
            staging.mkdir()
            write_durably(staging / "content.nt", content)
            write_durably(staging / "meta.json", _encode(contribution))
            staging.rename(self.folder / contribution.id)
            fsync_directory(self.folder)
            with _disk_space("nothing was stored", cleanup=self.folder / contribution.id):
                self.journal.append(SUBMITTED, contribution.id)
        return contribution

    def exists(self, contribution_id: str) -> bool:
        try:
            self.get(contribution_id)
        except ContributionNotFound:
            return False
        return True

    def get(self, contribution_id: str) -> Contribution:
        meta = self.folder / contribution_id / "meta.json"
        if not ID_PATTERN.match(contribution_id) or not meta.is_file():
            raise ContributionNotFound(contribution_id)
        return Contribution(**json.loads(meta.read_text(encoding="utf-8")))

    def content(self, contribution_id: str) -> Graph:
        """The statements, read by pyoxigraph's N-Triples parser: linear in the line length, where
        rdflib's is quadratic (a 5 MB literal took minutes of CPU on every read)."""
        return graph_from_ntriples(self.content_bytes(contribution_id))

    def content_bytes(self, contribution_id: str) -> bytes:
        self.get(contribution_id)
        return (self.folder / contribution_id / "content.nt").read_bytes()

    def all(self, status: str | None = None) -> list[Contribution]:
        found = []
        for meta in sorted(self.folder.glob("*/meta.json")):
            if meta.parent.name.startswith("."):
                continue
            contribution = Contribution(**json.loads(meta.read_text(encoding="utf-8")))
            if status is None or contribution.status == status:
                found.append(contribution)
        return found

    def decide(self, contribution_id: str, status: str, maintainer: str, reason: str | None = None) -> Contribution:
        """Pending -> ``status``, as one compare-and-set: of two deciders, in this process or another
        (the server and ``mxus contributions``), exactly one succeeds; the other gets InvalidTransition."""
        if status not in (ACCEPTED, REJECTED):
            raise InvalidTransition(f"unknown decision {status!r}")
        with self.locked():
            contribution = self.get(contribution_id)
            if contribution.status != PENDING:
                raise InvalidTransition(f"contribution {contribution_id} is already {contribution.status}")
            contribution.status = status
            contribution.history.append(
                {
                    "status": status,
                    "by": maintainer,
                    "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    **({"reason": reason} if reason else {}),
                }
            )
            with _disk_space(f"contribution {contribution_id} is still {PENDING}"):
                write_durably(self.folder / contribution_id / "meta.json", _encode(contribution))
            # After the record: a crash between the two, and the next start completes the journal.
            with _disk_space(f"contribution {contribution_id} is {status}, but the journal could not say so: "
                             "other servers learn of it when one of them restarts"):
                self.journal.append(status, contribution_id)
            return contribution

    @contextmanager
    def locked(self):
        """The folder to oneself: a thread lock, then an exclusive flock on the folder's lock file,
        which other processes (servers, ``mxus contributions``) take too."""
        with self._lock, open(self.folder / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _disk_space(outcome: str, cleanup: Path | None = None):
    """A full disk (or quota) is 507 Insufficient Storage with what became of the request; anything
    half-written is removed (write_durably never leaves a half file in place of a whole one)."""
    try:
        yield
    except OSError as exc:
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise PublicationError(f"the server's disk is full: {outcome}; try again later", 507) from None
        raise


def _encode(contribution: Contribution) -> bytes:
    return json.dumps(asdict(contribution), indent=2, ensure_ascii=False).encode("utf-8")
