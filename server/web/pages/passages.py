"""The passages of the article that state something: what pages quote.

A passage is an oa:SpecificResource (a span) of the source text with its
position (oa:TextPositionSelector) and its exact words (oa:TextQuoteSelector).
"""

from __future__ import annotations

from typing import Iterable

from server.publication.anchors import normalize_passage
from flask_babel import gettext as _

from server.web.views import iri_view, row_label, select

PASSAGE_FIELDS = """
  ?span oa:hasSource ?source ; oa:hasSelector ?position , ?quote .
  ?position oa:start ?start ; oa:end ?end .
  ?quote oa:exact ?exact .
"""


def reader_href(start: int, end: int) -> str:
    """The passage in the source reader: highlighted by the server (?char=), scrolled to by the browser (#char=, RFC 5147)."""
    return f"/source?char={start},{end}#char={start},{end}"


def passage_view(row: dict, via: list[dict] | None = None) -> dict:
    """A passage from a row that selects the ``PASSAGE_FIELDS``."""
    span = str(row["span"])
    return {
        "span": iri_view(span),
        "source": dict(iri_view(str(row["source"]), _("Source text")), href="/source"),  # read in the reader
        "start": int(row["start"]),
        "end": int(row["end"]),
        "exact": str(row["exact"]),
        "reading": normalize_passage(str(row["exact"])),
        "href": reader_href(int(row["start"]), int(row["end"])),
        "place": _("characters %(start)s–%(end)s", start=int(row["start"]), end=int(row["end"])),
        "via": via or [],
        "within": [],
    }


def passages_of_and_about(iri: str) -> tuple[list[dict], list[dict]]:
    """The spans that state ``iri`` (or ``iri`` itself, if it is a span), in text order; and the spans of
    the resources (claims, events, memberships...) that link to ``iri``, each with those resources.

    Two queries whatever the page: which spans (with the resources that lead to them), then their
    positions and words, for all of them at once. Joining the selectors in the first query cost Virtuoso
    30 ms per page and per kind of passage; asked by name, once, they cost it 8 ms.
    """
    links = select(
        f"""SELECT DISTINCT ?via ?en ?es ?span WHERE {{
  {{ <{iri}> oa:hasSource ?itself BIND (<{iri}> AS ?span) }}
  UNION {{ <{iri}> mxus:statedIn|prov:wasDerivedFrom ?span }}
  UNION {{
    ?via ?link <{iri}> .
    FILTER (isIRI(?via) && ?via != <{iri}> && ?link != oa:hasSource)
    ?via mxus:statedIn|prov:wasDerivedFrom ?span .
    OPTIONAL {{ ?via rdfs:label ?en FILTER (lang(?en) = "en") }}
    OPTIONAL {{ ?via rdfs:label ?es FILTER (lang(?es) = "es") }}
  }}
}}"""
    )
    spans = sorted({str(row["span"]) for row in links})
    if not spans:
        return [], []
    fields = {
        str(row["span"]): row
        for row in select(
            f"""SELECT ?span ?source ?start ?end ?exact WHERE {{
  VALUES ?span {{ {" ".join(f"<{span}>" for span in spans)} }}
  {PASSAGE_FIELDS}
}}"""
        )
    }
    own_spans = {str(row["span"]) for row in links if "via" not in row}
    own = sorted((passage_view(fields[span]) for span in own_spans if span in fields), key=_text_order)
    by_span: dict[str, dict] = {}
    for row in sorted((row for row in links if "via" in row), key=lambda row: str(row["via"])):
        span = str(row["span"])
        if span in own_spans or span not in fields:
            continue
        if span not in by_span:
            by_span[span] = passage_view(fields[span])
        via = iri_view(str(row["via"]), row_label(row))
        if via not in by_span[span]["via"]:
            by_span[span]["via"].append(via)
    return own, _nest(by_span.values())


def _text_order(passage: dict) -> tuple:
    return passage["start"], passage["end"], passage["span"]["iri"]


def _nest(passages: Iterable[dict]) -> list[dict]:
    """A passage inside another one is not quoted twice: it is listed under the larger one."""
    kept: list[dict] = []
    for passage in sorted(passages, key=lambda p: (p["start"], -p["end"], p["span"]["iri"])):
        container = next(
            (
                k
                for k in kept
                if k["source"]["iri"] == passage["source"]["iri"] and k["start"] <= passage["start"] and passage["end"] <= k["end"]
            ),
            None,
        )
        if container is None:
            kept.append(passage)
        else:
            container["within"].append(passage)
    return kept
