"""The HTML pages: home, resource pages, the argument, the timeline, the
query page, the ontology and the shapes.

Structure is checked on the parsed HTML (stdlib html.parser), not by
grepping. The data the pages should show is read through the same store
the pages use, so the tests follow the data rather than copy it.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from server.publication.anchors import normalize_passage
from server.rdf.namespaces import MXUS
from server.store.errors import QuerySyntaxError, QueryTimeout

BASE = "http://localhost/"
CANONICAL = "https://w3id.org/mxus/"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def app(shared_app):
    """The session's read-only app (served at BASE): pages only read."""
    assert shared_app.config["BASE_URI"] == BASE
    return shared_app


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


_pages: dict[str, tuple] = {}


@pytest.fixture(scope="module")
def page(client):
    """GET a page once per module: (response, parsed document)."""

    def get(path: str, status: int = 200):
        if path not in _pages:
            response = client.get(path)
            _pages[path] = (response, parse_html(response.get_data(as_text=True)))
        response, doc = _pages[path]
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        return response, doc

    yield get
    _pages.clear()


# ---------------------------------------------------------------- a small DOM from html.parser

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def words(self) -> str:
        return " ".join(self.text().split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list["Node"]:
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            if all(_attr_matches(node, key.rstrip("_").replace("_", "-"), value) for key, value in attrs.items()):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> "Node":
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}> in <{self.tag} {self.attrs}>"
        return found[0]

    def by_id(self, ident: str) -> "Node":
        return self.find(id=ident)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


def _attr_matches(node: Node, key: str, value: str) -> bool:
    if key == "class":
        return value in (node.attrs.get("class") or "").split()
    return node.attrs.get(key) == value


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        # every element the pages write is closed explicitly
        assert node is self.current, f"</{tag}> closes <{self.current.tag}> early"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    assert (builder.doctype or "").lower() == "doctype html"
    return builder.root


def hrefs(node: Node) -> list[str]:
    return [a.attrs["href"] for a in node.find_all("a") if a.attrs.get("href")]


# ---------------------------------------------------------------- every page

PAGES = ["/", "/claims", "/timeline", "/query", "/ontology", "/shapes", "/page/person/colin-powell", "/page/claim/research-question"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shares_the_layout(page, path):
    response, doc = page(path)
    assert response.content_type == "text/html; charset=utf-8"
    html = doc.find("html")
    assert html.attrs["lang"] == "en"
    assert doc.find("meta", name="viewport")
    assert doc.find("link", rel="stylesheet").attrs["href"] == "/static/style.css"
    nav = doc.find("header").find("nav")
    assert [a.words() for a in nav.find_all("a")] == ["Home", "Claims", "Timeline", "Source text", "Query", "Ontology", "Validate", "Contributions"]
    assert hrefs(nav) == ["/", "/claims", "/timeline", "/source", "/query", "/ontology", "/validate", "/contributions"]
    assert len(doc.find_all("main")) == 1
    assert len(doc.find_all("h1")) == 1


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_styles_and_no_canonical_uris_leak(page, path):
    response, doc = page(path)
    assert not doc.find_all("style")
    assert not [n for n in doc.iter() if "style" in n.attrs]
    # served at http://localhost/: every canonical URI is rewritten, in text and in links
    assert CANONICAL not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_navigation_marks_the_current_page(page, path):
    _, doc = page(path)
    current = [a.attrs["href"] for a in doc.find("nav").find_all("a") if a.attrs.get("aria-current") == "page"]
    expected = {"/": ["/"], "/claims": ["/claims"], "/timeline": ["/timeline"], "/query": ["/query"], "/ontology": ["/ontology"]}
    assert current == expected.get(path, [])


def test_a_new_app_renders_from_the_compiled_templates_of_the_same_code_and_versions_only(app_factory, client, monkeypatch):
    """The templates one app compiled are loaded by the next (they are kept on disk for other processes),
    and only under the same code and library versions: a changed server never runs what another compiled."""
    from server.web import views

    first = client.get("/page/person/colin-powell").get_data()
    same = app_factory({"BASE_URI": "http://localhost/"})
    monkeypatch.setattr(views, "code_version", lambda: "another-version")
    changed = app_factory({"BASE_URI": "http://localhost/"})
    try:
        same.jinja_env.compile = None  # compiling here would fail: every template must come from the cache
        assert same.test_client().get("/page/person/colin-powell").get_data() == first
        compiled = []
        compile_for_real = changed.jinja_env.compile
        changed.jinja_env.compile = lambda *args, **kwargs: compiled.append(args[1]) or compile_for_real(*args, **kwargs)
        assert changed.test_client().get("/page/person/colin-powell").get_data() == first
        assert "resource.html" in compiled  # the other version's files were not used
    finally:
        same.extensions["mxus"].store.close()
        changed.extensions["mxus"].store.close()
        changed.jinja_env.bytecode_cache.clear()  # only the other version's files (the pattern names them)


# ---------------------------------------------------------------- home


def test_home_cites_the_article_from_the_data(page):
    _, doc = page("/")
    citation = doc.find("p", class_="citation")
    words = citation.words()
    for part in ("Alexandra Délano", "(2012)", "From “Shared Responsibility” to a Migration Agreement?",
                 "International Migration", "50(S1)", "e42", "10.1111/j.1468-2435.2009.00572.x"):
        assert part in words, part
    assert "https://doi.org/10.1111/j.1468-2435.2009.00572.x" in hrefs(citation)
    assert "/page/person/alexandra-delano" in hrefs(citation)
    assert "/page/article/delano-2012" in hrefs(citation)
    assert citation.find("cite").words() == "International Migration"


def test_home_states_the_question_and_the_thesis(page, sparql):
    _, doc = page("/")
    links = hrefs(doc.find("section", class_="argument-summary"))
    assert "/page/claim/research-question" in links
    assert "/page/claim/thesis-beyond-security" in links
    _, spanish = page("/?lang=es")
    question = spanish.find("section", class_="argument-summary").find("p", class_="question")
    assert question.words().startswith("¿Por qué México")


def test_example_queries_are_named_in_the_pages_language_with_the_same_links(page):
    """The titles are translated; the query each link runs (and the ?example= slug) is the same."""
    _, english = page("/")
    _, spanish = page("/?lang=es")
    section = {doc: doc.find("section", **{"aria-labelledby": "examples-heading"}) for doc in (english, spanish)}
    english_links = [(a.words(), a.attrs["href"]) for a in section[english].find_all("a")]
    spanish_links = [(a.words(), a.attrs["href"]) for a in section[spanish].find_all("a")]
    assert ("Who held which post" in [t for t, _ in english_links]
            and "Quién ocupó qué cargo" in [t for t, _ in spanish_links])
    assert [h.split("&lang=")[0] for _, h in english_links] == [h.split("&lang=")[0] for _, h in spanish_links]
    _, query_page = page("/query?lang=es")
    assert "Quién ocupó qué cargo" in [o.words() for o in query_page.find_all("option")]


@pytest.mark.parametrize(
    "group, pattern",
    [
        ("people", "?r a foaf:Person"),
        ("organisations", "VALUES ?c { foaf:Organization org:Organization } ?r a/rdfs:subClassOf* ?c"),
        ("places", "?r a sem:Place"),
        ("events", "?r a sem:Event"),
        ("documents", "VALUES ?c { mxus:JointDeclaration mxus:Agreement mxus:Initiative } ?r a ?c"),
        ("claims", "?r a/rdfs:subClassOf mxus:Claim"),
    ],
)
def test_home_lists_every_entry_point(page, sparql, group, pattern):
    _, doc = page("/")
    section = doc.by_id(group)
    expected = {"/page/" + row["r"][len(CANONICAL + "id/") :] for row in sparql(f"SELECT DISTINCT ?r WHERE {{ {pattern} }}")}
    assert expected
    assert set(hrefs(section)) == expected


def test_home_statistics_come_from_the_store(page, sparql):
    _, doc = page("/")
    triples = int(sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CANONICAL}graph/data> {{ ?s ?p ?o }} }}")[0]["n"])
    section = doc.by_id("data-heading").parent
    assert f"{triples:,} triples" in section.words()
    people = int(sparql(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?t FILTER STRSTARTS(STR(?s), '{CANONICAL}id/person/') }}")[0]["n"])
    rows = {tr.find("th").words(): tr.find("td").words() for tr in section.find("table").find("tbody").find_all("tr")}
    assert rows["person"] == str(people)
    assert {"/dumps/", "/.well-known/void", "/ontology", "/shapes", "/sparql"} <= set(hrefs(section))


def test_home_example_queries_run(page, client):
    _, doc = page("/")
    links = [h for h in hrefs(doc.by_id("examples-heading").parent) if h.startswith("/query?")]
    assert len(links) >= 5
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        result = parse_html(response.get_data(as_text=True)).find("section", class_="results")
        assert result.find_all("tr") or result.find_all("pre") or result.find_all("p", class_="boolean"), link


# ---------------------------------------------------------------- one resource


def test_powell_page(page, sparql):
    response, doc = page("/page/person/colin-powell")
    head = doc.find("head")
    assert doc.find("h1").words() == "Colin Powell"
    assert not doc.find("main").find_all("p", class_="label-other")  # the same name in both languages: said once
    # the passages that name him, quoted exactly, with their position
    quotes = doc.find("main").find_all("blockquote")
    assert any("Colin Powell" in q.text() for q in quotes)
    exact = sparql(
        f"""SELECT ?exact ?start ?end WHERE {{ <{CANONICAL}id/claim/powell-no-political-conditions> mxus:statedIn ?s .
           ?s oa:hasSelector ?p , ?q . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }}"""
    )[0]
    # quoted as read (line breaks, hyphenation, doubled quotes repaired), verbatim in a <details>
    figure = next(f for f in doc.find_all("figure", class_="passage") if f.find("blockquote").find("p").text() == normalize_passage(exact["exact"]))
    assert figure.find("details").find("pre").text() == exact["exact"]
    assert f"characters {exact['start']}–{exact['end']}" in figure.find("figcaption").words()
    # alternates, in the head and visible
    alternates = {link.attrs["type"]: link.attrs["href"] for link in head.find_all("link", rel="alternate")}
    assert alternates == {
        "text/turtle": "/data/person/colin-powell.ttl",
        "application/ld+json": "/data/person/colin-powell.jsonld",
        "application/n-triples": "/data/person/colin-powell.nt",
        "application/rdf+xml": "/data/person/colin-powell.rdf",
    }
    assert set(alternates.values()) <= set(hrefs(doc.find("main")))
    # embedded schema.org JSON-LD under the served URI
    data = json.loads(head.find("script", type="application/ld+json").text())
    assert data["@id"] == BASE + "id/person/colin-powell"
    assert data["@type"] == "Person"
    assert data["name"] == "Colin Powell"
    assert data["sameAs"] == "http://www.wikidata.org/entity/Q150851"
    # external and internal links
    links = hrefs(doc.find("main"))
    assert any("wikidata.org" in h and h.endswith("/Q150851") for h in links)
    assert "/page/post/us-secretary-of-state" in links  # org:holds, with its label
    assert "/page/event/powell-declaration-2002" in links  # incoming sem:hasActor
    assert "/page/claim/powell-no-political-conditions" in links
    assert response.headers["Link"].count('rel="alternate"') == 5


def test_the_alternate_formats_exist(page, client):
    _, doc = page("/page/person/colin-powell")
    for link in doc.find("head").find_all("link", rel="alternate"):
        response = client.get(link.attrs["href"])
        assert response.status_code == 200
        assert response.content_type.split(";")[0] == link.attrs["type"]


def test_claim_page_quotes_its_span_with_its_position(page):
    _, doc = page("/page/claim/research-question")
    figure = doc.find("section", **{"aria-labelledby": "passages-heading"}).find("figure", class_="passage")
    assert "characters 413–709" in figure.find("figcaption").words()
    assert figure.find("blockquote").text().startswith("Why were the Mexican and United States governments unable")
    types = doc.find("p", class_="eyebrow")
    assert "/ontology#ResearchQuestion" in hrefs(types)
    # the text in English and the label in Spanish
    assert doc.find("h1").words().startswith("Why could Mexico")
    assert doc.find("p", class_="label-es").find(lang="es").words().startswith("¿Por qué México")
    data = json.loads(doc.find("script", type="application/ld+json").text())
    assert data["@type"] == "Claim"
    assert data["@id"] == BASE + "id/claim/research-question"


def test_place_page_shows_spanish_label_and_blank_nodes(page, client):
    _, doc = page("/page/place/mexico")
    assert doc.find("p", class_="label-es").find(lang="es").words() == "México"
    links = hrefs(doc.find("main"))
    assert "http://www.wikidata.org/entity/Q96" in links and "https://sws.geonames.org/3996063/" in links
    # blank nodes (a publisher's addresses) are shown nested, not as identifiers
    publisher = parse_html(client.get("/page/organisation/blackwell-publishing").get_data(as_text=True))
    nested = publisher.find("section", class_="statements-where").find_all("dl", class_="nested")
    assert len(nested) == 2 and any("Garsington Road" in n.words() for n in nested)


def test_every_resource_has_a_page(client, sparql):
    rows = sparql(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), '{CANONICAL}id/') }}")
    assert len(rows) > 100
    for row in rows:
        path = "/page/" + row["s"][len(CANONICAL + "id/") :]
        response = client.get(path)
        assert response.status_code == 200, path
        doc = parse_html(response.get_data(as_text=True))
        json.loads(doc.find("script", type="application/ld+json").text())


def test_resource_page_etag_and_304(client):
    first = client.get("/page/person/colin-powell")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/page/person/colin-powell", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert not again.data
    other = client.get("/page/person/john-ashcroft")
    assert other.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("path", ["/", "/claims", "/timeline", "/source"])
def test_site_pages_have_an_etag_per_language_and_answer_304(client, path):
    english = client.get(path, headers={"Accept-Language": "en"})
    spanish = client.get(path, headers={"Accept-Language": "es"})
    assert english.status_code == spanish.status_code == 200
    assert english.headers["ETag"] and english.headers["ETag"] != spanish.headers["ETag"]
    assert "Accept-Language" in english.headers["Vary"]
    again = client.get(path, headers={"Accept-Language": "en", "If-None-Match": english.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert client.get(path, headers={"Accept-Language": "es", "If-None-Match": english.headers["ETag"]}).status_code == 200


@pytest.mark.parametrize("path", ["/page/person/nobody", "/page/Person/colin-powell", "/page/person/colin_powell"])
def test_unknown_resource_is_a_404_page(client, path):
    for headers in ({}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.content_type == "text/html; charset=utf-8"
        doc = parse_html(response.get_data(as_text=True))
        assert doc.find("h1").words() == "404 Not Found"
        assert doc.find("p", class_="error-message").words()


def test_error_pages_speak_the_pages_language(client):
    """The status and what it means in Spanish; the detail (English, as machines get it) marked as English;
    werkzeug's stock English sentence never shown."""
    doc = parse_html(client.get("/page/person/nobody?lang=es").get_data(as_text=True))
    assert doc.find("h1").words() == "404 No encontrado"
    assert doc.find("p", class_="error-meaning").words() == "No hay nada en esta dirección."
    detail = doc.find("p", class_="error-message")
    assert "/id/person/nobody" in detail.words() and detail.attrs["lang"] == "en"
    stock = client.get("/no-such-route?lang=es", headers={"Accept": "text/html"})
    doc = parse_html(stock.get_data(as_text=True))
    assert stock.status_code == 404 and doc.find("h1").words() == "404 No encontrado"
    assert "requested URL" not in stock.get_data(as_text=True) and not doc.find_all("p", class_="error-message")
    english = client.get("/no-such-route", headers={"Accept": "application/json"}).get_json()
    assert english["error"]["title"] == "Not Found"  # machines keep the English title and message


def test_unknown_resource_as_json_when_asked(client):
    response = client.get("/page/person/nobody", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_id_redirects_browsers_to_the_page(client):
    response = client.get("/id/person/colin-powell", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/page/person/colin-powell")


# ---------------------------------------------------------------- the argument


def _claim(doc: Node, slug: str) -> Node:
    node = doc.by_id(slug)
    assert node.tag == "article"
    return node


def test_claims_page_lays_out_the_argument(page):
    _, doc = page("/claims")
    main = doc.find("main")
    order = [s.attrs["id"] for s in main.find_all("section", class_="argument-part")]
    # The excerpt has no finding: "this paper identifies ..." is an aim (mxus:Aim), which the page
    # lists with the other kinds it has no section for.
    assert order == ["researchquestion", "disputedview", "thesis", "explanatoryfactor", "conclusion"]
    thesis = _claim(doc, "thesis-beyond-security")
    assert "thesis" == thesis.parent.attrs["id"]
    answers = thesis.find("li", class_="answers")
    assert answers.find("span", class_="relation").words() == "answers"
    assert hrefs(answers) == ["#research-question"]
    disputes = thesis.find("li", class_="disputes")
    assert hrefs(disputes) == ["#conventional-wisdom-september-11"]
    question = _claim(doc, "research-question")
    assert "/page/claim/research-question" in hrefs(question.find("h3"))
    factors = doc.by_id("explanatoryfactor").find_all("article")
    assert len(factors) == 3
    for factor in factors:
        assert hrefs(factor.find("li", class_="elaborates")) == ["#thesis-beyond-security"]
    assert doc.by_id("conclusion").find_all("article")
    assert _claim(doc, "nafta-framework-challenge") is not None


def test_claims_page_quotes_every_claim_and_its_citations(page, sparql):
    _, doc = page("/claims")
    # A claim a page footer interrupts is stated in two spans (the first mxus:continuedBy the
    # second); the page quotes the first.
    claims = sparql(
        """SELECT ?claim ?exact WHERE { ?claim a/rdfs:subClassOf mxus:Claim ; mxus:statedIn ?s .
           ?s oa:hasSelector ?q . ?q oa:exact ?exact
           FILTER NOT EXISTS { ?claim mxus:statedIn ?before . ?before mxus:continuedBy ?s } }"""
    )
    assert len(claims) >= 20
    for row in claims:
        article = _claim(doc, row["claim"].rsplit("/", 1)[1])
        assert article.find("blockquote").find("p").text() == normalize_passage(row["exact"])
        if normalize_passage(row["exact"]) != row["exact"]:
            assert article.find("details").find("pre").text() == row["exact"]
        assert "characters " in article.find("figcaption").words()
    mohar = _claim(doc, "powell-no-political-conditions").find("p", class_="citations")
    assert "(Mohar, 2004)" in mohar.words()
    assert "/page/pointer/mohar-2004-second" in hrefs(mohar)
    assert "/page/work/mohar-2004" in hrefs(mohar)


def test_reported_facts_are_grouped_with_their_support(page, sparql):
    _, doc = page("/claims")
    section = doc.by_id("reported-facts")
    groups = section.find_all("section", class_="fact-group")
    assert len(groups) >= 4
    facts = {row["c"] for row in sparql("SELECT ?c WHERE { VALUES ?k { mxus:ReportedFact mxus:Assessment } ?c a ?k }")}
    shown = {a.attrs["id"] for g in groups for a in g.find_all("article")}
    assert shown == {f.rsplit("/", 1)[1] for f in facts}
    left_out = _claim(doc, "migration-left-out")
    supported_by = {h for li in left_out.find_all("li", class_="supports-inverse") for h in hrefs(li)}
    assert supported_by == {"#security-collaboration-continued", "#partnership-for-prosperity-excludes-migration"}
    assert hrefs(_claim(doc, "security-collaboration-continued").find("li", class_="supports")) == ["#migration-left-out"]
    # the Guanajuato facts sit under the Guanajuato proposal
    guanajuato = next(g for g in groups if "/page/document/guanajuato-proposal-2001" in hrefs(g.find("h3")))
    assert {a.attrs["id"] for a in guanajuato.find_all("article")} >= {"guanajuato-declaration-intentions", "orderly-framework-for-migration"}


# ---------------------------------------------------------------- timeline


def _event_dates(sparql) -> dict[str, str]:
    rows = sparql(
        """SELECT ?e ?when WHERE { ?e a sem:Event .
           OPTIONAL { ?e sem:hasTimeStamp ?t } OPTIONAL { ?e sem:hasBeginTimeStamp ?b } BIND (COALESCE(?t, ?b) AS ?when) }"""
    )
    return {"/page/" + r["e"][len(CANONICAL + "id/") :]: r["when"] for r in rows}


def test_timeline_draws_every_event_in_date_order(page, sparql):
    _, doc = page("/timeline")
    svg = doc.find("svg")
    assert svg.attrs["viewbox"].startswith("0 0 ")
    assert svg.find("title").words()
    events = [a for a in svg.find_all("a") if a.attrs.get("href", "").startswith("/page/event/")]
    dates = _event_dates(sparql)
    assert len(events) == len(dates) >= 10
    assert {a.attrs["href"] for a in events} == set(dates)
    starts = [dates[a.attrs["href"]] for a in events]
    assert starts == sorted(starts)  # ISO dates of any precision sort by their text
    for a in events:
        assert a.find("title").words() and a.find("text").words()
        assert a.find_all("circle") or a.find_all("rect", class_="bar")
    # periods are bars, wider than a point
    bars = [a for a in events if a.find_all("rect", class_="bar")]
    assert {a.attrs["href"] for a in bars} == {"/page/event/high-level-group-meetings-2001", "/page/event/immigration-reform-proposals-2005-2007"}
    # placed by date: where each event starts (a day, or the month or year the text gives) grows with time
    def left(a: Node) -> float:
        for cls in ("bar", "range"):
            if a.find_all("rect", class_=cls):
                return float(a.find("rect", class_=cls).attrs["x"])
        return float(a.find("circle").attrs["cx"])

    xs = [left(a) for a in events]
    assert xs == sorted(xs)
    assert xs[0] < xs[-1]


def test_timeline_lists_the_events_for_everyone(page, sparql):
    _, doc = page("/timeline")
    listed = doc.find("ol", class_="events").find_all("li")
    drawn = [a.attrs["href"] for a in doc.find("svg").find_all("a")]
    assert [hrefs(li)[0] for li in listed] == drawn
    dates = _event_dates(sparql)
    for li in listed:
        when = li.find("p", class_="date")
        times = when.find_all("time")
        assert times[0].attrs["datetime"] == dates[hrefs(li)[0]] if times else when.find("span", class_="when")
    _, spanish = page("/timeline?lang=es")
    titles = [li.find("h3").words() for li in spanish.find("ol", class_="events").find_all("li")]
    assert "Firma de la Sociedad para la Prosperidad en Monterrey" in titles


# ---------------------------------------------------------------- query page


def _query(client, text: str):
    response = client.get("/query?query=" + quote(text))
    return response, parse_html(response.get_data(as_text=True))


def test_query_page_offers_the_examples(page):
    _, doc = page("/query")
    textarea = doc.find("textarea", name="query")
    assert "SELECT" in textarea.text()
    options = doc.find("select", name="example").find_all("option")
    assert len(options) >= 5
    form = textarea.parent
    assert form.tag == "form" and form.attrs["method"] == "get" and form.attrs["action"] == "/query"


def test_query_page_loads_an_example(client):
    from server.web.examples import EXAMPLE_QUERIES, EXAMPLE_SLUGS

    slug, title = list(EXAMPLE_SLUGS.items())[1]
    doc = parse_html(client.get("/query?example=" + slug).get_data(as_text=True))
    assert doc.find("textarea").text() == EXAMPLE_QUERIES[title]
    assert not doc.find_all("section", class_="results")


def test_select_results_as_a_table(client):
    response, doc = _query(
        client,
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?label ?same WHERE {
  ?person a <http://xmlns.com/foaf/0.1/Person> ; rdfs:label ?label .
  OPTIONAL { ?person <http://www.w3.org/2002/07/owl#sameAs> ?same }
} ORDER BY ?person ?label""",
    )
    assert response.status_code == 200
    table = doc.find("table", class_="results-table")
    assert [th.words() for th in table.find("thead").find_all("th")] == ["?person", "?label", "?same"]
    rows = table.find("tbody").find_all("tr")
    assert len(rows) >= 14  # seven people, two labels each
    first_cells = [tr.find_all("td")[0] for tr in rows]
    assert all(hrefs(td)[0].startswith("/page/person/") for td in first_cells)
    powell = next(tr for tr in rows if hrefs(tr)[0] == "/page/person/colin-powell")
    assert "http://www.wikidata.org/entity/Q150851" in hrefs(powell)
    spanish = [td for tr in rows for td in tr.find_all("td") if td.find_all(lang="es")]
    assert spanish and all("@es" in td.words() for td in spanish)
    downloads = doc.find("p", class_="downloads")
    formats = set()
    for href in hrefs(downloads):
        parts = urlsplit(href)
        assert parts.path == "/sparql"
        params = parse_qs(parts.query)
        assert params["query"][0].startswith("PREFIX rdfs:")
        formats.add(params["format"][0])
    assert formats == {"json", "xml", "csv", "tsv"}


def test_download_links_answer_in_their_format(client):
    _, doc = _query(client, "SELECT ?s WHERE { ?s a <http://semanticweb.cs.vu.nl/2009/11/sem/Event> }")
    expected = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}
    for href in hrefs(doc.find("p", class_="downloads")):
        response = client.get(href)
        assert response.status_code == 200
        assert response.content_type.split(";")[0] == expected[parse_qs(urlsplit(href).query)["format"][0]]


def test_typed_literals_show_their_datatype(client):
    _, doc = _query(client, "SELECT ?d WHERE { <https://w3id.org/mxus/id/event/september-11-attacks> <http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp> ?d }")
    cell = doc.find("table", class_="results-table").find("tbody").find("td")
    assert cell.words() == "2001-09-11 ^^xsd:date"


def test_served_uris_in_queries_are_understood(client):
    # the page shows http://localhost/id/..., so a query may use it
    _, doc = _query(client, f"SELECT ?label WHERE {{ <{BASE}id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")
    assert len(doc.find("table", class_="results-table").find("tbody").find_all("tr")) == 2


def test_ask_shows_yes_or_no(client):
    _, yes = _query(client, "ASK { ?s a <http://semanticweb.cs.vu.nl/2009/11/sem/Event> }")
    assert yes.find("p", class_="boolean").words() == "Yes"
    _, no = _query(client, "ASK { ?s a <http://example.org/Nothing> }")
    assert no.find("p", class_="boolean").words() == "No"
    formats = {parse_qs(urlsplit(h).query)["format"][0] for h in hrefs(no.find("p", class_="downloads"))}
    assert formats == {"json", "xml", "csv", "tsv"}


def test_construct_shows_turtle(client):
    response, doc = _query(
        client,
        "CONSTRUCT { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
    )
    assert response.status_code == 200
    turtle = doc.find("pre", class_="turtle").text()
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(BASE + "id/person/colin-powell"), RDFS.label, None) in graph
    formats = {parse_qs(urlsplit(h).query)["format"][0] for h in hrefs(doc.find("p", class_="downloads"))}
    assert formats == {"ttl", "jsonld", "nt", "rdf"}


def test_syntax_error_is_a_400_page_with_the_parsers_message(app, client):
    text = "SELECT ?s WHERE { ?s ?p }"
    with pytest.raises(QuerySyntaxError) as raised:
        app.extensions["mxus"].store.query(text, "application/sparql-results+json")
    response, doc = _query(client, text)
    assert response.status_code == 400
    assert response.content_type == "text/html; charset=utf-8"
    message = doc.find("section", class_="error").find("p", class_="error-message").words()
    assert " ".join(str(raised.value).split()) in message
    assert doc.find("textarea").text() == text  # kept, to be fixed


@pytest.mark.parametrize(
    "text, status, words",
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400, "SERVICE is not allowed"),
        ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", 403, "read-only"),
        ("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", 400, "is not in this dataset"),
        ("   ", 400, "empty"),
    ],
)
def test_refused_queries_explain_why(client, text, status, words):
    response, doc = _query(client, text)
    assert response.status_code == status
    assert words in doc.find("p", class_="error-message").words()


def test_timeout_is_reported(app, client, monkeypatch):
    def slow(*args, **kwargs):
        raise QueryTimeout("the query was stopped after the time limit of 10 s")

    monkeypatch.setattr(app.extensions["mxus"].store, "query", slow)
    response, doc = _query(client, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert response.status_code == QueryTimeout.status
    assert "time limit" in doc.find("p", class_="error-message").words()


def test_sparql_endpoint_renders_the_query_page_for_browsers(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    doc = parse_html(response.get_data(as_text=True))
    assert doc.find("textarea", name="query")


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_sparql_query_from_a_browser_shows_the_query_page_with_the_result(client):
    text = f"SELECT ?label WHERE {{ <{BASE}id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    response = client.get("/sparql", query_string={"query": text}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Vary"] == "Accept, Accept-Encoding, Accept-Language"
    doc = parse_html(response.get_data(as_text=True))
    assert doc.find("textarea", name="query").text() == text
    assert len(doc.find("table", class_="results-table").find("tbody").find_all("tr")) == 2
    formats = {parse_qs(urlsplit(h).query)["format"][0] for h in hrefs(doc.find("p", class_="downloads"))}
    assert formats == {"json", "xml", "csv", "tsv"}


def test_sparql_query_from_a_browser_keeps_the_named_graphs_in_the_downloads(client):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"
    graph = BASE + "graph/shapes"
    response = client.get("/sparql", query_string={"query": text, "default-graph-uri": graph}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    doc = parse_html(response.get_data(as_text=True))
    shown = int(doc.find("table", class_="results-table").find("tbody").find("td").words().split()[0])
    assert shown > 10
    for href in hrefs(doc.find("p", class_="downloads")):
        assert parse_qs(urlsplit(href).query)["default-graph-uri"] == [graph]
    download = client.get(next(h for h in hrefs(doc.find("p", class_="downloads")) if "format=json" in h))
    assert int(download.get_json()["results"]["bindings"][0]["n"]["value"]) == shown


def test_sparql_query_from_a_browser_shows_a_failure_on_the_page(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"}, headers={"Accept": BROWSER})
    assert response.status_code == 400
    doc = parse_html(response.get_data(as_text=True))
    assert "syntax error" in doc.find("section", class_="error").find("p", class_="error-message").words()
    assert doc.find("textarea").text() == "SELECT ?s WHERE { ?s ?p }"


@pytest.mark.parametrize(
    "headers, query_string, media_type",
    [
        ({"Accept": BROWSER}, {"format": "json"}, "application/sparql-results+json"),  # an explicit format wins
        ({"Accept": "*/*"}, {}, "application/sparql-results+json"),  # curl: the data
        ({}, {}, "application/sparql-results+json"),
        ({"Accept": "application/sparql-results+json, text/html;q=0.5"}, {}, "application/sparql-results+json"),
        ({"Accept": "text/turtle"}, {"format": "html"}, "text/html"),
    ],
)
def test_sparql_query_page_only_when_html_is_preferred(client, headers, query_string, media_type):
    query = {"query": "ASK { ?s a <http://semanticweb.cs.vu.nl/2009/11/sem/Event> }", **query_string}
    response = client.get("/sparql", query_string=query, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_service_description_format_beats_a_browsers_accept(client):
    response = client.get("/sparql", query_string={"format": "ttl"}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"


# ---------------------------------------------------------------- ontology and shapes


def test_ontology_documents_every_term_with_both_labels(app, page):
    _, doc = page("/ontology")
    ontology = app.extensions["mxus"].published.ontology
    terms = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(str(MXUS))
    }
    assert len(terms) >= 25
    for term in terms:
        local = str(term)[len(str(MXUS)) :]
        article = doc.by_id(local)
        labels = {lit.language: str(lit) for lit in ontology.objects(term, RDFS.label)}
        assert article.find(lang="en").words() == labels["en"]
        assert article.find(lang="es").words() == labels["es"]
        assert local in article.find("h3").words()
    header = doc.find("header", class_="ontology-header")
    assert "0.1.0" in header.words()
    assert "https://creativecommons.org/licenses/by/4.0/" in hrefs(header)
    claim = doc.by_id("Claim")
    assert "https://schema.org/Claim" in hrefs(claim)
    answers = doc.by_id("answers")
    assert "#ResearchQuestion" in hrefs(answers) and "#Claim" in hrefs(answers)
    assert doc.by_id("disputes") is not None
    # cito:disputes links works, not claims: the ontology names it with rdfs:seeAlso (no longer
    # skos:closeMatch, which is for SKOS concepts).
    assert (MXUS.disputes, RDFS.seeAlso, URIRef("http://purl.org/spar/cito/disputes")) in ontology


@pytest.mark.parametrize(
    "path, headers, media_type",
    [
        ("/ontology", {"Accept": "text/turtle"}, "text/turtle"),
        ("/ontology.ttl", {}, "text/turtle"),
        ("/ontology.jsonld", {}, "application/ld+json"),
        ("/ontology.nt", {}, "application/n-triples"),
        ("/ontology.rdf", {}, "application/rdf+xml"),
        ("/ontology?format=jsonld", {}, "application/ld+json"),
    ],
)
def test_ontology_as_rdf(client, path, headers, media_type):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.content_type.split(";")[0] == media_type
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}[media_type]
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    served = URIRef(BASE + "ontology#Claim")
    assert (served, RDF.type, OWL.Class) in graph
    assert not any(str(s).startswith("http://www.w3.org/ns/org#") for s in graph.subjects())  # reused axioms stay out
    assert "Accept" in response.headers["Vary"]


def test_ontology_html_by_default_and_406(client):
    assert client.get("/ontology", headers={"Accept": "text/html"}).content_type == "text/html; charset=utf-8"
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/ontology.png").status_code == 404


def test_shapes_page_lists_each_shape_target_and_messages(app, page):
    _, doc = page("/shapes")
    shapes = app.extensions["mxus"].published.shapes
    sh = "http://www.w3.org/ns/shacl#"
    named = [s for s in shapes.subjects(RDF.type, URIRef(sh + "NodeShape")) if isinstance(s, URIRef)]
    assert len(named) >= 20
    for shape in named:
        article = doc.by_id(str(shape).rsplit("#", 1)[1])
        messages = [*shapes.objects(shape, URIRef(sh + "message"))]
        for node in [*shapes.objects(shape, URIRef(sh + "property")), *shapes.objects(shape, URIRef(sh + "sparql"))]:
            messages.extend(shapes.objects(node, URIRef(sh + "message")))
        for message in messages:  # as served: canonical URIs in them rewritten too
            assert " ".join(str(message).replace(CANONICAL, BASE).split()) in article.words()
    person = doc.by_id("PersonShape")
    assert "http://xmlns.com/foaf/0.1/Person" in hrefs(person)
    assert "instances of" in person.words()


def test_shapes_as_turtle(client):
    response = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.content_type.startswith("text/turtle")
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (URIRef(BASE + "shapes#PersonShape"), RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in graph
    assert client.get("/shapes.ttl").status_code == 200


def test_ontology_conditional_get(client):
    first = client.get("/ontology.ttl")
    assert client.get("/ontology.ttl", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    html = client.get("/ontology")
    assert html.headers["ETag"] != first.headers["ETag"]


def test_etags_change_with_the_code_version(client, monkeypatch):
    import server.web.responses

    before = {path: client.get(path).headers["ETag"] for path in ("/ontology.ttl", "/ontology", "/page/person/colin-powell")}
    monkeypatch.setattr(server.web.responses, "code_version", lambda: "999.0.0")
    for path, etag in before.items():
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200, path
        assert response.headers["ETag"] != etag


def test_the_version_iri_of_the_ontology_is_served(app, client):
    ontology = app.extensions["mxus"].published.ontology
    iri = URIRef(CANONICAL + "ontology")
    version = str(next(ontology.objects(iri, OWL.versionInfo)))
    assert str(next(ontology.objects(iri, OWL.versionIRI))) == CANONICAL + "ontology/" + version
    for suffix, headers in (("", {"Accept": "text/turtle"}), (".ttl", {}), ("", {"Accept": "text/html"})):
        versioned = client.get(f"/ontology/{version}{suffix}", headers=headers)
        current = client.get(f"/ontology{suffix}", headers=headers)
        assert versioned.status_code == 200
        assert versioned.content_type == current.content_type
        assert versioned.data == current.data
        assert versioned.headers["ETag"] == current.headers["ETag"]
    served = Graph().parse(data=client.get(f"/ontology/{version}.ttl").get_data(as_text=True), format="turtle")
    assert (URIRef(BASE + "ontology"), OWL.versionIRI, URIRef(f"{BASE}ontology/{version}")) in served


@pytest.mark.parametrize("path", ["/ontology/9.9.9", "/ontology/9.9.9.ttl", "/ontology/0.1"])
def test_other_versions_of_the_ontology_are_404(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404


# ---------------------------------------------------------------- links stay inside the site


def test_internal_links_of_the_main_pages_resolve(page, client):
    seen: set[str] = set()
    for path in ("/", "/claims", "/timeline", "/ontology"):
        _, doc = page(path)
        for href in hrefs(doc):
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path or target.path in seen:
                continue
            if re.match(r"^/(dumps/|\.well-known/)", target.path):
                continue  # served by the VoID module
            seen.add(target.path)
            assert client.get(target.path).status_code == 200, target.path
    assert len(seen) > 50


def test_home_lists_every_organisation(client):
    """ORG's subclasses (formal organisations, collaborations) are organisations too."""
    html = client.get("/").get_data(as_text=True)
    for slug in ("government-of-mexico", "government-of-the-united-states", "us-congress", "high-level-group-on-migration",
                 "bilateral-working-group-on-migration", "blackwell-publishing", "the-new-school"):
        assert f"/page/organisation/{slug}" in html, slug


def test_properties_with_one_name_keep_one_order_whatever_the_hash_seed(client):
    """An issue is schema:isPartOf and frbr:partOf its volume, both "is part of": the page lists them in
    the order of their IRIs, so every process (each with its own hash seed) serves the same page."""
    html = client.get("/page/issue/international-migration-50-s1", headers={"Accept": "text/html"}).get_data(as_text=True)
    first, second = html.find('href="http://purl.org/vocab/frbr/core#partOf"'), html.find('href="https://schema.org/isPartOf"')
    assert -1 < first < second
