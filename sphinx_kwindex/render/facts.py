"""The "File facts" (path, size, kind, dependencies, notable calls, how to test) and a package's "Contents"."""

from __future__ import annotations

from collections import Counter

from docutils import nodes

from sphinx_kwindex.model import KIND_NOUNS, ModuleSummary
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.render.common import NO_SEARCH, RenderContext, count_of, text

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


def render_facts_body(
    summary: ModuleSummary, index: ProjectIndex, ctx: RenderContext, keyword_index_label: str | None
) -> list[nodes.Node]:
    """The "File facts": what a reviewer wants to know before opening the file."""
    module = summary.module
    fields = nodes.field_list(classes=["kwindex-facts"])
    path = nodes.literal("", summary.path)
    url = ctx.source_url(summary.path, 0)
    fields += _field("Path", nodes.reference("", "", path, refuri=url) if url else path)
    if summary.doc:
        fields += _field("Summary", text(summary.doc))
    fields += _field("Kind", text(module_kind(summary)))
    fields += _field("Size", nodes.Text(f"{count_of(summary.lines, 'line')}, {count_of(summary.size, 'byte')}"),
                     search=False)
    if summary.parse_failed:
        reason = summary.problems[0].message if summary.problems else "unknown problem"
        fields += _field("Analysis", text(f"could not be analysed: {reason}"))
    else:
        counts = Counter(d.kind for d in summary.definitions)
        defines = ", ".join(count_of(counts[k], KIND_NOUNS[k]) for k in KIND_NOUNS if counts.get(k))
        fields += _field("Defines", nodes.Text(defines or "nothing"))
    project, stdlib, third_party = index.dependencies(module)
    if project:
        fields += _field("Depends on (project)", *_joined([ctx.module_link(name) for name in project]), search=False)
    if stdlib:
        fields += _field("Depends on (standard library)", *_joined([nodes.literal("", n) for n in stdlib]),
                         search=False)
    if third_party:
        fields += _field("Depends on (third party)", *_joined([nodes.literal("", n) for n in third_party]),
                         search=False)
    if summary.notable_calls:
        by_kind: dict[str, list[str]] = {}
        for call in summary.notable_calls:
            by_kind.setdefault(call.kind, []).append(f"{call.call} (line {call.line})")
        calls_text = "; ".join(f"{kind}: {', '.join(calls)}" for kind, calls in sorted(by_kind.items()))
        fields += _field("Notable calls", text(calls_text), search=False)
    command = index.test_command(module)
    if command:
        fields += _field("Run the tests", nodes.literal("", command))
    fields += _field("See also", *_see_also(module, index, ctx, url, keyword_index_label), search=False)
    return [fields]


def render_contents_body(name: str, index: ProjectIndex, ctx: RenderContext) -> list[nodes.Node]:
    """A package's (or namespace folder's) modules and sub-packages with summaries and counts."""
    children = index.children(name)
    if not children:
        return [nodes.paragraph("", "No modules.")]
    items = nodes.bullet_list(classes=["kwindex-contents"])
    for child in children:
        para = nodes.paragraph("", "", ctx.module_link(child))
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
                para += text(summary.doc)
        items += nodes.list_item("", para)
    return [items]


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


def _see_also(module: str, index: ProjectIndex, ctx: RenderContext, url: str | None, label: str | None):
    parts: list[nodes.Node] = []
    parent = module.rpartition(".")[0]
    if parent and (parent in index or index.is_folder(parent)):
        parts += [nodes.Text("package "), ctx.module_link(parent)]
    if label:
        parts += [nodes.Text(", " if parts else ""), ctx.links.label(label, nodes.inline("", "project keyword index"))]
    if url:
        parts += [nodes.Text(", " if parts else ""), nodes.reference("", "source", refuri=url)]
    return parts or [nodes.Text("nothing")]
