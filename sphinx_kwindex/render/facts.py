"""The "File facts" section (path, size, kind, dependencies, notable calls, how to test) and a
package's "Contents" section."""

from __future__ import annotations

from collections import Counter

from docutils import nodes

from sphinx_kwindex.model import KIND_NOUNS, ModuleSummary
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.render.common import RenderContext, count_of, module_link

#: Kinds counted in a package's contents list.
_COUNTED = ("class", "function")


def module_kind(summary: ModuleSummary) -> str:
    """``package``, ``test module``, ``script``... in words, from facts of the file."""
    source = summary.source
    kind = "package" if source.is_package else "module"
    if source.is_stub:
        kind = f"stub {kind} (.pyi)"
    if source.is_test:
        kind = f"test {kind}"
    if summary.has_main_block:
        kind += ", runnable as a script (has an if __name__ == '__main__' block)"
    return kind


def render_facts(summary: ModuleSummary, index: ProjectIndex, ctx: RenderContext, keyword_index_ref: str | None):
    """The "File facts" section: what a reviewer wants to know before opening the file."""
    module = summary.module
    section = nodes.section("", ids=[ctx.make_id(f"kwfacts-{module}")], classes=["kwindex-facts"])
    section += nodes.title("", "File facts")
    fields = nodes.field_list(classes=["kwindex-facts"])
    path = nodes.literal("", summary.path)
    url = ctx.source_url(summary.path, 0)
    fields += _field("Path", nodes.reference("", "", path, refuri=url) if url else path)
    if summary.doc:
        fields += _field("Summary", nodes.inline("", summary.doc, support_smartquotes=False))
    fields += _field("Kind", nodes.inline("", module_kind(summary), support_smartquotes=False))
    fields += _field("Size", nodes.Text(f"{count_of(summary.lines, 'line')}, {count_of(summary.size, 'byte')}"))
    if summary.parse_failed:
        reason = summary.problems[0].message if summary.problems else "unknown problem"
        fields += _field("Analysis", nodes.Text(f"could not be analysed: {reason}"))
    else:
        counts = Counter(d.kind for d in summary.definitions)
        defines = ", ".join(count_of(counts[k], KIND_NOUNS[k]) for k in KIND_NOUNS if counts.get(k))
        fields += _field("Defines", nodes.Text(defines or "nothing"))
    project, stdlib, third_party = index.dependencies(module)
    if project:
        fields += _field("Depends on (project)", *_joined([module_link(name) for name in project]))
    if stdlib:
        fields += _field("Depends on (standard library)", *_joined([nodes.literal("", n) for n in stdlib]))
    if third_party:
        fields += _field("Depends on (third party)", *_joined([nodes.literal("", n) for n in third_party]))
    if summary.notable_calls:
        by_kind: dict[str, list[str]] = {}
        for call in summary.notable_calls:
            by_kind.setdefault(call.kind, []).append(f"{call.call} (line {call.line})")
        text = "; ".join(f"{kind}: {', '.join(calls)}" for kind, calls in sorted(by_kind.items()))
        fields += _field("Notable calls", nodes.inline("", text, support_smartquotes=False))
    command = index.test_command(module)
    if command:
        fields += _field("Run the tests", nodes.literal("", command))
    fields += _field("See also", *_see_also(module, index, url, keyword_index_ref))
    section += fields
    return section


def render_contents(name: str, index: ProjectIndex, ctx: RenderContext) -> nodes.section:
    """A package's (or namespace folder's) modules and sub-packages with summaries and counts."""
    section = nodes.section("", ids=[ctx.make_id(f"kwcontents-{name}")], classes=["kwindex-contents"])
    children = index.children(name)
    section += nodes.title("", "Contents")
    if not children:
        section += nodes.paragraph("", "No modules.")
        return section
    items = nodes.bullet_list(classes=["kwindex-contents"])
    for child in children:
        para = nodes.paragraph("", "", module_link(child))
        summary = index.get(child)
        if summary is None:
            para += nodes.Text(f" — folder, {count_of(len(index.children(child)), 'module')}")
        else:
            counts = Counter(d.kind for d in summary.definitions)
            words = ["package"] if summary.source.is_package else []
            words += [count_of(counts[kind], KIND_NOUNS[kind]) for kind in _COUNTED]
            para += nodes.Text(" — " + ", ".join(words))
            if summary.doc:
                para += nodes.Text(" — ")
                para += nodes.inline("", summary.doc, support_smartquotes=False)
        items += nodes.list_item("", para)
    section += items
    return section


def _field(name: str, *body: nodes.Node) -> nodes.field:
    return nodes.field("", nodes.field_name("", name), nodes.field_body("", nodes.paragraph("", "", *body)))


def _joined(parts: list[nodes.Node]) -> list[nodes.Node]:
    joined: list[nodes.Node] = []
    for i, part in enumerate(parts):
        if i:
            joined.append(nodes.Text(", "))
        joined.append(part)
    return joined


def _see_also(module: str, index: ProjectIndex, url: str | None, keyword_index_ref: str | None) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    parent = module.rpartition(".")[0]
    if parent and (parent in index or index.children(parent)):
        parts += [nodes.Text("package "), module_link(parent)]
    if keyword_index_ref:
        from sphinx import addnodes

        ref = addnodes.pending_xref(
            "", nodes.inline("", "project keyword index"), refdomain="std", reftype="ref",
            reftarget=keyword_index_ref, refexplicit=True, refwarn=True,
        )
        parts += [nodes.Text(", " if parts else ""), ref]
    if url:
        parts += [nodes.Text(", " if parts else ""), nodes.reference("", "source", refuri=url)]
    return parts or [nodes.Text("nothing")]
