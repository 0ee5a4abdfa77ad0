"""The extension's state for one Sphinx application; its methods are the event handlers, named after them.

Life cycle: ``config-inited`` validates settings; ``builder-inited`` runs the
pipeline (find, analyse, index, rank) and writes generated pages;
``env-get-outdated`` re-reads pages whose views changed; directives and
``doctree-read`` place sections (see :mod:`~sphinx_kwindex.glue.sections`);
``missing-reference`` quiets names nobody knows; ``build-finished`` exports
``kwindex.json`` and saves what the next build reuses.
"""

from __future__ import annotations

import dataclasses
import glob
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.nodes import make_refnode

from sphinx_kwindex import views
from sphinx_kwindex.find import project_root_of
from sphinx_kwindex.fingerprint import code_digest, plain_digest
from sphinx_kwindex.gc_pause import (
    collect_young_less_often,
    freeze_long_lived,
    gc_paused,
    restore_threshold,
    skip_collections_at_exit,
    thaw,
)
from sphinx_kwindex.glue import generate, source_pages, viewcode
from sphinx_kwindex.glue.config import KwindexSettings
from sphinx_kwindex.glue.export import write_kwindex_json, write_references_json
from sphinx_kwindex.glue.links import SphinxLinker
from sphinx_kwindex.glue.pictures import Drawing, DrawingAhead, draws_ahead, pictures_on
from sphinx_kwindex.glue.sections import (
    KEYWORDS_KEY,
    Request,
    documented_modules,
    insert_after,
    place_module_sections,
    shown_digest,
)
from sphinx_kwindex.glue.warnings import warn
from sphinx_kwindex.model import Subtype
from sphinx_kwindex.pipeline import ProjectSettings, ProjectState, build_project, save_project
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.render.pictures import dot_source
from sphinx_kwindex.store import Entry
from sphinx_kwindex.views import View, digest_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Inject before Sphinx's TOC collector (priority 500) reads the doctree, so the section is in the TOC.
INJECT_PRIORITY = 400
#: After intersphinx (500): an outside name nobody knows is shown as plain text, quietly.
QUIET_PRIORITY = 900
#: The store's folder under the doctree folder (unless ``kwindex_cache_dir`` is set).
CACHE_FOLDER = "kwindex-cache"
#: The last check of every page's views that re-read none: (saved fingerprint, checked fingerprint).
PAGES_CHECKED = Entry("kwindex-pages.cache", "the record of checked pages",
                      "the next build compares every page's views again", code_digest)
#: The module data (:func:`~sphinx_kwindex.views.module_data`) the pages were last checked against,
#: under that state's fingerprint: (frame, {module: digest}).
MODULE_DATA = Entry("kwindex-module-data.cache", "the record of module data",
                    "the next build compares every page's views again", code_digest)
#: The generated pages and their reading order, under the state's fingerprint and the settings they
#: depend on: ({path: text}, [path, ...]).
PAGE_PLAN = Entry("kwindex-page-plan.cache", "the plan of generated pages",
                  "the next build plans the generated pages again", code_digest)
STYLESHEET = Path(__file__).parent.parent / "static" / "kwindex.css"


class Kwindex:
    """Per-application state: validated settings and the analysed project."""

    def __init__(self) -> None:
        self.settings = KwindexSettings()
        self.project_settings: ProjectSettings | None = None
        self.state = ProjectState(ProjectIndex(Path.cwd()), (), "")
        self.builder = None
        self.app: Sphinx | None = None
        #: pages this build reads (``env-before-read-docs``)
        self.docs_read: list[str] = []
        #: the pictures of those pages, drawn ahead of the writer (see write_started)
        self.drawing_ahead: DrawingAhead | None = None
        #: the source pages, planned and rendered while the documents are written (see write_started)
        self.rendering_ahead: source_pages.RenderingAhead | None = None
        #: the generated root page's name (see generate.root_page)
        self.root_page = "index"
        #: generated pages written by this build, and pages next to added or removed ones
        self.rewritten: list[str] = []
        self.neighbours: list[str] = []
        #: a build by this application has finished (a later one indexes the project again)
        self.built = False
        #: (fingerprint the saved pages were checked against, fingerprint they were checked
        #: against by this build), kept in the store at the end (see env_get_outdated)
        self.checked: tuple[str, str] | None = None
        #: the views of this state, computed once each: when a page is read (or checked) and
        #: used again when it is written
        self._views: dict[tuple[str, str, tuple[str, ...], int], View | None] = {}
        #: (frame, module data) of this state, once computed (kept in the store at the end)
        self._module_data: tuple[str, dict[str, str]] | None = None
        skip_collections_at_exit()

    @property
    def index(self) -> ProjectIndex:
        return self.state.index

    # -- views ------------------------------------------------------------------

    def section_views(self, module: str, request: Request) -> tuple[tuple[str, View], ...]:
        """(section, view) of each section ``request`` asks for that has something to show for ``module``."""
        label = generate.KEYWORD_INDEX_LABEL if self.settings.generate else None
        found = []
        for name in request.sections:
            key = (name, module, request.kinds, request.limit)
            if key not in self._views:
                self._views[key] = views.section_view(self.index, name, module, kinds=request.kinds,
                                                      limit=request.limit, keyword_index_label=label,
                                                      pictures=bool(self.settings.pictures))
            if self._views[key] is not None:
                found.append((name, self._views[key]))
        return tuple(found)

    def keyword_view(self, key: str | None) -> View | None:
        """The view of the project keyword index's front page (``key`` None) or of one of its pages."""
        folder = self.settings.generate or ""

        def docname_of(group_key: str) -> str:
            return generate.keyword_docname(folder, group_key)

        if key is None:
            return views.keyword_front_view(self.state.groups, docname_of)
        return views.keyword_page_view(self.state.groups, key, docname_of, self.index)

    def request(self, sections=None, kinds=None, limit: int | None = None) -> Request:
        """What to show, with the configured defaults for what is not given."""
        return Request(
            self.settings.sections if sections is None else tuple(sections),
            tuple(kinds or self.settings.kinds),
            self.settings.related_limit if limit is None else limit,
        )

    # -- config-inited ------------------------------------------------------------

    def config_inited(self, app: Sphinx, config: Config) -> None:
        settings = KwindexSettings.from_config(config, app.confdir)
        self.settings = dataclasses.replace(settings, pictures=pictures_on(app, config, settings.pictures))
        viewcode.connect(app, lambda: self.state.index)
        # Copied by the HTML builders with the project's static files, before any page is written,
        # so that every page links it with its checksum (``kwindex.css?v=...``) from the first build
        # on. Added here, not when the builder is known: the environment compares the configuration
        # it was saved with to this one, and a value added later would differ on every build ("The
        # configuration has changed"). Other builders never read it.
        if str(STYLESHEET.parent) not in config.html_static_path:
            config.html_static_path = [*config.html_static_path, str(STYLESHEET.parent)]

    # -- builder-inited -----------------------------------------------------------

    def builder_inited(self, app: Sphinx) -> None:
        self.app, self.builder = app, app.builder
        if app.builder.format == "html":
            app.add_css_file(STYLESHEET.name)  # copied with the static files (see config_inited)
        self._remove_old_pages(Path(app.srcdir))
        self.root_page = generate.root_page(Path(app.srcdir), self.settings.generate or "", app.config.source_suffix)
        if self.settings.paths:
            skip, exclude = self._never_indexed(Path(app.srcdir), Path(app.outdir), Path(app.doctreedir))
            self.project_settings = self.settings.project_settings(skip, exclude, Path(app.doctreedir) / CACHE_FOLDER)
            with gc_paused():  # what it makes (the project, the page plan) lives to the end of the build
                self._index_project(app, generate_pages=True)
            freeze_long_lived()  # and so does Sphinx's loaded environment

    def _index_project(self, app: Sphinx, *, generate_pages: bool) -> None:
        """Run the pipeline, warn about its problems, and write the generated pages.

        Without ``generate_pages`` (a later build by the same application), a project whose
        generated pages would be added or removed is left as the last build had it: Sphinx
        listed the source files before this build's first event, so such pages would be
        missed or read from files that are gone. The next ``sphinx-build`` takes them.
        """
        state = build_project(
            self.project_settings,
            progress=lambda items, count: status_iterator(
                items, "kwindex: analysing modules... ", "darkgreen", count, app.verbosity,
                stringify_func=lambda summary: summary.module,
            ),
            info=logger.info,
        )
        folder = Path(app.srcdir) / (self.settings.generate or "")
        pages, order = self._page_plan(state) if self.settings.generate else ({}, [])
        if not generate_pages and self.settings.generate and generate.pages_added_or_removed(folder, pages):
            logger.info("kwindex: modules were added or removed since this application's last build; "
                        "a new sphinx-build shows them")
            self.rewritten, self.neighbours = [], []
            return
        self.state, self._views, self._module_data = state, {}, None
        for abspath, problem in state.problems():
            # "path:" without a line is Sphinx's own form (a bare path would be read as a docname).
            warn(problem.message, problem.subtype, f"{abspath}:{problem.line or ''}")
        if self.settings.generate:
            self._generate_pages(folder, pages, order)

    def _page_plan(self, state: ProjectState) -> tuple[dict[str, str], list[str]]:
        """The generated pages and their reading order: kept in the store by the state's fingerprint,
        so a build of an unchanged project plans them without loading it."""
        store = state.store
        key = plain_digest((state.fingerprint, self.settings.generate_title, self.root_page,
                            self.project_settings.keyword_pages))
        if not state.loaded and store is not None:
            plan = store.read(PAGE_PLAN, key=key, check=_valid_plan)
            if plan is not None:
                return plan
        plan = (generate.plan_pages(state.index, state.groups, self.settings.generate_title, self.root_page),
                generate.page_order(state.index, state.groups, self.root_page))
        if store is not None:
            store.write(PAGE_PLAN, plan, key=key)
        return plan

    def _remove_old_pages(self, srcdir: Path) -> None:
        """Pages generated by an earlier build into a folder ``kwindex_generate`` no longer names
        are ours to remove: left, they would be read as the user's pages (and warn)."""
        current = (srcdir / self.settings.generate).resolve() if self.settings.generate else None
        for folder in generate.generated_folders(srcdir):
            if folder.resolve() != current and (removed := generate.remove_pages(folder)):
                logger.info("kwindex: removed %d page(s) generated earlier in %s (kwindex_generate is now %r)",
                            len(removed), folder, self.settings.generate)

    def _never_indexed(self, srcdir: Path, outdir: Path, doctreedir: Path) -> tuple[tuple[Path, ...], tuple[str, ...]]:
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
        exclude = (glob.escape(conf.relative_to(project_root).as_posix()),) if conf.is_relative_to(project_root) else ()
        return tuple(skip), exclude

    def _generate_pages(self, folder: Path, pages: dict[str, str], order: list[str]) -> None:
        report = generate.sync_pages(folder, pages, order)
        self.rewritten = [f"{self.settings.generate}/{relpath[:-4]}" for relpath in report.written]
        # Sphinx does not rewrite a page whose previous/next page changed: re-read those ourselves.
        self.neighbours = [f"{self.settings.generate}/{relpath[:-4]}" for relpath in report.neighbours]
        for relpath in report.conflicts:
            warn(f"kwindex_generate: {relpath} was not written by sphinx-kwindex; it is left alone and not generated",
                 Subtype.GENERATE_CONFLICT, f"{folder / relpath}:")
        logger.info(
            "kwindex: %d generated pages in %s (%d written, %d removed)",
            len(pages), folder, len(report.written), len(report.removed),
        )

    # -- env-get-outdated ---------------------------------------------------------

    def env_get_outdated(self, app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
        """Pages showing a view that changed since they were read, and neighbours of added or removed pages."""
        if self.built and self.project_settings is not None:
            # A later build by the same application (no builder-inited): the project may have changed.
            self._index_project(app, generate_pages=False)
        pages = [*self.neighbours, *(self.rewritten if self.built else ())]
        outdated = {d for d in pages if d in env.found_docs and d not in changed and d not in added}
        domain = env.domains["kwindex"]
        # Views are a function of the project state and of settings whose change re-reads every
        # page: when the state's fingerprint is the one the pages were last checked against, no
        # view changed and none is computed. Sphinx saves the environment only when it reads a
        # page, so a check that re-read nothing is kept in the store: (saved, checked) fingerprints,
        # for this environment (another may share the store), and only from a build that read
        # nothing (one that read pages leaves the environment's own fingerprint to say what they
        # show, even when it is interrupted before its end). Only pages showing a module whose
        # module data changed are compared (see views.section_reads).
        recorded, current = domain.project_fingerprint, self.state.fingerprint
        store = self.state.store
        self.checked = None
        if recorded != current and (store is None or store.read(PAGES_CHECKED, key=_environment_key(env))
                                    != (recorded, current)):
            self.checked = (recorded, current)
            with gc_paused():  # the views live until the pages are written: not garbage
                modules = self._changed_modules(recorded)
                for docname, shown in domain.shown().items():
                    if docname in changed or docname in removed or docname in added or docname in outdated:
                        continue
                    if any(self._may_differ(modules, key, request) and shown_digest(self, key, request) != digest
                           for key, (digest, request) in shown.items()):
                        outdated.add(docname)
        domain.project_fingerprint = current
        if outdated:
            logger.info("kwindex: %d page(s) show changed modules", len(outdated))
        if outdated or added or changed or removed:
            self.checked = None  # pages are read: Sphinx saves the environment with ``current``
        return sorted(outdated)

    def _changed_modules(self, checked_against: str) -> set[str] | None:
        """Modules whose module data differ from the state ``checked_against`` (None: unknown, so
        every page is compared)."""
        saved = None
        if self.state.store is not None:
            saved = self.state.store.read(MODULE_DATA, key=checked_against, check=_valid_module_data)
        frame, data = self.module_data()
        if saved is None or saved[0] != frame:
            return None
        return {module for module, digest in data.items() if saved[1].get(module) != digest}

    def module_data(self) -> tuple[str, dict[str, str]]:
        """(frame, module data) of this state (see :func:`~sphinx_kwindex.views.module_data`), with
        the keyword index's data (:func:`~sphinx_kwindex.views.keyword_data`) under
        ``@keywords:KEY`` (no module name starts with ``@``)."""
        if self._module_data is None:
            data = views.module_data(self.index)
            data.update((f"{KEYWORDS_KEY}:{key}", digest) for key, digest in views.keyword_data(self.state.groups).items())
            self._module_data = (views.data_frame(self.index), data)
        return self._module_data

    def _may_differ(self, modules: set[str] | None, key: str, request: tuple) -> bool:
        """Whether what a page shows for ``key`` (a module, or a keyword index page) may differ from
        what it was checked against, given the ``modules`` whose module data changed."""
        if modules is None:
            return True
        if key == KEYWORDS_KEY:
            return f"{KEYWORDS_KEY}:{views.FRONT}" in modules
        if key.startswith(f"{KEYWORDS_KEY}:"):
            if key in modules or f"{KEYWORDS_KEY}:{views.NAVIGATION}" in modules:
                return True
            group = next((g for g in self.state.groups if g.key == key.partition(":")[2]), None)
            return group is None or not modules.isdisjoint(views.keyword_reads(group))
        sections, _, limit = request
        if "related" in sections and limit != self.index.related_limit:
            return True  # module data hold the related files at the configured limit only
        return any(not modules.isdisjoint(views.section_reads(self.index, section, key)) for section in sections)

    # -- env-before-read-docs ------------------------------------------------------

    def env_before_read_docs(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        self.docs_read = list(docnames)
        if docnames:  # pages will show the project: load a deferred state here, not in each reader process
            self.state.load()

    # -- doctree-read ---------------------------------------------------------------

    def doctree_read(self, app: Sphinx, doctree: nodes.document) -> None:
        """Place each documented module's sections right after its objects, in page order; add the
        generated pages to the root document's toctree when asked to."""
        env = app.env
        if self.settings.generate and self.settings.generate_toctree and env.docname == app.config.root_doc:
            _append_toctree(doctree, env.docname, generate.root_docname(self.settings.generate, self.root_page))
        if not self.settings.inject or not self.index.modules or _switched_off(doctree):
            return
        shown = {node["kwindex_module"] for node in doctree.findall(nodes.Element) if "kwindex_module" in node}
        # This page's own module targets, not every module of the project: O(page), not O(project).
        python_modules = env.domains["py"].modules
        targets = {}
        for node_id in sorted(i for i in doctree.ids if i.startswith("module-")):
            module = node_id.removeprefix("module-")
            entry = python_modules.get(module)
            if entry is not None and entry.node_id == node_id and entry.docname == env.docname:
                targets[module] = node_id
        for module, anchor in documented_modules(doctree, targets, self.index.defining_module):
            if module in shown:
                continue
            if module not in self.index:
                if module in targets:  # recorded showing nothing: the page is re-read when it appears
                    env.domains["kwindex"].note_module(env.docname, module, None, digest_of(()),
                                                       tuple(self.request()))
                continue
            insert_after(anchor, place_module_sections(self, module, self.request(), env, doctree, injected=True))
            shown.add(module)

    # -- missing-reference ------------------------------------------------------------

    def missing_reference(self, app: Sphinx, env: BuildEnvironment, node, contnode):
        """An outside name nobody could resolve is shown as plain text, without a warning; a
        ``:py:mod:`` reference no page documents leads to the module's generated page."""
        if "kwindex_targets" in node:
            return contnode
        if self.settings.generate and node.get("refdomain") == "py" and node.get("reftype") == "mod":
            module = node["reftarget"]
            docname = f"{self.settings.generate}/{generate.page_name(module)}"
            node_id = env.domains["kwindex"].node_id_on(docname, module)
            if node_id is not None:
                return make_refnode(app.builder, node["refdoc"], docname, node_id, contnode, module)
        return None

    # -- write-started -------------------------------------------------------------------

    def write_started(self, app: Sphinx, builder: Builder) -> None:
        """Render the source pages, and draw the pictures of the pages this build read, ahead of
        the writer, where it can be done (see :class:`~sphinx_kwindex.glue.source_pages.RenderingAhead`
        and :class:`~sphinx_kwindex.glue.pictures.DrawingAhead`)."""
        self._stop_drawing()
        self._stop_rendering()
        collect_young_less_often()
        if self.project_settings is not None:
            # First: its processes are forked before the drawing threads start.
            self.rendering_ahead = source_pages.render_ahead(app, self)
        if self.settings.pictures and self.docs_read and draws_ahead(builder, self.settings.jobs):
            self.drawing_ahead = DrawingAhead(builder, self._drawings(app.env, builder), self.settings.jobs - 1)

    def _drawings(self, env: BuildEnvironment, builder: Builder) -> Iterator[Drawing]:
        """The pictures of the pages read by this build, as they will be drawn, in the order Sphinx
        writes pages (by name). Their views were computed when the pages were read."""
        shown = env.domains["kwindex"].shown()
        for docname in sorted(self.docs_read):
            links = None
            for module, (_, request) in shown.get(docname, {}).items():
                if module.startswith(KEYWORDS_KEY):
                    continue
                for _, view in self.section_views(module, Request(*request)):
                    picture = getattr(view, "picture", None)
                    if picture is not None:
                        links = links or SphinxLinker(env, builder, docname, fromdocname=docname)
                        yield Drawing(dot_source(picture, links.module_uri, docname), docname)

    def _stop_rendering(self) -> None:
        if self.rendering_ahead is not None:
            self.rendering_ahead.close()
            self.rendering_ahead = None

    def _stop_drawing(self) -> None:
        if self.drawing_ahead is not None:
            self.drawing_ahead.close()
            logger.verbose("kwindex: %d pictures ready ahead of the writer", self.drawing_ahead.drawn)
            self.drawing_ahead = None

    # -- html-collect-pages ---------------------------------------------------------------

    def html_collect_pages(self, app: Sphinx):
        """The source pages to write (see :mod:`~sphinx_kwindex.glue.source_pages`)."""
        self._stop_drawing()  # every page is written; nothing runs beside the source pages' processes
        restore_threshold()
        ahead = self.rendering_ahead  # closed by its last page, or at build-finished
        if ahead is not None:
            logger.verbose("kwindex: %d source pages ready ahead of the writer", ahead.rendered)
        return source_pages.collect_pages(app, self, ahead)

    def source_pages_active(self) -> bool:
        return self.app is not None and self.project_settings is not None and source_pages.active(self.app, self)

    # -- build-finished -----------------------------------------------------------------

    def build_finished(self, app: Sphinx, exception: BaseException | None) -> None:
        self._stop_drawing()
        self._stop_rendering()
        restore_threshold()
        try:
            self._finish(app, exception)
        finally:
            thaw()  # after the work above: a collection now would walk everything for nothing

    def _finish(self, app: Sphinx, exception: BaseException | None) -> None:
        self.built = True
        if exception is not None:
            return
        if self.project_settings is None:
            return
        domain = app.env.domains["kwindex"]
        if self.state.outline.modules and not domain.shows_any_module():
            logger.info(
                "kwindex: no page shows any of the %d analysed modules: no page documents one "
                "(automodule, py:module, or autoclass/autofunction under currentmodule)%s. Add "
                "'.. kwindex:: MODULE' to a page, or set kwindex_generate = \"api\" for a page per module.",
                len(self.state.outline.modules), "" if self.settings.inject else " and kwindex_inject is False",
            )
        if app.builder.format == "html":
            write_kwindex_json(Path(app.outdir), self.state, domain)
            write_references_json(Path(app.outdir), self.state, self.settings.references)
        save_project(self.state)
        store = self.state.store
        if store is None:
            return
        if self.checked is not None and not self.docs_read:
            store.write(PAGES_CHECKED, self.checked, key=_environment_key(app.env))
        if self._module_data is not None and self.state.outline.modules:  # computed for this state's check
            store.write(MODULE_DATA, self._module_data, key=self.state.fingerprint)


def _environment_key(env: BuildEnvironment) -> str:
    """Which environment a record of checked pages speaks for: its doctree folder."""
    return str(Path(env.doctreedir).resolve())


def _valid_plan(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict) and isinstance(value[1], list)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value[0].items())
            and all(isinstance(path, str) for path in value[1]))


def _valid_module_data(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value[1].items()))


def _switched_off(doctree: nodes.document) -> bool:
    """The page says ``:kwindex: off`` in its metadata (rST field list at the top, MyST front matter)."""
    for docinfo in doctree.findall(nodes.docinfo):
        for field in docinfo.findall(nodes.field):
            if field[0].astext().strip().lower() == "kwindex":
                return field[1].astext().strip().lower() in ("off", "no", "false", "0")
    return False


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
