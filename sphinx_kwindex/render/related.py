"""The "Related files" section: ranked related modules with reasons, imports, imported by, tests."""

from __future__ import annotations

from docutils import nodes

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.render.common import RenderContext, module_link


def render_related(summary: ModuleSummary, index: ProjectIndex, ctx: RenderContext, limit: int) -> nodes.section:
    """The "Related files" section: ranked list with reasons, then imports, imported by and tests."""
    module = summary.module
    section = nodes.section("", ids=[ctx.make_id(f"kwrelated-{module}")], classes=["kwindex-related"])
    section += nodes.title("", "Related files")
    related = index.related(module, limit)
    if related:
        items = nodes.enumerated_list(classes=["kwindex-related-files"])
        for entry in related:
            para = nodes.paragraph("", "", module_link(entry.module))
            para += nodes.Text(f" ({entry.score:.2f}): " + "; ".join(entry.reasons))
            items += nodes.list_item("", para)
        section += items
    else:
        section += nodes.paragraph("", "No related files found.")
    groups = [
        ("Imports", index.graph.imports_of(module)),
        ("Imported by", index.graph.imported_by(module)),
    ]
    if summary.source.is_test:
        groups.append(("Tests", {name: () for name in index.graph.tests_of(module)}))
    else:
        groups.append(("Tested by", {name: () for name in index.graph.tested_by(module)}))
    for title, links in groups:
        section += nodes.rubric("", f"{title} ({len(links)})")
        if not links:
            section += nodes.paragraph("", "None in the project.")
            continue
        items = nodes.bullet_list(classes=["kwindex-links"])
        for other in sorted(links):
            para = nodes.paragraph("", "", module_link(other))
            names = [name for name in links[other] if name]
            if names:
                para += nodes.Text(": " + ", ".join(names))
            items += nodes.list_item("", para)
        section += items
    command = index.test_command(module)
    if command:
        section += nodes.paragraph("", "", nodes.Text("Run it with "), nodes.literal("", command), nodes.Text("."))
    return section
