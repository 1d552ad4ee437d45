"""The HTML pages in a real browser: Debian's Chromium, headless, driven by Selenium.

Each page must render a visible h1 and log no error to the console; the
query page must run a query and show its result rows (its plain form, with
scripts off: the editor is tests/e2e/test_e2e_query_editor.py). Skipped when Chromium
or its driver is not installed, unless MXUS_REQUIRE_BROWSER is set (.ci/run
installs both and sets it).
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from chromium_driver import running_chromium, wait_until  # noqa: E402

PAGES = {
    "home": "",
    "person": "page/person/colin-powell",
    "event": "page/event/san-cristobal-meeting-2001",
    "claims": "claims",
    "timeline": "timeline",
    "query": "query",
    "reconciliation preview": "reconcile/preview?id=event%2Fwashington-meeting-2001",
}
CHAIRS = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?name WHERE {
  ?m org:member ?person ; org:organization <https://w3id.org/mxus/id/organisation/high-level-group-on-migration> .
  ?person foaf:name ?name .
} ORDER BY ?name"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-profile") as driver:
        yield driver


def severe_console_entries(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def open_page(driver, url: str) -> None:
    severe_console_entries(driver)  # drain what earlier pages logged
    driver.get(url)
    wait_until(driver, 15, lambda d: d.execute_script("return document.readyState") == "complete")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_without_console_errors(browser, base_url, name):
    open_page(browser, base_url + PAGES[name])
    assert "Error" not in browser.title, f"{name}: {browser.title}"
    headings = browser.find_elements(By.TAG_NAME, "h1")
    assert headings, f"{name}: no h1"
    assert headings[0].is_displayed() and headings[0].text.strip(), f"{name}: the h1 is empty or hidden"
    assert len(browser.find_element(By.TAG_NAME, "body").text.strip()) > 50, f"{name}: almost no visible text"
    assert severe_console_entries(browser) == [], name


def test_person_page_shows_the_person(browser, base_url):
    open_page(browser, base_url + PAGES["person"])
    assert "Colin Powell" in browser.find_element(By.TAG_NAME, "h1").text
    links = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    assert "http://www.wikidata.org/entity/Q150851" in links or "https://www.wikidata.org/wiki/Q150851" in links


@pytest.fixture
def without_javascript(browser):
    """The browser with scripts off (as a reader may have it), on again after the test."""
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_query_page_runs_a_query(without_javascript, base_url):
    """The plain form, without the editor (tests/e2e/test_e2e_query_editor.py) that replaces it."""
    browser = without_javascript
    open_page(browser, base_url + PAGES["query"])
    form = browser.find_element(By.CSS_SELECTOR, "form:has(textarea[name=query])")
    textarea = form.find_element(By.CSS_SELECTOR, "textarea[name=query]")
    # Set the text as a user would see it, whatever editor sits on the textarea.
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        textarea,
        CHAIRS,
    )
    form.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])").click()
    try:
        # The old page's elements go stale while the answer loads: keep waiting through that.
        wait_until(
            browser, 20, lambda d: len(d.find_elements(By.CSS_SELECTOR, "table tr td")) > 0
            or "Colin Powell" in d.find_element(By.TAG_NAME, "body").text,
            ignored_exceptions=(StaleElementReferenceException,),
        )
    except TimeoutException:
        pytest.fail("no result rows after submitting the query form; page shows:\n" + browser.page_source[:2000])
    rows = browser.find_elements(By.CSS_SELECTOR, "table tr:has(td)")
    text = "\n".join(row.text for row in rows)
    for name in ("Colin Powell", "John Ashcroft", "Santiago Creel"):
        assert name in text
    assert severe_console_entries(browser) == []


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_preview_card_shows_in_another_sites_frame_and_pages_do_not(browser, base_url, tmp_path):
    """A reconciliation client (OpenRefine, another origin) shows the preview card in an <iframe>;
    the site's other pages still refuse to be framed."""
    preview = base_url + "reconcile/preview?id=person%2Fcolin-powell"
    (tmp_path / "client.html").write_text(
        f'<!doctype html><title>client</title><iframe name="card" src="{preview}" width="400" height="200"></iframe>'
        f'<iframe name="page" src="{base_url}claims" width="400" height="200"></iframe>',
        encoding="utf-8",
    )
    client = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(tmp_path)))
    threading.Thread(target=client.serve_forever, daemon=True).start()
    try:
        open_page(browser, f"http://127.0.0.1:{client.server_port}/client.html")
        browser.switch_to.frame("card")
        wait_until(browser, 15, lambda d: d.find_elements(By.TAG_NAME, "h1"))
        assert "Colin Powell" in browser.find_element(By.TAG_NAME, "h1").text
        browser.switch_to.default_content()
        refusals = [e["message"] for e in severe_console_entries(browser)]
        # Chromium names the framed origin, not the path: one refusal, the page's (the card showed its h1).
        framing = [m for m in refusals if "frame-ancestors" in m or "X-Frame-Options" in m]
        assert len(framing) == 1, refusals
    finally:
        browser.switch_to.default_content()
        client.shutdown()
        client.server_close()
