"""Every page type checked by axe-core in a real browser, in English and Spanish, on a desktop
(1366 px) and a phone (390 px): no violation, and on the phone no page wider than the screen.

axe-core is vendored (tests/e2e/vendor/axe.min.js, version and licence in
tests/e2e/vendor/README.md, `make yasgui` updates it): the browser is given it
once, to run in every document it opens (DevTools'
``Page.addScriptToEvaluateOnNewDocument``; sending its half megabyte again for
each page took a quarter of the time), so neither CI nor the pages need npm or a
script of their own.
One browser per language and width visits every page of ``PAGES``, a test
per page (all its violations at once), so a broken page is named by its test
and the 92 tests are scheduled among the first rather than as four long ones
at the end of the run. Every rule runs in all four, but for
color-contrast, half of axe's time, which runs in two (``CONTRAST_CHECKED``):
one per language and one per width. The colours are the stylesheet's, the same in
all four; what could differ is which background a text lands on, and the widest
text on the narrowest screen (Spanish, the phone) is the likeliest to move. Run in one store mode only: what a
page looks like does not depend on where the store is (the pages are tested in
every mode elsewhere). Its server holds one contribution, for the contribution's page.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("selenium.webdriver")

from chromium_driver import running_chromium, wait_until  # noqa: E402
from conftest import http_request, start_server, stop_server  # noqa: E402

from server.publication.tokens import TokenRegistry  # noqa: E402

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# One row per page type: add a row for a new kind of page. (name, path from the site's base)
PAGES = (
    ("home", ""),
    ("claims", "claims"),
    ("timeline", "timeline"),
    ("timeline of one person", "timeline?actor=george-w-bush"),
    ("argument map", "argument"),
    ("search", "search?q=castaneda"),
    ("source", "source"),
    ("query", "query"),
    ("query with results", "query?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 30"})),
    ("validate", "validate"),
    ("contributions", "contributions"),
    ("a contribution", "contributions/{contribution}"),
    ("person", "page/person/colin-powell"),
    ("organisation", "page/organisation/bilateral-working-group-on-migration"),
    ("place", "page/place/guanajuato"),
    ("event", "page/event/san-cristobal-meeting-2001"),
    ("document", "page/document/washington-joint-declaration-2001"),
    ("claim", "page/claim/thesis-beyond-security"),
    ("quotation", "page/quotation/authentic-partnership"),
    ("ontology", "ontology"),
    ("shapes", "shapes"),
    ("dumps", "dumps/"),
    ("not found", "page/person/no-such-person"),
)
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
LANGUAGES = {"en": "en-GB,en", "es": "es-MX,es"}
CONTRAST_CHECKED = {("en", "desktop"), ("es", "phone")}  # (language, width) where color-contrast runs too


@pytest.fixture(scope="module")
def site(server_logs, tmp_path_factory) -> tuple[str, str]:
    """A server of its own (embedded store) holding one pending contribution: (base URL, its id)."""
    instance = tmp_path_factory.mktemp("axe-instance")
    token = TokenRegistry(instance / "tokens.json").add("Ana Contributor", "0000-0002-1825-0097")
    server = start_server(server_logs, "--instance", str(instance))
    try:
        body = ("<https://w3id.org/mxus/id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
                "<https://example.org/powell> .\n").encode()
        sent = http_request(server.base + "contributions", "POST", {
            "Authorization": f"Bearer {token}", "Content-Type": "application/n-triples", "Accept": "application/json"},
            body, timeout=300)
        assert sent.status == 201, sent.text
        yield server.base, json.loads(sent.body)["id"]
    finally:
        stop_server(server)


@pytest.fixture(scope="module", params=[(lang, width) for lang in LANGUAGES for width in WIDTHS], ids="-".join)
def browser(request, tmp_path_factory):
    language, width = request.param
    columns, rows = WIDTHS[width]
    with running_chromium(tmp_path_factory, f"chromium-axe-{language}-{width}", width=columns, height=rows,
                          accept_language=LANGUAGES[language]) as driver:
        driver.axe_language, driver.axe_width = language, columns
        driver.axe_contrast = (language, width) in CONTRAST_CHECKED
        script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE})["identifier"]
        try:
            yield driver
        finally:  # the browser is lent to other tests next: their pages get no axe (or it is not lent)
            try:
                driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script})
            except Exception:
                driver.quit()
                raise


def page_url(base_url: str, path: str, language: str) -> str:
    if language == "en":
        return base_url + path
    return base_url + path + ("&" if "?" in path else "?") + "lang=" + language


def settled(driver) -> bool:
    """Loaded, and the query editor drawn (with its results when the URL names a query)."""
    return driver.execute_script(
        "if (document.readyState !== 'complete') return false;"
        "if (!document.getElementById('query-editor-settings')) return true;"
        "if (!document.querySelector('.yasqe .CodeMirror')) return false;"
        "return !new URLSearchParams(location.search).has('query') || !!document.querySelector('.yasr table.dataTable td');"
    )


def axe_violations(driver) -> list[dict]:
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations'], rules: {'color-contrast': {enabled: arguments[0]}}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))),"
        " e => done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]));",
        driver.axe_contrast,
    )


def readable(name: str, violation: dict) -> str:
    lines = [f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:5]:
        lines.append(f"    {node['target']}: {' '.join((node['summary'] or '').split())}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name, path", PAGES, ids=[name for name, _ in PAGES])
def test_page_passes_axe_and_fits_the_screen(browser, site, name, path):
    base_url, contribution = site
    browser.set_script_timeout(60)
    browser.get(page_url(base_url, path.format(contribution=contribution), browser.axe_language))
    wait_until(browser, 20, settled)
    failures = [readable(name, v) for v in axe_violations(browser)]
    page_width, screen = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    if page_width > screen:
        failures.append(f"{name}: {page_width} px wide on a {screen}-px screen")
    assert not failures, f"{len(failures)} problems ({browser.axe_language}, {browser.axe_width} px):\n" + "\n".join(failures)
