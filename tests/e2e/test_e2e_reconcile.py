"""/reconcile on a running ``mxus serve``, in the three store modes: over HTTP, and with a real client library.

Every answer is checked against the Reconciliation Service API 0.2's own
JSON Schemas (tests/reconciliation/). The client is ``reconciler`` (PyPI),
a Python library that reconciles a pandas column against any service's
endpoint, as OpenRefine does a spreadsheet column.
"""

from __future__ import annotations

import json
import warnings
from urllib.parse import quote, urlencode

import pandas
from reconciler import reconcile

from tests.reconciliation.specification import assert_property_proposal, assert_valid

SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
EXPECTED = {  # the issue's names, and what each must find as a clear match
    "Colin Powell": "person/colin-powell",
    "Jorge Castaneda": "person/jorge-g-castaneda",
    "Secretaria de Relaciones Exteriores": "organisation/secretaria-de-relaciones-exteriores",
    "San Cristóbal": "place/san-cristobal-ranch",
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post(fetch, base_url: str, **fields):
    return fetch(base_url + "reconcile", method="POST", headers=FORM, body=urlencode(fields).encode())


def test_manifest(base_url, fetch):
    reply = fetch(base_url + "reconcile")
    assert reply.status == 200 and reply.header("Access-Control-Allow-Origin") == "*"
    manifest = json.loads(reply.body)
    assert_valid("manifest", manifest)
    assert manifest["identifierSpace"] == base_url + "id/"
    preflight = fetch(base_url + "reconcile", method="OPTIONS", headers={"Origin": "http://127.0.0.1:3333",
                                                                        "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204 and "POST" in preflight.header("Access-Control-Allow-Methods")


def test_the_issues_queries_in_one_batch(base_url, fetch):
    queries = {f"q{i}": {"query": name} for i, name in enumerate(EXPECTED)}
    queries["nonsense"] = {"query": "Zyxwv Qqqq Blorft"}
    queries["meeting"] = {"query": "Fox-Bush meeting", "type": SEM + "Event",
                          "properties": [{"pid": SEM + "hasTimeStamp", "v": "2001-09-06"}]}
    assert_valid("reconciliation-query-batch", queries)
    for reply in (post(fetch, base_url, queries=json.dumps(queries)),
                  fetch(base_url + "reconcile?queries=" + quote(json.dumps(queries)))):
        assert reply.status == 200, reply.text
        body = json.loads(reply.body)
        assert_valid("reconciliation-result-batch", body)
        for i, expected in enumerate(EXPECTED.values()):
            top = body[f"q{i}"]["result"][0]
            assert (top["id"], top["match"]) == (expected, True)
        assert not any(c["match"] for c in body["nonsense"]["result"])
        top = body["meeting"]["result"][0]
        assert (top["id"], top["match"]) == ("event/washington-meeting-2001", True)
        assert all(c["id"] != "event/san-cristobal-meeting-2001" for c in body["meeting"]["result"])


def test_refusals_are_json(base_url, fetch):
    reply = post(fetch, base_url, queries='{"q": {"query": "x", "type": "nothing"}}')
    assert reply.status == 400 and reply.header("Content-Type").startswith("application/json")
    assert "unknown type" in json.loads(reply.body)["error"]["message"]


def test_suggest_preview_and_extension(base_url, fetch):
    suggested = json.loads(fetch(base_url + "reconcile/suggest/entity?prefix=powe").body)
    assert_valid("suggest-entities-response", suggested)
    assert "person/colin-powell" in [r["id"] for r in suggested["result"]]
    assert_valid("suggest-types-response", json.loads(fetch(base_url + "reconcile/suggest/type?prefix=pl").body))
    assert_valid("suggest-properties-response", json.loads(fetch(base_url + "reconcile/suggest/property?prefix=").body))
    proposal = json.loads(fetch(base_url + "reconcile/properties?type=" + quote(SEM + "Event")).body)
    assert_property_proposal(proposal, SEM + "Event")

    preview = fetch(base_url + "reconcile/preview?id=" + quote("place/san-cristobal-ranch", safe=""))
    assert preview.status == 200 and "Rancho San Cristóbal" in preview.text
    assert "frame-ancestors *" in preview.header("Content-Security-Policy")

    query = {"ids": ["event/washington-meeting-2001"], "properties": [{"id": SEM + "hasPlace"}, {"id": SEM + "hasActor"}]}
    extended = json.loads(post(fetch, base_url, extend=json.dumps(query)).body)
    assert_valid("data-extension-response", extended)
    row = extended["rows"]["event/washington-meeting-2001"]
    assert row[SEM + "hasPlace"] == [{"id": "place/washington-dc", "name": "Washington, DC"}]
    assert {v["id"] for v in row[SEM + "hasActor"]} == {"person/vicente-fox", "person/george-w-bush"}


def test_the_view_template_dereferences(base_url, fetch):
    manifest = json.loads(fetch(base_url + "reconcile").body)
    # Clients put the id in the template encoded as a URI component, as the specification says.
    url = manifest["view"]["url"].replace("{{id}}", quote("person/colin-powell", safe=""))
    reply = fetch(url, headers={"Accept": "text/turtle"})
    assert reply.status == 303 and reply.header("Location").endswith("/data/person/colin-powell")


def client(*args, **kwargs):
    """reconciler 0.2.2 as published: its own calls of pandas arguments that pandas now deprecates warn (which
    this suite turns into errors); those warnings are the library's, not this server's, and are let pass here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return reconcile(*args, **kwargs)


def test_a_client_library_reconciles_a_column(base_url):
    """``reconciler`` (PyPI) sends a pandas column in batches by POST, as OpenRefine does, and reads the candidates.

    Only names with candidates: reconciler 0.2.2 builds the row of a name without any with ``np.NaN``,
    which NumPy 2 removed.
    """

    names = [*EXPECTED, "Vicente Fox", "Guanajuato"]
    table = client(pandas.Series(names), reconciliation_endpoint=base_url + "reconcile")
    found = {row.input_value: (row.id, bool(row.match)) for row in table.itertuples()}
    assert found == {**{name: (expected, True) for name, expected in EXPECTED.items()},
                     "Vicente Fox": ("person/vicente-fox", True), "Guanajuato": ("place/guanajuato", True)}
    typed = client(pandas.Series(["Powell"]), type_id="http://xmlns.com/foaf/0.1/Person",
                      property_mapping={"http://www.w3.org/ns/org#holds": pandas.Series(["Secretary of State"])},
                      reconciliation_endpoint=base_url + "reconcile")
    assert list(typed["id"]) == ["person/colin-powell"]
