"""The query page's editor (YASGUI) as the server delivers it: the vendored files, what the page
tells the editor, and the Content-Security-Policy that lets exactly that run.

The editor itself, in a browser, is tests/e2e/test_e2e_query_editor.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server.rdf.namespaces import PREFIXES
from server.web.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS
from server.web.security import EDITOR_STYLE_HASHES

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "server/static/yasgui/yasgui.min.js"
BASE = "http://localhost/"
CANONICAL = "https://w3id.org/mxus/"


class _Page(HTMLParser):
    """The page's script and stylesheet addresses and its JSON data blocks by id."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.data, self._block = [], [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self._block = attrs["id"]
            self.data[self._block] = ""
        elif tag == "script":
            self.scripts.append(attrs.get("src"))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._block = None

    def handle_data(self, data):
        if self._block:
            self.data[self._block] += data


@pytest.fixture(scope="module")
def client(shared_app):
    assert shared_app.config["BASE_URI"] == BASE
    return shared_app.test_client()


def query_page(client, path: str = "/query") -> _Page:
    reply = client.get(path, headers={"Accept": "text/html"})
    assert reply.status_code == 200
    page = _Page()
    page.feed(reply.get_data(as_text=True))
    return page


def sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_policy_allows_exactly_the_styles_the_bundle_injects():
    """YASR's column resizer writes two <style> texts: the policy's hashes are theirs (after `make
    yasgui` with another version, this fails until EDITOR_STYLE_HASHES is updated)."""
    bundle = BUNDLE.read_text(encoding="utf-8")
    layout = re.findall(r"createStyle\(\w,`([^`]*)`\)", bundle)
    drag_cursor = re.search(r"dragCursor:`([^`]*)`", bundle).group(1)
    assert "`*{cursor:`+n.opt.dragCursor+`!important}`" in bundle
    assert len(layout) == 1 and "table-layout:fixed" in layout[0]
    assert set(EDITOR_STYLE_HASHES) == {sha256(layout[0]), sha256("*{cursor:" + drag_cursor + "!important}")}


def test_the_page_loads_the_editor_from_this_server_only(client):
    page = query_page(client)
    assert page.scripts == ["/static/yasgui/yasgui.min.js", "/static/query.js"]
    assert "/static/yasgui/yasgui.min.css" in page.styles
    for address in page.scripts + page.styles:
        with client.get(address) as reply:
            assert reply.status_code == 200, address


def test_the_bundle_names_no_source_map_the_server_does_not_have():
    assert "sourceMappingURL" not in BUNDLE.read_text(encoding="utf-8")[-500:]
    assert "sourceMappingURL" not in (BUNDLE.parent / "yasgui.min.css").read_text(encoding="utf-8")[-500:]


def test_the_editor_completes_from_the_dataset_not_from_the_internet(client):
    settings = json.loads(query_page(client).data["query-editor-settings"])
    assert settings["endpoint"] == "/sparql"
    # The page shows URIs at the served base, as /sparql answers them.
    assert settings["prefixes"] == {p: ns.replace(CANONICAL, BASE) for p, ns in PREFIXES.items()}
    mxus = PREFIXES["mxus"].replace(CANONICAL, BASE)
    assert {mxus + "Thesis", "http://semanticweb.cs.vu.nl/2009/11/sem/Event"} <= set(settings["classes"])
    assert {mxus + "statedIn", "http://www.w3.org/2000/01/rdf-schema#label"} <= set(settings["properties"])
    assert settings["examples"] == {slug: EXAMPLE_QUERIES[title].replace(CANONICAL, BASE) for slug, title in EXAMPLE_SLUGS.items()}
    script = (ROOT / "server/static/query.js").read_text(encoding="utf-8")
    assert "persistenceId: null" in script and "consumeShareLink: null" in script  # the URL's query wins
    for completer in ("prefixes", "class", "property"):  # YASGUI's own call LOV and prefix.cc
        assert f'"{completer}"' not in re.search(r"Yasqe.defaults.autocompleters = \[(.*?)\]", script).group(1)


def test_without_javascript_the_form_still_runs_queries(client):
    """The plain form stays in the page (the editor hides it and takes its place)."""
    text = "SELECT ?s WHERE { ?s a <https://w3id.org/mxus/ontology#Thesis> }"
    reply = client.get("/query", query_string={"query": text}, headers={"Accept": "text/html"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and 'class="query-form"' in html
    assert re.search(r'<table class="results-table">.*<td>', html, re.S)
