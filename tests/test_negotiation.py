"""Content negotiation as data: tests/cases/negotiation.tsv, one request per row.

Each row names a route (with its query string), an Accept header and a ``?format=``,
and the status and Content-Type the server answers; one parametrised test walks the
table against the Flask test client. To pin another case, add a row.
"""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

TABLE = Path(__file__).parent / "cases" / "negotiation.tsv"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
COLUMNS = ["route", "accept", "format", "status", "content_type"]


def read_table() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    assert reader.fieldnames == COLUMNS, reader.fieldnames
    return list(reader)


ROWS = read_table()


def row_id(row: dict[str, str]) -> str:
    return " ".join(part for part in (row["route"], row["accept"] and f"Accept={row['accept']}",
                                      row["format"] and f"format={row['format']}") if part)


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.mark.parametrize("row", [pytest.param(row, id=row_id(row)) for row in ROWS])
def test_negotiation_case(client, row: dict[str, str]):
    path, _, query = row["route"].partition("?")
    arguments = dict(parse_qsl(query, keep_blank_values=True))
    if row["format"]:
        arguments["format"] = row["format"]
    headers = {"Accept": BROWSER if row["accept"] == "BROWSER" else row["accept"]} if row["accept"] else {}
    reply = client.get(path, query_string=arguments, headers=headers)
    assert (reply.status_code, reply.headers.get("Content-Type", "")) == (int(row["status"]), row["content_type"]), (
        reply.get_data(as_text=True)[:300]
    )


def test_every_row_is_one_case():
    """No two rows ask the same thing (the ids would collide), and the table is not empty."""
    ids = [row_id(row) for row in ROWS]
    assert len(ids) == len(set(ids)) > 100
    assert all(row["status"].isdigit() and row["content_type"] for row in ROWS)
