"""Text anchors: Web Annotation selectors into the seed file.

Offsets are Unicode code points (Python ``str`` indices), end exclusive, as
the Web Annotation Data Model defines ``oa:TextPositionSelector``. The quote
selector repeats the exact text with some context so a person can check a
span by eye and a machine can re-anchor it if the file were ever re-encoded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

CONTEXT_LENGTH = 24


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def read_source(path: Path) -> str:
    """Decode the seed exactly as stored: UTF-8, no newline translation."""
    return path.read_bytes().decode("utf-8")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def span_at(text: str, start: int, end: int, context: int = CONTEXT_LENGTH) -> Span:
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}-{end} is outside the text (0-{len(text)})")
    return Span(
        start,
        end,
        text[start:end],
        text[max(0, start - context) : start],
        text[end : end + context],
    )


def locate(text: str, exact: str, occurrence: int = 1) -> Span:
    """Find the n-th occurrence of ``exact`` (1-based) and return its span."""
    index = -1
    for _ in range(occurrence):
        index = text.find(exact, index + 1)
        if index < 0:
            raise ValueError(f"{exact!r} occurs fewer than {occurrence} times")
    return span_at(text, index, index + len(exact))


def locate_between(text: str, first: str, last: str, occurrence: int = 1) -> Span:
    """Span from the start of ``first`` to the end of the next ``last``.

    Convenient for long passages that cross line breaks and page furniture:
    name how the passage begins and how it ends.
    """
    begin = locate(text, first, occurrence).start
    finish = text.find(last, begin)
    if finish < 0:
        raise ValueError(f"{last!r} does not follow {first!r}")
    return span_at(text, begin, finish + len(last))


_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def normalize_passage(exact: str) -> str:
    """Reading text for a verbatim span: what a person would type.

    Repairs the scan's traps: doubled single quotes used as double quotes,
    words hyphenated across line breaks, the spacing tilde of "Cas-tan˜eda",
    and line breaks inside sentences.
    """
    text = exact.replace("\u2018\u2018", "\u201c").replace("\u2019\u2019", "\u201d")
    text = re.sub(r"n\n?\u02dc", "ñ", text.replace("tan\n\u02dc", "tan\u02dc"))
    text = text.replace("Cas-\ntañ", "Castañ")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return re.sub(r"\s*\n\s*", " ", text).strip()
