"""mxus-ld: the article's knowledge graph, its validation and its server.

``create_app(config)`` assembles the Flask application: settings, the
published graphs, the store, and one blueprint per HTTP concern.
"""

from __future__ import annotations

import atexit
import logging

from flask import Flask

from .config import check_settings
from .dataset import load_published
from .store import EmbeddedStore
from .uris import Rewriter


def create_app(config: dict | None = None) -> Flask:
    settings = check_settings(config or {})
    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    logging.getLogger("mxus.access").setLevel(logging.INFO)

    published = load_published(settings)
    store = EmbeddedStore(published, settings)
    atexit.register(store.close)
    app.extensions["mxus.published"] = published
    app.extensions["mxus.store"] = store
    app.extensions["mxus.rewriter"] = Rewriter(settings["BASE_URI"])
    app.extensions["mxus.version"] = store.version

    from . import http, ontology_docs, pages, resources, sparql, void

    http.install(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(void.bp)
    return app
