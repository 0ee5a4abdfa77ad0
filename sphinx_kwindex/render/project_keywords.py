"""The pages of the project keyword index: letter navigation and one page of keywords."""

from __future__ import annotations

from itertools import groupby

from docutils import nodes

from sphinx_kwindex.model import count_of
from sphinx_kwindex.render.common import RenderContext
from sphinx_kwindex.views import KeywordFrontView, KeywordPageLink, KeywordPageView


def render_navigation(pages: tuple[KeywordPageLink, ...], current: str | None, ctx: RenderContext) -> nodes.paragraph:
    """``A · B · Ca – Co · ...``: every page of the index, the current one not linked."""
    para = nodes.paragraph(classes=["kwindex-letters"])
    for i, page in enumerate(pages):
        if i:
            para += nodes.Text(" · ")
        if page.key == current:
            para += nodes.strong("", page.title)
        else:
            para += ctx.links.page(page.docname, nodes.inline("", page.title))
    return para


def render_keyword_front(view: KeywordFrontView, ctx: RenderContext) -> list[nodes.Node]:
    """The index's front page: how many keywords, and a link per page with its size."""
    total = sum(page.size for page in view.pages)
    intro = nodes.paragraph(
        "", f"{count_of(total, 'definition')} of the project (classes, functions, methods, attributes and "
        "variables), alphabetically by name, leading underscores ignored."
    )
    items = nodes.bullet_list(classes=["kwindex-letter-pages"])
    for page in view.pages:
        para = nodes.paragraph("", "", ctx.links.page(page.docname, nodes.inline("", page.title)))
        para += nodes.Text(f": {count_of(page.size, 'keyword')}")
        items += nodes.list_item("", para)
    return [render_navigation(view.pages, None, ctx), intro, items]


def render_keyword_page(view: KeywordPageView, ctx: RenderContext) -> list[nodes.Node]:
    """One page of the index: each name with every definition of it (kind, qualified name, module).

    A page holds up to 1500 keywords (75,000 on PyTorch in all), so an entry is a few
    nodes: the name, linked to its definition's entry, and one text. A name defined
    several times lists each definition by its qualified name, linked the same way.
    """
    result: list[nodes.Node] = [render_navigation(view.pages, view.key, ctx)]
    items = nodes.bullet_list(classes=["kwindex-project-keywords"])
    usage = dict(zip(view.entries, view.usage)) if view.usage else {}
    for name, same_name in groupby(view.entries, key=lambda e: e.name):
        same_name = list(same_name)
        item = nodes.list_item("", ids=[ctx.anchor("kwname", name)])
        if len(same_name) == 1:
            entry = same_name[0]
            where = f" — {entry.kind} {entry.qualname} in {entry.module}{_used(usage.get(entry))}"
            item += nodes.paragraph("", "", _link(entry, name, ctx), nodes.Text(where))
        else:
            item += nodes.paragraph("", "", nodes.literal("", name, classes=["kwindex-name"]),
                                    nodes.Text(f" — {len(same_name)} definitions"))
            sub = nodes.bullet_list()
            for entry in same_name:
                sub += nodes.list_item("", nodes.paragraph(
                    "", "", _link(entry, entry.qualname, ctx),
                    nodes.Text(f" — {entry.kind} in {entry.module}{_used(usage.get(entry))}")
                ))
            item += sub
        items += item
    result.append(items)
    return result


def _used(counts: tuple[int, int] | None) -> str:
    """``; used in 3 modules, 12 places`` (nothing for a keyword nobody uses, or without references)."""
    if not counts or not counts[0]:
        return ""
    places, modules = counts
    return f"; used in {count_of(modules, 'module')}, {count_of(places, 'place')}"


def _link(entry, shown: str, ctx: RenderContext) -> nodes.Node:
    """``shown`` in code, linked to the keyword's entry on its module's page."""
    return ctx.links.keyword(entry.module, entry.qualname, (), nodes.literal("", shown, classes=["kwindex-name"]))
