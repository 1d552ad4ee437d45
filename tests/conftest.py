"""Shared fixtures: the published graphs, loaded once per session (read-only)."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from rdflib import Graph

from server.publication.dataset import PublishedGraphs, load_published
from server.publication.service import Publication
from server.rdf.namespaces import bind_prefixes
from server.store import open_store
from server.settings import PROJECT_ROOT, check_settings

SEED = PROJECT_ROOT / "seeds" / "000_823eb89eef74c7a1.txt"


@pytest.fixture(scope="session")
def settings() -> dict:
    return check_settings({})


@pytest.fixture(scope="session")
def published(settings) -> PublishedGraphs:
    return load_published(settings)


@pytest.fixture(scope="session")
def local_store(settings, published):
    """The published data in an in-process store: what ``mxus validate`` reads."""
    store = open_store(settings, published.graph_files(), published.digest, in_process=True)
    yield store
    store.close()


@pytest.fixture(scope="session")
def validate(published, local_store):
    """Validate a submission (or, with None, the published data) as ``mxus validate`` does."""
    return Publication(published, local_store, records=None).validate


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


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    """Serves a JSON-LD context and a DTD, and counts every request made."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests.append(self.path)
        if self.path.endswith(".dtd"):
            body, media_type = b'<!ENTITY leak "LEAKED-FROM-DTD">', "application/xml-dtd"
        else:
            body, media_type = json.dumps({"@context": {"ex": "http://example.org/"}}).encode(), "application/ld+json"
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET  # a SPARQL client may POST: every method counts

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def listener():
    """A local HTTP server on a free port, to prove the server fetches nothing from it."""

    class Handler(_CountingHandler):
        requests: list[str] = []

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(base=f"http://127.0.0.1:{server.server_address[1]}", requests=Handler.requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
