"""The "Related files" section: ranked related modules with reasons, imports, imported by, tests."""

from __future__ import annotations

from docutils import nodes

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.render.common import NO_SEARCH, RenderContext


def render_related_body(summary: ModuleSummary, index: ProjectIndex, ctx: RenderContext, limit: int) -> list[nodes.Node]:
    """Ranked list with reasons, then the plain lists: imports, imported by, tested by (or tests)."""
    module = summary.module
    body: list[nodes.Node] = []
    related = index.related(module, limit)
    if related:
        items = nodes.enumerated_list(classes=["kwindex-related-files"])
        for entry in related:
            para = nodes.paragraph("", "", ctx.module_link(entry.module))
            para += nodes.Text(f" ({entry.score:.2f}): " + "; ".join(entry.reasons))
            items += nodes.list_item("", para)
        body.append(items)
    else:
        body.append(nodes.paragraph("", "No related files found."))
    groups = [
        ("Imports", index.graph.imports_of(module)),
        ("Imported by", index.graph.imported_by(module)),
    ]
    if summary.source.is_test:
        groups.append(("Tests", {name: () for name in index.graph.tests_of(module)}))
    else:
        groups.append(("Tested by", {name: () for name in index.graph.tested_by(module)}))
    for title, links in groups:
        body.append(nodes.rubric("", f"{title} ({len(links)})"))
        if not links:
            body.append(nodes.paragraph("", "None in the project."))
            continue
        items = nodes.bullet_list(classes=["kwindex-links"])
        for other in sorted(links):
            para = nodes.paragraph("", "", ctx.module_link(other))
            names = [name for name in links[other] if name]
            if names:
                para += nodes.Text(": " + ", ".join(names))
            items += nodes.list_item("", para)
        body.append(items)
    command = index.test_command(module)
    if command:
        body.append(nodes.paragraph("", "", nodes.Text("Run it with "), nodes.literal("", command), nodes.Text(".")))
    for node in body:
        node["classes"].append(NO_SEARCH)  # other modules' names and reasons: not what this page is about
    return body
