"""Contributing in the browser: /contributions and each contribution as pages (JSON kept), "Suggest an
addition" and the prefilled form; the home page's graph table; an ETag on every HTML page.

One app over a temporary instance folder with a contributor's and a maintainer's token.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from server.publication.tokens import TokenRegistry
from tests.test_pages import parse_html

BASE = "http://localhost/"
CASTANEDA = "https://w3id.org/mxus/id/person/jorge-g-castaneda"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def setup(app_factory, tmp_path_factory):
    instance = tmp_path_factory.mktemp("contributing") / "instance"
    registry = TokenRegistry(instance / "tokens.json")
    tokens = registry.add("Ana Contributor"), registry.add("Mia Maintainer", maintainer=True)
    app = app_factory({"BASE_URI": BASE, "INSTANCE_DIR": instance, "QUERY_WORKERS": 1})
    yield app.test_client(), tokens
    app.extensions["mxus"].store.close()


def submit(client, token: str, page: str) -> str:
    body = f"<https://w3id.org/mxus/id/person/colin-powell> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/{page}> .\n"
    reply = client.post("/contributions", data=body.encode(), headers={"Authorization": f"Bearer {token}",
                                                                       "Content-Type": "application/n-triples", "Accept": "application/json"})
    assert reply.status_code == 201, reply.get_data(as_text=True)
    return reply.get_json()["id"]


def test_the_list_is_a_page_for_browsers_and_json_for_machines(setup):
    client, (contributor, maintainer) = setup
    kept = submit(client, contributor, "kept")
    page = client.get("/contributions", headers=HTML)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in page.headers["Vary"].split(",")}
    doc = parse_html(page.get_data(as_text=True))
    assert doc.find("header", class_="site").find("form", role="search")
    rows = doc.find("table", class_="contributions").find("tbody").find_all("tr")
    links = [row.find("a").attrs["href"] for row in rows]
    assert f"/contributions/{kept}" in links
    row = rows[links.index(f"/contributions/{kept}")]
    assert "pending" in row.words() and row.find("time").attrs["datetime"].startswith("20")
    data = client.get("/contributions", headers={"Accept": "application/json"})
    assert data.mimetype == "application/json" and kept in [item["id"] for item in data.get_json()["items"]]
    assert "Accept" in data.headers["Vary"]
    assert client.get("/contributions").mimetype == "application/json"  # curl's */*: the data, as before
    spanish = parse_html(client.get("/contributions?lang=es", headers=HTML).get_data(as_text=True))
    assert "pendiente" in spanish.find("table", class_="contributions").words()
    nav = [a.attrs["href"] for a in spanish.find("header").find("nav").find_all("a")]
    assert "/contributions?lang=es" in nav and "/validate?lang=es" in nav  # a Spanish reader stays in Spanish
    assert f"/contributions/{kept}?lang=es" in [a.attrs["href"] for a in spanish.find("table", class_="contributions").find_all("a")]


def test_the_list_page_revalidates_and_changes_with_a_decision(setup):
    client, (contributor, maintainer) = setup
    dropped = submit(client, contributor, "dropped")
    first = client.get("/contributions", headers=HTML)
    assert client.get("/contributions", headers={**HTML, "If-None-Match": first.headers["ETag"]}).status_code == 304
    decided = client.post(f"/contributions/{dropped}/reject", headers={"Authorization": f"Bearer {maintainer}"})
    assert decided.status_code == 200
    after = client.get("/contributions", headers={**HTML, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert "rejected" in parse_html(after.get_data(as_text=True)).find("table", class_="contributions").words()


def test_one_contribution_is_a_page_of_the_site(setup):
    client, (contributor, _) = setup
    identifier = submit(client, contributor, "shown")
    page = client.get(f"/contributions/{identifier}", headers=HTML)
    assert page.status_code == 200 and page.headers["ETag"]
    doc = parse_html(page.get_data(as_text=True))
    assert doc.find("header", class_="site") and doc.find("footer", class_="site")
    assert doc.find("link", rel="stylesheet")
    article = doc.find("article", class_="contribution")
    assert identifier in article.find("h1").words() and "seeAlso" in article.find("pre").words()
    assert client.get(f"/contributions/{identifier}", headers={**HTML, "If-None-Match": page.headers["ETag"]}).status_code == 304
    assert client.get(f"/contributions/{identifier}", headers={"Accept": "application/json"}).get_json()["id"] == identifier


def test_the_home_graph_table_shows_the_published_graphs_only(setup):
    client, (contributor, maintainer) = setup
    rejected = submit(client, contributor, "home-rejected")
    submit(client, contributor, "home-pending")
    client.post(f"/contributions/{rejected}/reject", headers={"Authorization": f"Bearer {maintainer}"})
    doc = parse_html(client.get("/", headers=HTML).get_data(as_text=True))
    table = next(t for t in doc.find_all("table") if t.find_all("caption") and t.find("caption").words() == "Triples per graph")
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == 4
    assert [row.find("th").find("code").words().rsplit("/", 1)[1] for row in rows] == ["data", "ontology", "shapes", "accepted"]
    assert "/id/contribution/" not in table.words()


def test_suggest_an_addition_opens_the_form_with_a_template_that_conforms(setup):
    client, _ = setup
    doc = parse_html(client.get("/page/person/jorge-g-castaneda").get_data(as_text=True))
    link = doc.find("p", class_="suggest").find("a").attrs["href"]
    assert urlsplit(link).path == "/validate"
    assert parse_qs(urlsplit(link).query)["about"] == [CASTANEDA.replace("https://w3id.org/mxus/", BASE)]  # at the served base
    form = client.get(link)
    assert form.status_code == 200 and form.headers["ETag"]
    text = parse_html(form.get_data(as_text=True)).find("textarea", id="text").text()
    assert "@prefix person: <http://localhost/id/person/> ." in text and "\nperson:jorge-g-castaneda\n" in text
    assert "Jorge G. Castañeda" in text
    report = client.post("/validate", data=text.encode(), headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert report.get_json()["conforms"] is True
    spanish = parse_html(client.get(link + "&lang=es").get_data(as_text=True)).find("textarea", id="text").text()
    assert "Una adición sugerida sobre Jorge G. Castañeda." in spanish and '"Su nota aquí."@es' in spanish
    served = client.get("/validate?about=http://localhost/id/person/colin-powell")
    assert "person:colin-powell" in served.get_data(as_text=True)


@pytest.mark.parametrize("about", ["https://example.org/x", "http://localhost/id/person/", "http://localhost/page/person/x", "x" * 3000])
def test_a_template_about_something_not_ours_is_a_400(setup, about):
    client, _ = setup
    reply = client.get("/validate", query_string={"about": about}, headers={"Accept": "application/json"})
    assert reply.status_code == 400 and "about must name a resource" in json.loads(reply.data)["error"]["message"]


@pytest.mark.parametrize("path, status", [("/query", 200), ("/validate", 200), ("/contributions", 200), ("/search?q=powell", 200),
                                          ("/search?q=", 400), ("/page/person/nobody", 404), ("/nowhere", 404), ("/dumps/", 200)])
def test_every_html_page_has_an_etag(setup, path, status):
    client, _ = setup
    reply = client.get(path, headers=HTML)
    assert reply.status_code == status and reply.mimetype == "text/html"
    assert reply.headers.get("ETag"), path
    if status == 200:
        again = client.get(path, headers={**HTML, "If-None-Match": reply.headers["ETag"]})
        assert again.status_code == 304 and again.headers["ETag"] == reply.headers["ETag"]
