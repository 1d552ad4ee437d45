"""From the data to what a page shows: reading rows, showing terms and dates.

Every page reads the data through SPARQL (``select``) and leaves through
``render_page``, which rewrites canonical URIs to the served base. A term
is shown as a *view*, a small dict the ``term`` macro of _macros.html
renders: our resources link to their page, ontology terms to /ontology#Term,
other IRIs out; literals keep their language and datatype.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from flask import Flask, Response, render_template
from jinja2 import FileSystemBytecodeCache
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from server.state import state
from server.rdf.namespaces import ID_SPACE, MXUS, ONTOLOGY_IRI, PREFIXES
from server.rdf.uris import is_valid_thing_path
from server.web.i18n import carry_language, current_language
from server.web.responses import code_version

SPARQL_PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


class _BestEffortCache(FileSystemBytecodeCache):
    """A cache that can only save time: a file it cannot read or write (a full disk, the folder cleaned
    away meanwhile) means compiling, never a failed page."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_cache_pattern() -> str:
    """Whatever changes what Jinja compiles names the files: this code (its settings: ``finalize``, the
    extensions) and the versions of Jinja, MarkupSafe, Flask and Python."""
    import importlib.metadata
    import sys

    versions = [importlib.metadata.version(name) for name in ("jinja2", "markupsafe", "flask")]
    return f"__mxus_{code_version()}_{'_'.join(versions)}_py{sys.version_info[0]}.{sys.version_info[1]}_%s.cache"


def install(app: Flask) -> None:
    """Templates compiled once per machine rather than once per process: every server process, front,
    restart and command would otherwise compile the ones it renders again (about 0.1 s of CPU each).

    Jinja's own cache folder (in the temporary directory, created and checked to be this user's alone),
    each file named by ``template_cache_pattern``. No such folder (none writable, or another user's in
    its place): no cache, and each process compiles its own.
    """
    try:
        cache = _BestEffortCache(pattern=template_cache_pattern())
    except (RuntimeError, OSError):
        return
    app.jinja_env.bytecode_cache = cache


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a page and rewrite canonical URIs to the served base."""
    rewriter = state().rewriter
    html = carry_language(rewriter.outgoing_text(render_template(template, **context)))
    return Response(html, status, content_type="text/html; charset=utf-8")


# ---------------------------------------------------------------- reading the data


def select(text: str) -> list[dict[str, Any]]:
    """Run a SELECT through the store; rows of rdflib terms keyed by variable."""
    return state().store.select(SPARQL_PREFIXES + text)


def row_text(row: dict, name: str) -> str | None:
    """The value of ``name`` in a ``select`` row as a string, None when unbound."""
    term = row.get(name)
    return None if term is None else str(term)


# ---------------------------------------------------------------- presenting terms


def curie(iri: str) -> str:
    """A prefixed name for display: person:colin-powell, schema:about, wd:Q150851."""
    if iri.startswith(ID_SPACE):
        rest = iri[len(ID_SPACE) :]
        kind, _, slug = rest.partition("/")
        if slug and is_valid_thing_path(kind, slug):
            return f"{kind}:{slug}"
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            if best is None or len(namespace) > len(PREFIXES[best]):
                best = prefix
    if best:
        local = iri[len(PREFIXES[best]) :]
        if re.fullmatch(r"[A-Za-z0-9_.\-]+", local):
            return f"{best}:{local}"
    return iri


def page_path(iri: str) -> str | None:
    """/page/{type}/{slug} for one of our resources, else None."""
    if not iri.startswith(ID_SPACE):
        return None
    kind, _, slug = iri[len(ID_SPACE) :].partition("/")
    return f"/page/{kind}/{slug}" if slug and is_valid_thing_path(kind, slug) else None


def ontology_href(iri: str) -> str | None:
    namespace = str(MXUS)
    if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", iri[len(namespace) :]):
        return "/ontology#" + iri[len(namespace) :]
    if iri == str(ONTOLOGY_IRI):
        return "/ontology"
    return None


def safe_href(iri: str) -> str | None:
    """``iri`` if a link to it is safe to put in a page (http or https), else None."""
    return iri if iri.startswith(("http://", "https://")) else None


def iri_view(iri: str, label: str | None = None) -> dict:
    """How one IRI is shown: ours link to their page, ontology terms to /ontology#Term, others out."""
    path = page_path(iri)
    if path:
        return {"kind": "ours", "href": path, "text": label or curie(iri), "iri": iri}
    anchor = ontology_href(iri)
    if anchor:
        return {"kind": "term", "href": anchor, "text": curie(iri), "iri": iri}
    return {"kind": "external", "href": safe_href(iri), "text": label or curie(iri), "iri": iri}


def literal_view(value: str, lang: str | None = None, datatype: str | None = None) -> dict:
    shown_type = None if datatype in (None, str(XSD.string), str(RDF.langString)) else curie(datatype)
    return {"kind": "literal", "text": value, "lang": lang or None, "datatype": shown_type}


def term_view(term, labels: dict | None = None) -> dict:
    if isinstance(term, URIRef):
        return iri_view(str(term), pick_label(labels or {}, term))
    if isinstance(term, Literal):
        return literal_view(str(term), term.language, str(term.datatype) if term.datatype else None)
    return {"kind": "bnode", "text": "(anonymous)", "props": []}


# ---------------------------------------------------------------- labels


def labels_of(graph: Graph) -> dict:
    """{subject: {language: label}} of the rdfs:labels in ``graph`` ("" for no language)."""
    labels: dict = {}
    for subject, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal):
            labels.setdefault(subject, {}).setdefault(label.language or "", str(label))
    return labels


def pick_label(labels: dict, subject, lang: str | None = None) -> str | None:
    """The label in ``lang`` (the page's language by default), else English, else one without a language, else any."""
    by_lang = labels.get(subject, {})
    lang = lang or current_language()
    return by_lang.get(lang) or by_lang.get("en") or by_lang.get("") or (next(iter(by_lang.values())) if by_lang else None)


def row_label(row: dict, en: str = "en", es: str = "es") -> str | None:
    """From a row with an English and a Spanish label, the one in the page's language, else the other."""
    first, second = (es, en) if current_language() == "es" else (en, es)
    return row_text(row, first) or row_text(row, second)


# ---------------------------------------------------------------- dates


# Day-month-year in both languages (not the US order of English's "long" format); a month or a year alone.
DATE_PATTERNS = {
    "day": ("d MMMM y", "d 'de' MMMM 'de' y"),
    "month": ("MMMM y", "MMMM 'de' y"),
    "year": ("y", "y"),
}


@dataclass(frozen=True)
class When:
    literal: str
    start: date
    end: date
    precision: str  # day, month or year

    @property
    def mid(self) -> date:
        return date.fromordinal((self.start.toordinal() + self.end.toordinal()) // 2)

    @property
    def text(self) -> str:
        """At the precision the data has, in the page's language: 16 February 2001, febrero de 2001, 2001."""
        return format_date(self.start, DATE_PATTERNS[self.precision][current_language() == "es"], locale=current_language())


def parse_when(value: str | None) -> When | None:
    if not value:
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            start = end = date(int(year), int(month), int(day))
            precision = "day"
        elif month:
            start = date(int(year), int(month), 1)
            end = date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
            precision = "month"
        else:
            start, end, precision = date(int(year), 1, 1), date(int(year), 12, 31), "year"
    except ValueError:
        return None
    return When(match.group(0), start, end, precision)


def span_text(begin: When, end: When | None) -> str:
    if end is None:
        return begin.text
    if begin.precision == end.precision == "year":
        return f"{begin.start.year}–{end.start.year}"
    if begin.precision == end.precision == "month" and begin.start.year == end.start.year:
        first = format_date(begin.start, "LLLL", locale=current_language())
        return f"{first}–{end.text}"
    return f"{begin.text} – {end.text}"


def when_view(begin: When | None, end: When | None = None) -> dict | None:
    if begin is None:
        return None
    return {"text": span_text(begin, end), "start": begin.literal, "end": end.literal if end else None}
