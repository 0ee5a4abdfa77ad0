"""The extension's state for one Sphinx application; its bound methods are the event handlers.

Life cycle: ``config_inited`` validates settings; ``builder_inited`` finds and
analyses the project; ``env_get_outdated`` re-reads pages whose modules
changed; the directive and ``doctree_read`` render; ``missing_reference``
resolves keyword links Sphinx could not; ``build_finished`` exports JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.nodes import make_id, make_refnode

from sphinx_kwindex.analyse import analyse_file
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.glue.config import KwindexSettings
from sphinx_kwindex.glue.export import write_kwindex_json
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.related import read_cochange
from sphinx_kwindex.render import RenderContext, render_keyword_index, render_related

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Inject before Sphinx's TOC collector (priority 500) reads the doctree, so the section is in the TOC.
INJECT_PRIORITY = 400
#: Our link fallbacks run before intersphinx (500) for project targets ...
RESOLVE_PRIORITY = 400
#: ... and after it, to quietly show unresolved external names as plain text.
QUIET_PRIORITY = 900


class KwindexExtension:
    """Per-application state: validated settings and the analysed project."""

    def __init__(self) -> None:
        self.settings = KwindexSettings()
        self.index = ProjectIndex(Path.cwd())

    # -- config-inited / builder-inited -------------------------------------

    def config_inited(self, app: Sphinx, config: Config) -> None:
        self.settings = KwindexSettings.from_config(config, app.confdir)

    def builder_inited(self, app: Sphinx) -> None:
        if not self.settings.paths:
            return
        skip = [Path(app.srcdir), Path(app.outdir), Path(app.doctreedir)]
        found = find_sources(list(self.settings.paths), list(self.settings.exclude), skip)
        summaries = [
            analyse_file(source)
            for source in status_iterator(
                found.files, "kwindex: analysing modules... ", "darkgreen", len(found.files),
                app.verbosity, stringify_func=lambda source: source.module,
            )
        ]
        self.index = ProjectIndex.from_summaries(
            found.project_root,
            summaries,
            found.problems,
            cochange=self._read_history(found),
            weights=self.settings.weights,
            related_limit=self.settings.related_limit,
        )
        self._warn_problems()
        logger.info("kwindex: %d modules under %s", len(self.index.modules), found.project_root)

    def _read_history(self, found):
        """Git co-change for the related files, or None (said once, at info level)."""
        if self.settings.weights.cochange <= 0 or self.settings.history_max_commits <= 0 or not found.files:
            return None
        cochange, note = read_cochange(
            found.project_root, [source.path for source in found.files], self.settings.history_max_commits
        )
        logger.info("kwindex: %s", note)
        return cochange

    def _warn_problems(self) -> None:
        problems = list(self.index.find_problems)
        for summary in self.index.modules.values():
            problems += [(summary.source.abspath, problem) for problem in summary.problems]
        for abspath, problem in problems:
            logger.warning(
                "%s", problem.message,
                type="kwindex", subtype=problem.subtype, location=f"{abspath}:{problem.line or ''}",
            )

    # -- env-get-outdated ---------------------------------------------------

    def env_get_outdated(self, app, env: BuildEnvironment, added, changed, removed) -> list[str]:
        """Pages showing a module whose rendered content would change."""
        outdated = []
        for docname, shown in env.domains["kwindex"].shown_digests().items():
            if docname in changed or docname in removed or docname in added:
                continue
            if any(self.index.render_digest(module, limit) != digest for module, (digest, limit) in shown.items()):
                outdated.append(docname)
        if outdated:
            logger.info("kwindex: %d page(s) show changed modules", len(outdated))
        return sorted(outdated)

    # -- rendering (directive and doctree-read) ----------------------------

    def render_module(
        self, module: str, env: BuildEnvironment, document: nodes.document, *, kinds=None, sections=None,
        related_limit: int | None = None,
    ) -> list[nodes.Node]:
        """Nodes showing ``module`` in ``document``, recorded in the domain."""
        summary = self.index.get(module)
        docname = env.docname
        sections = self.settings.sections if sections is None else sections
        limit = self.settings.related_limit if related_limit is None else related_limit

        def new_id(term: str) -> str:
            node_id = make_id(env, document, "", term)
            document.ids[node_id] = document  # reserve it: later ids in this page stay unique
            return node_id

        ctx = RenderContext(
            docname=docname,
            make_id=new_id,
            source_url=lambda path, line: self.settings.source_link(path, line, module),
            kinds=kinds or self.settings.kinds,
        )
        rendered = render_keyword_index(summary, self.index, ctx)
        shown = rendered.nodes if "keywords" in sections else []
        if "related" in sections:
            shown = [*shown, render_related(summary, self.index, ctx, limit)]
        anchors = rendered.anchors if "keywords" in sections else []
        env.domains["kwindex"].note_module(
            docname, module, rendered.module_id, self.index.render_digest(module, limit), limit, anchors
        )
        for node in shown:
            node["kwindex_module"] = module
        return shown

    def doctree_read(self, app: Sphinx, doctree: nodes.document) -> None:
        """Append the keyword index to each section that documents a ``py:module``."""
        if not self.settings.inject or not self.index.modules:
            return
        env = app.env
        shown = {node["kwindex_module"] for node in doctree.findall(nodes.section) if "kwindex_module" in node}
        for module, entry in sorted(env.domains["py"].modules.items()):
            if entry.docname != env.docname or module in shown or module not in self.index:
                continue
            target = doctree.ids.get(entry.node_id)
            parent = target.parent if target is not None else doctree
            while parent is not None and not isinstance(parent, (nodes.section, nodes.document)):
                parent = parent.parent
            parent = parent if parent is not None else doctree
            parent.extend(self.render_module(module, env, doctree))
            shown.add(module)

    # -- missing-reference --------------------------------------------------

    def missing_reference(self, app: Sphinx, env: BuildEnvironment, node, contnode):
        """Keyword links Sphinx's Python domain could not resolve: project targets, then fallbacks."""
        domain = env.domains["kwindex"]
        fromdocname = node.get("refdoc", "")
        for target in node.get("kwindex_targets", ()):
            split = self.index.split_target(target)
            if split is None:
                continue
            module, qualname = split
            location = domain.keyword_location(module, qualname) if qualname else None
            if location is None:
                location = domain.module_location(module)
            if location is not None:
                return make_refnode(app.builder, fromdocname, location[0], location[1], contnode)
            py_module = env.domains["py"].modules.get(module)
            if py_module is not None:
                return make_refnode(app.builder, fromdocname, py_module.docname, py_module.node_id, contnode)
        if node.get("kwindex_refuri"):
            return nodes.reference("", "", contnode, refuri=node["kwindex_refuri"], internal=False)
        if node.get("kwindex_refid"):
            docname, anchor = node["kwindex_refid"]
            return make_refnode(app.builder, fromdocname, docname, anchor, contnode)
        return None

    def missing_reference_quiet(self, app: Sphinx, env: BuildEnvironment, node, contnode):
        """An external name nobody could resolve is shown as plain text, without a warning."""
        if "kwindex_targets" in node:
            return contnode
        return None

    # -- build-finished -----------------------------------------------------

    def build_finished(self, app: Sphinx, exception: BaseException | None) -> None:
        if exception is None and app.builder.format == "html" and self.settings.paths:
            write_kwindex_json(Path(app.outdir), self.index, app.env.domains["kwindex"])
