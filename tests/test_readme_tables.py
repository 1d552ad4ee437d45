"""The README's "Routes" and "Settings" tables, checked against the code both ways.

A route or setting the code has and the README lacks fails, and so does a row for one
that no longer exists; a setting's default and meaning must read as the code has them.
"""

from __future__ import annotations

import re
from pathlib import Path

from server.settings import PROJECT_ROOT, SETTINGS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}  # Flask adds them to every GET route


def section_rows(title: str) -> list[list[str]]:
    """The cells of the table rows (after the header) in the README section ``## title``."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f'the README has no "## {title}" section'
    rows = [line.strip().strip("|").split(" | ") for line in match.group(1).splitlines() if line.startswith("| ")]
    assert rows and not rows[0][0].startswith("`"), f'the "{title}" table needs a header row'
    return [[cell.strip() for cell in row] for row in rows[1:]]


def code(cell: str) -> str:
    assert cell.startswith("`") and cell.endswith("`"), f"{cell!r}: names and defaults are in backticks"
    return cell[1:-1]


def default_text(value) -> str:
    """A default as the README writes it: paths relative to the repository, folders ending in /."""
    if isinstance(value, Path):
        return value.relative_to(PROJECT_ROOT).as_posix() + "/"
    if isinstance(value, list):
        return "[" + ", ".join(default_text(item) for item in value) + "]"
    return str(value)


def documented_routes(rows: list[list[str]]) -> set[tuple[str, str]]:
    return {(code(rule), method.strip()) for rule, methods, _ in rows for method in methods.split(",")}


def documented_settings(rows: list[list[str]]) -> dict[str, tuple[str, str]]:
    return {code(name): (code(default), meaning) for name, default, meaning in rows}


def served_routes(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IMPLICIT_METHODS
    }


def test_every_route_is_documented(shared_app):
    assert sorted(served_routes(shared_app) - documented_routes(section_rows("Routes"))) == [], "add these to the README's Routes table"


def test_every_documented_route_exists(shared_app):
    assert sorted(documented_routes(section_rows("Routes")) - served_routes(shared_app)) == [], "the README lists routes the app lacks"


def test_every_setting_is_documented_as_the_code_has_it():
    documented = documented_settings(section_rows("Settings"))
    expected = {s.name: (default_text(s.default), s.help) for s in SETTINGS}
    assert sorted(set(expected) - set(documented)) == [], "add these to the README's Settings table"
    assert sorted(set(documented) - set(expected)) == [], "the README lists settings the code lacks"
    wrong = [f"| `{name}` | `{expected[name][0]}` | {expected[name][1]} |" for name in expected if documented[name] != expected[name]]
    assert wrong == [], "the README's rows should read:\n" + "\n".join(wrong)


def test_a_missing_or_extra_row_is_seen(shared_app):
    """The comparisons above, on the tables with their first row dropped and a made-up row added."""
    routes, settings = section_rows("Routes"), section_rows("Settings")
    assert served_routes(shared_app) - documented_routes(routes[1:]) == documented_routes(routes[:1])
    assert documented_routes([*routes, ["`/gone`", "GET", "x"]]) - served_routes(shared_app) == {("/gone", "GET")}
    assert set(documented_settings(settings[1:])) == {s.name for s in SETTINGS} - {SETTINGS[0].name}
