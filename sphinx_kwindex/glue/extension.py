"""The extension's state for one Sphinx application; its bound methods are the event handlers.

Life cycle: ``config_inited`` validates settings; ``builder_inited`` finds and
analyses the project and writes generated pages; ``env_get_outdated`` re-reads
pages whose rendered content would change; the directives and
``doctree_read`` render; ``missing_reference`` resolves keyword links Sphinx
could not; ``build_finished`` exports ``kwindex.json``.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.nodes import make_id

from sphinx_kwindex.find import find_sources, project_root_of
from sphinx_kwindex.gc_pause import gc_paused
from sphinx_kwindex.glue import generate
from sphinx_kwindex.glue.config import KwindexSettings
from sphinx_kwindex.glue.export import write_kwindex_json
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.project_keywords import KeywordGroup, keyword_groups
from sphinx_kwindex.related import read_cochange
from sphinx_kwindex.runner import analyse_all
from sphinx_kwindex.runner.related_cache import (
    load_keyword_groups,
    load_related,
    project_fingerprint,
    save_keyword_groups,
    save_related,
)
from sphinx_kwindex.glue.expand import SphinxLinker, kwindex_body
from sphinx_kwindex.render import (
    SECTION_TITLES,
    RenderContext,
    keyword_anchor_terms,
    render_contents_body,
    render_facts_body,
    render_group,
    render_keywords_body,
    render_overview,
    render_related_body,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.related.incremental import RankState

logger = logging.getLogger(__name__)

#: Inject before Sphinx's TOC collector (priority 500) reads the doctree, so the section is in the TOC.
INJECT_PRIORITY = 400
#: After intersphinx (500): an outside name nobody knows is shown as plain text, quietly.
QUIET_PRIORITY = 900
#: The analysis cache's folder under the doctree folder (unless ``kwindex_cache_dir`` is set).
CACHE_FOLDER = "kwindex-cache"
#: Domain key of the project keyword index's pages.
KEYWORDS_KEY = "@keywords"


class KwindexExtension:
    """Per-application state: validated settings, the analysed project, the keyword index pages."""

    def __init__(self) -> None:
        self.settings = KwindexSettings()
        self.index = ProjectIndex(Path.cwd())
        self.groups: list[KeywordGroup] = []
        self.builder = None
        self.cache_dir: Path | None = None
        self.fingerprint = ""
        #: the ranking state to save at the end of the build (None: the saved one is current)
        self.rank_state: RankState | None = None
        #: the keyword index pages were computed in this build (save them at the end)
        self.groups_computed = False
        self.neighbours: list[str] = []
        #: the project was let go at the end of a build (see :meth:`_release`)
        self.released = False
        #: generated pages were written or removed by the last indexing; the written ones
        self.pages_changed = False
        self.rewritten: list[str] = []

    # -- config-inited / builder-inited -------------------------------------

    def config_inited(self, app: Sphinx, config: Config) -> None:
        self.settings = KwindexSettings.from_config(config, app.confdir)

    def builder_inited(self, app: Sphinx) -> None:
        self.builder = app.builder
        if not self.settings.paths:
            return
        with gc_paused():
            self._index_project(app)

    def _index_project(self, app: Sphinx) -> None:
        """Find, analyse and rank the project; write the generated pages."""
        self.released = False
        skip, exclude = self._never_indexed(Path(app.srcdir), Path(app.outdir), Path(app.doctreedir))
        found = find_sources(list(self.settings.paths), [*self.settings.exclude, *exclude], skip)
        self.cache_dir = self.settings.cache_dir or Path(app.doctreedir) / CACHE_FOLDER
        summaries = analyse_all(
            found.files,
            jobs=self.settings.jobs,
            cache_dir=self.cache_dir,
            progress=lambda items, count: status_iterator(
                items, "kwindex: analysing modules... ", "darkgreen", count, app.verbosity,
                stringify_func=lambda summary: summary.module,
            ),
            info=logger.info,
        )
        self.index = ProjectIndex.from_summaries(
            found.project_root,
            summaries,
            found.problems,
            cochange=self._read_history(found),
            weights=self.settings.weights,
            related_limit=self.settings.related_limit,
        )
        self.fingerprint = project_fingerprint(self.index)
        self._warn_problems()
        logger.info("kwindex: %d modules under %s", len(self.index.modules), found.project_root)
        self._rank()
        if self.settings.generate:
            groups = load_keyword_groups(self.cache_dir, self.fingerprint)
            self.groups_computed = groups is None
            self.groups = keyword_groups(self.index) if groups is None else groups
            self._generate_pages(Path(app.srcdir))

    def _rank(self) -> None:
        """Related files of every module: saved ones when nothing changed, else only what changed anew."""
        saved = load_related(self.cache_dir)
        if saved is not None and saved[0] == self.fingerprint:
            self.index.seed_related(saved[1].ranking)
            return
        previous = saved[1] if saved is not None else None
        try:
            self.rank_state, stale = self.index.rank_all(previous)
        except Exception:  # noqa: BLE001 - a saved state this build cannot use: rank everything
            if previous is None:
                raise
            self.rank_state, stale = self.index.rank_all()
        if stale is not None:
            logger.info("kwindex: related files ranked again for %d of %d modules", len(stale), len(self.index.modules))

    def _never_indexed(self, srcdir: Path, outdir: Path, doctreedir: Path) -> tuple[list[Path], list[str]]:
        """Folders never searched and patterns never indexed, so the docs never document themselves.

        The build, doctree and generated folders are always skipped; the Sphinx
        source folder when it sits inside a source root (docs inside the
        repository). A root placed inside the source folder is the user's
        explicit choice and is searched, but ``conf.py`` is never a module.
        """
        srcdir, outdir, doctreedir = (folder.resolve() for folder in (srcdir, outdir, doctreedir))
        skip = [outdir, doctreedir]
        if self.settings.generate:
            skip.append(srcdir / self.settings.generate)
        if any(srcdir != root and srcdir.is_relative_to(root) for root in self.settings.paths):
            skip.append(srcdir)
        conf = srcdir / "conf.py"
        project_root = project_root_of(list(self.settings.paths))
        exclude = [glob.escape(conf.relative_to(project_root).as_posix())] if conf.is_relative_to(project_root) else []
        return skip, exclude

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

    def _generate_pages(self, srcdir: Path) -> None:
        folder = srcdir / self.settings.generate
        pages = generate.plan_pages(self.index, self.groups, self.settings.generate_title)
        report = generate.sync_pages(folder, pages, generate.page_order(self.index, self.groups))
        self.pages_changed = bool(report.written or report.removed)
        self.rewritten = [f"{self.settings.generate}/{relpath[:-4]}" for relpath in report.written]
        # Sphinx does not rewrite a page whose previous/next page changed: re-read those ourselves.
        self.neighbours = [f"{self.settings.generate}/{relpath[:-4]}" for relpath in report.neighbours]
        for relpath in report.conflicts:
            logger.warning(
                "kwindex_generate: %s was not written by sphinx-kwindex; it is left alone and not generated",
                relpath, type="kwindex", subtype="generate-conflict", location=f"{folder / relpath}:",
            )
        logger.info(
            "kwindex: %d generated pages in %s (%d written, %d removed)",
            len(pages), folder, len(report.written), len(report.removed),
        )

    # -- env-get-outdated ---------------------------------------------------

    def env_get_outdated(self, app, env: BuildEnvironment, added, changed, removed) -> list[str]:
        """Pages showing something whose rendered content would change."""
        if self.released:  # another build by the same application: the project may have changed since
            with gc_paused():
                self._index_project(app)
            if self.pages_changed:
                # Sphinx listed the source files before this event: list them again, so pages
                # generated or removed just now are read or purged in this build.
                before = set(env.found_docs)
                env.find_files(app.config, app.builder)
                added.update(env.found_docs - before)
                removed.update(before - env.found_docs)
        # Pages written after Sphinx compared files (a later build by the same application) and
        # pages next to added or removed ones.
        pages = [*self.rewritten, *self.neighbours]
        outdated = sorted({d for d in pages if d in env.found_docs and d not in changed and d not in added})
        for docname, shown in env.domains["kwindex"].shown_digests().items():
            if docname in changed or docname in removed or docname in added:
                continue
            if docname not in outdated and any(
                self.digest_of(key, limit, sections) != digest for key, (digest, limit, sections) in shown.items()
            ):
                outdated.append(docname)
        if outdated:
            logger.info("kwindex: %d page(s) show changed modules", len(outdated))
        return sorted(outdated)

    def digest_of(self, key: str, limit: int, sections) -> str:
        """What a page showed for ``key`` (a module, or a page of the keyword index), as a digest."""
        if key.startswith(KEYWORDS_KEY):
            # Every page of the keyword index shows the navigation to all of them (titles);
            # the front page also shows how many keywords each page holds.
            navigation = "|".join(f"{g.key}:{g.title}" for g in self.groups)
            group_key = key.partition(":")[2]
            if not group_key:
                return f"{navigation}|{[len(g.entries) for g in self.groups]}"
            group = next((g for g in self.groups if g.key == group_key), None)
            return f"{group.digest()}|{navigation}" if group is not None else "missing"
        return self.index.render_digest(key, limit, sections)

    # -- read time: section skeletons (directives and doctree-read) ---------

    def reserve_ids(self, env: BuildEnvironment, document: nodes.document):
        """A function giving ids unique in ``document`` (reserved there, so later ids stay unique)."""

        def new_id(term: str) -> str:
            node_id = make_id(env, document, "", term)
            document.ids[node_id] = document
            return node_id

        return new_id

    def render_module(
        self, module: str, env: BuildEnvironment, document: nodes.document, *, kinds=None, sections=None,
        related_limit: int | None = None,
    ) -> list[nodes.Node]:
        """Sections showing ``module`` (or a folder of modules) in ``document``, recorded in the domain.

        Only titles and ids now; the bodies are rendered when the page is written.
        """
        summary = self.index.get(module)
        sections = self.settings.sections if sections is None else tuple(sections)
        kinds = tuple(kinds or self.settings.kinds)
        limit = self.settings.related_limit if related_limit is None else related_limit
        new_id = self.reserve_ids(env, document)
        module_id = new_id(f"kwindex-{module}")
        shown: list[nodes.Node] = []
        domain_anchors: list[tuple[str, str, str]] = []
        for name in sections:
            if (name == "contents" and not self.index.children(module)) or (name != "contents" and summary is None):
                continue
            section = nodes.section("", ids=[new_id(f"kw{name}-{module}")], classes=["kwindex", f"kwindex-{name}"])
            section += nodes.title("", SECTION_TITLES[name])
            body = kwindex_body(view=name, module=module, kinds=list(kinds), limit=limit, home=env.docname)
            if name == "keywords":
                terms = keyword_anchor_terms(summary, kinds)
                anchors = {f"{prefix}:{entry}": new_id(f"{prefix}-{module}.{entry}") for prefix, entry, _ in terms}
                body["anchors"] = anchors
                domain_anchors = [(entry, anchors[f"{prefix}:{entry}"], kind) for prefix, entry, kind in terms]
            section += body
            section["kwindex_module"] = module
            shown.append(section)
        if shown:
            shown[0]["ids"].insert(0, module_id)
        env.domains["kwindex"].note_module(
            env.docname, module, module_id if shown else None, self.index.render_digest(module, limit, sections),
            limit, sections, domain_anchors,
        )
        return shown

    def render_keyword_pages(self, key: str | None, env: BuildEnvironment, document: nodes.document):
        """The project keyword index: its front page (``key`` None) or one of its pages."""
        domain_key = KEYWORDS_KEY if key is None else f"{KEYWORDS_KEY}:{key}"
        env.domains["kwindex"].note_module(env.docname, domain_key, None, self.digest_of(domain_key, 0, ()))
        body = kwindex_body(view="keyword-index", key=key or "", home=env.docname)
        group = next((g for g in self.groups if g.key == key), None)
        if group is not None:
            new_id = self.reserve_ids(env, document)
            # In name order: ids that collide (non-ASCII letters are dropped) get serial numbers
            # in the same order in every build.
            names = sorted({entry.name for entry in group.entries})
            body["anchors"] = {f"kwname:{name}": new_id(f"kwname-{name}") for name in names}
        return [body]

    # -- write time: section bodies -------------------------------------------

    def expand(self, node: kwindex_body, env: BuildEnvironment, builder) -> list[nodes.Node]:
        """The rendered body a placeholder stands for."""
        view, home = node["view"], node["home"]
        anchors = node.get("anchors", {})
        module = node.get("module", "")
        ctx = RenderContext(
            docname=home,
            links=SphinxLinker(self, env, builder, home),
            anchor=lambda prefix, name: anchors.get(f"{prefix}:{name}", ""),
            source_url=lambda path, line: self.settings.source_link(path, line, module),
            kinds=tuple(node.get("kinds", ())) or self.settings.kinds,
        )
        if view == "keyword-index":
            folder = self.settings.generate or ""

            def docname_of(group_key: str) -> str:
                return generate.keyword_docname(folder, group_key)

            if not node["key"]:
                return render_overview(self.groups, docname_of, ctx)
            group = next((g for g in self.groups if g.key == node["key"]), None)
            return render_group(group, self.groups, docname_of, ctx) if group is not None else []
        if view == "contents":
            return render_contents_body(module, self.index, ctx)
        summary = self.index.get(module)
        if summary is None:  # gone since the page was read (it is re-read on the next build)
            return [nodes.paragraph("", f"{module} is no longer among the analysed modules.")]
        if view == "facts":
            label = generate.KEYWORD_INDEX_LABEL if self.settings.generate else None
            return render_facts_body(summary, self.index, ctx, label)
        if view == "keywords":
            return render_keywords_body(summary, ctx)
        return render_related_body(summary, self.index, ctx, node["limit"])

    def doctree_read(self, app: Sphinx, doctree: nodes.document) -> None:
        """Append the keyword index to each section that documents a ``py:module``; add the generated
        pages to the root document's toctree when asked to."""
        env = app.env
        if self.settings.generate and self.settings.generate_toctree and env.docname == app.config.root_doc:
            _append_toctree(doctree, env.docname, generate.root_docname(self.settings.generate))
        if not self.settings.inject or not self.index.modules:
            return
        shown = {node["kwindex_module"] for node in doctree.findall(nodes.section) if "kwindex_module" in node}
        python_modules = env.domains["py"].modules
        # This page's own module ids, not every module of the project: O(page), not O(project).
        # (docutils moves a target's ids to the element after it, so look them up in doctree.ids.)
        for node_id in sorted(i for i in doctree.ids if i.startswith("module-")):
            module = node_id.removeprefix("module-")
            entry = python_modules.get(module)
            if entry is None or entry.node_id != node_id or entry.docname != env.docname:
                continue
            if module in shown or module not in self.index:
                continue
            parent = doctree.ids[node_id]  # a section itself when the directive stands before its title
            while parent is not None and not isinstance(parent, (nodes.section, nodes.document)):
                parent = parent.parent
            parent = parent if parent is not None else doctree
            parent.extend(self.render_module(module, env, doctree))
            shown.add(module)

    # -- missing-reference --------------------------------------------------

    def missing_reference_quiet(self, app: Sphinx, env: BuildEnvironment, node, contnode):
        """An external name nobody could resolve is shown as plain text, without a warning."""
        if "kwindex_targets" in node:
            return contnode
        return None

    # -- build-finished -----------------------------------------------------

    def build_finished(self, app: Sphinx, exception: BaseException | None) -> None:
        if not self.settings.paths:
            return
        if exception is None:
            with gc_paused():
                self._save_results(app)
        self._release()

    def _save_results(self, app: Sphinx) -> None:
        """``kwindex.json`` and the caches for the next build."""
        if app.builder.format == "html":
            write_kwindex_json(Path(app.outdir), self.index, app.env.domains["kwindex"], self.fingerprint, self.cache_dir)
        if self.rank_state is not None:
            save_related(self.cache_dir, self.fingerprint, self.rank_state, logger.info)
            self.rank_state = None
        if self.groups_computed:
            save_keyword_groups(self.cache_dir, self.fingerprint, self.groups, logger.info)
            self.groups_computed = False

    def _release(self) -> None:
        """Let the analysed project go once the build is done.

        Sphinx's logging keeps the application (and so this object) alive until the
        process exits, and the interpreter's last collections walk every object still
        alive: 0.9 s of an edit rebuild of PyTorch. A later build by the same
        application indexes the project again (see :meth:`env_get_outdated`).
        """
        self.index = ProjectIndex(self.index.project_root)
        self.groups = []
        self.released = True


def _append_toctree(doctree: nodes.document, docname: str, target: str) -> None:
    """A visible toctree entry for the generated pages, at the end of the root document's first section."""
    toctree = addnodes.toctree(
        parent=docname, entries=[(None, target)], includefiles=[target], maxdepth=1, glob=False,
        hidden=False, caption=None, titlesonly=False, numbered=0, includehidden=False,
    )
    wrapper = nodes.compound(classes=["toctree-wrapper"])
    wrapper += toctree
    section = next(iter(doctree.findall(nodes.section)), doctree)
    section += wrapper
