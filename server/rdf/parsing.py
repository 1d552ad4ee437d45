"""Parsing RDF that comes from outside, safely.

A file on the command line and a body posted to the server are treated the
same way: no network access while parsing (JSON-LD remote contexts and XML
external entities are refused before rdflib sees them), no file: IRIs and
no relative IRIs, and every syntax error reported with a line and a column.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from server.rdf.media import RdfFormat

# Relative IRIs are resolved against this base, then refused: a submission
# must say what it names, and a base of ours would silently mint IRIs.
RELATIVE_BASE = "https://relative-iri.invalid/"


@dataclass
class RdfInputError(Exception):
    """Input that cannot be accepted, with where it went wrong."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"source": self.source, "message": self.message, "line": self.line, "column": self.column}


def parse_rdf(data: bytes, fmt: RdfFormat, source: str = "<input>") -> Dataset:
    """Parse ``data`` into a Dataset (triples land in its default graph)."""
    if not data.strip():
        raise RdfInputError(source, "the input is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data[: exc.start].decode("utf-8", "replace"), len(data[: exc.start].decode("utf-8", "replace")))
        raise RdfInputError(source, "the input is not valid UTF-8", line, column) from None
    if fmt.name in NESTED_SYNTAXES:
        _refuse_deep_nesting(text, fmt.name, source)
    if fmt.name == "jsonld":
        _refuse_remote_jsonld_contexts(text, source)
    if fmt.name == "rdfxml":
        _refuse_xml_doctype(text, source)
    dataset = Dataset()
    try:
        dataset.parse(data=text, format=fmt.rdflib_name, publicID=RELATIVE_BASE)
    except BadSyntax as exc:
        line, column = _line_column(exc._str if isinstance(exc._str, str) else exc._str.decode("utf-8", "replace"), exc._i)
        raise RdfInputError(source, f"syntax error: {exc._why}", line, column) from None
    except ParserError as exc:
        line, column = _locate_line_error(text, fmt)
        raise RdfInputError(source, f"syntax error: {_first_line(str(exc))}", line, column) from None
    except IndexError:  # rdflib's Turtle parser runs off the end of an unfinished statement
        line, column = _line_column(text, len(text.rstrip()))
        raise RdfInputError(source, "syntax error: the input ends in the middle of a statement", line, column) from None
    except Exception as exc:  # SAX errors, JSON-LD processing errors, bad IRIs, bad literals
        line = getattr(exc, "getLineNumber", lambda: None)()
        column = getattr(exc, "getColumnNumber", lambda: None)()
        message = re.sub(r"^<unknown>:\d+:\d+:\s*", "", _first_line(str(exc)))
        raise RdfInputError(source, f"syntax error: {message}", line, column) from None
    _refuse_unsafe_iris(dataset, source)
    return dataset


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable input"


def _line_column(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _locate_line_error(text: str, fmt: RdfFormat) -> tuple[int | None, int | None]:
    """Line-based formats report the bad line but not its number: find it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Dataset().parse(data=line + "\n", format=fmt.rdflib_name, publicID=RELATIVE_BASE)
        except Exception:
            return number, 1
    return None, None


def _refuse_remote_jsonld_contexts(text: str, source: str) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RdfInputError(source, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    check_context(value)
                elif key == "@import":
                    refuse(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    def check_context(context) -> None:
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, str):
                refuse(item)

    def refuse(reference) -> None:
        raise RdfInputError(
            source,
            f"remote JSON-LD context {reference!r} is not fetched: embed the context in the document instead",
        )

    walk(document)


# Parsers (Python's json, rdflib's Turtle and JSON-LD) recurse a few frames per level of nesting: a
# document nested thousands deep would exhaust the stack (a 500). Far deeper than any real data.
MAX_NESTING = 100
NESTED_SYNTAXES = ("jsonld", "turtle", "trig")


# What brackets inside does not count: strings (escapes honoured), and in Turtle IRIs and comments.
# Possessive quantifiers keep each match linear; the scan runs at the regex engine's speed.
_JSON_STRING = r'"(?:[^"\\]++|\\.)*+"'
_OPAQUE = {
    "jsonld": re.compile(_JSON_STRING, re.S),
    "turtle": re.compile(
        r'"""(?:[^"\\]++|\\.|"(?!""))*+"""|' + r"'''(?:[^'\\]++|\\.|'(?!''))*+'''|"
        + _JSON_STRING + r"|'(?:[^'\\]++|\\.)*+'|<[^>]*+>|#[^\n]*+",
        re.S,
    ),
}
_BRACKETS = re.compile(r"[\[\](){}]")
_STEP = {"[": 1, "(": 1, "{": 1, "]": -1, ")": -1, "}": -1}


def _refuse_deep_nesting(text: str, syntax: str, source: str) -> None:
    """Brackets outside strings, IRIs and comments nested deeper than MAX_NESTING are refused."""
    opaque = _OPAQUE["jsonld" if syntax == "jsonld" else "turtle"]
    brackets = _BRACKETS.findall(opaque.sub(" ", text))
    if not brackets or max(accumulate(map(_STEP.__getitem__, brackets))) <= MAX_NESTING:
        return
    depth = 0  # rare: find where, for the message
    for found in _BRACKETS.finditer(text):
        depth += _STEP[found.group()]
        if depth > MAX_NESTING:
            line, column = _line_column(text, found.start())
            raise RdfInputError(source, f"nested deeper than {MAX_NESTING} levels: not accepted", line, column)
    raise RdfInputError(source, f"nested deeper than {MAX_NESTING} levels: not accepted")


_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse_xml_doctype(text: str, source: str) -> None:
    match = _DOCTYPE.search(text)
    if match:
        line, column = _line_column(text, match.start())
        raise RdfInputError(
            source,
            "XML DOCTYPE and ENTITY declarations are not accepted (external entities are never resolved)",
            line,
            column,
        )


def _refuse_unsafe_iris(dataset: Dataset, source: str) -> None:
    for quad in dataset.quads((None, None, None, None)):
        for term in quad[:3]:
            if not isinstance(term, URIRef):
                continue
            value = str(term)
            if value.startswith(RELATIVE_BASE):
                raise RdfInputError(source, f"relative IRI <{value[len(RELATIVE_BASE):]}> has no base: use absolute IRIs")
            if value.lower().startswith("file:"):
                raise RdfInputError(source, f"file: IRI <{value}> is not accepted")


def union_graph(dataset: Dataset) -> Graph:
    """All triples of all graphs of ``dataset`` in one graph."""
    graph = Graph()
    for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
        graph.add((subject, predicate, obj))
    return graph
