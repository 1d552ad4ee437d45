"""The application factory: checked settings, the published graphs, the store (replaying the
contributions' records into it), the publication service, and one blueprint per HTTP concern.
"""

from __future__ import annotations

import atexit
import logging
from contextlib import nullcontext
from pathlib import Path

from flask import Flask

from server.publication.contributions import ContributionStore
from server.publication.dataset import load_published
from server.publication.follower import Follower
from server.publication.service import Publication
from server.publication.tokens import TokenRegistry
from server.rdf.uris import Rewriter
from server.settings import check_settings
from server.state import EXTENSION, AppState
from server.store import open_store
from server.web.limits import ClientLimits
from server.web.replay import ResponseReplay


def create_app(config: dict | None = None) -> Flask:
    settings = check_settings(config or {})
    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    logging.getLogger("mxus.access").setLevel(logging.INFO)

    published = load_published(settings)
    instance = Path(settings["INSTANCE_DIR"])
    records = ContributionStore(instance / "contributions")
    # A shared (remote) store is made that of the journal under the folder's lock, which the other fronts
    # take to write there: their writes come before this, or after, and are then followed.
    with records.locked() if settings["STORE_URL"] else nullcontext():
        follower = Follower(records)
        store = open_store(settings, published.graph_files(), published.digest, follower.contents())
    atexit.register(store.close)
    follower.attach(store)
    follower.start()
    atexit.register(follower.stop)
    app.extensions[EXTENSION] = AppState(
        settings=settings,
        published=published,
        store=store,
        publication=Publication(published, store, records, settings["MAX_LITERAL_CHARS"],
                                settings["MAX_TRIPLES_PER_SUBJECT"], follower),
        tokens=TokenRegistry(instance / "tokens.json"),
        rewriter=Rewriter(settings["BASE_URI"]),
        limits=ClientLimits(settings),
    )

    from server.web import (
        citations,
        contributions,
        encoding,
        errors,
        nanopubs,
        i18n,
        ontology_docs,
        pages,
        reconcile,
        resources,
        search_service,
        security,
        sparql,
        responses,
        validation_service,
        views,
        void,
    )

    errors.install(app)
    security.install(app)
    i18n.install(app)
    encoding.install(app)
    views.install(app)
    for blueprint in (sparql, resources, pages, ontology_docs, void, validation_service, contributions, reconcile, nanopubs,
                      citations, search_service):
        app.register_blueprint(blueprint.bp)
    # What every ETag is made of (server.web.responses.etag_for): the dataset's version and the code's.
    app.wsgi_app = ResponseReplay(app.wsgi_app, lambda: f"{store.version} {responses.code_version()}",
                                  settings["RESPONSE_REPLAY_BYTES"], settings["RESPONSE_REPLAY_ENTRY_BYTES"])
    return app
