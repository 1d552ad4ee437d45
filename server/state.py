"""What one application holds, typed: built once by ``create_app``, read by every blueprint.

Instead of string lookups in ``app.extensions``, a blueprint calls
``state()`` and gets attributes a reader (and a type checker) can follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from server.publication.dataset import PublishedGraphs
from server.publication.service import Publication
from server.publication.tokens import TokenRegistry
from server.rdf.uris import Rewriter
from server.settings import Settings
from server.store import Store


EXTENSION = "mxus"


@dataclass
class AppState:
    settings: Settings
    published: PublishedGraphs
    store: Store
    publication: Publication
    tokens: TokenRegistry
    rewriter: Rewriter
    limits: Any  # server.web.limits.ClientLimits, per client on the queries anyone may send (typed
    # loosely: this module sits below the web layer and must not import it, even for type checking)
    caches: dict = field(default_factory=dict)  # per concern, each keyed by the store's version


def state() -> AppState:
    return current_app.extensions[EXTENSION]
