"""The reader's pages in a real browser (Debian's Chromium under Selenium): in Spanish and in English,
on a desktop and on a phone.

Spanish by Accept-Language and by ?lang=es; no page wider than a 390-pixel phone; a person page in
words, with prefixed names only in its RDF view.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from chromium_driver import running_chromium  # noqa: E402
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


def load(driver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


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
    WebDriverWait(browser_en, 15).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es")
    assert browser_en.current_url == base_url + "claims?lang=es"
    assert browser_en.find_element(By.TAG_NAME, "h1").text == "El argumento"
    # reading on from there, the pages stay Spanish for a browser that asks for English
    browser_en.find_element(By.CSS_SELECTOR, "header.site nav[aria-label] a[href^='/timeline']").click()
    WebDriverWait(browser_en, 15).until(lambda d: "/timeline" in d.current_url)
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
