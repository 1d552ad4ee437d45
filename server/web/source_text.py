"""The source text as HTML: readable, with every span marked where it lies.

Offsets are the spans' own (Unicode code points into the seed, end
exclusive). The reading text repairs the scan's traps character by
character (``reading_chars``: each position of the seed maps to what is
shown for it, possibly nothing), so a span's marks stay exactly where its
offsets say whatever the repairs. Spans nest (the data's spans are laminar:
two spans are disjoint or one holds the other), so each is one <mark> with
the id ``char=S,E`` (RFC 5147's fragment, which a browser scrolls to by
itself); a selected range that is not a span is lit leaf by leaf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

LINE_BREAK = "\n"  # kept in the reading text where the scan's line is short (a title, a heading)
SHORT_LINE = 60


@dataclass(frozen=True)
class MarkedSpan:
    start: int
    end: int
    note: int  # its number in the list of what each passage states

    @property
    def anchor(self) -> str:
        return f"char={self.start},{self.end}"


def verbatim_chars(text: str) -> list[str]:
    return list(text)


def reading_chars(text: str) -> list[str]:
    """What the reader sees for each character of the scan: doubled quotes joined, hyphenated words
    rejoined, the spacing tilde of "Cas-tan˜eda" made an ñ, line breaks inside paragraphs made spaces."""
    out = list(text)
    for match in re.finditer("\u2018\u2018|\u2019\u2019", text):
        out[match.start()], out[match.start() + 1] = ("\u201c" if match.group() == "\u2018\u2018" else "\u201d"), ""
    for match in re.finditer("n\n?\u02dc", text):
        out[match.start()] = "ñ"
        for i in range(match.start() + 1, match.end()):
            out[i] = ""
    for match in re.finditer(r"(?<=\w)-\n(?=\w)", text):
        out[match.start()] = out[match.start() + 1] = ""
    line_start = 0
    for i, char in enumerate(text):
        if char == "\n":
            if out[i] == "\n":
                out[i] = LINE_BREAK if i - line_start < SHORT_LINE else " "
            line_start = i + 1
    return out


def render(chars: list[str], spans: list[MarkedSpan], selection: tuple[int, int] | None = None) -> Markup:
    """The text with a <mark id="char=S,E"> per span (nested as the spans are) and its note number after it."""
    closing_order = sorted(spans, key=lambda s: (s.start, -s.end))
    bounds = {0, len(chars)} | {s.start for s in spans} | {s.end for s in spans}
    if selection:
        bounds |= set(selection)
    selection_is_span = selection is not None and any((s.start, s.end) == selection for s in spans)
    opening: dict[int, list[MarkedSpan]] = {}
    for span in closing_order:
        opening.setdefault(span.start, []).append(span)
    parts: list[str] = []
    stack: list[MarkedSpan] = []
    positions = sorted(bounds)
    for here, following in zip(positions, positions[1:] + [None]):
        while stack and stack[-1].end == here:
            closed = stack.pop()
            parts.append(f'</mark><sup class="note-ref"><a href="#note-{closed.note}">{closed.note}</a></sup>')
        for span in opening.get(here, []):
            parts.append(f'<mark class="span" id="{span.anchor}">')
            stack.append(span)
        if following is None:
            break
        leaf = str(escape("".join(chars[here:following]))).replace(LINE_BREAK, "<br>\n")
        if selection and selection[0] <= here and following <= selection[1]:
            anchor = f' id="char={selection[0]},{selection[1]}"' if here == selection[0] and not selection_is_span else ""
            leaf = f'<span class="selected"{anchor}>{leaf}</span>'
        parts.append(leaf)
    return Markup("".join(parts))


def parse_range(value: str, length: int) -> tuple[int, int]:
    """``S,E`` (RFC 5147's char= range): 0 <= S < E <= length, else ValueError with what is wrong."""
    match = re.fullmatch(r"(\d{1,9}),(\d{1,9})", value)
    if not match:
        raise ValueError(f"char={value!r}: expected two character offsets, START,END (RFC 5147), e.g. char=903,1317")
    start, end = int(match.group(1)), int(match.group(2))
    if not 0 <= start < end <= length:
        raise ValueError(f"char={start},{end}: the text has {length} characters; START must be below END")
    return start, end
