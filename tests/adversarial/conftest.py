"""A site to attack: a real app over a temporary instance folder, with a contributor's and a maintainer's token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from server import create_app
from server.publication.tokens import TokenRegistry
from tests.production import RunningProduction, running_production


@dataclass
class Site:
    client: FlaskClient
    contributor: str  # bearer tokens
    maintainer: str
    instance: Path


@pytest.fixture(scope="module")
def open_site(tmp_path_factory):
    """``open_site(name, orcid=None, **settings)``: a new site; its store is closed with the module."""
    opened = []

    def open_(name: str, orcid: str | None = None, **settings) -> Site:
        instance = tmp_path_factory.mktemp(name) / "instance"
        registry = TokenRegistry(instance / "tokens.json")
        contributor, maintainer = registry.add("Ana Contributor", orcid), registry.add("Mia Maintainer", maintainer=True)
        app = create_app({"INSTANCE_DIR": instance, "QUERY_WORKERS": 1, **settings})
        opened.append(app)
        return Site(app.test_client(), contributor, maintainer, instance)

    yield open_
    for app in opened:
        app.extensions["mxus"].store.close()


@pytest.fixture(scope="session")
def production(tmp_path_factory) -> Iterator[RunningProduction]:
    """``running_production`` as the README gives it, shared by the tests that only send requests."""
    with running_production(tmp_path_factory.mktemp("production")) as server:
        yield server
