"""The argument map and who did what when: the diagram's data and geometry, the timeline's actor
filter, a person's posts and an event's actors, checked against the store the pages read."""

from __future__ import annotations


import pytest

from server.web.argument_map import ARGUMENT_KINDS, Argument, Edge, Node, layout, wrap
from test_pages import parse_html

CANONICAL = "https://w3id.org/mxus/"
RELATIONS = "mxus:answers mxus:disputes mxus:elaborates mxus:supports mxus:qualifies mxus:presupposes mxus:contrastsWith prov:wasDerivedFrom"


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


def served(iri: str) -> str:
    return iri.replace(CANONICAL, "/").replace("/id/", "/page/", 1)


@pytest.fixture(scope="module")
def argument_claims(sparql) -> set[str]:
    """The claims of the argument's kinds, and those one argument relation away from them."""
    kinds = " ".join(f"mxus:{k}" for k in ARGUMENT_KINDS)
    core = {r["c"] for r in sparql(f"SELECT ?c WHERE {{ VALUES ?k {{ {kinds} }} ?c a ?k }}")}
    linked = sparql(f"SELECT ?a ?b WHERE {{ VALUES ?p {{ {RELATIONS} }} ?a ?p ?b . "
                    "?a a/rdfs:subClassOf mxus:Claim . ?b a/rdfs:subClassOf mxus:Claim }")
    return core | {x for r in linked if r["a"] in core or r["b"] in core for x in (r["a"], r["b"])}


@pytest.fixture(scope="module")
def argument_page(client):
    response = client.get("/argument")
    assert response.status_code == 200
    return parse_html(response.get_data(as_text=True))


def test_every_claim_of_the_argument_is_a_node_linking_to_its_page(argument_page, argument_claims):
    svg = argument_page.find("svg", class_="argument")
    nodes = {a.attrs["href"] for a in svg.find_all("a", class_="claim-node")}
    assert nodes == {served(c) for c in argument_claims}
    assert len(argument_claims) >= 10


def test_every_relation_is_an_edge_the_curators_readings_dashed(argument_page, argument_claims, sparql):
    rows = sparql(f"""SELECT ?a ?p ?b (BOUND(?link) AS ?curators) WHERE {{ VALUES ?p {{ {RELATIONS} }} ?a ?p ?b .
      OPTIONAL {{ ?link a mxus:InterpretiveLink ; rdf:subject ?a ; rdf:predicate ?p ; rdf:object ?b }} }}""")
    expected = {(served(r["a"]), served(r["b"]), r["curators"] == "true") for r in rows
                if r["a"] in argument_claims and r["b"] in argument_claims}
    edges = argument_page.find("svg", class_="argument").find_all("g", class_="edge")
    drawn = {(e.attrs["data-source"].replace("http://localhost/id/", "/page/"),
              e.attrs["data-target"].replace("http://localhost/id/", "/page/"),
              "curators" in e.attrs["class"].split()) for e in edges}
    assert drawn == expected
    assert {c for _, _, c in expected} == {True, False}  # both kinds are in the data
    markers = {e.find("path").attrs["marker-end"] for e in edges}
    assert markers == {"url(#arrow-text)", "url(#arrow-curators)"}
    interpretive = sparql("SELECT ?a ?b WHERE { ?l a mxus:InterpretiveLink ; rdf:subject ?a ; rdf:object ?b . ?a a/rdfs:subClassOf mxus:Claim }")
    assert {(served(r["a"]), served(r["b"]), True) for r in interpretive} <= drawn


def test_the_map_is_accessible_and_each_claim_leads_to_its_passage(argument_page, client):
    svg = argument_page.find("svg", class_="argument")
    assert svg.attrs["role"] == "group" and svg.find("title").words() and svg.find("desc").words()
    for a in svg.find_all("a", class_="claim-node"):  # named by its <title> (kind and whole label), not an
        assert ": " in a.find("title").words()         # aria-label, which must hold the visible, cut-short text
    listed = argument_page.find("ol", class_="argument-claims")
    passages = [a.attrs["href"] for a in listed.find_all("a", class_="passage-link")]
    assert passages and all(h.startswith("/source?char=") and "#char=" in h for h in passages)
    claim = parse_html(client.get("/page/claim/thesis-beyond-security").get_data(as_text=True))
    assert any(a.attrs["href"].startswith("/source?char=") for a in claim.find_all("a", class_="passage-link"))


def test_the_home_page_shows_the_map_in_spanish_too(client):
    doc = parse_html(client.get("/?lang=es").get_data(as_text=True))
    svg = doc.find("svg", class_="argument")
    assert svg.find("title").words() == "El argumento, afirmación por afirmación"
    labels = " ".join(a.find("title").words() for a in svg.find_all("a", class_="claim-node"))
    assert "Tesis:" in labels and "¿Por qué México" in labels


def test_layout_boxes_do_not_overlap_and_stay_inside(shared_app):
    nodes = [Node(f"c{i}", kind, "word " * 40, i * 10, i * 10 + 5) for i, kind in enumerate(
        ["ResearchQuestion", "Thesis", "ExplanatoryFactor", "ExplanatoryFactor", "Conclusion", "ReportedFact"])]
    edges = [Edge("c1", "c0", "mxus:answers", True), Edge("c2", "c1", "mxus:elaborates", False),
             Edge("c4", "c1", "prov:wasDerivedFrom", True), Edge("c5", "c1", "mxus:qualifies", False)]
    with shared_app.test_request_context("/argument"):  # kinds and relations are named in the page's language
        drawn = layout(Argument(nodes, edges))
    boxes = drawn["boxes"]
    assert len(boxes) == len(nodes) and len(drawn["edges"]) == len(edges)
    w, h = drawn["box"]["width"], drawn["box"]["height"]
    for i, a in enumerate(boxes):
        assert 0 <= a["x"] and a["x"] + w <= drawn["width"] and 0 <= a["y"] and a["y"] + h <= drawn["height"]
        assert len(a["lines"]) <= drawn["box"]["lines"] and a["lines"][-1].endswith("…")
        for b in boxes[i + 1:]:
            assert a["x"] + w <= b["x"] or b["x"] + w <= a["x"] or a["y"] + h <= b["y"] or b["y"] + h <= a["y"]
    columns = {b["node"].iri: b["column"] for b in boxes}
    assert columns["c0"] < columns["c1"] < columns["c2"] < columns["c4"] and columns["c5"] == columns["c1"]


def test_wrap_keeps_to_the_width_and_marks_a_cut():
    assert wrap("a short one", 20, 3) == ["a short one"]
    lines = wrap("one two three four five six seven eight nine ten", 9, 2)
    assert len(lines) == 2 and all(len(line) <= 9 for line in lines) and lines[-1].endswith("…")


# ---------------------------------------------------------------- who did what when


def test_the_timeline_filtered_by_a_person_shows_only_their_events(client, sparql):
    expected = {served(r["e"]) for r in sparql("SELECT ?e WHERE { ?e sem:hasActor <https://w3id.org/mxus/id/person/colin-powell> }")}
    for asked in ("colin-powell", "person/colin-powell", "http://localhost/id/person/colin-powell", CANONICAL + "id/person/colin-powell"):
        doc = parse_html(client.get("/timeline", query_string={"actor": asked}).get_data(as_text=True))
        listed = {h.find("a").attrs["href"] for h in doc.find("ol", class_="events").find_all("h3")}
        assert listed == expected, asked
        drawn = {a.attrs["href"] for a in doc.find("svg", class_="timeline").find_all("a", class_="event")}
        assert drawn == expected
    assert client.get("/timeline?actor=nobody-at-all").status_code == 404
    assert client.get("/timeline?actor=claim/thesis-beyond-security").status_code == 404  # not an actor's kind
    creel = parse_html(client.get("/timeline?actor=santiago-creel").get_data(as_text=True))  # in the data, in no event
    assert not creel.find("ol", class_="events").find_all("li") and "Santiago Creel" in creel.find("p", class_="filter-note").words()


def test_the_timeline_names_the_actors_of_each_event(client, sparql):
    doc = parse_html(client.get("/timeline").get_data(as_text=True))
    text = doc.find("svg", class_="timeline").words()
    for row in sparql("SELECT DISTINCT ?name WHERE { ?e sem:hasActor/rdfs:label ?name FILTER (lang(?name) = 'en') }"):
        assert row["name"] in text


def test_a_person_page_lists_posts_with_dates_in_order(client):
    doc = parse_html(client.get("/page/person/george-w-bush").get_data(as_text=True))
    tenures = doc.find("ol", class_="tenures").find_all("li")
    assert [t.find("span", class_="when").words() for t in tenures] == ["16 February 2001 – 7 January 2004"]
    powell = parse_html(client.get("/page/person/colin-powell").get_data(as_text=True))
    items = powell.find("ol", class_="tenures").find_all("li")
    assert len(items) == 2 and all(i.find("span", class_="when").words() == "2001" for i in items)
    assert all(i.find("span", class_="tag") for i in items)  # the year is the curators' reading
    group = parse_html(client.get("/page/organisation/high-level-group-on-migration").get_data(as_text=True))
    members = [li.words() for li in group.find("ol", class_="tenures").find_all("li")]
    assert len(members) == 4 and all("co-chair" in m and "Claim" not in m for m in members)  # regression: a role, not any label
    dates = [li.find("time") for li in powell.by_id("chronicle-heading").parent.find("ol").find_all("li") if li.find_all("time")]
    assert [d.attrs["datetime"] for d in dates] == sorted(d.attrs["datetime"] for d in dates)


def test_an_event_page_shows_its_actors_place_date_and_outcome(client, sparql):
    doc = parse_html(client.get("/page/event/san-cristobal-meeting-2001").get_data(as_text=True))
    summary = doc.find("section", class_="event-summary")
    actors = {a.find("a").attrs["href"] for a in summary.find_all("dd", class_="actor")}
    assert actors == {served(r["a"]) for r in sparql("SELECT ?a WHERE { <https://w3id.org/mxus/id/event/san-cristobal-meeting-2001> sem:hasActor ?a }")}
    assert summary.find("time").attrs["datetime"] == "2001-02-16"
    outcome = summary.find("dd", class_="outcome")
    assert outcome.find("a").attrs["href"] == "/page/document/guanajuato-proposal-2001" and outcome.find("span", class_="tag")
    assert "San Cristobal Ranch" in summary.words()


def test_the_home_page_lists_the_events_in_date_order(client):
    doc = parse_html(client.get("/").get_data(as_text=True))
    dates = [t.attrs["datetime"] for t in doc.find("ol", class_="story").find_all("time")]
    assert len(dates) > 5 and dates == sorted(dates)
