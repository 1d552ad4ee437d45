"""Search: /search answered by the engine, accents, case and word prefixes; groups; bounds; OpenSearch; the 404 page.

Through the Flask test client over the session's read-only app; HTML is parsed
(tests.test_pages' small DOM), JSON read as JSON.
"""

from __future__ import annotations

import re

import pytest

from server.web.search import MAX_QUERY_CHARS, MAX_WORDS, GROUPS, SearchRefused, query_words, word_pattern
from tests.test_pages import parse_html

CASTANEDA = "/page/person/jorge-g-castaneda"


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


def results(client, q: str, lang: str = "en") -> dict:
    reply = client.get("/search", query_string={"q": q}, headers={"Accept": "application/json", "Accept-Language": lang})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()


def hrefs_by_group(found: dict) -> dict[str, list[str]]:
    return {group["key"]: [item["href"] for item in group["items"]] for group in found["groups"]}


def all_labels(found: dict) -> list[str]:
    return [item["label"] for group in found["groups"] for item in group["items"]]


@pytest.mark.parametrize("q", ["castaneda", "Castañeda", "CASTAÑEDA", "castañeda", "cast", "CAST", "jorge cast", "g castaneda",
                               "Jorge G. Castañeda"])
def test_castaneda_is_found_however_it_is_typed(client, q):
    found = results(client, q)
    assert CASTANEDA in hrefs_by_group(found)["people"]
    person = next(item for item in found["groups"][0]["items"] if item["href"] == CASTANEDA)
    assert person["label"] == "Jorge G. Castañeda"
    assert person["iri"].endswith("/id/person/jorge-g-castaneda")


def test_words_match_from_their_start_only(client):
    assert CASTANEDA not in hrefs_by_group(results(client, "staneda")).get("people", [])
    assert CASTANEDA not in hrefs_by_group(results(client, "castanedas")).get("people", [])
    assert results(client, "zzqx")["count"] == 0


def test_every_word_must_match(client):
    assert CASTANEDA not in hrefs_by_group(results(client, "castaneda powell")).get("people", [])


def test_spanish_labels_are_searched_and_shown_in_spanish(client):
    # "Gobernación" is only in the Spanish label of the Secretariat of the Interior
    english = results(client, "gobernacion", "en")
    spanish = results(client, "gobernacion", "es")
    ministry = "/page/organisation/secretaria-de-gobernacion"
    assert ministry in hrefs_by_group(english)["organisations"]
    assert "Secretariat of the Interior of Mexico" in all_labels(english)
    assert "Secretaría de Gobernación" in all_labels(spanish)
    # an English word finds it too, shown with its Spanish name on a Spanish page
    assert "Secretaría de Gobernación" in all_labels(results(client, "interior", "es"))


def test_other_labels_are_searched_and_said(client):
    """An alternative label (skos:altLabel "SRE") finds the thing, and the page says which name matched."""
    found = results(client, "sre")
    item = next(i for g in found["groups"] for i in g["items"] if i["href"] == "/page/organisation/secretaria-de-relaciones-exteriores")
    assert item["matched"] == ["SRE"]


def test_results_are_grouped_by_kind_in_a_fixed_order(client):
    found = results(client, "migra")
    keys = [group["key"] for group in found["groups"]]
    order = [key for key, _, _ in GROUPS]
    assert keys == sorted(keys, key=order.index) and len(keys) >= 3
    for group in found["groups"]:
        kinds = {item["kind"] for item in group["items"]}
        assert kinds <= set(next(k for key, _, k in GROUPS if key == group["key"])) or group["key"] == "other"
    assert found["count"] == sum(len(g["items"]) for g in found["groups"])


def test_group_headings_are_words_in_the_page_language(client):
    english = client.get("/search?q=castaneda", headers={"Accept-Language": "en"})
    spanish = client.get("/search?q=castaneda", headers={"Accept-Language": "es"})
    headings_en = [h.words() for h in parse_html(english.get_data(as_text=True)).find_all("h3")]
    headings_es = [h.words() for h in parse_html(spanish.get_data(as_text=True)).find_all("h3")]
    assert headings_en[0].startswith("People") and headings_es[0].startswith("Personas")
    assert not any(":" in h for h in headings_en + headings_es)  # no prefixed names


def test_the_results_page_links_each_result_to_its_page(client):
    reply = client.get("/search?q=castaneda")
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    doc = parse_html(reply.get_data(as_text=True))
    people = doc.find("section", class_="search-group")
    assert people.find("a").attrs["href"] == CASTANEDA and people.find("a").words() == "Jorge G. Castañeda"
    assert doc.find("input", id="search-q").attrs["value"] == "castaneda"


@pytest.mark.parametrize("q", ["", "   ", "…", "?!", "x" * (MAX_QUERY_CHARS + 1)])
def test_empty_or_too_long_is_a_clear_400(client, q):
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 400
    message = parse_html(page.get_data(as_text=True)).find(class_="error-message").words()
    assert ("at most" in message) if len(q) > MAX_QUERY_CHARS else ("type a name or a word" in message)
    data = client.get("/search", query_string={"q": q}, headers={"Accept": "application/json"})
    assert data.status_code == 400 and data.get_json()["error"]["status"] == 400


def test_without_q_the_page_is_the_box_and_json_needs_q(client):
    assert client.get("/search").status_code == 200
    assert client.get("/search", headers={"Accept": "application/json"}).status_code == 400


def test_regular_expression_syntax_is_not_syntax(client):
    """What people type is words: brackets, bars and dots never reach the regular expression."""
    assert CASTANEDA in hrefs_by_group(results(client, "(cast*"))["people"]
    assert results(client, "[a-z]*")["count"] == results(client, "a z")["count"]
    for word in query_words(r"c.a*s\t[ñ](e)|d{2}^$ a\\b"):
        assert re.fullmatch(r"[a-z0-9]+", word)
        pattern = word_pattern(word)
        assert not re.search(r"[.*+?{}()|^$\\]", pattern.replace(r"(^|[^\p{L}\p{N}])", ""))


def test_cost_is_bounded():
    assert len(query_words("a b c d e f g h i j k")) == MAX_WORDS
    with pytest.raises(SearchRefused):
        query_words("castaneda " * 20)


def test_a_repeated_search_is_a_304(client):
    first = client.get("/search?q=powell")
    assert first.headers["ETag"] and "Accept" in first.headers["Vary"] and "Accept-Language" in first.headers["Vary"]
    again = client.get("/search?q=powell", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    other = client.get("/search?q=powell", headers={"If-None-Match": first.headers["ETag"], "Accept-Language": "es"})
    assert other.status_code == 200


def test_opensearch_description(client):
    reply = client.get("/opensearch.xml")
    assert reply.status_code == 200 and reply.mimetype == "application/opensearchdescription+xml"
    text = reply.get_data(as_text=True)
    assert 'xmlns="http://a9.com/-/spec/opensearch/1.1/"' in text
    assert re.search(r'<Url type="text/html" method="get" template="http://localhost/search\?q=\{searchTerms\}', text)
    head = parse_html(client.get("/").get_data(as_text=True)).find("head")
    link = head.find("link", rel="search")
    assert link.attrs["type"] == "application/opensearchdescription+xml" and link.attrs["href"].startswith("/opensearch.xml")


@pytest.mark.parametrize("path", ["/", CASTANEDA, "/claims", "/timeline", "/source", "/query", "/ontology", "/validate",
                                  "/contributions", "/dumps/", "/search?q=cast", "/page/person/nobody-at-all"])
def test_every_page_has_the_search_box(client, path):
    reply = client.get(path, headers={"Accept": "text/html"})
    doc = parse_html(reply.get_data(as_text=True))
    form = doc.find("header").find("form", role="search")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/search"
    field = form.find("input", name="q")
    label = form.find("label")
    assert label.attrs["for"] == field.attrs["id"] and label.words()  # named for screen readers
    assert form.find("button").attrs["type"] == "submit"


@pytest.mark.parametrize("path", ["/page/person/castaneda", "/id/person/jorge-castaneda", "/data/person/castaneda.ttl"])
def test_the_404_page_suggests_near_matches(client, path):
    reply = client.get(path, headers={"Accept": "text/html"})
    assert reply.status_code == 404
    near = parse_html(reply.get_data(as_text=True)).find("section", class_="near-matches")
    links = [a.attrs["href"] for a in near.find_all("a")]
    assert CASTANEDA in links
    assert any(link.startswith("/search?q=") for link in links)


def test_the_404_page_in_spanish_says_so_when_nothing_is_near(client):
    reply = client.get("/page/event/zzqx-yyqx?lang=es")
    near = parse_html(reply.get_data(as_text=True)).find("section", class_="near-matches")
    assert "Nada" in near.find("h2").words()
