"""The argument map and who did what when, in a real browser (Debian's Chromium under Selenium) against a
real server: the map links every claim of the argument and sits on the home page's first screen at 1366x768;
the timeline filtered by a person shows only their events, legibly on a phone; a person's posts come with
dates in order; an event page names its actors; in both languages, and no page wider than a 390-px phone.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402

from chromium_driver import load, running_chromium  # noqa: E402
from server.web.argument_map import ARGUMENT_KINDS  # noqa: E402

RELATIONS = "mxus:answers mxus:disputes mxus:elaborates mxus:supports mxus:qualifies mxus:presupposes mxus:contrastsWith prov:wasDerivedFrom"
PREFIXES = ("PREFIX mxus: <https://w3id.org/mxus/ontology#>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>\n")


@pytest.fixture(scope="module")
def desktop(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-argument", width=1366, height=768) as driver:
        yield driver


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    with running_chromium(tmp_path_factory, "chromium-argument-phone", width=390, height=844) as driver:
        yield driver


def select(base_url: str, query: str) -> list[dict]:
    """The server's own SPARQL endpoint, as any client asks it."""
    url = base_url + "sparql?" + urllib.parse.urlencode({"query": PREFIXES + query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return [{k: v["value"] for k, v in row.items()} for row in json.load(response)["results"]["bindings"]]


def page_of(base_url: str, iri: str) -> str:
    return base_url + "page/" + iri.split("/id/", 1)[1]


def argument_claims(base_url: str) -> set[str]:
    kinds = " ".join(f"mxus:{k}" for k in ARGUMENT_KINDS)
    core = {r["c"] for r in select(base_url, f"SELECT ?c WHERE {{ VALUES ?k {{ {kinds} }} ?c a ?k }}")}
    linked = select(base_url, f"SELECT ?a ?b WHERE {{ VALUES ?p {{ {RELATIONS} }} ?a ?p ?b . "
                              "?a a/rdfs:subClassOf mxus:Claim . ?b a/rdfs:subClassOf mxus:Claim }")
    return core | {x for r in linked if r["a"] in core or r["b"] in core for x in (r["a"], r["b"])}


def node_links(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('svg.argument a.claim-node')].map(a => a.href.baseVal || a.getAttribute('href'))")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_argument_map_links_every_claim_of_the_argument(desktop, base_url, language):
    load(desktop, f"{base_url}argument?lang={language}")
    links = {urllib.parse.urljoin(base_url, h).split("?")[0] for h in node_links(desktop)}
    assert links == {page_of(base_url, c) for c in argument_claims(base_url)}
    dashed = desktop.execute_script(
        "return [...document.querySelectorAll('svg.argument g.edge path')].map(p => getComputedStyle(p).strokeDasharray)")
    assert "none" in dashed and any(d != "none" for d in dashed)  # the text's solid, the curators' dashed


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_map_is_on_the_home_pages_first_screen(desktop, base_url, language):
    load(desktop, f"{base_url}?lang={language}")
    box = desktop.execute_script(
        "const r = document.querySelector('svg.argument').getBoundingClientRect();"
        "return [r.top, r.bottom, r.left, r.right, window.innerHeight, window.innerWidth, window.scrollY]")
    top, bottom, left, right, height, width, scrolled = box
    assert scrolled == 0 and 0 < top and bottom <= height and 0 <= left and right <= width, box
    label = desktop.execute_script("return getComputedStyle(document.querySelector('svg.argument text.label')).fontSize")
    scale = desktop.execute_script(
        "const s = document.querySelector('svg.argument'); return s.getBoundingClientRect().width / s.viewBox.baseVal.width")
    assert float(label.rstrip("px")) * scale >= 11


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_timeline_filtered_by_a_person_shows_only_their_events(phone, base_url, language):
    expected = {page_of(base_url, r["e"]) for r in select(
        base_url, "SELECT ?e WHERE { ?e sem:hasActor <https://w3id.org/mxus/id/person/george-w-bush> }")}
    load(phone, f"{base_url}timeline?actor=george-w-bush&lang={language}")
    listed = phone.execute_script("return [...document.querySelectorAll('ol.events h3 a')].map(a => a.href)")
    assert {h.split("?")[0] for h in listed} == expected
    # on a phone the narrow figure is drawn: labels legible (not scaled down) and inside the screen
    sizes = phone.execute_script(
        "const s = document.querySelector('svg.timeline-narrow'); const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;"
        "return [...s.querySelectorAll('text.label')].map(t => { const r = t.getBoundingClientRect();"
        " return [parseFloat(getComputedStyle(t).fontSize) * k, r.left, r.right]; })")
    assert len(sizes) == len(expected)
    for size, left, right in sizes:
        assert size >= 12 and left >= 0 and right <= 390


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_person_page_lists_posts_with_dates_in_order(desktop, base_url, language):
    load(desktop, f"{base_url}page/person/george-w-bush?lang={language}")
    tenure = desktop.find_element(By.CSS_SELECTOR, "ol.tenures li .when").text
    assert tenure == {"en": "16 February 2001 – 7 January 2004", "es": "16 de febrero de 2001 – 7 de enero de 2004"}[language]
    dates = desktop.execute_script(
        "return [...document.querySelectorAll('.chronicle ol.events time')].map(t => t.getAttribute('datetime'))")
    assert len(dates) >= 3 and dates == sorted(dates)


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_event_page_shows_its_actors(desktop, base_url, language):
    load(desktop, f"{base_url}page/event/washington-meeting-2001?lang={language}")
    actors = {a.text for a in desktop.find_elements(By.CSS_SELECTOR, ".event-summary dd.actor a.ours")}
    assert actors == {"Vicente Fox", "George W. Bush"}
    heading = desktop.find_element(By.ID, "event-heading").text
    assert heading == {"en": "What happened", "es": "Qué ocurrió"}[language]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("path", ["", "argument", "timeline", "timeline?actor=colin-powell", "page/event/san-cristobal-meeting-2001",
                                  "page/person/colin-powell", "page/organisation/high-level-group-on-migration"])
def test_no_page_is_wider_than_a_phone(phone, base_url, path, language):
    load(phone, base_url + path + ("&" if "?" in path else "?") + f"lang={language}")
    widths = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= 390, widths
