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
from contextlib import nullcontext

from server.publication.contributions import ACCEPTED, PENDING, REJECTED, ContributionStore
from server.publication.errors import ContributionNotFound
from server.publication.journal import SUBMITTED, Event
from server.publication.service import accepted_ntriples
from rdflib.namespace import PROV

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
        with self._lock:
            try:
                for event, position in self.records.journal.read(self.position):
                    if event is not None:
                        self._apply(event)
                    self.position = position
            finally:
                self._store.settle(self.position.mark)

    def _apply(self, event: Event) -> None:
        store, contribution_id = self._store, event.contribution_id
        status = self.applied.get(contribution_id)
        if status is not None and event.kind != ACCEPTED or status == ACCEPTED:
            if status == PENDING and event.kind == REJECTED:
                self.applied[contribution_id] = REJECTED  # the store is unchanged: only the version moves
            return
        try:
            contribution = self.records.get(contribution_id)
        except ContributionNotFound:
            log.warning("journal: contribution %s has no record; it is not served", contribution_id)
            return
        shared = store.capabilities.kind == "remote"
        with self.records.locked() if shared else nullcontext():
            if status is None:
                if shared and _holds_graph(store, contribution.graph):
                    store.name_graph(contribution.graph)
                else:
                    store.add_graph(contribution.graph, self.records.content_bytes(contribution_id))
                self.applied[contribution_id] = REJECTED if event.kind == REJECTED else PENDING
            if event.kind == ACCEPTED:
                if not (shared and _holds_accepted(store, contribution.resource)):
                    store.publish(accepted_ntriples(self.records, contribution), contribution_id)
                self.applied[contribution_id] = ACCEPTED

    def start(self) -> None:
        """Follow in the background until ``stop``; a failing store is logged and tried again."""

        def run() -> None:
            failing = ""
            while not self._stopped.wait(INTERVAL):
                try:
                    self.follow()
                    failing = ""
                except (QueryFailed, OSError) as exc:
                    if str(exc) != failing:
                        log.warning("journal: could not apply the latest contributions (tried again): %s", exc)
                    failing = str(exc)

        threading.Thread(target=run, name="journal-follower", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()


def _holds_graph(store: Store, graph: str) -> bool:
    return bool(store.answer(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", named_graphs=(graph,)).boolean)


def _holds_accepted(store: Store, resource: str) -> bool:
    """Accepting writes the contribution's provenance with its statements: its time says they are there."""
    return store.ask(f"ASK {{ <{resource}> <{PROV.generatedAtTime}> ?t }}")
