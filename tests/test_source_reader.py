"""The source reader: the repaired reading text keeps every span where its offsets say, every span
of the data is marked once, a range is lit by ?char= and refused clearly when it is not one."""

from __future__ import annotations

import re

import pytest

from server.web.source_text import MarkedSpan, parse_range, reading_chars, render
from test_pages import hrefs, parse_html  # the suite's small DOM

CANONICAL = "https://w3id.org/mxus/"


def test_reading_text_repairs_the_scans_traps_position_by_position():
    prose = "In the text of the scan a line of prose runs to well over sixty characters, so a"
    scan = f"A TITLE\n{prose} ‘‘shared\nresponsibility’’ ap-\nproach by Cas-\ntan\n˜eda"
    chars = reading_chars(scan)
    assert len(chars) == len(scan)  # one entry per character of the scan: offsets still count the scan
    assert "".join(chars) == f"A TITLE\n{prose} “shared responsibility” approach by Castañeda"  # a short line keeps its break


def test_spans_nest_as_marks_with_their_note_numbers_and_a_selection_is_lit():
    chars = list("0123456789")
    html = str(render(chars, [MarkedSpan(1, 9, 1), MarkedSpan(2, 4, 2)], selection=(3, 6)))
    assert html.startswith('0<mark class="span" id="char=1,9">1<mark class="span" id="char=2,4">2')
    assert '</mark><sup class="note-ref"><a href="#note-2">2</a></sup>' in html
    assert html.count('class="selected"') == 2 and 'id="char=3,6"' in html  # lit leaf by leaf, anchored once
    assert re.sub(r"<[^>]+>", "", html.replace('<sup class="note-ref"><a href="#note-1">1</a></sup>', "").replace(
        '<sup class="note-ref"><a href="#note-2">2</a></sup>', "")) == "0123456789"


@pytest.mark.parametrize("value", ["9,1", "1,99", "a,b", "1", "-1,3", "1,2,3"])
def test_a_range_that_is_not_one_is_refused_with_what_is_wrong(value):
    with pytest.raises(ValueError, match="char="):
        parse_range(value, 50)


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def spans(shared_app):
    rows = shared_app.extensions["mxus"].store.select(
        "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?start ?end WHERE { ?s oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }"
    )
    return {f"char={int(r['start'])},{int(r['end'])}" for r in rows}


def test_every_span_of_the_data_is_marked_once_with_what_it_states(client, spans):
    response = client.get("/source")
    assert response.status_code == 200 and response.headers["Content-Language"] == "en"
    doc = parse_html(response.get_data(as_text=True))
    marks = [m.attrs["id"] for m in doc.find("article", class_="source-text").find_all("mark")]
    assert len(spans) > 80 and sorted(marks) == sorted(spans)
    notes = doc.find("section", class_="notes").find_all("li")
    assert len(notes) == len(spans)
    thesis = next(li for li in notes if "/source?char=980,1317#char=980,1317" in hrefs(li))
    assert "/page/claim/thesis-beyond-security" in hrefs(thesis)
    assert "Castañeda" in doc.find("article", class_="source-text").text()  # repaired for reading
    scan = parse_html(client.get("/source?view=scan").get_data(as_text=True))
    assert "Cas-\ntan\n˜eda" in scan.find("article", class_="source-text").text()


def test_a_range_is_lit_by_the_server_and_quoted_above(client):
    doc = parse_html(client.get("/source?char=903,1317").get_data(as_text=True))
    lit = "".join(n.text() for n in doc.find_all("span", class_="selected"))
    assert lit.startswith("Although this event changed") and lit.endswith("during and after the negotiations.")
    assert doc.by_id("char=903,1317").attrs["class"] == "selected"  # not a span: the first lit piece is the anchor
    assert "#char=903,1317" in hrefs(doc.find("aside", class_="selection"))


@pytest.mark.parametrize("query", ["char=9,1", "char=1,999999", "char=x", "view=pdf"])
def test_a_bad_range_or_view_is_a_clear_400(client, query):
    response = client.get("/source?" + query, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert ("char=" in query) == ("RFC 5147" in response.json["error"]["message"] or "characters" in response.json["error"]["message"])


def test_every_passage_on_a_claim_page_links_to_the_reader(client):
    doc = parse_html(client.get("/page/claim/thesis-beyond-security").get_data(as_text=True))
    links = hrefs(doc.find("figure", class_="passage"))
    assert "/source?char=980,1317#char=980,1317" in links and "/source" in links
    assert "/source?char=980,1317#char=980,1317" in hrefs(doc.find("section", class_="statements-sources"))


def test_the_reader_has_one_etag_per_language(client):
    english, spanish = client.get("/source"), client.get("/source?lang=es")
    assert english.headers["ETag"] != spanish.headers["ETag"]
    assert "Accept-Language" in spanish.headers["Vary"] and spanish.headers["Content-Language"] == "es"
    again = client.get("/source?lang=es", headers={"If-None-Match": spanish.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Vary"] == spanish.headers["Vary"]  # RFC 9110 §15.4.5
