"""The "Keyword index" section of a module: its definitions and imports by kind."""

from __future__ import annotations

from collections import Counter

from docutils import nodes

from sphinx_kwindex.model import KIND_NOUNS, KIND_TITLES, KINDS, Definition, ImportedName, ModuleSummary
from sphinx_kwindex.render.common import NO_SEARCH, RenderContext, count_of, text

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


def anchor_prefix(kind: str) -> str:
    """Imports get their own prefix: ``np`` may be both imported and assigned."""
    return "kwimport" if kind == "import" else "kw"


def keyword_anchor_terms(summary: ModuleSummary, kinds=KINDS) -> list[tuple[str, str, str]]:
    """(prefix, name, kind) of every entry the keyword index shows, for reserving their ids."""
    return [
        (anchor_prefix(kind), entry.name, kind)
        for kind, entries in keyword_entries(summary, kinds).items()
        for entry in entries
    ]


def render_keywords_body(summary: ModuleSummary, ctx: RenderContext) -> list[nodes.Node]:
    """The body of the "Keyword index" section."""
    body: list[nodes.Node] = [_overview(summary, ctx)]
    for kind, entries in keyword_entries(summary, ctx.kinds).items():
        body.append(nodes.rubric("", f"{KIND_TITLES[kind]} ({len(entries)})", classes=[f"kwindex-{kind}"]))
        items = nodes.bullet_list(classes=["kwindex-keywords"])
        for entry in entries:
            anchor = ctx.anchor(anchor_prefix(kind), entry.name)
            if kind == "import":
                paragraph = _import_entry(entry, summary, ctx)
            else:
                paragraph = _definition_entry(entry, summary, anchor, ctx)
            items += nodes.list_item("", paragraph, ids=[anchor])
        body.append(items)
    return body


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
        para += nodes.Text(" could not be analysed (")
        para += text(reason)
        para += nodes.Text("); it has no keywords here.")
        return para
    counts = Counter(definition.kind for definition in summary.definitions)
    counts["import"] = len(summary.imported_names)
    parts = [count_of(counts[kind], KIND_NOUNS[kind]) for kind in KINDS if counts[kind]]
    para += nodes.Text(f": {count_of(summary.lines, 'line')}; " + (", ".join(parts) or "no keywords") + ".")
    return para


def _definition_entry(definition: Definition, summary: ModuleSummary, anchor: str, ctx: RenderContext) -> nodes.paragraph:
    url = ctx.source_url(summary.path, definition.line)
    name = nodes.literal("", definition.name, classes=["kwindex-name"])
    para = nodes.paragraph("", "", ctx.links.definition(summary.module, definition.name, anchor, url, name))
    # Plain inline text (the HTML stylesheet sets it in monospace): a second literal
    # would be quoted apart from the name by the text and man builders.
    dash = " — " if definition.doc else ""
    if definition.signature:
        para += text(_shorten(definition.signature), ("kwindex-signature", NO_SEARCH))
    if url:
        para += nodes.Text(", line ")
        para += nodes.reference("", str(definition.line), refuri=url)
        if dash:
            para += nodes.Text(dash)
    else:
        para += nodes.Text(f", line {definition.line}{dash}")  # one text node: pages hold thousands
    if definition.doc:
        para += text(definition.doc, ("kwindex-doc",))
    return para


def _import_entry(imported: ImportedName, summary: ModuleSummary, ctx: RenderContext) -> nodes.paragraph:
    name = nodes.literal("", imported.name, classes=["kwindex-name"])
    para = nodes.paragraph("", "", ctx.links.imported(imported.target, imported.is_module, name))
    if imported.target != imported.name:
        para += nodes.Text(" → ")
        para += nodes.literal("", imported.target)
    url = ctx.source_url(summary.path, imported.line)
    if url:
        para += nodes.Text(", line ")
        para += nodes.reference("", str(imported.line), refuri=url)
    else:
        para += nodes.Text(f", line {imported.line}")
    return para


def _shorten(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_SIGNATURE else value[: MAX_SIGNATURE - 1] + "…"
