"""Shared fixtures: the published graphs, loaded once per session (read-only); apps over
temporary instance folders; and a guard that the suite leaves the repository's instance/ alone.

A developer's instance/ holds their tokens and contributions (the README's walkthrough
leaves an accepted one there); a test that read it would count them, and one that
wrote it would publish its test data on their next ``make run``.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from rdflib import Graph

from server import create_app
from server.publication.dataset import PublishedGraphs, load_published
from server.publication.service import Publication
from server.publication.validation import ValidationReport, ValidationResult
from server.rdf.namespaces import PREFIXES, bind_prefixes
from server.store import open_store
from server.settings import DEFAULTS, PROJECT_ROOT, check_settings

SEED = PROJECT_ROOT / "seeds" / "000_823eb89eef74c7a1.txt"
SHAPE_CASES_DIR = Path(__file__).parent / "cases" / "shapes"
# Every shape case, invalid ones first, each sorted by name: one file per case.
SHAPE_CASES = [path for kind in ("invalid", "valid") for path in sorted((SHAPE_CASES_DIR / kind).iterdir()) if path.is_file()]
MXUS = Path(sys.executable).parent / "mxus"
REPOSITORY_INSTANCE = Path(DEFAULTS["INSTANCE_DIR"])  # what `make run` and the CLI use by default


def folder_state(folder: Path) -> dict[str, str] | None:
    """Every entry under ``folder`` with the SHA-256 of its content ("dir" for a folder); None if absent."""
    if not folder.exists():
        return None
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="session", autouse=True)
def repository_instance_untouched():
    """Fails the run if any test created or changed the repository's instance/ folder."""
    before = folder_state(REPOSITORY_INSTANCE)
    yield
    after = folder_state(REPOSITORY_INSTANCE)
    if after != before:
        changed = sorted(set((before or {}).items()) ^ set((after or {}).items()))
        pytest.fail(
            f"the test suite changed {REPOSITORY_INSTANCE} (created: {before is None}); every app and server "
            f"a test starts needs a temporary instance folder (the app_factory fixture, --instance DIR): {changed[:10]}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def instance_guard() -> SimpleNamespace:
    """What the guard above watches (``folder``) and how it reads it (``state``), for its own tests."""
    return SimpleNamespace(folder=REPOSITORY_INSTANCE, state=folder_state)


@pytest.fixture(scope="session")
def app_factory(tmp_path_factory):
    """``app_factory(config)``: ``create_app`` over a new temporary instance folder unless ``config`` names one."""

    def make(config: dict | None = None):
        return create_app({"INSTANCE_DIR": tmp_path_factory.mktemp("instance"), **(config or {})})

    return make


@pytest.fixture(scope="session")
def shared_app(app_factory):
    """One app for the tests that only read (no token, no contribution, no setting changed): started once."""
    app = app_factory({"BASE_URI": "http://localhost/"})
    yield app
    app.extensions["mxus"].store.close()


@pytest.fixture(scope="session")
def sparql(shared_app):
    """SELECT through the shared app's store, every prefix of the project declared: rows of {variable: value}."""
    store = shared_app.extensions["mxus"].store
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

    def run(text: str) -> list[dict[str, str]]:
        body = json.loads(store.query(prologue + text, "application/sparql-results+json"))
        return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]

    return run


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> dict:
    return check_settings({"INSTANCE_DIR": tmp_path_factory.mktemp("instance")})


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


# ---------------------------------------------------------------- validated once per path
# `mxus validate` reads a case as the in-process `validate` fixture does (an in-process store
# of the published data, the same Publication.validate), so its one run over every case file
# serves the shape-case tests and the command/service parity test alike, and its one run over
# the published dataset the command's test and the published data's. Each starts in the
# background as soon as the session has a test that needs it, and is read when one does.


class CommandValidation:
    """One ``mxus validate ARGS`` process, started once, read by every test that needs it."""

    def __init__(self, folder: Path, files: list[Path], *options: str):
        self.files, self.options = files, options
        self.stdout, self.stderr = folder / "stdout", folder / "stderr"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if self.process is None:
            with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
                self.process = subprocess.Popen(
                    [str(MXUS), "validate", *self.options, *map(str, self.files)],
                    cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                )

    def finished(self) -> SimpleNamespace:
        self.start()
        self.process.wait(timeout=900)
        return SimpleNamespace(files=self.files, returncode=self.process.returncode,
                               stdout=self.stdout.read_text(encoding="utf-8"), stderr=self.stderr.read_text(encoding="utf-8"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def _command_validations(tmp_path_factory):
    """The two runs: every shape case (JSON report), and the published dataset (text report)."""
    runs = {
        "command_validation": CommandValidation(tmp_path_factory.mktemp("mxus-validate"), SHAPE_CASES, "--format", "json"),
        "published_command_validation": CommandValidation(tmp_path_factory.mktemp("mxus-validate"), []),
    }
    yield runs
    for run in runs.values():
        run.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_command_validations_early(request):
    """Starts each ``mxus validate`` run at the session's start if a collected test will read it.

    Not in a pytest-xdist worker: it is given test files one at a time, so it cannot know whether it
    will get one that reads a run; the run starts when one does.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    needed = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    for name, run in request.getfixturevalue("_command_validations").items():
        if name in needed:
            run.start()


@pytest.fixture(scope="session")
def command_validation(_command_validations) -> SimpleNamespace:
    """The finished run over every shape case: files (the paths given), returncode, stdout (the JSON report), stderr."""
    return _command_validations["command_validation"].finished()


@pytest.fixture(scope="session")
def published_command_validation(_command_validations) -> SimpleNamespace:
    """The finished ``mxus validate`` of the published dataset (no file: the text report)."""
    return _command_validations["published_command_validation"].finished()


@pytest.fixture(scope="session")
def shape_reports(command_validation) -> dict[Path, ValidationReport]:
    """Each shape case's report, as ``mxus validate`` gave it."""
    assert "Traceback" not in command_validation.stderr, command_validation.stderr
    files = json.loads(command_validation.stdout)["files"]
    assert [entry["file"] for entry in files] == [str(path) for path in SHAPE_CASES]
    return {path: report_from_json(entry) for path, entry in zip(SHAPE_CASES, files)}


def report_from_json(entry: dict) -> ValidationReport:
    """A report read back from its JSON form (``ValidationReport.as_dict``), without its graph."""
    results = [
        ValidationResult(r["severity"], r["focusNode"], r["resultPath"], r["value"], r["message"], r["sourceShape"],
                         r["sourceConstraintComponent"], r["details"])
        for r in entry["results"]
    ]
    report = ValidationReport(entry["conforms"], results)
    assert report.counts() == entry["counts"]
    return report


@pytest.fixture(scope="session")
def validated_in_process(validate):
    """``validated_in_process(path)``: a shape case's report from the in-process ``validate``, once per case."""
    from server.rdf.media import rdf_format_for_filename
    from server.rdf.parsing import parse_rdf, union_graph

    reports: dict[Path, ValidationReport] = {}

    def get(path: Path) -> ValidationReport:
        if path not in reports:
            reports[path] = validate(union_graph(parse_rdf(path.read_bytes(), rdf_format_for_filename(path.name), str(path))))
        return reports[path]

    return get


@pytest.hookimpl(tryfirst=True)  # pytest-xdist reads the groups in this hook too: before it, or they are not seen
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``--dist loadgroup``): each test file whole in one process, so its module's
    fixtures are set up once. The end-to-end tests are grouped by tests/e2e/conftest.py."""
    for item in items:
        path = Path(str(item.fspath)).resolve().relative_to(PROJECT_ROOT)
        if "e2e" not in path.parts:
            item.add_marker(pytest.mark.xdist_group(path.as_posix()))


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: absent with -p no:xdist
def pytest_xdist_node_collection_finished(node, ids):
    """Stop a run whose groups pytest-xdist lost: it names a grouped test "<id>@<group>", and every test
    here is in a group. Twice they were silently lost, so every test ran alone and the servers a file or
    a mode shares started in both processes: these hooks ran after pytest-xdist's (now ``tryfirst``),
    and pytest 9.2 no longer reads the name pytest-xdist 3.8 rewrites (pyproject.toml pins below it)."""
    if node.config.getvalue("dist") == "loadgroup" and not all("@" in nodeid for nodeid in ids):
        lost = next(nodeid for nodeid in ids if "@" not in nodeid)
        pytest.exit(f"pytest-xdist did not group every test (--dist loadgroup; first: {lost}): check the pytest "
                    "and pytest-xdist versions against pyproject.toml", returncode=pytest.ExitCode.USAGE_ERROR)
