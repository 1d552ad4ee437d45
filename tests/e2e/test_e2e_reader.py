"""The reader's pages in a real browser (Debian's Chromium under Selenium): in Spanish and in English,
on a desktop and on a phone.

Spanish by Accept-Language and by ?lang=es; no page wider than a 390-pixel phone; a person page in
words, with prefixed names only in its RDF view; the source reader lights every span and a deep link
scrolls to its passage.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402

from chromium_driver import load, running_chromium, wait_until  # noqa: E402
from server.rdf.namespaces import PREFIXES  # noqa: E402

READER_PAGES = {
    "home": "",
    "person": "page/person/jorge-g-castaneda",
    "event": "page/event/san-cristobal-meeting-2001",
    "claim": "page/claim/thesis-beyond-security",
    "claims": "claims",
    "timeline": "timeline",
    "query": "query",
    "ontology": "ontology",
    "source": "source",
}


@pytest.fixture(scope="module")
def spanish_browser(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-es", accept_language="es-MX,es") as driver:
        yield driver


@pytest.fixture(scope="module")
def browser_en(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-en", accept_language="en-GB,en") as driver:
        yield driver


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-phone", width=390, height=844) as driver:
        yield driver


def own_words(driver) -> str:
    """The visible text of the page but the article's own words (quoted passages, the scan) and the RDF view."""
    return driver.execute_script(
        "const main = document.querySelector('main').cloneNode(true);"
        "main.querySelectorAll('blockquote, pre, details.rdf-view, .verbatim').forEach(n => n.remove());"
        "document.body.appendChild(main); const text = main.innerText; main.remove(); return text;"
    )


def navigation(driver) -> list[str]:
    return [a.text.strip() for a in driver.find_elements(By.CSS_SELECTOR, "header.site nav[aria-label] ul a")]


def test_accept_language_es_gives_the_page_in_spanish(spanish_browser, base_url):
    load(spanish_browser, base_url)
    assert spanish_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert {"Inicio", "Afirmaciones", "Línea de tiempo", "Consulta", "Ontología"} <= set(navigation(spanish_browser))
    load(spanish_browser, base_url + READER_PAGES["person"])
    assert spanish_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    body = own_words(spanish_browser)
    assert "secretario de Relaciones Exteriores" in body  # the post's Spanish label, not "Secretary of Foreign Affairs"
    assert "Secretary of Foreign Affairs" not in body


def test_the_switch_gives_a_shareable_spanish_url_that_stays_spanish(browser_en, base_url):
    load(browser_en, base_url + "claims")
    assert browser_en.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser_en.find_element(By.CSS_SELECTOR, "nav.languages a[hreflang=es]").click()
    wait_until(browser_en, 15, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es")
    assert browser_en.current_url == base_url + "claims?lang=es"
    assert browser_en.find_element(By.TAG_NAME, "h1").text == "El argumento"
    # reading on from there, the pages stay Spanish for a browser that asks for English
    browser_en.find_element(By.CSS_SELECTOR, "header.site nav[aria-label] a[href^='/timeline']").click()
    wait_until(browser_en, 15, lambda d: "/timeline" in d.current_url)
    assert browser_en.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert browser_en.find_element(By.TAG_NAME, "h1").text.startswith("Línea de tiempo")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", list(READER_PAGES))
def test_no_page_is_wider_than_a_phone(phone, base_url, name, language):
    load(phone, f"{base_url}{READER_PAGES[name]}?lang={language}")
    widths = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} ({language}) is {widths[0]} px wide on a {widths[1]} px screen"


PREFIXED_NAME = re.compile(r"\b(?i:" + "|".join(sorted(PREFIXES, key=len, reverse=True)) + r"|person|span|claim|event|membership):[A-Za-z]")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_person_page_speaks_in_words_with_the_rdf_one_click_away(browser_en, base_url, language):
    load(browser_en, f"{base_url}{READER_PAGES['person']}?lang={language}")
    visible = browser_en.find_element(By.TAG_NAME, "body").text
    assert PREFIXED_NAME.findall(visible) == []
    assert ("holds" if language == "en" else "ocupa") in visible
    browser_en.find_element(By.CSS_SELECTOR, "details.rdf-view summary").click()
    rdf = browser_en.find_element(By.CSS_SELECTOR, "details.rdf-view").text
    assert "foaf:name" in rdf and "org:holds" in rdf


@pytest.mark.parametrize(
    "path, english, spanish",
    [
        ("page/event/san-cristobal-meeting-2001", "16 February 2001", "16 de febrero de 2001"),
        ("page/membership/castaneda-secretary-of-foreign-affairs", "a period including 2001", "un periodo que incluye 2001"),
    ],
)
def test_dates_are_written_at_the_precision_the_data_has(browser_en, base_url, path, english, spanish):
    load(browser_en, f"{base_url}{path}?lang=en")
    assert english in browser_en.find_element(By.TAG_NAME, "main").text
    load(browser_en, f"{base_url}{path}?lang=es")
    assert spanish in browser_en.find_element(By.TAG_NAME, "main").text


IN_VIEW = "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight && r.height > 0;"


def test_the_source_reader_highlights_every_span(browser_en, base_url):
    query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://www.w3.org/ns/oa#hasSelector> ?p . ?p <http://www.w3.org/ns/oa#start> ?o }"
    request = urllib.request.Request(base_url + "sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        spans = int(json.load(answer)["results"]["bindings"][0]["n"]["value"])
    load(browser_en, base_url + "source")
    marks = browser_en.find_elements(By.CSS_SELECTOR, "article.source-text mark.span")
    assert len(marks) == spans > 80
    lit = browser_en.execute_script(
        "return arguments[0].filter(m => getComputedStyle(m).backgroundColor !== 'rgba(0, 0, 0, 0)').length;", marks)
    assert lit == spans
    # each mark is followed by its note's link, and the note links to what the passage states
    browser_en.find_element(By.CSS_SELECTOR, "mark[id='char=980,1317'] + sup a").click()
    note = browser_en.find_element(By.CSS_SELECTOR, "li:target")
    assert "/page/claim/thesis-beyond-security" in [a.get_attribute("href").replace(base_url, "/") for a in note.find_elements(By.TAG_NAME, "a")]


@pytest.mark.parametrize("path, target", [
    ("source#char=6419,6615", "char=6419,6615"),  # a span far down the text: the browser scrolls to its id
    ("source?char=5100,5300#char=5100,5300", "char=5100,5300"),  # any range: lit by the server, then scrolled to
])
def test_a_deep_link_scrolls_to_its_passage(phone, base_url, path, target):
    load(phone, base_url + path)
    element = phone.find_element(By.ID, target)
    assert phone.execute_script(IN_VIEW, element), f"{target} is not on screen"
    assert phone.execute_script("return window.scrollY") > 1000
    assert element.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
