"""/reconcile through the Flask test client: every answer checked against the specification's JSON Schemas.

The end-to-end test (tests/e2e/test_e2e_reconcile.py) asks a real server the
same questions; here the cases are many and cheap.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.reconciliation.specification import assert_property_proposal, assert_valid, errors

BASE = "http://localhost/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
EVENT, PERSON = SEM + "Event", "http://xmlns.com/foaf/0.1/Person"
DATE, HOLDS = SEM + "hasTimeStamp", "http://www.w3.org/ns/org#holds"


@pytest.fixture(scope="module")
def client(shared_app):
    assert shared_app.config["BASE_URI"] == BASE
    return shared_app.test_client()


def reconcile(client, queries: dict, method: str = "POST") -> dict:
    assert_valid("reconciliation-query-batch", queries)  # what we send is what the specification allows
    text = json.dumps(queries)
    if method == "POST":
        response = client.post("/reconcile", data={"queries": text})
    else:
        response = client.get("/reconcile?queries=" + quote(text))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert_valid("reconciliation-result-batch", body)
    assert set(body) == set(queries)
    return body


def first(body: dict, key: str = "q") -> dict:
    assert body[key]["result"], body
    return body[key]["result"][0]


# ---------------------------------------------------------------- the manifest


def test_manifest_is_valid_and_names_every_service(client):
    response = client.get("/reconcile")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.get_json()
    assert_valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == BASE + "id/"
    assert manifest["schemaSpace"] == BASE + "ontology#"
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        PERSON, "http://xmlns.com/foaf/0.1/Organization", SEM + "Place", EVENT, "https://schema.org/CreativeWork",
        BASE + "ontology#Initiative", BASE + "ontology#Claim", "http://www.w3.org/2004/02/skos/core#Concept"}
    assert manifest["view"]["url"] == BASE + "id/{{id}}"
    assert manifest["preview"]["url"] == BASE + "reconcile/preview?id={{id}}"
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert manifest["extend"]["propose_properties"] == {"service_url": BASE + "reconcile", "service_path": "/properties"}
    # The view template gives each candidate's own URI, which dereferences.
    assert client.get(manifest["view"]["url"].replace("{{id}}", "person/colin-powell").replace(BASE, "/"),
                      headers={"Accept": "text/turtle"}).status_code == 303


def test_the_schemas_can_fail():
    """The vendored schemas are really applied: answers that break them are caught."""
    assert errors("manifest", {"name": "x"})  # no versions, spaces
    assert errors("reconciliation-result-batch", {"q": {"result": [{"id": "x", "name": "y"}]}})  # no score
    assert errors("suggest-types-response", {"result": [{"id": "x"}]})  # no name
    assert errors("data-extension-response", {"meta": [], "rows": {"a": {"p": [{"date": "2001-09-06"}]}}})


# ---------------------------------------------------------------- the cases of the issue


@pytest.mark.parametrize("name,expected", [
    ("Colin Powell", "person/colin-powell"),
    ("Jorge Castaneda", "person/jorge-g-castaneda"),
    ("Secretaria de Relaciones Exteriores", "organisation/secretaria-de-relaciones-exteriores"),
    ("San Cristóbal", "place/san-cristobal-ranch"),
    ("COLIN POWELL", "person/colin-powell"),
    ("Secretariat of Foreign Affairs of Mexico", "organisation/secretaria-de-relaciones-exteriores"),
    ("SRE", "organisation/secretaria-de-relaciones-exteriores"),  # an alternative label
    ("Gobierno de Mexico", "organisation/government-of-mexico"),  # Spanish, without the accent
    ("person/colin-powell", "person/colin-powell"),  # an identifier as the query
])
def test_names_find_their_resource_as_a_clear_match(client, name, expected):
    top = first(reconcile(client, {"q": {"query": name}}))
    assert top["id"] == expected and top["match"] is True


def test_only_the_first_candidate_can_match(client):
    result = reconcile(client, {"q": {"query": "Secretaria de Relaciones Exteriores"}})["q"]["result"]
    assert len(result) > 1 and [c["match"] for c in result].count(True) == 1
    assert [c["score"] for c in result] == sorted((c["score"] for c in result), reverse=True)


def test_a_nonsense_name_matches_nothing(client):
    result = reconcile(client, {"q": {"query": "Zyxwv Qqqq Blorft"}})["q"]["result"]
    assert not any(c["match"] for c in result)


def test_an_ambiguous_name_is_no_match(client):
    """Two meetings of Fox and Bush: candidates, but no winner."""
    result = reconcile(client, {"q": {"query": "Fox-Bush meeting", "type": EVENT}})["q"]["result"]
    assert {c["id"] for c in result[:2]} == {"event/washington-meeting-2001", "event/san-cristobal-meeting-2001"}
    assert not any(c["match"] for c in result)


@pytest.mark.parametrize("date", ["2001-09-06", "2001-09"])
def test_an_event_by_date(client, date):
    query = {"query": "Fox-Bush meeting", "type": EVENT, "properties": [{"pid": DATE, "v": date}]}
    result = reconcile(client, {"q": query})["q"]["result"]
    assert result[0]["id"] == "event/washington-meeting-2001" and result[0]["match"] is True
    assert all(c["id"] != "event/san-cristobal-meeting-2001" for c in result)


def test_an_event_by_date_alone(client):
    """The specification lets a query give properties and no name."""
    query = {"type": "event", "properties": [{"pid": DATE, "v": "2001-09-06"}]}
    top = first(reconcile(client, {"q": query}))
    assert top["id"] == "event/washington-meeting-2001" and top["match"] is True


@pytest.mark.parametrize("post,found", [("Secretary of State", True), ("secretario de Estado", True),
                                        ({"id": "post/us-secretary-of-state"}, True), ("Attorney General", False)])
def test_a_person_by_post(client, post, found):
    query = {"query": "Powell", "type": PERSON, "properties": [{"pid": HOLDS, "v": post}]}
    result = reconcile(client, {"q": query})["q"]["result"]
    assert (bool(result) and result[0]["id"] == "person/colin-powell") is found


def test_type_restricts(client):
    assert first(reconcile(client, {"q": {"query": "San Cristobal", "type": EVENT}}))["id"] == \
        "event/san-cristobal-meeting-2001"
    assert reconcile(client, {"q": {"query": "Colin Powell", "type": "http://xmlns.com/foaf/0.1/Organization"}})["q"]["result"] == []


def test_a_batch_by_get_and_post_alike(client):
    batch = {"a": {"query": "Vicente Fox"}, "b": {"query": "Monterrey", "limit": 1}, "c": {"query": "xqzzy"}}
    assert reconcile(client, batch, "GET") == reconcile(client, batch, "POST")
    assert len(reconcile(client, batch)["b"]["result"]) == 1


def test_candidates_carry_types_and_features(client):
    top = first(reconcile(client, {"q": {"query": "Washington"}}))
    assert top["type"] and all({"id", "name"} <= set(t) for t in top["type"])
    assert {f["id"] for f in top["features"]} == {"name_similarity", "all_query_words", "properties_matched"}


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("queries,status,says", [
    ("not json", 400, "not JSON"),
    ("[]", 400, "object"),
    ('{"q": {}}', 400, "query"),
    ('{"q": {"query": "x", "type": "http://example.org/Thing"}}', 400, "unknown type"),
    ('{"q": {"query": "x", "properties": [{"pid": "http://example.org/p", "v": "y"}]}}', 400, "unknown property"),
    ('{"q": {"query": "x", "limit": 0}}', 400, "limit"),
    ('{"q": {"query": "x", "colour": "red"}}', 400, "colour"),
    (json.dumps({"q": {"query": "x" * 301}}), 400, "300"),
    (json.dumps({f"q{i}": {"query": "x"} for i in range(51)}), 413, "50"),
    ("[" * 100_000, 400, "not JSON"),  # nesting that would exhaust a recursive parser
])
def test_bad_queries_are_clear_json_errors(client, queries, status, says):
    response = client.post("/reconcile", data={"queries": queries}, headers={"Accept": "text/html"})
    assert response.status_code == status and response.mimetype == "application/json"
    assert says in response.get_json()["error"]["message"]


@pytest.mark.parametrize("extension,status,says", [
    ('{"ids": ["person/colin-powell"]}', 400, "properties"),
    ('{"ids": ["person/colin-powell"], "properties": [{"id": "http://example.org/p"}]}', 400, "unknown property"),
    (json.dumps({"ids": [f"person/p{i}" for i in range(201)], "properties": []}), 413, "200"),
])
def test_bad_extensions_are_clear_json_errors(client, extension, status, says):
    response = client.post("/reconcile", data={"extend": extension})
    assert response.status_code == status and response.mimetype == "application/json"
    assert says in response.get_json()["error"]["message"]


def test_common_words_do_not_widen_the_search_without_bound():
    """A query scores at most about MAX_SCORED resources, the rarest of its words first."""
    from server.linking.catalogue import NameIndex

    index = NameIndex({}, {"the": {f"x{i}" for i in range(10_000)}, "powell": {"p1", "p2"}})
    assert index.sharing_words("the Powell", cap=100) == {"p1", "p2"}
    assert len(index.sharing_words("the", cap=100)) == 10_000  # the rarest word alone is always searched


# ---------------------------------------------------------------- suggest, preview, extension


def test_suggest_entities(client):
    body = client.get("/reconcile/suggest/entity?prefix=castan").get_json()
    assert_valid("suggest-entities-response", body)
    assert body["result"][0]["id"] == "person/jorge-g-castaneda"
    typed = client.get("/reconcile/suggest/entity?prefix=wash&type=" + quote(EVENT)).get_json()
    assert_valid("suggest-entities-response", typed)
    assert [r["id"] for r in typed["result"]] == ["event/washington-meeting-2001"]


def test_suggest_pages_with_cursor(client):
    whole = client.get("/reconcile/suggest/entity?prefix=s").get_json()["result"]
    second = client.get("/reconcile/suggest/entity?prefix=s&cursor=1").get_json()["result"]
    assert len(whole) == 10 and second[:9] == whole[1:]


def test_suggest_types_and_properties(client):
    types = client.get("/reconcile/suggest/type?prefix=eve").get_json()
    assert_valid("suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == [EVENT]
    properties = client.get("/reconcile/suggest/property?prefix=dat").get_json()
    assert_valid("suggest-properties-response", properties)
    assert DATE in [p["id"] for p in properties["result"]]
    assert client.get("/reconcile/suggest/colour?prefix=x").status_code == 404


def test_property_proposals(client):
    body = client.get("/reconcile/properties?type=" + quote(EVENT)).get_json()
    assert_property_proposal(body, EVENT)
    assert DATE in [p["id"] for p in body["properties"]]
    limited = client.get("/reconcile/properties?type=" + quote(PERSON) + "&limit=2").get_json()
    assert_property_proposal(limited, PERSON)
    assert len(limited["properties"]) == 2 and limited["limit"] == 2
    untyped = client.get("/reconcile/properties").get_json()  # a column reconciled against no type
    assert len(untyped["properties"]) > len(body["properties"]) and "type" not in untyped
    assert client.get("/reconcile/properties?type=nothing").status_code == 400


def test_data_extension(client):
    query = {"ids": ["event/washington-meeting-2001", "person/colin-powell"],
             "properties": [{"id": DATE}, {"id": SEM + "hasPlace"}, {"id": "http://www.w3.org/2002/07/owl#sameAs"}]}
    assert_valid("data-extension-query", query)
    for response in (client.post("/reconcile", data={"extend": json.dumps(query)}),
                     client.get("/reconcile?extend=" + quote(json.dumps(query)))):
        body = response.get_json()
        assert_valid("data-extension-response", body)
        meeting, powell = body["rows"]["event/washington-meeting-2001"], body["rows"]["person/colin-powell"]
        assert meeting[DATE] == [{"str": "2001-09-06"}]
        assert meeting[SEM + "hasPlace"] == [{"id": "place/washington-dc", "name": "Washington, DC"}]
        assert powell["http://www.w3.org/2002/07/owl#sameAs"] == [{"str": "http://www.wikidata.org/entity/Q150851"}]
        assert powell[DATE] == []


def test_preview_is_a_small_frameable_page(client):
    response = client.get("/reconcile/preview?id=person/jorge-g-castaneda")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert "X-Frame-Options" not in response.headers
    page = response.get_data(as_text=True)
    assert "Jorge G. Castañeda" in page and 'href="/page/person/jorge-g-castaneda"' in page
    assert "<dt>holds post</dt><dd>Secretary of Foreign Affairs of Mexico</dd>" in page
    assert "<nav" not in page and "<script" not in page
    assert client.get("/reconcile/preview?id=person/nobody").status_code == 404
    # Every other page still may not be framed.
    assert client.get("/claims").headers["X-Frame-Options"] == "DENY"


def test_batches_are_charged_to_their_client_like_queries(app_factory):
    """A client past its query-time budget gets 429 with Retry-After, in JSON, from /reconcile as from /sparql."""
    app = app_factory({"BASE_URI": BASE, "PER_CLIENT_QUERY_SECONDS": 0.000001, "PER_CLIENT_WINDOW_SECONDS": 600})
    try:
        client = app.test_client()
        batch = json.dumps({"q": {"query": "Colin Powell"}})
        assert client.post("/reconcile", data={"queries": batch}).status_code == 200
        limited = client.post("/reconcile", data={"queries": batch}, headers={"Accept": "text/html"})
        assert limited.status_code == 429 and limited.mimetype == "application/json"
        assert int(limited.headers["Retry-After"]) >= 1 and "query time" in limited.get_json()["error"]["message"]
        assert client.get("/reconcile").status_code == 200  # the manifest is not a query
    finally:
        app.extensions["mxus"].store.close()
