"""The "File facts" (path, size, kind, dependencies, notable calls, how to test) and a package's "Contents"."""

from __future__ import annotations

from docutils import nodes

from sphinx_kwindex.model import count_of
from sphinx_kwindex.render.common import NO_SEARCH, RenderContext, text
from sphinx_kwindex.render.pictures import render_picture
from sphinx_kwindex.views import ContentsView, FactsView


def render_facts(view: FactsView, ctx: RenderContext) -> list[nodes.Node]:
    """The "File facts": what a reviewer wants to know before opening the file."""
    fields = nodes.field_list(classes=["kwindex-facts"])
    path = nodes.literal("", view.path)
    url = ctx.source_url(view.path, 0) or ctx.source_line(view.path, 0)
    fields += _field("Path", nodes.reference("", "", path, refuri=url) if url else path)
    if view.doc:
        fields += _field("Summary", text(view.doc))
    fields += _field("Kind", text(view.kind))
    fields += _field("Size", nodes.Text(f"{count_of(view.lines, 'line')}, {count_of(view.size, 'byte')}"),
                     search=False)
    if view.failure is not None:
        fields += _field("Analysis", text(f"could not be analysed: {view.failure}"))
    else:
        fields += _field("Defines", nodes.Text(view.defines))
    if view.depends_project:
        fields += _field("Depends on (project)", *_joined([ctx.module_link(name) for name in view.depends_project]),
                         search=False)
    if view.depends_stdlib:
        fields += _field("Depends on (standard library)",
                         *_joined([nodes.literal("", n) for n in view.depends_stdlib]), search=False)
    if view.depends_third_party:
        fields += _field("Depends on (third party)",
                         *_joined([nodes.literal("", n) for n in view.depends_third_party]), search=False)
    if view.notable_calls:
        fields += _field("Notable calls", text(view.notable_calls), search=False)
    if view.test_command:
        fields += _field("Run the tests", nodes.literal("", view.test_command))
    fields += _field("See also", *_see_also(view, ctx, url), search=False)
    return [fields]


def render_contents(view: ContentsView, ctx: RenderContext) -> list[nodes.Node]:
    """A package's (or namespace folder's) modules and sub-packages with summaries and counts, after
    the picture of the imports among them."""
    if not view.children:
        return [nodes.paragraph("", "No modules.")]
    picture = render_picture(view.picture, ctx) if view.picture is not None else []
    items = nodes.bullet_list(classes=["kwindex-contents"])
    for child in view.children:
        para = nodes.paragraph("", "", ctx.module_link(child.name))
        if child.folder_modules is not None:
            para += nodes.Text(f" — folder, {count_of(child.folder_modules, 'module')}")
        else:
            words = ["package"] if child.is_package else []
            words += [count_of(child.classes, "class"), count_of(child.functions, "function")]
            para += nodes.Text(" — " + ", ".join(words))
            if child.doc:
                para += nodes.Text(" — ")
                para += text(child.doc)
        items += nodes.list_item("", para)
    return [*picture, items]


def _field(name: str, *body: nodes.Node, search: bool = True) -> nodes.field:
    field = nodes.field("", nodes.field_name("", name), nodes.field_body("", nodes.paragraph("", "", *body)))
    if not search:
        field["classes"].append(NO_SEARCH)
    return field


def _joined(parts: list[nodes.Node]) -> list[nodes.Node]:
    joined: list[nodes.Node] = []
    for i, part in enumerate(parts):
        if i:
            joined.append(nodes.Text(", "))
        joined.append(part)
    return joined


def _see_also(view: FactsView, ctx: RenderContext, url: str | None) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    if view.parent:
        parts += [nodes.Text("package "), ctx.module_link(view.parent)]
    if view.keyword_index_label:
        parts += [nodes.Text(", " if parts else ""),
                  ctx.links.label(view.keyword_index_label, nodes.inline("", "project keyword index"))]
    if url:
        parts += [nodes.Text(", " if parts else ""), nodes.reference("", "source", refuri=url)]
    return parts or [nodes.Text("nothing")]
