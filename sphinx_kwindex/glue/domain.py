"""The ``kwindex`` domain: which page shows which module and keyword.

Data is kept per document, so purging a document is O(1) and parallel reads
merge by docname; lookups by module go through an index rebuilt on demand.
"""

from __future__ import annotations

from typing import Any

from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_kwindex.views import anchor_prefix


def keyword_id(id_prefix: str, module: str, qualname: str, kind: str) -> str:
    """The id a keyword's entry usually gets (``kw-pkg.mod.Class.method``, ``kwimport-`` for an
    import); a name Sphinx's ids cannot hold as it is (``f.<locals>.g``), or one taken twice on
    the page, gets another, which is stored."""
    return f"{id_prefix}{anchor_prefix(kind)}-{module}.{qualname}"


class KwindexDomain(Domain):
    name = "kwindex"
    label = "Keyword index"
    object_types = {"module": ObjType("module", "mod")}
    roles = {"mod": XRefRole()}
    data_version = 7
    #: docs: {docname: {"modules": {module or "@keywords:KEY": (node_id, digest of its views, request)},
    #:                  "keywords": {module: (id prefix, ((qualname, node_id or "", kind), ...))}}}
    #: (a keyword's node id is stored only when it is not its usual one, :func:`keyword_id`: on
    #: PyTorch 119,000 anchors, which are most of Sphinx's pickled environment, loaded every build)
    #: (a request is what the page asked to show: (sections, kinds, related limit); () for keyword pages)
    #: (tuples of strings: the collector stops tracking them, and a PyTorch build holds 110,000)
    #: project: the fingerprint of the project state every page's digests were last checked against
    initial_data: dict[str, Any] = {"docs": {}, "project": ""}

    def __init__(self, env) -> None:
        super().__init__(env)
        self._lookup: tuple[dict, dict | None] | None = None

    @property
    def docs(self) -> dict[str, dict]:
        return self.data["docs"]

    @property
    def project_fingerprint(self) -> str:
        return self.data.get("project", "")

    @project_fingerprint.setter
    def project_fingerprint(self, fingerprint: str) -> None:
        self.data["project"] = fingerprint

    def note_module(self, docname: str, module: str, node_id: str | None, digest: str, request: tuple = (),
                    anchors=(), id_prefix: str = "") -> None:
        """Record that ``docname`` shows ``module`` (``anchors``: qualname, id, kind) as ``request`` asked;
        ``id_prefix``: what the page's ids of the module start with (see :func:`keyword_id`).

        A module the page asked for but the project lacks is recorded with no id, so the
        page is re-read when the module appears.
        """
        doc = self.docs.setdefault(docname, {"modules": {}, "keywords": {}})
        doc["modules"][module] = (node_id, digest, request)
        doc["keywords"][module] = (id_prefix, tuple(
            (qualname, "" if anchor_id == keyword_id(id_prefix, module, qualname, kind) else anchor_id, kind)
            for qualname, anchor_id, kind in anchors))
        self._lookup = None

    def clear_doc(self, docname: str) -> None:
        if self.docs.pop(docname, None) is not None:
            self._lookup = None

    def merge_domaindata(self, docnames, otherdata: dict) -> None:
        for docname in docnames:
            if docname in otherdata["docs"]:
                self.docs[docname] = otherdata["docs"][docname]
        self._lookup = None

    def shown(self) -> dict[str, dict[str, tuple[str, tuple]]]:
        """{docname: {module: (digest of its views, request)}} for deciding what to re-read."""
        return {docname: {m: (v[1], v[2]) for m, v in doc["modules"].items()} for docname, doc in self.docs.items()}

    def _index(self) -> tuple[dict, dict | None]:
        """({module: (docname, node id)}, {(module, qualname): (docname, node id, kind)}); the second,
        by far the larger, is built the first time a keyword is looked up."""
        if self._lookup is None:
            modules: dict[str, tuple[str, str]] = {}
            # Sorted docnames: when two pages show a module, the first by name wins,
            # the same in serial and parallel builds.
            for docname in sorted(self.docs):
                for module, (node_id, *_) in self.docs[docname]["modules"].items():
                    if node_id is not None and not module.startswith("@"):
                        modules.setdefault(module, (docname, node_id))
            self._lookup = (modules, None)
        return self._lookup

    def _keyword_index(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        modules, keywords = self._index()
        if keywords is None:
            keywords = {}
            for docname in sorted(self.docs):
                for module, (id_prefix, anchors) in self.docs[docname]["keywords"].items():
                    for qualname, node_id, kind in anchors:
                        if (module, qualname) not in keywords:
                            keywords[(module, qualname)] = (
                                docname, node_id or keyword_id(id_prefix, module, qualname, kind), kind)
            self._lookup = (modules, keywords)
        return keywords

    def locations_by_module(self) -> dict[str, tuple]:
        """{module: where pages show it and its keywords}, for telling when a module's place changed."""
        found: dict[str, list] = {}
        for docname in sorted(self.docs):
            doc = self.docs[docname]
            for module, (node_id, *_) in doc["modules"].items():
                if node_id is not None:
                    found.setdefault(module, []).append((docname, node_id))
            for module, anchors in doc["keywords"].items():
                _, entries = anchors
                if entries:
                    found.setdefault(module, []).append((docname, anchors))
        return {module: tuple(places) for module, places in found.items()}

    def node_id_on(self, docname: str, module: str) -> str | None:
        """The id of ``module``'s sections on page ``docname``, if it shows them."""
        return self.docs.get(docname, {}).get("modules", {}).get(module, (None,))[0]

    def shows_any_module(self) -> bool:
        return bool(self._index()[0])

    def module_location(self, module: str) -> tuple[str, str] | None:
        """(docname, node id) of the page that shows ``module``'s keyword index."""
        return self._index()[0].get(module)

    def keyword_location(self, module: str, qualname: str) -> tuple[str, str, str] | None:
        """(docname, node id, kind) of a keyword's entry."""
        return self._keyword_index().get((module, qualname))

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        """``:kwindex:mod:`pkg.mod``` links to the sections of ``pkg.mod`` (its generated page, or
        the page they were added to)."""
        location = self.module_location(target) if typ == "mod" else None
        if location is None:
            return None
        return make_refnode(builder, fromdocname, location[0], location[1], contnode, target)

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode):
        found = self.resolve_xref(env, fromdocname, builder, "mod", target, node, contnode)
        return [("kwindex:mod", found)] if found is not None else []

    def get_objects(self):
        return iter(())
