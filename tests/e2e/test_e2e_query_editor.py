"""The query editor (YASGUI's YASQE and YASR on /query) in a real browser.

Ctrl+Enter runs the query and shows a table; the URL then names the query and the example picker
keeps its choice; a syntax error gets a marker; a column sorts; IRIs in the results are links to this
server; the classes of the dataset are completed; and no request leaves the server the page came
from. The page without JavaScript is tests/e2e/test_e2e_browser.py's query test. Run in one store
mode: the editor is static files and the queries it sends are /sparql's, tested in every mode.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from chromium_driver import running_chromium, wait_until  # noqa: E402
from server.web.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS  # noqa: E402

pytestmark = pytest.mark.parametrize("live_server", ["embedded"], indirect=True)
CANONICAL = "https://w3id.org/mxus/"

MEMBERS = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?name ?person WHERE {
  ?m org:member ?person ; org:organization <https://w3id.org/mxus/id/organisation/high-level-group-on-migration> .
  ?person foaf:name ?name .
} ORDER BY DESC(?name)"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-editor") as driver:
        yield driver


def open_editor(driver, url: str) -> None:
    driver.get(url)
    wait_until(driver, 15, lambda d: d.execute_script("return !!document.querySelector('.yasqe .CodeMirror')"))
    driver.get_log("browser")  # drain: each test checks what it caused


def type_query(driver, text: str) -> None:
    """Replace the editor's text, then leave the cursor at its end, focused."""
    driver.execute_script(
        "const cm = document.querySelector('.yasqe .CodeMirror').CodeMirror;"
        "cm.setValue(arguments[0]); cm.focus(); cm.setCursor(cm.lineCount(), 0);",
        text,
    )


def press_ctrl_enter(driver) -> None:
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()


def result_rows(driver) -> list[list[str]]:
    """The YASR table's rows, cell texts without its row-number column."""
    wait_until(driver, 20, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr td:nth-child(2)"))
    return driver.execute_script(
        "return [...document.querySelectorAll('.yasr table.dataTable tbody tr')]"
        ".map(tr => [...tr.querySelectorAll('td')].slice(1).map(td => td.innerText.trim()));"
    )


def severe(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_ctrl_enter_runs_the_query_and_the_url_names_it(browser, base_url):
    open_editor(browser, base_url + "query")
    type_query(browser, MEMBERS)
    press_ctrl_enter(browser)
    names = [row[0] for row in result_rows(browser)]
    assert {"Colin Powell", "John Ashcroft", "Santiago Creel"} <= set(names)
    shared = browser.current_url
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)["query"] == [MEMBERS]
    open_editor(browser, shared)  # the shared URL shows that query, and its answer
    shown = browser.execute_script("return document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert shown.replace(base_url, CANONICAL) == MEMBERS  # pages show URIs at the served base
    assert names == [row[0] for row in result_rows(browser)]
    assert severe(browser) == []


def test_the_example_picker_fills_the_editor_and_keeps_its_choice(browser, base_url):
    open_editor(browser, base_url + "query")
    slug, title = list(EXAMPLE_SLUGS.items())[2]
    picker = Select(browser.find_element(By.ID, "example"))
    picker.select_by_value(slug)
    editor_text = browser.execute_script("return document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert editor_text.replace(base_url, CANONICAL) == EXAMPLE_QUERIES[title]
    press_ctrl_enter(browser)
    assert result_rows(browser)
    assert Select(browser.find_element(By.ID, "example")).first_selected_option.get_attribute("value") == slug


def test_a_syntax_error_gets_a_marker(browser, base_url):
    open_editor(browser, base_url + "query")
    type_query(browser, "SELECT ?s WHERE { ?s ?p ?o }")
    assert not browser.find_elements(By.CSS_SELECTOR, ".yasqe .parseErrorIcon")
    type_query(browser, "SELEC ?s WHERE { ?s ?p ?o }")
    wait_until(browser, 5, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror-gutters ~ * .parseErrorIcon, .yasqe .parseErrorIcon"))
    marker = browser.find_element(By.CSS_SELECTOR, ".yasqe .parseErrorIcon")
    assert marker.is_displayed()


def test_a_column_sorts_and_iris_are_links_to_this_server(browser, base_url):
    open_editor(browser, base_url + "query?" + urllib.parse.urlencode({"query": MEMBERS}))
    names = [row[0] for row in result_rows(browser)]
    assert names == sorted(names, reverse=True)  # as the query orders them
    browser.find_element(By.CSS_SELECTOR, ".yasr table.dataTable thead th:nth-child(2)").click()
    # DataTables sorts after the click's event has returned (a timeout, to show "processing" first).
    wait_until(browser, 5, lambda d: [row[0] for row in result_rows(d)] == sorted(names))
    links = browser.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody td:nth-child(3) a")
    assert len(links) == len(names)
    for link in links:
        assert link.get_attribute("href").startswith(base_url + "id/person/")
    browser.get(links[0].get_attribute("href"))  # YASR opens links in a new tab: follow it here
    wait_until(browser, 15, lambda d: "/page/person/" in d.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text.strip()


def test_the_classes_of_the_dataset_are_completed(browser, base_url):
    open_editor(browser, base_url + "query")
    settings = json.loads(browser.find_element(By.ID, "query-editor-settings").get_attribute("textContent"))
    type_query(browser, f"PREFIX mxus: <{settings['prefixes']['mxus']}>\nSELECT * WHERE {{ ?s a mxus:The")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.SPACE).key_up(Keys.CONTROL).perform()
    wait_until(browser, 5, lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li"))
    hints = [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
    assert "mxus:Thesis" in hints


def test_nothing_is_asked_of_another_server(browser, base_url):
    """Everything the page loads and every query it sends, by the browser's own record."""
    open_editor(browser, base_url + "query?" + urllib.parse.urlencode({"query": MEMBERS}))
    assert result_rows(browser)
    type_query(browser, "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * WHERE { ?s a foaf:Pers")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.SPACE).key_up(Keys.CONTROL).perform()
    press_ctrl_enter(browser)
    addresses = browser.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name)"
    )
    assert any(address.startswith(base_url + "sparql") for address in addresses)
    assert [a for a in addresses if not a.startswith(base_url) and not a.startswith("data:")] == []


def test_the_editors_own_words_are_in_the_pages_language(browser, base_url):
    """YASR has no translations: the page puts its words (tabs, controls, the result count) in Spanish."""
    open_editor(browser, base_url + "query?lang=es&" + urllib.parse.urlencode({"query": MEMBERS}))
    result_rows(browser)
    header = browser.find_element(By.CSS_SELECTOR, ".yasr .yasr_header").text
    assert "Tabla" in header and "Respuesta" in header and "resultados en" in header, header
    assert "Table" not in header.split() and "results in" not in header
    controls = browser.find_element(By.CSS_SELECTOR, ".yasr_plugin_control").text
    assert "Vista simple" in controls and "Filas por página" in controls, controls
    search = browser.find_element(By.CSS_SELECTOR, ".yasr_plugin_control input[type=text], .yasr_plugin_control input:not([type])")
    assert search.get_attribute("placeholder") == "Filtrar los resultados"
    open_editor(browser, base_url + "query?" + urllib.parse.urlencode({"query": MEMBERS}))
    result_rows(browser)
    assert "Table" in browser.find_element(By.CSS_SELECTOR, ".yasr .yasr_header").text
