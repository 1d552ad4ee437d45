"""Reading a SPARQL request's text without executing it.

The engine must never be asked to do what a public endpoint forbids
(SERVICE makes it fetch from other servers; updates change the data), so
the text is inspected first: comments, strings and IRIs are masked, and
the remaining keywords tell the query form and the forbidden features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<variable>[?$][A-Za-z0-9_\u00b7-\uffff]+)
  | (?P<pname>[A-Za-z][\w.\-]*:[\w.\-:%]*|:[\w.\-:%]*)
  | (?P<word>[A-Za-z_]+)
    """,
    re.VERBOSE,
)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


@dataclass
class QueryText:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or None when unrecognised
    is_update: bool = False
    uses_service: bool = False
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


def inspect_query(text: str) -> QueryText:
    prefixes: dict[str, str] = {}
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("comment", "string")]
    info = QueryText(form=None)
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        upper = value.upper() if kind == "word" else ""
        if upper == "PREFIX" and index + 2 < len(tokens) and tokens[index + 2][0] == "iri":
            prefixes[tokens[index + 1][1].rstrip(":")] = tokens[index + 2][1][1:-1]
            index += 3
            continue
        if upper in FORMS and info.form is None and not info.is_update:
            info.form = upper
        elif upper in UPDATE_KEYWORDS and info.form is None:
            info.is_update = True
        elif upper == "SERVICE":
            info.uses_service = True
        elif upper == "FROM":
            named = index + 1 < len(tokens) and tokens[index + 1][1].upper() == "NAMED"
            target_index = index + (2 if named else 1)
            if target_index < len(tokens):
                graph = _resolve(tokens[target_index], prefixes)
                (info.from_named_graphs if named else info.from_graphs).append(graph)
        index += 1
    return info


def _resolve(token: tuple[str | None, str], prefixes: dict[str, str]) -> str:
    kind, value = token
    if kind == "iri":
        return value[1:-1]
    if kind == "pname":
        prefix, _, local = value.partition(":")
        return prefixes.get(prefix, prefix + ":") + local
    return value
