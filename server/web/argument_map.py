"""The argument map: the article's argument as a diagram the server draws (SVG, no JavaScript).

``load_argument`` reads the argument from the store: the claims of the argument's
kinds (question, disputed view, thesis, factors, aim, findings and inferences,
conclusion), the claims the text ties to them by an argument relation (what the
question presupposes, the concession that qualifies the thesis, the premise of the
conclusion, the facts an inference draws on), and every relation among those claims.
A relation the curators reified as an ``mxus:InterpretiveLink`` is their reading and
is drawn dashed; the others are the text's own. ``layout`` is pure geometry (columns
by kind, boxes, curves), so tests can check it without a server.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from server.rdf.namespaces import MXUS, PREFIXES
from server.web.statements import term_label
from server.web.views import iri_view, row_label, select

# The argument's kinds, one column each, in the order the argument runs.
COLUMNS = (
    ("ResearchQuestion",),
    ("DisputedView",),
    ("Thesis",),
    ("ExplanatoryFactor",),
    ("Aim",),
    ("Finding", "Inference"),
    ("Conclusion",),
)
ARGUMENT_KINDS = {kind: index for index, kinds in enumerate(COLUMNS) for kind in kinds}
RELATIONS = ("mxus:answers", "mxus:disputes", "mxus:elaborates", "mxus:supports", "mxus:qualifies",
             "mxus:presupposes", "mxus:contrastsWith", "prov:wasDerivedFrom")
RELATION_IRIS = {PREFIXES[r.split(":")[0]] + r.split(":")[1]: r for r in RELATIONS}

BOX = {"width": 136, "height": 80, "gap_x": 56, "gap_y": 18, "margin": 30, "lane": 11, "legend": 30,
       "line": 14, "char": 6.9, "lines": 4, "padding": 7}


@dataclass
class Node:
    iri: str
    kind: str
    label: str
    start: int | None = None  # where its passage begins in the source text
    end: int | None = None

    @property
    def href(self) -> str:
        return iri_view(self.iri)["href"]


@dataclass
class Edge:
    source: str
    target: str
    relation: str  # mxus:answers, ...
    interpretive: bool  # the curators' reading, not the text's


@dataclass
class Argument:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def load_argument() -> Argument:
    rows = select(
        """SELECT ?claim ?kind ?en ?es (MIN(?s) AS ?start) (MIN(?e) AS ?end) WHERE {
  ?claim a ?kindClass . ?kindClass rdfs:subClassOf mxus:Claim .
  BIND (STRAFTER(STR(?kindClass), STR(mxus:)) AS ?kind)
  OPTIONAL { ?claim rdfs:label ?en FILTER (lang(?en) = "en") }
  OPTIONAL { ?claim rdfs:label ?es FILTER (lang(?es) = "es") }
  OPTIONAL { ?claim mxus:statedIn/oa:hasSelector ?position . ?position oa:start ?s ; oa:end ?e }
} GROUP BY ?claim ?kind ?en ?es"""
    )
    claims = {
        str(row["claim"]): Node(str(row["claim"]), str(row["kind"]), row_label(row) or str(row["claim"]),
                                int(row["start"]) if row.get("start") is not None else None,
                                int(row["end"]) if row.get("end") is not None else None)
        for row in rows
    }
    relation_values = " ".join(RELATIONS)
    stated = select(
        f"""SELECT ?from ?relation ?to (BOUND(?link) AS ?curators) WHERE {{
  VALUES ?relation {{ {relation_values} }}
  ?from ?relation ?to .
  OPTIONAL {{ ?link a mxus:InterpretiveLink ; rdf:subject ?from ; rdf:predicate ?relation ; rdf:object ?to }}
}}"""
    )
    edges: dict[tuple[str, str, str], Edge] = {}
    for row in stated:
        source, target = str(row["from"]), str(row["to"])
        if source in claims and target in claims:
            key = (source, str(row["relation"]), target)
            interpretive = str(row["curators"]).lower() == "true" or (key in edges and edges[key].interpretive)
            edges[key] = Edge(source, target, RELATION_IRIS[str(row["relation"])], interpretive)
    return select_argument(claims, list(edges.values()))


def select_argument(claims: dict[str, Node], edges: list[Edge]) -> Argument:
    """The argument's kinds, and the claims one relation away from them, with the relations among all of them."""
    core = {iri for iri, node in claims.items() if node.kind in ARGUMENT_KINDS}
    members = set(core)
    for edge in edges:
        if edge.source in core or edge.target in core:
            members |= {edge.source, edge.target}
    nodes = sorted((claims[i] for i in members), key=lambda n: (n.start is None, n.start or 0, n.label))
    kept = [e for e in edges if e.source in members and e.target in members]
    kept.sort(key=lambda e: (e.source, e.relation, e.target))
    return Argument(nodes, kept)


def wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` characters, the last ending in "…" if the text goes on."""
    result: list[str] = []
    for word in text.split():
        if result and len(result[-1]) + 1 + len(word) <= width:
            result[-1] += " " + word
        else:
            result.append(word[:width])
    if len(result) <= lines:
        return result
    last = result[lines - 1]
    return result[: lines - 1] + [(last if len(last) < width else last[: width - 1].rstrip()) + "…"]


def _column(node: Node, argument: Argument, placed: dict[str, int]) -> int:
    if node.kind in ARGUMENT_KINDS:
        return ARGUMENT_KINDS[node.kind]
    for edge in argument.edges:  # beside the argument claim the text ties it to
        other = edge.target if edge.source == node.iri else edge.source if edge.target == node.iri else None
        if other in placed:
            return placed[other]
    return len(COLUMNS) - 1


def layout(argument: Argument) -> dict:
    """Boxes in columns by kind (the argument's order), curves between them, above them when they skip a column."""
    g = BOX
    placed: dict[str, int] = {}
    for node in sorted(argument.nodes, key=lambda n: n.kind not in ARGUMENT_KINDS):
        placed[node.iri] = _column(node, argument, placed)
    used = sorted(set(placed.values()))
    columns: dict[int, list[Node]] = defaultdict(list)
    for node in argument.nodes:  # kinds first in each column, then in text order
        columns[used.index(placed[node.iri])].append(node)
    for members in columns.values():
        members.sort(key=lambda n: (n.kind not in ARGUMENT_KINDS, n.start is None, n.start or 0))
    skipping = [e for e in argument.edges if abs(used.index(placed[e.source]) - used.index(placed[e.target])) > 1]
    top = g["margin"] + g["lane"] * (len(skipping) + 1)
    boxes: dict[str, dict] = {}
    for column, members in columns.items():
        for row, node in enumerate(members):
            x = g["margin"] + column * (g["width"] + g["gap_x"])
            y = top + row * (g["height"] + g["gap_y"])
            boxes[node.iri] = {"node": node, "x": x, "y": y, "column": column, "row": row,
                               "kind": term_label(str(MXUS[node.kind])).capitalize(),
                               "lines": wrap(node.label, int((g["width"] - 2 * g["padding"]) / g["char"]), g["lines"])}
    inner = g["width"] - 2 * g["padding"]
    for box in boxes.values():  # a long kind name is squeezed into the box, not cut
        box["kind_length"] = inner if len(box["kind"]) * 7.4 > inner else None
    rows = max((len(m) for m in columns.values()), default=0)
    height = top + rows * (g["height"] + g["gap_y"]) + g["legend"]
    width = 2 * g["margin"] + len(used) * g["width"] + (len(used) - 1) * g["gap_x"]
    lanes = {id(e): top - g["lane"] * (i + 1) for i, e in enumerate(skipping)}
    curves = [_curve(e, boxes[e.source], boxes[e.target], lanes.get(id(e))) for e in argument.edges]
    _name_once(curves)
    return {"width": width, "height": height, "boxes": [boxes[n.iri] for n in argument.nodes], "edges": curves,
            "legend_y": height - g["legend"] + 18, "box": g}


def _name_once(curves: list[dict]) -> None:
    """Parallel edges of one relation (three factors elaborating the thesis) are named once, on the middle one."""
    bundles: dict[tuple, list[dict]] = defaultdict(list)
    for curve in curves:
        same = curve["source"]["column"] == curve["target"]["column"]
        key = (curve["source"]["column"], curve["target"]["column"], curve["edge"].relation, curve["edge"].target if same else None)
        bundles[key].append(curve)
    for bundle in bundles.values():
        bundle.sort(key=lambda c: c["label_y"])
        for index, curve in enumerate(bundle):
            if index != (len(bundle) - 1) // 2:
                curve["lines"] = []


def _curve(edge: Edge, source: dict, target: dict, lane: float | None) -> dict:
    g = BOX
    w, h = g["width"], g["height"]
    if lane is not None:  # over the columns between: up from the source's top, across, down to the target's top
        x0, x1 = source["x"] + w / 2 + 12, target["x"] + w / 2 - 12
        y0, y1 = source["y"], target["y"]
        path = f"M{x0},{y0} C{x0},{lane} {x0},{lane} {(x0 + x1) / 2},{lane} S{x1},{lane} {x1},{y1}"
        label = ((x0 + x1) / 2, lane - 2)
    elif source["column"] == target["column"]:  # in one column: round the left side, named in the gap above the target
        x = source["x"]
        y0, y1 = source["y"] + h / 2, target["y"] + h / 2
        bend = x - g["margin"] + 4
        path = f"M{x},{y0} C{bend},{y0} {bend},{y1} {x},{y1}"
        label = (x + w / 2, max(source["y"], target["y"]) - 5)
    else:  # neighbouring columns: facing sides
        forward = target["column"] > source["column"]
        x0 = source["x"] + (w if forward else 0)
        x1 = target["x"] + (0 if forward else w)
        y0, y1 = source["y"] + h / 2, target["y"] + h / 2
        middle = (x0 + x1) / 2
        path = f"M{x0},{y0} C{middle},{y0} {middle},{y1} {x1},{y1}"
        label = (middle, (y0 + y1) / 2)
    iri = PREFIXES[edge.relation.split(":")[0]] + edge.relation.split(":")[1]
    name = term_label(iri)
    lines = wrap(name, 11, 2) if lane is None and source["column"] != target["column"] else [name]
    return {"edge": edge, "path": path, "label_x": round(label[0], 1), "label_y": round(label[1] - 6 * (len(lines) - 1), 1),
            "name": name, "lines": lines, "source": source, "target": target}
