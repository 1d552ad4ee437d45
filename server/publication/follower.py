"""Following the journal: this process's store brought up to what any front or the command line recorded.

Every server process (each of ``mxus serve --workers N``, each host sharing the
instance folder) replays the journal into its store at start, then follows it:
a background thread checks the journal's size every ``INTERVAL`` seconds (one
``stat``) and applies new lines, and a process that records an event applies it
at once, before it answers. So a contribution submitted to one front, or a
decision made by ``mxus contributions``, is served by every front within a
fraction of a second, without a restart.

Applying an event depends on where the data lives. A store of this process's own
(in memory, or on disk with this process as its one writer) gets the graph or the
accepted statements. A shared store (remote) may already hold them, written by
whichever process got there first: under the folder's lock each front asks, and
writes only what is missing, so every write happens once. Either way the store's
version becomes the journal's mark (``Position.mark``): every front that has read
the same journal serves the same version, hence the same ETags.
"""

from __future__ import annotations

import logging
import threading

from rdflib.namespace import PROV

from server.publication.contributions import ACCEPTED, PENDING, REJECTED, Contribution, ContributionStore
from server.publication.errors import ContributionNotFound
from server.publication.journal import SUBMITTED, Event, Position
from server.publication.service import accepted_ntriples
from server.rdf.namespaces import CONTRIBUTION_BASE
from server.store import Contents, QueryFailed, Store

log = logging.getLogger(__name__)
INTERVAL = 0.25  # seconds between two checks of the journal's size


class Follower:
    """Where this process's store stands in the journal, and the thread that keeps it there."""

    def __init__(self, records: ContributionStore):
        self.records = records
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._stopped = threading.Event()
        events, self.position = records.journal.events()
        self.applied: dict[str, str] = {}  # contribution id -> the status the store reflects
        for event in events:
            self.applied[event.contribution_id] = PENDING if event.kind == SUBMITTED else event.kind

    def contents(self) -> Contents:
        """What the store must hold at start: the journal as read, each contribution's graph, the accepted ones."""
        named, accepted = [], []
        for contribution_id, status in list(self.applied.items()):
            try:
                named.append((CONTRIBUTION_BASE + contribution_id, self.records.content_bytes(contribution_id)))
                if status == ACCEPTED:
                    accepted.append(accepted_ntriples(self.records, self.records.get(contribution_id)))
            except ContributionNotFound:  # its folder was removed by hand: nothing to serve
                log.warning("journal: contribution %s has no record; it is not served", contribution_id)
                del self.applied[contribution_id]
        return Contents(named, b"".join(accepted), self.position.mark)

    def attach(self, store: Store) -> None:
        self._store = store

    # ------------------------------------------------------------------ following

    def follow(self) -> None:
        """Apply what the journal says beyond this process's position (QueryFailed: the store failed;
        what was applied stays applied, the rest is tried again at the next call)."""
        if self._store is None or self.records.journal.size() == self.position.offset:
            return
        with self._lock, self._store.settling():  # one new version, that of the journal's position
            read = self.records.journal.read(self.position)
            try:
                if self._store.capabilities.kind == "remote":
                    self._apply_to_shared_store(read)
                else:
                    self._apply_to_own_store(read)
            finally:
                self._store.settle(self.position.mark)

    def _apply_to_own_store(self, read: list[tuple[Event | None, Position]]) -> None:
        """Everything new in one write (an on-disk store stops its query workers for each)."""
        applied, named, accepted = dict(self.applied), [], []
        for event, _ in read:
            contribution, add, publish = self._plan(event, applied)
            if add:
                named.append((contribution.graph, self.records.content_bytes(contribution.id)))
            if publish:
                accepted.append(accepted_ntriples(self.records, contribution))
        if named or accepted:
            self._store.add(named, b"".join(accepted))
        self.applied = applied
        if read:
            self.position = read[-1][1]

    def _apply_to_shared_store(self, read: list[tuple[Event | None, Position]]) -> None:
        """Event by event, each under the folder's lock: write only what no other front wrote yet."""
        store = self._store
        for event, position in read:
            applied = dict(self.applied)
            contribution, add, publish = self._plan(event, applied)
            if contribution is not None:
                with self.records.locked():
                    if add and _holds_graph(store, contribution.graph):
                        store.name_graph(contribution.graph)
                    elif add:
                        store.add_graph(contribution.graph, self.records.content_bytes(contribution.id))
                    if publish and not _holds_accepted(store, contribution.resource):
                        store.publish(accepted_ntriples(self.records, contribution), contribution.id)
            self.applied, self.position = applied, position

    def _plan(self, event: Event | None, applied: dict[str, str]) -> tuple[Contribution | None, bool, bool]:
        """What the store lacks for ``event``: the contribution, whether to add its graph, whether to publish
        it; ``applied`` is updated as if done (a rejection changes no graph, only the version)."""
        if event is None:
            return None, False, False
        status = applied.get(event.contribution_id)
        add, publish = status is None, event.kind == ACCEPTED and status != ACCEPTED
        if not (add or publish):
            if event.kind == REJECTED:
                applied[event.contribution_id] = REJECTED
            return None, False, False
        try:
            contribution = self.records.get(event.contribution_id)
        except ContributionNotFound:
            log.warning("journal: contribution %s has no record; it is not served", event.contribution_id)
            return None, False, False
        applied[contribution.id] = ACCEPTED if publish else REJECTED if event.kind == REJECTED else PENDING
        return contribution, add, publish

    def start(self) -> None:
        """Follow in the background until ``stop``; a failing store is logged and tried again."""

        def run() -> None:
            failing = ""
            while not self._stopped.wait(INTERVAL):
                try:
                    self.follow()
                    failing = ""
                except Exception as exc:  # whatever it is, the thread must go on following
                    if str(exc) != failing:
                        log.warning("journal: could not apply the latest contributions (tried again): %s", exc,
                                    exc_info=not isinstance(exc, (QueryFailed, OSError)))
                    failing = str(exc)

        threading.Thread(target=run, name="journal-follower", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()


def _holds_graph(store: Store, graph: str) -> bool:
    return bool(store.answer(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", named_graphs=(graph,)).boolean)


def _holds_accepted(store: Store, resource: str) -> bool:
    """Accepting writes the contribution's provenance with its statements: its time says they are there."""
    return store.ask(f"ASK {{ <{resource}> <{PROV.generatedAtTime}> ?t }}")
