"""Shared fixtures: the published graphs, loaded once per session (read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from server.config import PROJECT_ROOT, check_settings
from server.dataset import PublishedGraphs, load_published
from server.namespaces import bind_prefixes

SEED = PROJECT_ROOT / "seeds" / "000_823eb89eef74c7a1.txt"


@pytest.fixture(scope="session")
def settings() -> dict:
    return check_settings({})


@pytest.fixture(scope="session")
def published(settings) -> PublishedGraphs:
    return load_published(settings)


@pytest.fixture(scope="session")
def data(published) -> Graph:
    """The published data with the ontology, as SPARQL queries see it."""
    graph = bind_prefixes(Graph())
    graph += published.data
    graph += published.ontology
    return graph


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
