"""mxus-ld: the article's knowledge graph, its validation and its server.

``create_app(config)`` assembles the Flask application: settings, the
published graphs, the store, and one blueprint per HTTP concern.
"""

from __future__ import annotations

import atexit
import logging
from pathlib import Path

from flask import Flask
from rdflib import Graph

from server.publication.contributions import ACCEPTED, ContributionStore
from server.publication.dataset import PublishedGraphs, load_published
from server.publication.tokens import TokenRegistry
from server.rdf.uris import Rewriter
from server.settings import check_settings
from server.store.embedded import ACCEPTED_GRAPH, EmbeddedStore, StoreBase, as_nquads
from server.web.contributions import ValidationContext, accepted_statements


def create_app(config: dict | None = None) -> Flask:
    settings = check_settings(config or {})
    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    logging.getLogger("mxus.access").setLevel(logging.INFO)

    published = load_published(settings)
    instance = Path(settings["INSTANCE_DIR"])
    contributions = ContributionStore(instance / "contributions")
    store, context = open_store(published, contributions, settings)
    atexit.register(store.close)
    app.extensions["mxus.published"] = published
    app.extensions["mxus.store"] = store
    app.extensions["mxus.contributions"] = contributions
    app.extensions["mxus.context"] = context
    app.extensions["mxus.tokens"] = TokenRegistry(instance / "tokens.json")
    app.extensions["mxus.rewriter"] = Rewriter(settings["BASE_URI"])

    from server.web import contributions as contributions_http
    from server.web import errors, ontology_docs, pages, resources, sparql, validation_service, void

    errors.install(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(void.bp)
    app.register_blueprint(validation_service.bp)
    app.register_blueprint(contributions_http.bp)
    return app


def open_store(published: PublishedGraphs, contributions: ContributionStore, settings: dict) -> tuple[StoreBase, ValidationContext]:
    """The store over the published graphs and every contribution's named graph.

    Accepted contributions' statements and provenance also go, once each, into
    the accepted graph, part of the default graph; the validation context
    holds the same. With ``STORE_URL`` the store is a remote SPARQL server
    that must already hold the published graphs (``mxus load``); its
    contribution graphs and accepted graph are made those of the instance.
    """
    context = ValidationContext(published)
    named: list[tuple[str, bytes]] = []
    accepted = Graph()
    for contribution in contributions.all():
        named.append((contribution.graph, contributions.content_bytes(contribution.id)))
        if contribution.status == ACCEPTED:
            accepted += accepted_statements(contributions, contribution)
    context.add(accepted)
    accepted_ntriples = accepted.serialize(format="nt", encoding="utf-8")
    names = [name for name, _ in named]
    state = " ".join(f"{c.id}:{c.status}" for c in contributions.all())
    if settings["STORE_URL"]:
        from server.store.remote import RemoteStore

        store = RemoteStore(published, settings, names, state)
        store.check_published(published)
        store.synchronize(named, accepted_ntriples)
    else:
        extra = b"".join(as_nquads(ntriples, name) for name, ntriples in named) + as_nquads(accepted_ntriples, ACCEPTED_GRAPH)
        store = EmbeddedStore(published, settings, extra, names, state)
    context.store = store
    return store, context
