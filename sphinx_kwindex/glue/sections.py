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

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import make_id

from sphinx_kwindex.render import SECTION_TITLES, RenderContext, render
from sphinx_kwindex.glue.links import SphinxLinker
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
    kwindex: Kwindex, module: str, request: Request, env: BuildEnvironment, document: nodes.document
) -> list[nodes.Node]:
    """Sections showing ``module`` (or a folder of modules) in ``document``, recorded in the domain.

    Only titles, ids and placeholders now; the bodies are rendered when the page is written.
    """
    new_id = _id_reserver(env, document)
    module_id = new_id(f"kwindex-{module}")
    shown: list[nodes.Node] = []
    anchors: list[tuple[str, str, str]] = []
    views = kwindex.section_views(module, request)
    for name, view in views:
        section = nodes.section("", ids=[new_id(f"kw{name}-{module}")], classes=["kwindex", f"kwindex-{name}"])
        section += nodes.title("", SECTION_TITLES[name])
        body = kwindex_body(view=name, module=module, kinds=list(request.kinds), limit=request.limit,
                            home=env.docname)
        if isinstance(view, KeywordsView):
            terms = view.anchor_terms()
            ids = {f"{prefix}:{entry}": new_id(f"{prefix}-{module}.{entry}") for prefix, entry, _ in terms}
            body["anchors"] = ids
            anchors = [(entry, ids[f"{prefix}:{entry}"], kind) for prefix, entry, kind in terms]
        section += body
        section["kwindex_module"] = module
        shown.append(section)
    if shown:
        shown[0]["ids"].insert(0, module_id)
    env.domains["kwindex"].note_module(
        env.docname, module, module_id if shown else None, digest_of(tuple(view for _, view in views)),
        tuple(request), anchors,
    )
    return shown


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


def _id_reserver(env: BuildEnvironment, document: nodes.document):
    """A function giving ids unique in ``document`` (reserved there, so later ids stay unique)."""

    def new_id(term: str) -> str:
        node_id = make_id(env, document, "", term)
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


def expand(kwindex: Kwindex, node: kwindex_body, env: BuildEnvironment) -> list[nodes.Node]:
    """The rendered body a placeholder stands for: its view, computed now, rendered."""
    home = node["home"]
    anchors = node.get("anchors", {})
    module = node.get("module", "")
    settings = kwindex.settings
    ctx = RenderContext(
        docname=home,
        links=SphinxLinker(env, kwindex.builder, home),
        anchor=lambda prefix, name: anchors.get(f"{prefix}:{name}", ""),
        source_url=lambda path, line: settings.source_link(path, line, module),
    )
    if node["view"] == "keyword-index":
        view = kwindex.keyword_view(node["key"] or None)
        return render(view, ctx) if view is not None else []
    request = Request((node["view"],), tuple(node.get("kinds", ())) or settings.kinds, node["limit"])
    views = kwindex.section_views(module, request)
    if not views:  # gone since the page was read (it is re-read on the next build)
        return [nodes.paragraph("", f"{module} is no longer among the analysed modules.")]
    return render(views[0][1], ctx)
