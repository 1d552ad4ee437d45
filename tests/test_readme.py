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
    assert {(claim, int(start), int(end)) for claim, _, start, end in rows} == {
        (
            "The US re-conceptualization of border protection did not include negotiating a migration"
            " agreement with Mexico",
            5383,
            5686,
        ),
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


# One checker per ```sparql block, in the order the README shows them.
CHECKS = [check_argument, check_posts_at_san_cristobal, check_mohar_claims]


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
