"""The "Related files" section: ranked related modules with reasons, imports, imported by, tests."""

from __future__ import annotations

from docutils import nodes

from sphinx_kwindex.render.common import NO_SEARCH, RenderContext
from sphinx_kwindex.render.pictures import render_picture
from sphinx_kwindex.views import RelatedView


def render_related(view: RelatedView, ctx: RenderContext) -> list[nodes.Node]:
    """Ranked list with reasons, then the plain lists: imports, imported by, tested by (or tests)."""
    body: list[nodes.Node] = render_picture(view.picture, ctx) if view.picture is not None else []
    if view.related:
        items = nodes.enumerated_list(classes=["kwindex-related-files"])
        for entry in view.related:
            para = nodes.paragraph("", "", ctx.module_link(entry.module))
            # Best first; the score itself says nothing to a reader (it is in kwindex.json).
            para += nodes.Text(": " + "; ".join(entry.reasons))
            items += nodes.list_item("", para)
        body.append(items)
    else:
        body.append(nodes.paragraph("", "No related files found."))
    groups = [
        ("Imports", view.imports),
        ("Imported by", view.imported_by),
        (view.tests_title, tuple((name, ()) for name in view.tests)),
    ]
    for title, links in groups:
        body.append(nodes.rubric("", f"{title} ({len(links)})"))
        if not links:
            body.append(nodes.paragraph("", "None in the project."))
            continue
        items = nodes.bullet_list(classes=["kwindex-links"])
        for other, names in links:
            para = nodes.paragraph("", "", ctx.module_link(other))
            names = [name for name in names if name]
            if names:
                para += nodes.Text(": " + ", ".join(names))
            items += nodes.list_item("", para)
        body.append(items)
    if view.test_command:
        body.append(nodes.paragraph("", "", nodes.Text("Run it with "), nodes.literal("", view.test_command),
                                    nodes.Text(".")))
    for node in body:
        node["classes"].append(NO_SEARCH)  # other modules' names and reasons: not what this page is about
    return body
