"""Search, contributing in the browser and compression, against real ``mxus serve`` processes.

Compression with a real HTTP client (http.client, which decodes nothing): gzip and Brotli are
negotiated by Accept-Encoding, the body decompresses to the very bytes sent uncompressed, a
compressed body has its own ETag and revalidates to a 304. In Debian's Chromium: the search box of
every page type submits and shows grouped results, in English and Spanish; the 404 page suggests;
"Suggest an addition" opens the validation form prefilled; the contribution pages on a phone.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import urllib.parse
from types import SimpleNamespace

import brotli
import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from chromium_driver import running_chromium, wait_until  # noqa: E402
from test_e2e_reader import load  # noqa: E402
from server.publication.tokens import TokenRegistry  # noqa: E402

CASTANEDA = "page/person/jorge-g-castaneda"
DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress}


# ---------------------------------------------------------------- compression over HTTP


@pytest.mark.parametrize("path", ["", CASTANEDA, "search?q=castaneda", "contributions", "query", "validate",
                                  "sparql?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 100")])
@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_is_negotiated_and_decompresses_to_the_same_bytes(base_url, fetch, path, coding):
    accept = "application/sparql-results+json" if path.startswith("sparql") else "text/html"
    plain = fetch(base_url + path, headers={"Accept": accept})
    packed = fetch(base_url + path, headers={"Accept": accept, "Accept-Encoding": coding})
    assert plain.status == packed.status == 200
    assert plain.header("Content-Encoding") == ""
    assert packed.header("Content-Encoding") == coding
    assert "accept-encoding" in packed.header("Vary").lower() and "accept-encoding" in plain.header("Vary").lower()
    assert len(packed.body) < len(plain.body)
    assert DECODERS[coding](packed.body) == plain.body
    assert int(packed.header("Content-Length")) == len(packed.body)
    # another representation, another ETag; each revalidates to a 304 carrying its own tag
    assert plain.header("ETag") and packed.header("ETag") and packed.header("ETag") != plain.header("ETag")
    for reply, codings in ((plain, {}), (packed, {"Accept-Encoding": coding})):
        again = fetch(base_url + path, headers={"Accept": accept, "If-None-Match": reply.header("ETag"), **codings})
        assert again.status == 304 and again.body == b""
        assert again.header("ETag") == reply.header("ETag")


def test_the_preferred_coding_is_brotli_and_tiny_bodies_and_dumps_stay_as_they_are(base_url, fetch):
    assert fetch(base_url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}).header("Content-Encoding") == "br"
    robots = fetch(base_url + "robots.txt", headers={"Accept-Encoding": "gzip, br"})
    assert robots.status == 200 and len(robots.body) < 500 and robots.header("Content-Encoding") == ""
    dump = fetch(base_url + "dumps/mxus-ld.nt", headers={"Accept-Encoding": "gzip, br", "Range": "bytes=0-99"})
    assert dump.status == 206 and dump.header("Content-Encoding") == "" and len(dump.body) == 100


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browsers(tmp_path_factory):
    """This module's desktop browser (English) and phone (390 px)."""
    with contextlib.ExitStack() as stack:
        yield SimpleNamespace(
            desktop=stack.enter_context(running_chromium(tmp_path_factory, "chromium-search", accept_language="en-GB,en")),
            phone=stack.enter_context(running_chromium(tmp_path_factory, "chromium-search-phone", width=390, height=844)),
        )


def search_from_the_header(driver, words: str) -> None:
    field = driver.find_element(By.CSS_SELECTOR, "header.site form[role=search] input[name=q]")
    field.clear()
    field.send_keys(words, Keys.ENTER)
    wait_until(driver, 15, lambda d: "/search?" in d.current_url and d.execute_script("return document.readyState") == "complete")


def groups(driver) -> dict[str, list[str]]:
    return {section.find_element(By.TAG_NAME, "h3").text.rsplit(" (", 1)[0]: [a.text for a in section.find_elements(By.TAG_NAME, "a")]
            for section in driver.find_elements(By.CSS_SELECTOR, "section.search-group")}


PAGE_TYPES = ["", CASTANEDA, "page/event/san-cristobal-meeting-2001", "claims", "timeline", "source", "query", "ontology",
              "validate", "contributions", "dumps/", "page/person/nobody"]
PEOPLE = {"en": "People", "es": "Personas"}


# Every page type once, in English and Spanish by turns (each language on half of them).
@pytest.mark.parametrize("path, language", [(path, "es" if i % 2 else "en") for i, path in enumerate(PAGE_TYPES)])
def test_the_search_box_of_every_page_type_finds_castaneda(browsers, base_url, path, language):
    people = PEOPLE[language]
    load(browsers.desktop, f"{base_url}{path}?lang={language}")
    search_from_the_header(browsers.desktop, "castaneda")
    found = groups(browsers.desktop)
    assert "Jorge G. Castañeda" in found[people]
    assert list(found)[0] == people  # people first
    assert browsers.desktop.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    browsers.desktop.find_element(By.LINK_TEXT, "Jorge G. Castañeda").click()
    wait_until(browsers.desktop, 15, lambda d: d.current_url.split("?")[0].endswith(CASTANEDA))


def test_the_404_page_suggests_in_the_browser(browsers, base_url):
    load(browsers.desktop, base_url + "page/person/castaneda")
    near = browsers.desktop.find_element(By.CSS_SELECTOR, "section.near-matches")
    assert near.find_element(By.TAG_NAME, "h2").text == "Perhaps you were looking for"
    near.find_element(By.LINK_TEXT, "Jorge G. Castañeda").click()
    wait_until(browsers.desktop, 15, lambda d: d.current_url.endswith(CASTANEDA))


@pytest.mark.parametrize("language, conforms", [("en", "Conforms"), ("es", "Conforme")])
def test_suggest_an_addition_opens_the_form_prefilled(browsers, base_url, language, conforms):
    load(browsers.desktop, f"{base_url}{CASTANEDA}?lang={language}")
    browsers.desktop.find_element(By.CSS_SELECTOR, "p.suggest a").click()
    wait_until(browsers.desktop, 15, lambda d: "/validate?" in d.current_url)
    text = browsers.desktop.find_element(By.ID, "text").get_attribute("value")
    assert "@prefix person: <" in text and "\nperson:jorge-g-castaneda\n" in text and "skos:note" in text
    assert "Jorge G. Castañeda" in text
    browsers.desktop.find_element(By.CSS_SELECTOR, "form.query-form button[type=submit]").click()
    wait_until(browsers.desktop, 30, lambda d: d.find_elements(By.ID, "report-title"))
    assert browsers.desktop.find_element(By.ID, "report-title").text == conforms


def test_the_navigation_leads_to_validate_and_contributions(browsers, base_url):
    load(browsers.desktop, base_url + "?lang=es")
    links = {a.text: a.get_attribute("href") for a in browsers.desktop.find_elements(By.CSS_SELECTOR, "header.site nav[aria-label] ul a")}
    assert links["Validar"].split("?")[0].endswith("/validate") and links["Contribuciones"].split("?")[0].endswith("/contributions")


def test_contributions_as_pages_on_a_phone(servers, tmp_path, browsers, fetch):
    phone = browsers.phone
    instance = tmp_path / "instance"
    token = TokenRegistry(instance / "tokens.json").add("Ana Contributor", "0000-0002-1825-0097")
    server = servers.start("--instance", str(instance))
    body = ("<https://w3id.org/mxus/id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
            "<https://example.org/a-very-long-address/that-would-widen-a-phone-page-if-nothing-wrapped-it/powell> .\n").encode()
    sent = fetch(server.base + "contributions", "POST", {"Authorization": f"Bearer {token}", "Content-Type": "application/n-triples",
                                                                "Accept": "application/json"}, body, timeout=300)
    assert sent.status == 201, sent.text
    identifier = json.loads(sent.body)["id"]
    listing = fetch(server.base + "contributions", headers={"Accept": "application/json"})
    assert json.loads(listing.body)["items"][0]["id"] == identifier and "accept" in listing.header("Vary").lower()
    for language, pending in (("en", "pending"), ("es", "pendiente")):
        load(phone, f"{server.base}contributions?lang={language}")
        row = phone.find_element(By.CSS_SELECTOR, "table.contributions tbody tr")
        assert pending in row.text
        assert phone.find_element(By.CSS_SELECTOR, "header.site")
        assert phone.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        row.find_element(By.TAG_NAME, "a").click()
        wait_until(phone, 15, lambda d: identifier in d.current_url)
        assert identifier in phone.find_element(By.TAG_NAME, "h1").text
        assert "seeAlso" in phone.find_element(By.TAG_NAME, "pre").text
        assert phone.find_element(By.CSS_SELECTOR, "header.site form[role=search]")
        widths = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"the contribution page is {widths[0]} px wide on a {widths[1]} px phone"
    for path in ("search?q=castaneda", "validate?about=" + urllib.parse.quote(server.base + "id/person/jorge-g-castaneda"),
                 "page/person/castaneda", "dumps/"):
        for language in ("en", "es"):
            load(phone, f"{server.base}{path}{'&' if '?' in path else '?'}lang={language}")
            widths = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{path} ({language}) is {widths[0]} px wide on a {widths[1]} px phone"
    home = fetch(server.base, headers={"Accept": "text/html"}).text
    assert "/id/contribution/" not in home  # the home page's graph table: published graphs only
