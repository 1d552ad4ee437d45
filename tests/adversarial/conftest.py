"""A site to attack: a real app over a temporary instance folder, with a contributor's and a maintainer's token."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from server import create_app
from server.publication.tokens import TokenRegistry
from tests.production import get, production_command

ROOT = Path(__file__).resolve().parents[2]


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


@dataclass
class RunningProduction:
    base: str
    port: int
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """The README's production command on a loopback port, over a temporary instance folder, trusting
    X-Forwarded-For from loopback (as behind a reverse proxy there)."""
    folder = tmp_path_factory.mktemp("production")
    port = _free_port()
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(
            production_command("127.0.0.1", port, "--instance", str(folder / "instance"), "--trusted-proxy", "127.0.0.1"),
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(2400):  # up to about 2 minutes to start
            assert process.poll() is None, (folder / "server.log").read_text()
            try:
                get(base + "sparql?query=ASK%7B%7D", 2)
                break
            except OSError:
                time.sleep(0.05)
        yield RunningProduction(base, port, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)  # as Ctrl-C; not SIGINT, which a run started in the background ignores
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


