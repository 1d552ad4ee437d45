"""The publication service: validate, submit, decide, replay, export.

One implementation of the contribution lifecycle, used by the HTTP
blueprints, the command line and the app factory alike, so they cannot
disagree: a decision is one compare-and-set on the contribution's record
(``ContributionStore.decide``), whoever makes it.

The records on disk (``server.publication.contributions``) are the truth;
the store holds what they imply (each contribution's named graph, the
accepted graph) and is rebuilt from them at start (``replay``).
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
from server.store import Contents, QueryFailed, Store
from server.store.graphs import CONTEXT_GRAPHS

_VALIDATION_GATE = ValidationGate()  # one validation at a time in the process, contributors first


class Publication:
    """The dataset as published: the curated files, the store, and the contributions' records."""

    def __init__(self, published: PublishedGraphs, store: Store | None, records: ContributionStore | None,
                 max_literal_chars: int = 10_000, max_triples_per_subject: int = 1_000):
        """``store`` None: decisions are recorded only (the command line; a server publishes them at start)."""
        self.published = published
        self.store = store
        self.records = records
        self.limits = (max_literal_chars, max_triples_per_subject)

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
        with _recorded_all_the_same(f"contribution {contribution.id} was stored", "it becomes queryable when the server restarts"):
            self.store.add_graph(contribution.graph, self.records.content_bytes(contribution.id))
        return contribution, report

    def decide(self, contribution_id: str, accept: bool, by: str, reason: str | None = None) -> Contribution:
        """Record the decision (compare-and-set: InvalidTransition if already decided), then publish
        an accepted contribution into the store when there is one."""
        contribution = self.records.decide(contribution_id, ACCEPTED if accept else REJECTED, by, reason)
        if accept and self.store is not None:
            with _recorded_all_the_same(f"contribution {contribution_id} is accepted", "it is published when the server restarts"):
                self.store.publish(self.accepted_statements(contribution).serialize(format="nt", encoding="utf-8"),
                                   contribution.id)
        return contribution

    def accepted_statements(self, contribution: Contribution) -> Graph:
        """What accepting a contribution adds to the default graph: its statements and its provenance."""
        graph = self.records.content(contribution.id)
        graph += provenance_graph(contribution)
        return graph

    # ------------------------------------------------------------------ start and export

    @staticmethod
    def replay(records: ContributionStore) -> Contents:
        """What the store must hold for the records: a named graph per contribution, the accepted graph."""
        named, accepted = [], Graph()
        everything = records.all()
        for contribution in everything:
            named.append((contribution.graph, records.content_bytes(contribution.id)))
            if contribution.status == ACCEPTED:
                accepted += records.content(contribution.id)
                accepted += provenance_graph(contribution)
        state = " ".join(f"{c.id}:{c.status}" for c in everything)
        return Contents(named, accepted.serialize(format="nt", encoding="utf-8"), state)

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
