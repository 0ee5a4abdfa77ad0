"""The "Keyword index" section of a module: its definitions and imports by kind."""

from __future__ import annotations

from itertools import groupby

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
    usage = {name: rest for name, *rest in view.used_by}
    kinds = {d.name: d.kind for d in view.definitions} if usage else {}
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
                if entry.name in usage:
                    items += nodes.list_item("", paragraph, _used_by(*usage[entry.name], view, kinds, ctx), ids=[anchor])
                    continue
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
    url = ctx.source_url(view.path, 0) or ctx.source_line(view.path, 0)
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
    line_url = ctx.source_line(view.path, definition.line)
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
    if line_url:
        para += nodes.Text(", line ")
        para += nodes.reference("", str(definition.line), refuri=line_url)
        if dash:
            para += nodes.Text(dash)
    else:
        para += nodes.Text(f", line {definition.line}{dash}")  # one text node: pages hold thousands
    if definition.doc:
        para += text(definition.doc, ("kwindex-doc",))
    return para


def _used_by(places: int, modules: int, shown: tuple, view: KeywordsView, kinds: dict[str, str],
             ctx: RenderContext) -> nodes.paragraph:
    """"Used in 3 modules, 12 places: pkg.cli: Group.invoke (call, lines 40, 52); ..." (the first few)."""
    para = nodes.paragraph(classes=["kwindex-used-by", NO_SEARCH])  # names of other modules: not this page's
    para += nodes.Text(f"Used in {count_of(modules, 'module')}, {count_of(places, 'place')}: ")
    previous = None
    for (module, scope), uses in groupby(shown, key=lambda place: (place[0], place[1])):
        if previous is None or module != previous[0]:
            if previous is not None:
                para += nodes.Text("; ")
            para += nodes.Text(f"{module}: ")
        else:
            para += nodes.Text(", ")
        previous = (module, scope)
        if scope and module == view.module:  # its entry is on this page
            para += _local_link(scope, view, kinds.get(scope), ctx)
        elif scope:
            para += ctx.links.keyword(module, scope, (f"{module}.{scope}",), nodes.literal("", scope))
        else:
            para += ctx.links.module(module, nodes.Text("module level"))
        by_kind = [(kind, [line for _, _, line, _ in lines]) for kind, lines in groupby(uses, key=lambda p: p[3])]
        para += nodes.Text(" (" + "; ".join(
            f"{kind}, line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}" for kind, lines in by_kind) + ")")
    if places > len(shown):
        para += nodes.Text(f"; and {count_of(places - len(shown), 'more place')}")
    para += nodes.Text(".")
    return para


def _local_link(qualname: str, view: KeywordsView, kind: str | None, ctx: RenderContext) -> nodes.Node:
    """A definition of the page's own module: its documentation, else its entry on this page."""
    name = nodes.literal("", qualname)
    if kind is None or kind not in view.kinds:
        return ctx.links.keyword(view.module, qualname, (f"{view.module}.{qualname}",), name)
    anchor = ctx.anchor(anchor_prefix(kind), qualname)
    return ctx.links.definition(view.module, qualname, (f"{view.module}.{qualname}",), anchor, None, name)


def _import_entry(entry: ImportEntry, view: KeywordsView, ctx: RenderContext, lookup: dict) -> nodes.paragraph:
    imported = entry.imported
    name = nodes.literal("", imported.name, classes=["kwindex-name"])
    target = entry.project_target
    names = view.documented_names(*target, lookup) if target is not None and target[1] else ()
    para = nodes.paragraph("", "", ctx.links.imported(imported.target, imported.is_module, target, names, name))
    if imported.target != imported.name:
        para += nodes.Text(" → ")
        para += nodes.literal("", imported.target)
    url = ctx.source_line(view.path, imported.line)
    if url:
        para += nodes.Text(", line ")
        para += nodes.reference("", str(imported.line), refuri=url)
    else:
        para += nodes.Text(f", line {imported.line}")
    return para


def _shorten(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_SIGNATURE else value[: MAX_SIGNATURE - 1] + "…"
