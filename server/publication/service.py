"""The publication service: validate, submit, decide, export.

One implementation of the contribution lifecycle, used by the HTTP
blueprints, the command line and the app factory alike, so they cannot
disagree: a decision is one compare-and-set on the contribution's record
(``ContributionStore.decide``), whoever makes it.

The records on disk (``server.publication.contributions``) are the truth, and
the journal beside them says in what order they came; the store holds what
they imply (each contribution's named graph, the accepted graph), replayed
at start and kept up to date by following the journal
(``server.publication.follower``), whichever process recorded the event.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from server.publication.contributions import ACCEPTED, REJECTED, Contribution, ContributionStore
from server.publication.dataset import PublishedGraphs
from server.publication.errors import NotConforming, NotPublished
from server.publication.gate import ValidationGate
from server.publication.guard import refuse_what_the_system_owns
from server.publication.submissions import Submission
from server.publication.validation import ValidationReport, validate_submission
from server.rdf.namespaces import DATASET, SCHEMA, bind_prefixes
from server.store import QueryFailed, Store
from server.store.graphs import CONTEXT_GRAPHS

_VALIDATION_GATE = ValidationGate()  # one validation at a time in the process, contributors first


class Publication:
    """The dataset as published: the curated files, the store, and the contributions' records."""

    def __init__(self, published: PublishedGraphs, store: Store | None, records: ContributionStore | None,
                 max_literal_chars: int = 10_000, max_triples_per_subject: int = 1_000, follower=None):
        """``store`` None: decisions are recorded only (the command line: running servers follow the journal).
        ``follower`` (``server.publication.follower.Follower``): brings ``store`` up to the journal."""
        self.published = published
        self.store = store
        self.records = records
        self.limits = (max_literal_chars, max_triples_per_subject)
        self.follower = follower

    # ------------------------------------------------------------------ validation

    def validate(self, graph: Graph | None, anonymous_wait: float | None = None) -> ValidationReport:
        """Validate a submission against the published data and accepted contributions, read from the store.

        First what no contribution may say (``guard``: InputRefused, 422), then the shapes. A request
        without a contributor's token gives ``anonymous_wait``: it waits at most that long for the
        validator, behind any contributor (``gate``: ValidatorBusy, 503).
        """
        with _store_needed():
            if graph is not None:
                refuse_what_the_system_owns(graph, self.store, self._contributors(), *self.limits)
            with _VALIDATION_GATE.turn(anonymous_wait):
                return validate_submission(graph, self.published, self._around)

    @staticmethod
    def anonymous_turn(wait: float):
        """Held by an anonymous validation from parsing to report: one at a time (``gate``)."""
        return _VALIDATION_GATE.anonymous(wait)

    def _contributors(self) -> set[str]:
        """The agents the system's records name (ORCID iDs): only the records speak for them."""
        if self.records is None:
            return set()
        return {c.contributor["orcid"] for c in self.records.all() if c.contributor.get("orcid")}

    def _around(self, query: str) -> Graph:
        return self.store.construct(query, CONTEXT_GRAPHS)

    # ------------------------------------------------------------------ the lifecycle

    def submit(self, submission: Submission, contributor: dict) -> tuple[Contribution, ValidationReport]:
        """Validate, record durably, then add the contribution's named graph to the store.

        NotConforming (422, with the report) and nothing stored when it has
        violations; NotPublished when recorded but the store failed.
        """
        report = self.validate(submission.graph)
        if not report.conforms:
            raise NotConforming(report)
        contribution = self.records.create(
            submission.graph,
            submission.media_type,
            submission.sha256,
            contributor,
            {"counts": report.counts(), "results": [r.as_dict() for r in report.results]},
        )
        self._follow(f"contribution {contribution.id} was stored", "it becomes queryable")
        return contribution, report

    def decide(self, contribution_id: str, accept: bool, by: str, reason: str | None = None) -> Contribution:
        """Record the decision (compare-and-set: InvalidTransition if already decided), then bring the
        store up to it when there is one (an accepted contribution joins the default graph)."""
        contribution = self.records.decide(contribution_id, ACCEPTED if accept else REJECTED, by, reason)
        self._follow(f"contribution {contribution_id} is {contribution.status}", "it is published")
        return contribution

    def _follow(self, done: str, later: str) -> None:
        """Apply the journal, our own event included, before answering: who wrote it reads it at once."""
        if self.follower is not None:
            with _recorded_all_the_same(done, f"{later} as soon as the store answers again"):
                self.follower.follow()

    # ------------------------------------------------------------------ export

    def export(self, folder: Path) -> list[Path]:
        """Each accepted contribution as a Turtle file whose header says where it came from."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for contribution in self.records.all(ACCEPTED):
            graph = bind_prefixes(self.records.content(contribution.id))
            decided = contribution.history[-1] if contribution.history else {}
            header = (
                f"# Contribution {contribution.id} ({contribution.resource})\n"
                f"# by {contribution.contributor['name']}"
                + (f" <{contribution.contributor['orcid']}>" if contribution.contributor.get("orcid") else "")
                + f", submitted {contribution.submitted} as {contribution.media_type} (sha256 {contribution.sha256}),\n"
                f"# accepted by {decided.get('by', '?')} on {decided.get('at', '?')}.\n\n"
            )
            path = folder / f"{contribution.id}.ttl"
            path.write_text(header + graph.serialize(format="turtle"), encoding="utf-8")
            written.append(path)
        return written


@contextmanager
def _store_needed():
    """The store could not be asked what a check needs: nothing is stored, and the client may retry."""
    try:
        yield
    except QueryFailed as exc:
        raise NotPublished(f"{exc}: the submission could not be validated against the published data, "
                           "and nothing was stored; send it again later", exc.status) from None


@contextmanager
def _recorded_all_the_same(done: str, later: str):
    """A store that failed (a remote one, unreachable) after the record was written: NotPublished, saying so."""
    try:
        yield
    except QueryFailed as exc:
        raise NotPublished(f"{done}, but the SPARQL store could not take it ({exc}); {later}", exc.status) from None


def accepted_ntriples(records: ContributionStore, contribution: Contribution) -> bytes:
    """What accepting a contribution adds to the default graph, as N-Triples: its statements and its provenance."""
    graph = records.content(contribution.id)
    graph += provenance_graph(contribution)
    return graph.serialize(format="nt", encoding="utf-8")


def provenance_graph(contribution: Contribution) -> Graph:
    """What the dataset says about an accepted contribution, in the default graph."""
    graph = Graph()
    node = URIRef(contribution.resource)
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, Literal(f"Contribution {contribution.id}", lang="en")))
    contributor = contribution.contributor
    agent = URIRef(contributor["orcid"]) if contributor.get("orcid") else URIRef(contribution.resource + "#contributor")
    graph.add((node, PROV.wasAttributedTo, agent))
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, FOAF.name, Literal(contributor["name"])))
    graph.add((node, PROV.generatedAtTime, Literal(datetime.fromisoformat(contribution.submitted), datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.format, Literal(contribution.media_type)))
    graph.add((node, SCHEMA.sha256, Literal(contribution.sha256)))
    graph.add((node, SCHEMA.creativeWorkStatus, Literal(contribution.status)))
    graph.add((node, DCTERMS.isPartOf, DATASET))
    for step in contribution.history:
        graph.add((node, DCTERMS.dateAccepted if step["status"] == ACCEPTED else DCTERMS.modified,
                   Literal(step["at"][:10], datatype=XSD.date)))
    return graph
