"""The "Keyword index" section of a module: its definitions and imports by kind."""

from __future__ import annotations

from collections import Counter

from docutils import nodes
from sphinx import addnodes

from sphinx_kwindex.model import KIND_NOUNS, KIND_TITLES, KINDS, Definition, ImportedName, ModuleSummary
from sphinx_kwindex.render.common import RenderContext, count_of

#: Longest signature shown in full; longer ones end in an ellipsis (the keyword is still listed).
MAX_SIGNATURE = 160


def keyword_entries(summary: ModuleSummary, kinds=KINDS) -> dict[str, list[Definition | ImportedName]]:
    """The keywords of a module grouped by kind, each group sorted by name."""
    groups: dict[str, list] = {kind: [] for kind in kinds}
    for definition in summary.definitions:
        if definition.kind in groups:
            groups[definition.kind].append(definition)
    if "import" in groups:
        groups["import"] = list(summary.imported_names)
    for entries in groups.values():
        entries.sort(key=lambda entry: (entry.name.lower(), entry.name))
    return {kind: entries for kind, entries in groups.items() if entries}


def render_keyword_index(
    summary: ModuleSummary, ctx: RenderContext
) -> tuple[nodes.section, list[tuple[str, str, str]]]:
    """The "Keyword index" section, and the (qualified name, node id, kind) of every keyword in it."""
    anchors: list[tuple[str, str, str]] = []
    section = nodes.section("", ids=[ctx.make_id(f"kwkeywords-{summary.module}")], classes=["kwindex"])
    section += nodes.title("", "Keyword index")
    section += _overview(summary, ctx)
    for kind, entries in keyword_entries(summary, ctx.kinds).items():
        section += nodes.rubric("", f"{KIND_TITLES[kind]} ({len(entries)})", classes=[f"kwindex-{kind}"])
        items = nodes.bullet_list(classes=["kwindex-keywords"])
        for entry in entries:
            # Imports get their own prefix: ``np`` may be both imported and assigned.
            prefix = "kwimport" if kind == "import" else "kw"
            anchor = ctx.make_id(f"{prefix}-{summary.module}.{entry.name}")
            anchors.append((entry.name, anchor, kind))
            if kind == "import":
                paragraph = _import_entry(entry, summary, ctx)
            else:
                paragraph = _definition_entry(entry, summary, anchor, ctx)
            items += nodes.list_item("", paragraph, ids=[anchor])
        section += items
    return section, anchors


def unknown_module_note(module: str) -> nodes.Element:
    """The short visible note a page shows for a module that was not analysed."""
    note = nodes.warning()
    note += nodes.paragraph(
        "", "", nodes.Text("Keyword index: no module "), nodes.literal("", module), nodes.Text(" was found under kwindex_paths.")
    )
    return note


def _overview(summary: ModuleSummary, ctx: RenderContext) -> nodes.paragraph:
    para = nodes.paragraph(classes=["kwindex-overview"])
    path = nodes.literal("", summary.path)
    url = ctx.source_url(summary.path, 0)
    para += nodes.reference("", "", path, refuri=url) if url else path
    if summary.parse_failed:
        reason = summary.problems[0].message if summary.problems else "unknown problem"
        para += nodes.Text(f" could not be analysed ({reason}); it has no keywords here.")
        return para
    counts = Counter(definition.kind for definition in summary.definitions)
    counts["import"] = len(summary.imported_names)
    parts = [count_of(counts[kind], KIND_NOUNS[kind]) for kind in KINDS if counts[kind]]
    para += nodes.Text(f": {count_of(summary.lines, 'line')}; " + (", ".join(parts) or "no keywords") + ".")
    return para


def _definition_entry(
    definition: Definition, summary: ModuleSummary, anchor: str, ctx: RenderContext
) -> nodes.paragraph:
    url = ctx.source_url(summary.path, definition.line)
    name = nodes.literal("", definition.name, classes=["kwindex-name"])
    if definition.is_local:
        # A local definition is never a documented object: link straight to its source or anchor.
        link = nodes.reference("", "", name, refuri=url) if url else nodes.reference("", "", name, refid=anchor)
    else:
        link = addnodes.pending_xref(
            "",
            name,
            refdomain="py",
            reftype="obj",
            reftarget=f"{summary.module}.{definition.name}",
            refexplicit=True,
            refwarn=False,
        )
        if url:
            link["kwindex_refuri"] = url
        else:
            link["kwindex_refid"] = [ctx.docname, anchor]
    para = nodes.paragraph("", "", link)
    if definition.signature:
        # Plain inline text (the HTML stylesheet sets it in monospace): a second literal
        # would be quoted apart from the name by the text and man builders.
        para += nodes.inline(
            "", _shorten(definition.signature), classes=["kwindex-signature"], support_smartquotes=False
        )
    para += nodes.Text(", line ")
    line = nodes.Text(str(definition.line))
    para += nodes.reference("", "", line, refuri=url) if url else line
    if definition.doc:
        para += nodes.Text(" — ")
        para += nodes.inline("", definition.doc, classes=["kwindex-doc"], support_smartquotes=False)
    return para


def _import_entry(imported: ImportedName, summary: ModuleSummary, ctx: RenderContext) -> nodes.paragraph:
    link = addnodes.pending_xref(
        "",
        nodes.literal("", imported.name, classes=["kwindex-name"]),
        refdomain="py",
        reftype="mod" if imported.is_module else "obj",
        reftarget=imported.target,
        refexplicit=True,
        refwarn=False,
    )
    link["kwindex_targets"] = [imported.target]
    para = nodes.paragraph("", "", link)
    if imported.target != imported.name:
        para += nodes.Text(" → ")
        para += nodes.literal("", imported.target)
    para += nodes.Text(", line ")
    url = ctx.source_url(summary.path, imported.line)
    line = nodes.Text(str(imported.line))
    para += nodes.reference("", "", line, refuri=url) if url else line
    return para


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SIGNATURE else text[: MAX_SIGNATURE - 1] + "…"
