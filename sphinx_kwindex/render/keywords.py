"""The "Keyword index" section of a module: its definitions and imports by kind."""

from __future__ import annotations

from docutils import nodes

from sphinx_kwindex.model import KIND_NOUNS, KIND_TITLES, Definition, count_of
from sphinx_kwindex.render.common import NO_SEARCH, RenderContext, text
from sphinx_kwindex.views import ImportEntry, KeywordsView, anchor_prefix

#: Longest signature shown in full; longer ones end in an ellipsis (the keyword is still listed).
MAX_SIGNATURE = 160


def render_keywords(view: KeywordsView, ctx: RenderContext) -> list[nodes.Node]:
    """The body of the "Keyword index" section."""
    body: list[nodes.Node] = [_overview(view, ctx)]
    lookup = view.public_lookup()
    for kind, entries in view.groups():
        body.append(nodes.rubric("", f"{KIND_TITLES[kind]} ({len(entries)})", classes=[f"kwindex-{kind}"]))
        items = nodes.bullet_list(classes=["kwindex-keywords"])
        for entry in entries:
            if isinstance(entry, ImportEntry):
                anchor = ctx.anchor(anchor_prefix(kind), entry.imported.name)
                paragraph = _import_entry(entry, view, ctx, lookup)
            else:
                anchor = ctx.anchor(anchor_prefix(kind), entry.name)
                paragraph = _definition_entry(entry, view, anchor, ctx, lookup)
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


def _overview(view: KeywordsView, ctx: RenderContext) -> nodes.paragraph:
    para = nodes.paragraph(classes=["kwindex-overview"])
    path = nodes.literal("", view.path)
    url = ctx.source_url(view.path, 0)
    para += nodes.reference("", "", path, refuri=url) if url else path
    if view.failure is not None:
        para += nodes.Text(" could not be analysed (")
        para += text(view.failure)
        para += nodes.Text("); it has no keywords here.")
        return para
    parts = [count_of(count, KIND_NOUNS[kind]) for kind, count in view.counts()]
    para += nodes.Text(f": {count_of(view.lines, 'line')}; " + (", ".join(parts) or "no keywords") + ".")
    return para


def _definition_entry(definition: Definition, view: KeywordsView, anchor: str, ctx: RenderContext,
                      lookup: dict) -> nodes.paragraph:
    url = ctx.source_url(view.path, definition.line)
    name = nodes.literal("", definition.name, classes=["kwindex-name"])
    names = view.documented_names(view.module, definition.name, lookup)
    para = nodes.paragraph("", "", ctx.links.definition(view.module, definition.name, names, anchor, url, name))
    if ctx.links.documented_here(names):
        # Documented on this very page (autodoc shows its signature and docstring): the link and line.
        definition = Definition(definition.name, definition.kind, definition.line)
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


def _import_entry(entry: ImportEntry, view: KeywordsView, ctx: RenderContext, lookup: dict) -> nodes.paragraph:
    imported = entry.imported
    name = nodes.literal("", imported.name, classes=["kwindex-name"])
    target = entry.project_target
    names = view.documented_names(*target, lookup) if target is not None and target[1] else ()
    para = nodes.paragraph("", "", ctx.links.imported(imported.target, imported.is_module, target, names, name))
    if imported.target != imported.name:
        para += nodes.Text(" → ")
        para += nodes.literal("", imported.target)
    url = ctx.source_url(view.path, imported.line)
    if url:
        para += nodes.Text(", line ")
        para += nodes.reference("", str(imported.line), refuri=url)
    else:
        para += nodes.Text(f", line {imported.line}")
    return para


def _shorten(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_SIGNATURE else value[: MAX_SIGNATURE - 1] + "…"
