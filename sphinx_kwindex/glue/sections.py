"""The sections we add to pages: placed when a page is read, rendered when it is written.

Read time (:func:`place_module_sections`, :func:`place_keyword_page`): a page
gets each section's title (for its table of contents), ids for its entries,
and a small ``kwindex_body`` placeholder; the domain records the digest of the
views the page shows. Write time (:class:`ExpandBodies`): each placeholder is
replaced by its view, computed again from the project and rendered, with links
resolved directly from the Python and kwindex domains; only names outside the
project become ``pending_xref`` nodes (for intersphinx). This keeps docutils'
read-time transforms, doctree pickles and reference resolution small on huge
projects; writers only ever see standard docutils nodes.
"""

from __future__ import annotations

from itertools import takewhile
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import make_id

from sphinx_kwindex.render import SECTION_TITLES, RenderContext, render
from sphinx_kwindex.glue import source_pages
from sphinx_kwindex.glue.links import SphinxLinker
from sphinx_kwindex.glue.pictures import builder_draws, graphviz_node
from sphinx_kwindex.views import KeywordsView, digest_of

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.glue.events import Kwindex

#: Domain key of the project keyword index's pages.
KEYWORDS_KEY = "@keywords"


class Request(NamedTuple):
    """What a page asked to show for a module (the directive's options, or the defaults)."""

    sections: tuple[str, ...]
    kinds: tuple[str, ...]
    limit: int


class kwindex_body(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """Placeholder for a section body; :class:`ExpandBodies` replaces it before any writer runs."""


def skip_node(translator, node) -> None:
    raise nodes.SkipNode


# -- read time ------------------------------------------------------------------------


def place_module_sections(
    kwindex: Kwindex, module: str, request: Request, env: BuildEnvironment, document: nodes.document,
    *, injected: bool = False,
) -> list[nodes.Node]:
    """Sections showing ``module`` (or a folder of modules) in ``document``, recorded in the domain.

    Only titles, ids and placeholders now; the bodies are rendered when the page is written.
    ``injected``: added to a page the user wrote for other things (see :func:`place_injected`):
    one block of rubrics labelled with the module, not sections, so the page's table of
    contents is the user's and the block can stand right after the module's objects.
    """
    # Injected blocks get ids of their own: a module with a generated page too must not have its
    # ids twice when every page is one (singlehtml).
    id_prefix = "in-" if injected else ""
    new_id = _id_reserver(env, document, id_prefix)
    module_id = new_id(f"kwindex-{module}")
    shown: list[nodes.Element] = []
    anchors: list[tuple[str, str, str]] = []
    views = kwindex.section_views(module, request)
    for name, view in views:
        ids, classes = [new_id(f"kw{name}-{module}")], ["kwindex", f"kwindex-{name}"]
        if injected:
            block = nodes.container("", ids=ids, classes=classes)
            block += nodes.rubric("", "", nodes.Text(f"{SECTION_TITLES[name]}: "), nodes.literal("", module))
        else:
            block = nodes.section("", ids=ids, classes=classes)
            block += nodes.title("", SECTION_TITLES[name])
        body = kwindex_body(view=name, module=module, kinds=list(request.kinds), limit=request.limit,
                            home=env.docname)
        if isinstance(view, KeywordsView):
            terms = view.anchor_terms()
            ids = {f"{prefix}:{entry}": new_id(f"{prefix}-{module}.{entry}") for prefix, entry, _ in terms}
            body["anchors"] = ids
            anchors = [(entry, ids[f"{prefix}:{entry}"], kind) for prefix, entry, kind in terms]
        block += body
        block["kwindex_module"] = module
        shown.append(block)
    if shown:
        shown[0]["ids"].insert(0, module_id)
    env.domains["kwindex"].note_module(
        env.docname, module, module_id if shown else None, digest_of(tuple(view for _, view in views)),
        tuple(request), anchors, id_prefix,
    )
    if injected and shown:
        return [nodes.container("", *shown, classes=["kwindex-module"])]
    return shown


def documented_modules(doctree: nodes.document, module_targets: dict[str, str],
                       defining_module=lambda dotted: None) -> list[tuple[str, nodes.Element]]:
    """(module, the node its sections follow) of every module ``doctree`` documents, in page order.

    An object (``autoclass``, ``py:function``... under ``automodule``, ``module`` or
    ``currentmodule``) is one of the module defining it (``defining_module(dotted name)``,
    through re-exports: ``click.Command`` is ``click.core``'s), else of the module it is
    documented under. A module's objects end where its last top-level object does; a module
    target (``module_targets``: module -> node id) with no objects of its module on the page
    ends where its section's text does, before the section's first subsection.
    """
    order: dict[str, None] = {}
    last: dict[str, nodes.Element] = {}
    targets = {node_id: module for module, node_id in module_targets.items()}
    for node in doctree.findall(nodes.Element):
        if isinstance(node, addnodes.desc):
            if node.get("domain") != "py" or isinstance(node.parent, addnodes.desc_content):
                continue
            signature = next(iter(node.findall(addnodes.desc_signature)), None)
            module = signature.get("module") if signature is not None else None
            if module:
                module = defining_module(f"{module}.{signature.get('fullname', '')}") or module
                order.setdefault(module)
                last[module] = node
            continue
        for node_id in node["ids"]:
            if node_id in targets:
                order.setdefault(targets[node_id])
    placed = []
    for module in order:
        anchor = last.get(module)
        if anchor is None:
            if module not in module_targets:
                continue
            anchor = _text_end(doctree.ids[module_targets[module]])
        placed.append((module, anchor))
    return placed


def _text_end(node: nodes.Element) -> nodes.Element:
    """The last element of the text of the section holding ``node`` (before its first subsection),
    or the section itself when it has no such text."""
    section = node
    while not isinstance(section, (nodes.section, nodes.document)):
        section = section.parent
    text = list(takewhile(lambda child: not isinstance(child, nodes.section),
                          (child for child in section.children if isinstance(child, nodes.Element))))
    return text[-1] if text else section


def insert_after(anchor: nodes.Element, new: list[nodes.Node]) -> None:
    """Put ``new`` right after ``anchor`` (inside it when it is a section or the document itself)."""
    if isinstance(anchor, (nodes.section, nodes.document)) or anchor.parent is None:
        anchor.extend(new)
        return
    parent = anchor.parent
    position = parent.index(anchor) + 1
    parent[position:position] = new


def place_keyword_page(kwindex: Kwindex, key: str | None, env: BuildEnvironment, document: nodes.document):
    """The project keyword index: its front page (``key`` None) or one of its pages."""
    domain_key = KEYWORDS_KEY if key is None else f"{KEYWORDS_KEY}:{key}"
    view = kwindex.keyword_view(key)
    env.domains["kwindex"].note_module(env.docname, domain_key, None, digest_of((view,) if view else ()))
    body = kwindex_body(view="keyword-index", key=key or "", home=env.docname)
    if key is not None and view is not None:
        new_id = _id_reserver(env, document)
        # In name order: ids that collide (non-ASCII letters are dropped) get serial numbers
        # in the same order in every build.
        names = sorted({entry.name for entry in view.entries})
        body["anchors"] = {f"kwname:{name}": new_id(f"kwname-{name}") for name in names}
    return [body]


def shown_digest(kwindex: Kwindex, key: str, request: tuple) -> str:
    """What a page shows for ``key`` now, as the digest :func:`place_module_sections` records."""
    if key == KEYWORDS_KEY or key.startswith(f"{KEYWORDS_KEY}:"):
        view = kwindex.keyword_view(key.partition(":")[2] or None)
        return digest_of((view,) if view else ())
    return digest_of(tuple(view for _, view in kwindex.section_views(key, Request(*request))))


def _id_reserver(env: BuildEnvironment, document: nodes.document, prefix: str = ""):
    """A function giving ids unique in ``document`` (reserved there, so later ids stay unique)."""

    def new_id(term: str) -> str:
        node_id = make_id(env, document, "", prefix + term)
        document.ids[node_id] = document
        return node_id

    return new_id


# -- write time -----------------------------------------------------------------------


class ExpandBodies(SphinxPostTransform):
    """Render every ``kwindex_body`` of the document (before references are resolved)."""

    #: before ReferencesResolver (10), which then resolves the few pending_xrefs we leave
    default_priority = 5
    kwindex: ClassVar[Kwindex]

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(kwindex_body)):
            node.replace_self(expand(self.kwindex, node, self.env))


def make_post_transform(kwindex: Kwindex) -> type[ExpandBodies]:
    """The post-transform class bound to one application's extension state."""
    return type("ExpandBodies", (ExpandBodies,), {"kwindex": kwindex})


def _picture(kwindex: Kwindex, code: str, alt: str, docname: str) -> nodes.Element:
    """The node drawing ``code`` on ``docname``, once the picture is no longer being drawn ahead."""
    if kwindex.drawing_ahead is not None:
        kwindex.drawing_ahead.ready(code, docname)
    return graphviz_node(code, alt, docname)


def expand(kwindex: Kwindex, node: kwindex_body, env: BuildEnvironment) -> list[nodes.Node]:
    """The rendered body a placeholder stands for: its view, computed now, rendered."""
    home = node["home"]
    anchors = node.get("anchors", {})
    module = node.get("module", "")
    settings = kwindex.settings
    line_url = None
    if module and kwindex.source_pages_active():
        line_url = source_pages.line_uris(kwindex.app, env.docname, module)

    ctx = RenderContext(
        docname=home,
        links=SphinxLinker(env, kwindex.builder, home),
        anchor=lambda prefix, name: anchors.get(f"{prefix}:{name}", ""),
        source_url=lambda path, line: settings.source_link(path, line, module),
        line_url=line_url,
        picture=(lambda code, alt, kind: _picture(kwindex, code, alt, env.docname))
        if settings.pictures and builder_draws(kwindex.builder) else None,
    )
    if node["view"] == "keyword-index":
        view = kwindex.keyword_view(node["key"] or None)
        return render(view, ctx) if view is not None else []
    request = Request((node["view"],), tuple(node.get("kinds", ())) or settings.kinds, node["limit"])
    views = kwindex.section_views(module, request)
    if not views:  # gone since the page was read (it is re-read on the next build)
        return [nodes.paragraph("", f"{module} is no longer among the analysed modules.")]
    return render(views[0][1], ctx)
