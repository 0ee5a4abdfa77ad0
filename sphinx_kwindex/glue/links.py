"""Links for a page being written: to documented objects, to pages showing modules and keywords, and out."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import NoUri

if TYPE_CHECKING:
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


class SphinxLinker:
    """Links for one page being written, from the Python domain (documented objects), the kwindex
    domain (pages showing modules and keywords) and, for outside names, intersphinx."""

    def __init__(self, env: BuildEnvironment, builder: Builder, home: str, fromdocname: str | None = None) -> None:
        self.env = env
        self.builder = builder
        #: the page being written (default: the one Sphinx is working on)
        self.fromdocname = env.docname if fromdocname is None else fromdocname
        #: the page the placeholder was read from (own anchors live there)
        self.home = home
        self.domain = env.domains["kwindex"]
        self.python = env.domains["py"]
        self._uris: dict[str, str | None] = {}

    def _ref(self, docname: str, node_id: str | None, contnode: nodes.Node) -> nodes.Node:
        """What ``sphinx.util.nodes.make_refnode`` makes, with each page's relative URI computed once:
        a module page holds hundreds of links to a few pages (measured: 20 % of rendering on torch)."""
        if docname == self.fromdocname and node_id:
            return nodes.reference("", "", contnode, internal=True, refid=node_id)
        uri = self._relative_uri(docname)
        if uri is None:
            return contnode
        return nodes.reference("", "", contnode, internal=True, refuri=f"{uri}#{node_id}" if node_id else uri)

    def _relative_uri(self, docname: str) -> str | None:
        if docname not in self._uris:
            try:
                self._uris[docname] = self.builder.get_relative_uri(self.fromdocname, docname)
            except NoUri:  # a page the output leaves out (LaTeX: not under the document's start page)
                self._uris[docname] = None
        return self._uris[docname]

    def _documented(self, names: tuple[str, ...]):
        """The Python domain's entry of the first of ``names`` documented (a ``:canonical:`` name
        counts: it leads to where the object is documented)."""
        objects = self.python.objects
        return next((objects[name] for name in names if name in objects), None)

    def documented_here(self, names: tuple[str, ...]) -> bool:
        entry = self._documented(names)
        return entry is not None and entry.docname == self.fromdocname

    def module(self, module: str, contnode: nodes.Node) -> nodes.Node:
        entry = self.python.modules.get(module)
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        location = self.domain.module_location(module)
        if location is not None:
            return self._ref(location[0], location[1], contnode)
        return contnode

    def module_uri(self, module: str) -> str | None:
        """Where :meth:`module` leads, as a URL for a link inside a picture (HTML builders only).

        The page itself is named by its file, not by an empty path: Sphinx's Graphviz extension
        makes an SVG's relative links relative to its image folder (``#id`` would become ``..#id``).
        """
        if self.builder.format != "html":
            return None
        entry = self.python.modules.get(module)
        location = (entry.docname, entry.node_id) if entry is not None else self.domain.module_location(module)
        if location is None:
            return None
        docname, node_id = location
        if docname == self.fromdocname:
            uri = self.builder.get_target_uri(docname)
            uri = uri if uri.startswith("#") else posixpath.basename(uri)
        else:
            uri = self._relative_uri(docname)
            if uri is None:
                return None
        if not node_id:
            return uri
        # singlehtml: every page is an anchor of one file
        return f"#{node_id}" if uri.startswith("#") else f"{uri}#{node_id}"

    def keyword(self, module: str, qualname: str, names: tuple[str, ...], contnode: nodes.Node) -> nodes.Node:
        entry = self._documented(names or (f"{module}.{qualname}",))
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        location = self.domain.keyword_location(module, qualname)
        if location is not None:
            return self._ref(location[0], location[1], contnode)
        return self.module(module, contnode)

    def definition(self, module: str, qualname: str, names: tuple[str, ...], anchor: str, url: str | None,
                   contnode: nodes.Node) -> nodes.Node:
        entry = None if "<locals>" in qualname else self._documented(names or (f"{module}.{qualname}",))
        if entry is not None:
            return self._ref(entry.docname, entry.node_id, contnode)
        if url:
            return nodes.reference("", "", contnode, refuri=url, internal=False)
        return self._ref(self.home, anchor, contnode)

    def imported(self, target: str, is_module: bool, project_target: tuple[str, str] | None,
                 names: tuple[str, ...], contnode: nodes.Node) -> nodes.Node:
        if project_target is not None:
            module, qualname = project_target
            return self.keyword(module, qualname, names, contnode) if qualname else self.module(module, contnode)
        entry = self.python.modules.get(target) if is_module else self._documented((target,))
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
