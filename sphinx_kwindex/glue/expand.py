"""Write time: section bodies are rendered when a page is written, not when it is read.

A page keeps only section titles (for its table of contents) and a small
``kwindex_body`` placeholder per section in its pickled doctree. At write
time, :class:`ExpandBodies` renders each body with links resolved directly
from the Python and kwindex domains; only names outside the project become
``pending_xref`` nodes (for intersphinx). This keeps docutils' read-time
transforms, doctree pickles and reference resolution small on huge projects;
writers only ever see standard docutils nodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.glue.extension import KwindexExtension


class kwindex_body(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """Placeholder for a section body; :class:`ExpandBodies` replaces it before any writer runs."""


def skip_node(translator, node) -> None:
    raise nodes.SkipNode


class ExpandBodies(SphinxPostTransform):
    """Render every ``kwindex_body`` of the document (before references are resolved)."""

    #: before ReferencesResolver (10), which then resolves the few pending_xrefs we leave
    default_priority = 5
    extension: ClassVar[KwindexExtension]

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(kwindex_body)):
            node.replace_self(self.extension.expand(node, self.env, self.extension.builder))


def make_post_transform(extension: KwindexExtension) -> type[ExpandBodies]:
    return type("ExpandBodies", (ExpandBodies,), {"extension": extension})


class SphinxLinker:
    """Links for one page being written, from the Python domain (documented objects), the kwindex
    domain (pages showing modules and keywords) and, for outside names, intersphinx."""

    def __init__(self, extension: KwindexExtension, env: BuildEnvironment, builder: Builder, home: str) -> None:
        self.index = extension.index
        self.env = env
        self.builder = builder
        self.fromdocname = env.docname
        #: the page the placeholder was read from (own anchors live there)
        self.home = home
        self.domain = env.domains["kwindex"]
        self.python = env.domains["py"]
        self._uris: dict[str, str] = {}

    def _ref(self, docname: str, node_id: str | None, contnode: nodes.Node) -> nodes.Node:
        """What ``sphinx.util.nodes.make_refnode`` makes, with each page's relative URI computed once:
        a module page holds hundreds of links to a few pages (measured: 20 % of rendering on torch)."""
        if docname == self.fromdocname and node_id:
            return nodes.reference("", "", contnode, internal=True, refid=node_id)
        uri = self._uris.get(docname)
        if uri is None:
            uri = self._uris[docname] = self.builder.get_relative_uri(self.fromdocname, docname)
        return nodes.reference("", "", contnode, internal=True, refuri=f"{uri}#{node_id}" if node_id else uri)

    def _documented(self, fullname: str):
        entry = self.python.objects.get(fullname)
        return entry if entry is not None and not getattr(entry, "aliased", False) else None

    def module(self, module: str, contnode: nodes.Node) -> nodes.Node:
        entry = self.python.modules.get(module)
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        location = self.domain.module_location(module)
        if location is not None:
            return self._ref(location[0], location[1], contnode)
        return contnode

    def keyword(self, module: str, qualname: str, contnode: nodes.Node) -> nodes.Node:
        entry = self._documented(f"{module}.{qualname}")
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        location = self.domain.keyword_location(module, qualname)
        if location is not None:
            return self._ref(location[0], location[1], contnode)
        return self.module(module, contnode)

    def definition(self, module: str, qualname: str, anchor: str, url: str | None, contnode: nodes.Node) -> nodes.Node:
        entry = None if "<locals>" in qualname else self._documented(f"{module}.{qualname}")
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        if url:
            return nodes.reference("", "", contnode, refuri=url, internal=False)
        return self._ref(self.home, anchor, contnode)

    def imported(self, target: str, is_module: bool, contnode: nodes.Node) -> nodes.Node:
        split = self.index.split_target(target)
        if split is not None:
            module, qualname = split
            return self.keyword(module, qualname, contnode) if qualname else self.module(module, contnode)
        entry = self.python.modules.get(target) if is_module else self._documented(target)
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        # Outside the project: intersphinx may know it; else shown as plain text, quietly.
        xref = addnodes.pending_xref(
            "", contnode, refdomain="py", reftype="mod" if is_module else "obj", reftarget=target,
            refexplicit=True, refwarn=False, refdoc=self.fromdocname,
        )
        xref["kwindex_targets"] = [target]
        return xref

    def page(self, docname: str, contnode: nodes.Node) -> nodes.Node:
        return self._ref(docname, None, contnode)

    def label(self, label: str, contnode: nodes.Node) -> nodes.Node:
        entry = self.env.domains["std"].labels.get(label)
        if entry is None:
            return contnode
        return self._ref(entry[0], entry[1], contnode)
