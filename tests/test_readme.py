"""The README's model section: its SPARQL examples answer what they say, and
its list of URI types is the one the data uses."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from server.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SPARQL_BLOCKS = re.findall(r"^```sparql\n(.*?)^```", README, re.S | re.M)
ID = "https://w3id.org/mxus/id/"


def check_argument(rows: set[tuple], seed_text: str) -> None:
    assert {row[0] for row in rows} == {
        "The failure of the migration agreement cannot be explained by the post-9/11 security context alone:"
        " underlying structural, domestic and ideological factors shaped both governments' positions"
    }
    assert {row[1] for row in rows} == {
        "Why could Mexico and the United States not establish formal cooperation on migration"
        " after agreeing on shared responsibility in 2001?"
    }
    assert {row[2] for row in rows} == {
        "Conventional wisdom: the September 11 attacks were the main reason for the shift from bilateral"
        " to unilateral management of migration"
    }
    assert {row[3] for row in rows} == {
        "Factor: the power asymmetry in the US-Mexico relationship",
        "Factor: the domestic politics surrounding migration",
        "Factor: public perceptions of immigration in the United States",
    }


def check_posts_at_san_cristobal(rows: set[tuple], seed_text: str) -> None:
    assert rows == {
        ("Vicente Fox", "President of Mexico", "2001-02-16"),
        ("George W. Bush", "President of the United States", "2001-02-16"),
    }


def check_mohar_claims(rows: set[tuple], seed_text: str) -> None:
    # The first "(Mohar, 2004)" covers a quoted phrase only (the judgement around
    # it is the author's), so one claim is attributed to Mohar (2004).
    assert {(claim, int(start), int(end)) for claim, _, start, end in rows} == {
        (
            "In November 2002 Powell declared that the political conditions to advance the migration"
            " discussions did not exist in the US and that Mexican officials should be patient",
            6419,
            6615,
        ),
    }
    for _, exact, start, end in rows:
        assert seed_text[int(start) : int(end)] == exact
        assert "(Mohar, 2004)" in exact


def check_author_claims(rows: set[tuple], seed_text: str) -> None:
    claims = {claim: kind for claim, kind in rows}
    # Her own argument ...
    assert claims["Why could Mexico and the United States not establish formal cooperation on migration after agreeing"
                  " on shared responsibility in 2001?"] == "ResearchQuestion"
    assert claims["Migration-related initiatives were thus left out of the bilateral agenda"] == "Inference"
    assert "Aim" in claims.values() and "Conclusion" in claims.values() and "Assessment" in claims.values()
    # ... not the view she disputes, nor what she reports from a cited source.
    assert not any(label.startswith("Conventional wisdom") for label in claims)
    assert not any(label.startswith("In November 2002 Powell declared") for label in claims)
    assert not any(label.startswith("The 6 September 2001 declaration highlighted") for label in claims)


def check_official_statement_2001c(rows: set[tuple], seed_text: str) -> None:
    assert {label for label, _, _ in rows} == {
        "The 6 September 2001 declaration highlighted the progress of the bilateral working group on migration",
        "The Presidents recognised migration issues as deeply felt by their publics and vital to their prosperity",
        "On 6 September 2001 the Presidents agreed on the framework for a new and realistic approach to migration",
        "The framework agreed on 6 September 2001 included (the text does not say the list is complete) matching willing"
        " workers with willing employers, serving both countries' needs, respecting migrants' human dignity, recognising"
        " their contribution, and shared responsibility for safe and legal migration",
        "The Presidents asked the working group for proposals on border safety, a temporary worker programme and the"
        " status of undocumented Mexicans in the US",
        "The Presidents agreed to form a public-private alliance, through the Partnership for Prosperity initiative, to"
        " address root causes of migration by fostering economic growth in Mexico",
    }
    # All inside the paragraph that "(Official Statement, 2001c)" closes.
    assert all(3499 <= int(start) and int(end) <= 5039 for _, start, end in rows)


def check_curators_links(rows: set[tuple], seed_text: str) -> None:
    mxus, claim = "https://w3id.org/mxus/ontology#", "https://w3id.org/mxus/id/claim/"
    links = {(s, p, o) for s, p, o, _ in rows}
    assert (claim + "thesis-beyond-security", mxus + "answers", claim + "research-question") in links
    for factor in ("power-asymmetry", "domestic-politics", "public-perceptions"):
        assert (claim + "factor-" + factor, mxus + "elaborates", claim + "thesis-beyond-security") in links
    # Tenures the text dates only through the narrative (the chairs' and
    # ministers' 2001), not Fox's and Bush's, which the text dates itself.
    ID, org = "https://w3id.org/mxus/id/", "http://www.w3.org/ns/org#"
    for tenure in ("powell-us-secretary-of-state", "creel-chair-high-level-group"):
        assert (ID + "membership/" + tenure, org + "memberDuring", ID + "interval/" + tenure) in links
    assert not any(s.startswith(ID + "membership/fox-") or s.startswith(ID + "membership/bush-") for s, _, _ in links)
    # The links the text makes itself are not among them.
    assert not any(p == mxus + "disputes" or p == mxus + "qualifies" or p == mxus + "supports" for _, p, _ in links)
    assert all(why for *_, why in rows)


# One checker per ```sparql block, in the order the README shows them.
CHECKS = [
    check_argument,
    check_posts_at_san_cristobal,
    check_mohar_claims,
    check_author_claims,
    check_official_statement_2001c,
    check_curators_links,
]


def test_readme_has_one_check_per_sparql_block():
    assert len(SPARQL_BLOCKS) == len(CHECKS)


@pytest.mark.parametrize(
    ("query", "check"), list(zip(SPARQL_BLOCKS, CHECKS)), ids=[c.__name__.removeprefix("check_") for c in CHECKS]
)
def test_readme_sparql_example(query: str, check, local_store, seed_text: str):
    # The block must run as written at any endpoint: it declares every prefix it uses
    # (parsed without any prefix given, then run by the store /sparql answers from).
    bare = re.sub(r'<[^>\s]*>|"[^"]*"|^\s*#.*$', " ", query, flags=re.M)
    used = set(re.findall(r"(?<![\w?$])([a-z][\w-]*):(?=[A-Za-z_])", bare))
    declared = set(re.findall(r"^PREFIX\s+([a-z][\w-]*):", query, re.M))
    assert used - declared == set(), "prefixes used but not declared"
    prepareQuery(query)
    answered = local_store.answer(query)
    rows = {tuple(None if v not in row else str(row[v]) for v in answered.variables) for row in answered.rows}
    assert rows, "the example returns no row"
    check(rows, seed_text)


def test_readme_lists_the_uri_types_in_use(data: Graph):
    (line,) = [line for line in README.splitlines() if line.startswith("Types in use:")]
    documented = set(re.findall(r"`([a-z-]+)`", line))
    used = {
        str(term)[len(ID) :].split("/")[0]
        for triple in data
        for term in (triple[0], triple[2])
        if isinstance(term, URIRef) and str(term).startswith(ID)
    }
    assert documented == used
