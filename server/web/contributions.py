"""Contributions over HTTP: submit (bearer token), list, read, accept or reject.

A conforming submission is written to disk and fsynced before the 201;
it lives in its own named graph, queryable with GRAPH, and joins the
default graph only when a maintainer accepts it. The curated data under
data/ is never written to.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from server.publication.contributions import (
    ACCEPTED,
    PENDING,
    REJECTED,
    Contribution,
    ContributionNotFound,
    ContributionStore,
    InvalidTransition,
)
from server.publication.dataset import PublishedGraphs
from server.publication.submissions import read_submission, request_body, validate_in_context
from server.publication.tokens import CONTRIBUTE, MAINTAIN, Identity, TokenRegistry
from server.store.engine import QueryFailed
from server.store.graphs import CONTEXT_GRAPHS
from server.web.errors import ApiError
from server.web.negotiation import GRAPH_TYPES, NotAcceptable, content_type, negotiate_media_type, serialize_as

bp = Blueprint("contributions", __name__)
SCHEMA = Namespace("https://schema.org/")


class ValidationContext:
    """What a submission is validated against: the published graphs and the store.

    The data around a submission is read from the store (published data and
    accepted contributions), so nothing here grows with the dataset. The
    accepted contributions' statements are also kept here, for the dumps.
    """

    def __init__(self, published: PublishedGraphs, store=None):
        self.published = published
        self.store = store
        self._lock = threading.Lock()
        self._accepted = Graph()

    def around(self, query: str) -> Graph:
        """Run a CONSTRUCT over the published data and accepted contributions."""
        return self.store.construct(query, CONTEXT_GRAPHS)

    def accepted(self) -> Graph:
        """The accepted contributions' statements and provenance (a snapshot)."""
        with self._lock:
            snapshot = Graph()
            snapshot += self._accepted
            return snapshot

    def add(self, graph: Graph) -> None:
        with self._lock:
            self._accepted += graph


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
    graph.add((node, DCTERMS.isPartOf, URIRef("https://w3id.org/mxus/id/dataset/mxus-ld")))
    for step in contribution.history:
        graph.add((node, DCTERMS.dateAccepted if step["status"] == ACCEPTED else DCTERMS.modified, Literal(step["at"][:10], datatype=XSD.date)))
    return graph


def _registry() -> TokenRegistry:
    return current_app.extensions["mxus.tokens"]


def _contributions() -> ContributionStore:
    return current_app.extensions["mxus.contributions"]


def require(right: str) -> Identity:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    identity = _registry().authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if identity is None:
        raise ApiError(
            401,
            "a valid bearer token is required (Authorization: Bearer TOKEN); ask a maintainer for one",
            headers={"WWW-Authenticate": 'Bearer realm="mxus-ld"'},
        )
    if not identity.can(right):
        raise ApiError(403, f"this token does not carry the right to {right}")
    return identity


@bp.route("/contributions", methods=["POST"])
def submit():
    identity = require(CONTRIBUTE)
    config = current_app.config
    body = request_body(request, config["MAX_BODY_BYTES"])
    incoming = current_app.extensions["mxus.rewriter"].incoming
    submission = read_submission(body, request.mimetype, config["MAX_SUBMISSION_TRIPLES"], incoming=incoming)
    report = validate_in_context(submission.graph, current_app.extensions["mxus.context"])
    if not report.conforms:
        from server.web.validation_service import render_report

        return render_report(report, "application/json", status=422)
    contribution = _contributions().create(
        submission.graph,
        submission.media_type,
        submission.sha256,
        {"name": identity.name, "orcid": identity.orcid},
        {"counts": report.counts(), "results": [r.as_dict() for r in report.results]},
    )
    try:
        current_app.extensions["mxus.store"].add_graph(contribution.graph, _contributions().content_bytes(contribution.id))
    except QueryFailed as exc:  # a remote store that failed: the contribution is on disk all the same
        raise ApiError(
            exc.status,
            f"contribution {contribution.id} was stored, but the SPARQL store could not take it ({exc}); "
            "it becomes queryable when the server restarts",
        ) from None
    response = _json(contribution.summary(), 201)
    response.headers["Location"] = f"/contributions/{contribution.id}"
    return response


@bp.route("/contributions", methods=["GET"])
def listing():
    status = request.args.get("status")
    if status not in (None, PENDING, ACCEPTED, REJECTED):
        raise ApiError(400, "status must be pending, accepted or rejected")
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(100, max(1, int(request.args.get("per_page", 20))))
    except ValueError:
        raise ApiError(400, "page and per_page are whole numbers") from None
    items = _contributions().all(status)
    window = items[(page - 1) * per_page : page * per_page]
    body = {
        "total": len(items),
        "page": page,
        "per_page": per_page,
        "items": [{**c.summary(), "href": f"/contributions/{c.id}"} for c in window],
    }
    response = _json(body)
    if page * per_page < len(items):
        query = f"page={page + 1}&per_page={per_page}" + (f"&status={status}" if status else "")
        response.headers["Link"] = f'</contributions?{query}>; rel="next"'
    return response


@bp.route("/contributions/<contribution_id>", methods=["GET", "HEAD"])
def show(contribution_id: str):
    contribution = _get(contribution_id)
    try:
        media_type = negotiate_media_type(request.accept_mimetypes, ("application/json", "text/html", *GRAPH_TYPES[:4]), request.args.get("format"))
    except (NotAcceptable, ValueError) as exc:
        raise ApiError(406, str(exc)) from None
    rewriter = current_app.extensions["mxus.rewriter"]
    if media_type == "application/json":
        body = json.dumps(contribution.summary(), indent=2, ensure_ascii=False).encode("utf-8")
    elif media_type == "text/html":
        turtle = _contributions().content(contribution_id).serialize(format="turtle")
        body = render_template("contribution.html", contribution=contribution, turtle=turtle).encode("utf-8")
    else:
        body = serialize_as(_contributions().content(contribution_id), media_type)
    response = Response(rewriter.outgoing(body), 200, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/contributions/<contribution_id>/<decision>", methods=["POST"])
def decide(contribution_id: str, decision: str):
    identity = require(MAINTAIN)
    if decision not in ("accept", "reject"):
        raise ApiError(404, f"no action {decision!r}: use /accept or /reject")
    _get(contribution_id)
    reason = request.form.get("reason") if request.mimetype == "application/x-www-form-urlencoded" else None
    contribution = apply_decision(contribution_id, ACCEPTED if decision == "accept" else REJECTED, identity.name, reason)
    return _json(contribution.summary())


def apply_decision(contribution_id: str, status: str, maintainer: str, reason: str | None = None) -> Contribution:
    """Record the decision durably, then publish an accepted contribution."""
    try:
        contribution = _contributions().decide(contribution_id, status, maintainer, reason)
    except InvalidTransition as exc:
        raise ApiError(409, str(exc)) from None
    if status == ACCEPTED:
        try:
            publish(current_app.extensions["mxus.store"], current_app.extensions["mxus.context"], _contributions(), contribution)
        except QueryFailed as exc:  # a remote store that failed: the decision is on disk all the same
            raise ApiError(
                exc.status,
                f"contribution {contribution_id} is accepted, but the SPARQL store could not take it ({exc}); "
                "it is published when the server restarts",
            ) from None
    return contribution


def accepted_statements(contributions: ContributionStore, contribution: Contribution) -> Graph:
    """What accepting a contribution adds to the default graph: its statements and its provenance."""
    graph = contributions.content(contribution.id)
    graph += provenance_graph(contribution)
    return graph


def publish(store, context: ValidationContext, contributions: ContributionStore, contribution: Contribution) -> None:
    statements = accepted_statements(contributions, contribution)
    context.add(statements)
    store.publish(statements.serialize(format="nt", encoding="utf-8"), contribution.id)


def _json(document: dict, status: int = 200) -> Response:
    """A JSON answer, its canonical URIs rewritten to the served base like every other answer."""
    body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    return Response(current_app.extensions["mxus.rewriter"].outgoing(body), status, mimetype="application/json")


def _get(contribution_id: str) -> Contribution:
    try:
        return _contributions().get(contribution_id)
    except ContributionNotFound:
        raise ApiError(404, f"no contribution {contribution_id}") from None
