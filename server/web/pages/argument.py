"""The argument map: /argument draws the article's argument as a diagram.

The diagram is computed by ``server.web.argument_map`` and drawn by the
template as SVG (no JavaScript): each claim a box linking to its page, the
text's relations solid, the curators' interpretive links dashed. The home page
shows the same diagram on its first screen (``argument_map_view``).
"""

from __future__ import annotations

from server.web.argument_map import layout, load_argument
from server.web.pages import bp, page_caching
from server.web.pages.passages import reader_href
from server.web.responses import respond
from server.web.views import render_page


@bp.route("/argument")
def argument():
    return respond(page_caching("argument"), lambda: render_page("argument.html", map=argument_map_view(), active="pages.argument"))


def argument_map_view() -> dict | None:
    """The diagram's geometry, each box with the link to its passage in the source reader; None without an argument."""
    found = load_argument()
    if not found.nodes:
        return None
    drawn = layout(found)
    for box in drawn["boxes"]:
        node = box["node"]
        box["passage"] = reader_href(node.start, node.end) if node.start is not None else None
    return drawn
