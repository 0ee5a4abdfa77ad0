"""The pages of the project keyword index: letter navigation and one group of keywords."""

from __future__ import annotations

from itertools import groupby

from docutils import nodes

from sphinx_kwindex.project_keywords import KeywordGroup
from sphinx_kwindex.render.common import RenderContext, count_of


def render_navigation(groups: list[KeywordGroup], docname_of, current: str | None, ctx: RenderContext) -> nodes.paragraph:
    """``A · B · Ca – Co · ...``: every page of the index, the current one not linked."""
    para = nodes.paragraph(classes=["kwindex-letters"])
    for i, group in enumerate(groups):
        if i:
            para += nodes.Text(" · ")
        if group.key == current:
            para += nodes.strong("", group.title)
        else:
            para += ctx.links.page(docname_of(group.key), nodes.inline("", group.title))
    return para


def render_overview(groups: list[KeywordGroup], docname_of, ctx: RenderContext) -> list[nodes.Node]:
    """The index's front page: how many keywords, and a link per page with its size."""
    total = sum(len(group.entries) for group in groups)
    intro = nodes.paragraph(
        "", f"{count_of(total, 'definition')} of the project (classes, functions, methods, attributes and "
        "variables), alphabetically by name, leading underscores ignored."
    )
    items = nodes.bullet_list(classes=["kwindex-letter-pages"])
    for group in groups:
        para = nodes.paragraph("", "", ctx.links.page(docname_of(group.key), nodes.inline("", group.title)))
        para += nodes.Text(f": {count_of(len(group.entries), 'keyword')}")
        items += nodes.list_item("", para)
    return [render_navigation(groups, docname_of, None, ctx), intro, items]


def render_group(group: KeywordGroup, groups: list[KeywordGroup], docname_of, ctx: RenderContext) -> list[nodes.Node]:
    """One page of the index: each name with every definition of it (kind, qualified name, module)."""
    result: list[nodes.Node] = [render_navigation(groups, docname_of, group.key, ctx)]
    items = nodes.bullet_list(classes=["kwindex-project-keywords"])
    for name, same_name in groupby(group.entries, key=lambda e: e.name):
        same_name = list(same_name)
        item = nodes.list_item("", ids=[ctx.anchor("kwname", name)])
        para = nodes.paragraph("", "", nodes.literal("", name, classes=["kwindex-name"]))
        if len(same_name) == 1:
            para += nodes.Text(" — ")
            para += _definition(same_name[0], ctx)
            item += para
        else:
            para += nodes.Text(f" — {len(same_name)} definitions")
            item += para
            sub = nodes.bullet_list()
            for entry in same_name:
                sub += nodes.list_item("", nodes.paragraph("", "", _definition(entry, ctx)))
            item += sub
        items += item
    result.append(items)
    return result


def _definition(entry, ctx: RenderContext) -> nodes.inline:
    """``method Widget.render in pkg.mod``, the qualified name linked to the keyword's entry.

    The module is not linked: the entry is on its page already, and a second link per
    keyword would double the links of pages holding 1500 keywords each.
    """
    link = ctx.links.keyword(entry.module, entry.qualname, nodes.literal("", entry.qualname))
    module = nodes.literal("", entry.module, classes=["kwindex-name"])
    return nodes.inline("", "", nodes.Text(f"{entry.kind} "), link, nodes.Text(" in "), module)
