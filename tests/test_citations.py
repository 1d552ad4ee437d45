"""Citing: the article's reference in four formats, a claim's citation on its page, the schema.org
JSON-LD of the article and dataset pages (checked against the schema.org release in tests/schemaorg/),
and CITATION.cff. Every bibliographic value must be one the data holds."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import OWL

from server.rdf.namespaces import DATASET, DCTERMS, ID_SPACE, SCHEMA
from server.web.security import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://localhost/"
ARTICLE = URIRef(ID_SPACE + "article/delano-2012")
DOI = "10.1111/j.1468-2435.2009.00572.x"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"


def _schemaorg() -> dict[str, set[str]]:
    """schema.org 30.0: type -> the properties schema.org lists for it (tests/schemaorg/README.md)."""
    with (ROOT / "tests/schemaorg/schemaorg-30.0-types-subset.csv").open(encoding="utf-8") as f:
        return {row["label"]: {p.strip().rsplit("/", 1)[-1] for p in row["properties"].split(",")} for row in csv.DictReader(f)}


SCHEMAORG = _schemaorg()


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


def _jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def _schema_problems(node, owner: str | None = None, path: str = "$") -> list[str]:
    """Types not in schema.org, and properties schema.org does not list for the type they are on."""
    problems: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            problems += _schema_problems(item, owner, f"{path}[{i}]")
        return problems
    if not isinstance(node, dict) or "@value" in node:
        return problems
    types = node.get("@type")
    types = [types] if isinstance(types, str) else types or []
    for t in types:
        if t not in SCHEMAORG:
            problems.append(f"{path}: @type {t} is not one of the schema.org types vendored")
    allowed = set.union(*(SCHEMAORG.get(t, set()) for t in types)) if types else set.union(*SCHEMAORG.values())
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in allowed:
            problems.append(f"{path}.{key}: not a schema.org property of {types or 'any vendored type'}")
        problems += _schema_problems(value, None, f"{path}.{key}")
    return problems


def test_the_checker_sees_a_wrong_type_and_a_wrong_property():
    assert _schema_problems({"@type": "Dataset", "name": "x", "distribution": [{"@type": "DataDownload", "pages": 1}]}) \
        == ["$.distribution[0].pages: not a schema.org property of ['DataDownload']"]
    assert _schema_problems({"@type": "Datasett"})[0].startswith("$: @type Datasett")


def test_article_page_jsonld_is_a_scholarly_article_in_schema_org_terms(client):
    page = client.get("/page/article/delano-2012")
    [data] = _jsonld(page.get_data(as_text=True))
    assert data["@type"] == "ScholarlyArticle" and data["@id"] == BASE + "id/article/delano-2012"
    assert data["sameAs"] == f"https://doi.org/{DOI}"
    assert _schema_problems(data) == []


def test_home_page_carries_the_dataset_as_search_engines_ask(client, data):
    page = client.get("/")
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY  # a JSON-LD block is data, not script
    [dataset] = _jsonld(page.get_data(as_text=True))
    assert dataset["@type"] == "Dataset" and _schema_problems(dataset) == []
    for key in ("name", "description", "license", "creator", "distribution", "version", "citation", "datePublished"):
        assert dataset.get(key), key
    assert dataset["version"] == str(data.value(DATASET, OWL.versionInfo))
    assert dataset["license"] == str(data.value(DATASET, DCTERMS.license))
    assert dataset["creator"]["name"] == str(data.value(DATASET, DCTERMS.creator))
    assert dataset["citation"]["sameAs"] == f"https://doi.org/{DOI}"
    for download in dataset["distribution"]:
        assert download["contentUrl"].startswith(BASE + "dumps/")
        reply = client.get(download["contentUrl"][len(BASE) - 1:])
        assert reply.status_code == 200 and reply.mimetype == download["encodingFormat"]
        reply.close()


def _article_values(data) -> dict:
    issue = data.value(ARTICLE, URIRef("http://purl.org/vocab/frbr/core#partOf"))
    volume = data.value(issue, URIRef("http://purl.org/vocab/frbr/core#partOf"))
    return {"doi": str(data.value(ARTICLE, URIRef(PRISM + "doi"))),
            "issue": str(data.value(issue, URIRef(PRISM + "issueIdentifier"))),
            "volume": str(data.value(volume, URIRef(PRISM + "volume"))),
            "title": str(data.value(ARTICLE, DCTERMS.title)),
            "family": str(data.value(data.value(ARTICLE, DCTERMS.creator), SCHEMA.familyName))}


def test_reference_downloads_hold_what_the_data_holds_and_nothing_else(client, data):
    expected = _article_values(data)
    assert expected["doi"] == DOI and expected["volume"] == "50" and expected["issue"] == "S1"

    bib = client.get("/cite/article/delano-2012.bib")
    assert bib.mimetype == "application/x-bibtex" and "attachment" in bib.headers["Content-Disposition"]
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", bib.get_data(as_text=True), re.M))
    assert bib.get_data(as_text=True).startswith("@article{delano2012,")
    assert (fields["doi"], fields["volume"], fields["number"], fields["year"]) == (DOI, "50", "S1", "2012")
    assert fields["title"] == "{" + expected["title"] + "}" and fields["author"] == "Délano, Alexandra"
    assert "pages" not in fields and "month" not in fields  # e42 is a page of the article, not its range

    ris = client.get("/cite/article/delano-2012.ris").get_data(as_text=True)
    tags = [tuple(line.split("  - ", 1)) for line in ris.split("\r\n") if line]
    assert tags[0] == ("TY", "JOUR") and tags[-1] == ("ER", "")
    assert dict(tags[1:-1])["DO"] == DOI and ("VL", "50") in tags and ("IS", "S1") in tags and ("AU", "Délano, Alexandra") in tags
    assert not any(tag in ("SP", "EP") for tag, _ in tags)

    csl = client.get("/cite/article/delano-2012.json")
    assert csl.mimetype == "application/vnd.citationstyles.csl+json"
    [item] = csl.get_json(force=True)
    assert item["type"] == "article-journal" and item["DOI"] == DOI and item["title"] == expected["title"]
    assert (item["volume"], item["issue"], item["author"]) == ("50", "S1", [{"family": "Délano", "given": "Alexandra"}])
    assert item["issued"] == {"date-parts": [[2012, 2, 1]]} and "page" not in item

    assert client.get("/cite/article/delano-2012.docx").status_code == 404
    assert client.get("/cite/article/no-such-article.bib").status_code == 404


def _claims_and_quotations(data) -> list[URIRef]:
    found = set()
    for kind in ("claim/", "quotation/"):
        found |= {s for s in data.subjects(SCHEMA.text, None) if str(s).startswith(ID_SPACE + kind)}
    return sorted(found)


def test_every_claim_page_says_how_to_cite_it(client, data):
    subjects = _claims_and_quotations(data)
    assert len(subjects) > 40
    for subject in subjects:
        kind, slug = str(subject)[len(ID_SPACE):].split("/")
        html = client.get(f"/page/{kind}/{slug}").get_data(as_text=True)
        cited = re.search(r'<p class="citation-resource">(.*?)</p>', html, re.S)
        assert cited, subject
        text = cited.group(1)
        passage = str(data.value(subject, SCHEMA.text)).replace("“", "‘").replace("”", "’")
        assert text.startswith("Délano (2012), "), text
        assert f"“{passage}”, via mxus-ld, {BASE}id/{kind}/{slug}, dataset version 1.0.0." in text.replace("&#39;", "'")
        assert f'href="/data/{kind}/{slug}.trig"' in html


def test_other_pages_cite_the_resource_and_the_article(client):
    html = client.get("/page/person/colin-powell").get_data(as_text=True)
    assert "“Colin Powell”, in mxus-ld (dataset version 1.0.0), http://localhost/id/person/colin-powell" in html
    assert 'href="/cite/article/delano-2012.bib"' in html and "<i>International Migration</i>" in html


def test_citation_cff_is_cff_1_2_0_and_names_the_article(data):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # what CFF 1.2.0 requires
        assert cff[key], key
    assert all(isinstance(author, dict) and author for author in cff["authors"])
    assert cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0"
    assert str(cff["version"]) == str(data.value(DATASET, OWL.versionInfo))
    assert str(cff["date-released"]) == str(data.value(DATASET, DCTERMS.issued))
    assert Literal(cff["title"], lang="en") == data.value(DATASET, DCTERMS.title)
    [article] = [ref for ref in cff["references"] if ref.get("doi") == DOI]
    assert article["type"] == "article" and str(article["volume"]) == "50" and article["issue"] == "S1"
    assert article["title"] == str(data.value(ARTICLE, DCTERMS.title))
