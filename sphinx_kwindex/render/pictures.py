"""Pictures -> Graphviz DOT text and alt text (pure: the glue hands both to ``sphinx.ext.graphviz``).

The DOT text is a function of the picture and the links only, written in the
picture's (sorted) order, so the same picture is the same file. Edge styles say
what links two modules; the picture's own caption says which style is which.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from docutils import nodes

from sphinx_kwindex.pictures import Picture, PictureEdge
from sphinx_kwindex.render.common import NO_SEARCH, RenderContext

#: kind -> (DOT edge attributes, what the caption calls it)
EDGE_STYLES = {
    "imports": ('color="#444444"', "imports"),
    "tests": ('color="#2e7d32", style=dashed', "tests (green, dashed)"),
    "uses": ('color="#1565c0"', "calls or uses (blue)"),
    "cochange": ('color="#e65100", style=dotted, dir=none', "changed together (orange, dotted)"),
    "related": ('color="#9e9e9e", style=dotted, dir=none', "related otherwise (grey, dotted)"),
}
NODE_STYLES = {
    "centre": 'style="rounded,filled,bold", fillcolor="#cfe2ff"',
    "module": "",
    "package": 'shape=tab, style=filled',
    "test": 'fillcolor="#e8f5e9"',
    "folder": 'shape=folder, style=filled',
    "more": 'shape=plaintext, style="", fontcolor="#555555"',
}
CYCLE = "#c62828"
FONT = 'fontname="Helvetica,Arial,sans-serif"'


def render_picture(picture: Picture, ctx: RenderContext) -> list[nodes.Node]:
    """The picture as the node the context makes of DOT text (none without one)."""
    if ctx.picture is None:
        return []
    node = ctx.picture(dot_source(picture, ctx.links.module_uri, ctx.docname), alt_text(picture), picture.kind)
    if node is None:
        return []
    node["classes"] += ["kwindex-picture", f"kwindex-picture-{picture.kind}", NO_SEARCH]
    return [node]


def dot_source(picture: Picture, uri_of: Callable[[str], str | None], page: str = "") -> str:
    """DOT text of ``picture``; ``uri_of(module)``: the URL of its page, or None (no link). The
    graph's name, which becomes the id of a PNG's image map, holds the ``page`` the picture was
    placed on: singlehtml puts a module's generated page and a page it is added to in one file."""
    # a neighbourhood reads left to right; a package's layers top down, kept narrow enough for a page
    direction = "rankdir=LR, " if picture.kind == "neighbourhood" else "nodesep=0.15, ranksep=0.35, "
    name = f"kwindex-{picture.kind}-{picture.subject}" + (f"@{page}" if page else "")
    lines = [
        f"digraph {_quote(name)} {{",
        f"  graph [{FONT}, fontsize=10, labelloc=b, labeljust=l, {direction}label={_quote(caption(picture))}];",
        f'  node [{FONT}, fontsize=10, shape=box, style="rounded,filled", fillcolor="#f5f5f5", height=0.3];',
        f"  edge [{FONT}, fontsize=9, arrowsize=0.7];",
    ]
    for node in picture.nodes:
        attributes = [f"label={_quote(node.label)}"]
        if NODE_STYLES[node.kind]:
            attributes.append(NODE_STYLES[node.kind])
        if node.in_cycle:
            attributes.append(f'color="{CYCLE}", penwidth=2')
        if node.kind != "more":
            attributes.append(f"tooltip={_quote(node.name)}")
            uri = uri_of(node.name)
            if uri:
                # _top: a link inside an SVG <object> would open inside the object
                attributes += [f"URL={_quote(uri)}", 'target="_top"']
        lines.append(f"  {_quote(node.name)} [{', '.join(attributes)}];")
    for edge in picture.edges:
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{_edge_attributes(picture, edge)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def caption(picture: Picture) -> str:
    """The legend under the picture: the styles it uses, and what it leaves out."""
    if picture.kind == "package":
        said = ["arrows: imports (thicker: more of them)"]
        if any(edge.in_cycle for edge in picture.edges):
            said.append("red: import cycle")
        if picture.members_left_out or picture.links_left_out:
            said.append(f"not drawn: {picture.members_left_out} members, {picture.links_left_out} links")
        return "; ".join(said)
    kinds = {edge.kind for edge in picture.edges}
    return "arrows: " + ", ".join(EDGE_STYLES[kind][1] for kind in EDGE_STYLES if kind in kinds)


def alt_text(picture: Picture) -> str:
    """What the picture shows, in words (for screen readers, and the text and man builders)."""
    if picture.kind == "package":
        return _package_alt(picture)
    return _neighbourhood_alt(picture)


_SIDES = {
    ("imports", True): "imports", ("imports", False): "imported by",
    ("tests", True): "tests", ("tests", False): "tested by",
    ("uses", True): "calls or uses", ("uses", False): "called or used by",
    ("cochange", True): "changed together with", ("related", True): "related otherwise",
}


def _neighbourhood_alt(picture: Picture) -> str:
    sides: dict[str, list[str]] = {}
    for edge in picture.edges:
        outwards = edge.source == picture.subject
        other = picture.node(edge.target if outwards else edge.source)
        side = _SIDES.get((edge.kind, outwards or edge.kind in ("cochange", "related")), edge.kind)
        sides.setdefault(side, []).append(f"{other.count} more" if other.kind == "more" else other.name)
    said = [f"{side}: {', '.join(names)}" for side, names in
            sorted(sides.items(), key=lambda item: list(_SIDES.values()).index(item[0]))]
    return f"Neighbourhood of {picture.subject}: " + "; ".join(said) + "."


def _package_alt(picture: Picture) -> str:
    targets: dict[str, list[str]] = {}
    for edge in picture.edges:
        targets.setdefault(edge.source, []).append(picture.node(edge.target).label)
    said = "; ".join(f"{picture.node(source).label} imports {', '.join(names)}" for source, names in targets.items())
    text = f"Imports among the members of {picture.subject}: {said}."
    if picture.cycles:
        text += " Import cycles: " + "; ".join(", ".join(cycle) for cycle in picture.cycles) + "."
    if picture.members_left_out or picture.links_left_out:
        text += f" Not drawn: {picture.members_left_out} members, {picture.links_left_out} links."
    return text


def _edge_attributes(picture: Picture, edge: PictureEdge) -> str:
    if picture.kind != "package":
        return EDGE_STYLES[edge.kind][0]
    source, target = picture.node(edge.source), picture.node(edge.target)
    # red, not bolder, in a cycle: in a package that is one big cycle, the weight still tells
    attributes = f'color="{CYCLE}"' if edge.in_cycle else EDGE_STYLES[edge.kind][0]
    attributes += f", penwidth={1 + min(2.0, math.log2(edge.weight) / 2):.1f}"
    return attributes + f", tooltip={_quote(f'{source.label} imports {target.label} ({edge.weight})')}"


def _quote(text: str) -> str:
    """A DOT double-quoted string (a backslash would start an escape such as ``\\n``)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
