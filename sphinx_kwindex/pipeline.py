"""Stages 1 to 3 as one call, with no Sphinx: find -> analyse -> project index -> rank.

:func:`build_project` takes validated :class:`ProjectSettings` and returns the
:class:`ProjectState` every page is computed from; :func:`save_project` keeps
what the next build can reuse. Results of earlier builds come from the
:class:`~sphinx_kwindex.store.Store`:

* summaries by file content (``runner``);
* the related files of every module with the inputs they were computed from
  (:class:`~sphinx_kwindex.project.related.incremental.RankState`): the same
  project fingerprint uses them as they are; another one ranks again only the
  modules whose inputs changed, which gives exactly what ranking everything would;
* the project keyword index's pages, for exactly the same project;
* every module's references with the modules they were read from
  (:class:`~sphinx_kwindex.project.references.ReferenceState`): when they are first
  needed, only the modules whose uses or sources changed are resolved again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from sphinx_kwindex.find import FoundSources, find_sources
from sphinx_kwindex.fingerprint import code_digest, plain_digest
from sphinx_kwindex.gc_pause import gc_paused
from sphinx_kwindex.model import Problem
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.keywords import KeywordGroup, keyword_groups
from sphinx_kwindex.project.references import ReferenceState
from sphinx_kwindex.project.related import CoChange, RelatedWeights, read_cochange
from sphinx_kwindex.project.related.history import DEFAULT_MAX_COMMITS
from sphinx_kwindex.project.related.incremental import RankState, project_frame, valid_state
from sphinx_kwindex.runner import ANALYSIS, analyse_all, source_digests
from sphinx_kwindex.store import Entry, Store, valid_rows

T = TypeVar("T")

RANKING = Entry("kwindex-related.cache", "the related-files cache", "the next build ranks every module again",
                code_digest)
REFERENCES = Entry("kwindex-references.cache", "the references cache",
                    "the next build resolves every module's references again", code_digest)
OUTLINE = Entry("kwindex-outline.cache", "the project outline", "the next build decodes every module's summary",
                code_digest)
KEYWORD_PAGES = Entry("kwindex-keywords.cache", "the keyword-index cache",
                      "the next build groups the project keyword index again", code_digest)


@dataclass(frozen=True)
class ProjectSettings:
    """What the pipeline needs to know, validated (see ``glue.config``)."""

    #: source roots: absolute, resolved folders
    roots: tuple[Path, ...]
    #: glob patterns of project-relative POSIX paths never indexed
    exclude: tuple[str, ...] = ()
    #: folders never searched (the Sphinx build, doctree and generated folders)
    skip: tuple[Path, ...] = ()
    #: (root, whether Python puts it on ``sys.path``) for roots the user said; others are guessed
    sys_path: tuple[tuple[Path, bool], ...] = ()
    #: analysis processes (1: no pool)
    jobs: int = 1
    #: where the store lives; None: nothing is kept between builds
    cache_dir: Path | None = None
    weights: RelatedWeights = RelatedWeights()
    related_limit: int = 10
    history_max_commits: int = DEFAULT_MAX_COMMITS
    #: compute the pages of the project keyword index
    keyword_pages: bool = False
    #: resolve what each module uses (references, "used in")
    references: bool = True


@dataclass(frozen=True)
class Outline:
    """What a build needs of the project before any page shows a module: every module's name and
    length in lines (in the index's order), and every problem found. Kept in the store, so that a
    build of an unchanged project decodes no summary until a page (or the export) asks for one."""

    modules: tuple[tuple[str, int], ...]
    problems: tuple[tuple[str, Problem], ...]

    @classmethod
    def of(cls, index: ProjectIndex) -> Outline:
        problems = list(index.find_problems)
        for summary in index.modules.values():
            problems.extend((summary.source.abspath, problem) for problem in summary.problems)
        return cls(tuple((name, summary.lines) for name, summary in index.modules.items()), tuple(problems))


class ProjectState:
    """The analysed project: everything pages, views and the export are computed from.

    A state may be *deferred*: its fingerprint and :class:`Outline` are known (an earlier build
    analysed exactly these inputs), and the index and keyword groups are loaded the first time
    anything reads them.
    """

    def __init__(self, index: ProjectIndex | None, groups: tuple[KeywordGroup, ...], fingerprint: str, *,
                 store: Store | None = None, outline: Outline | None = None,
                 load: Callable[[ProjectState], None] | None = None) -> None:
        if (index is None) == (load is None) or (index is None and outline is None):
            raise ValueError("a project state needs an index, or an outline and a way to load the index")
        self._index = index
        self._groups = groups
        self._load = load
        #: changes whenever anything the ranking, the keyword index or the export read changes
        self.fingerprint = fingerprint
        #: the build's store (None: nothing is kept between builds); each problem with it is said once
        self.store = store
        self.outline = outline if outline is not None else Outline.of(index)  # type: ignore[arg-type]
        #: modules ranked anew by this build (None: all of them)
        self.reranked: set[str] | None = None
        #: what :func:`save_project` writes (None: the stored one is current)
        self.rank_state: RankState | None = None
        self.groups_computed = False
        #: the inputs this state's outline is kept under by :func:`save_project` (None: nothing to keep)
        self.outline_key: str | None = None

    @property
    def loaded(self) -> bool:
        """Whether the index exists (a deferred state that nothing read has none)."""
        return self._index is not None

    def load(self) -> None:
        """Load a deferred state's index and groups (nothing when they are loaded)."""
        if self._index is None:
            load, self._load = self._load, None
            load(self)  # type: ignore[misc]  # sets the index and the groups (see build_project)

    @property
    def index(self) -> ProjectIndex:
        self.load()
        return self._index  # type: ignore[return-value]

    @property
    def groups(self) -> tuple[KeywordGroup, ...]:
        """The pages of the project keyword index (empty unless asked for)."""
        self.load()
        return self._groups

    def module_names(self) -> list[str]:
        return [name for name, _ in self.outline.modules]

    def problems(self) -> Iterator[tuple[str, Problem]]:
        """(absolute path, problem) of every problem found: finding files first, then each module's."""
        return iter(self.outline.problems)


def build_project(
    settings: ProjectSettings,
    *,
    progress: Callable[[Iterable[T], int], Iterable[T]] | None = None,
    info: Callable[[str], None] = lambda message: None,
) -> ProjectState:
    """Find, analyse, index and rank the project under ``settings.roots``.

    ``progress(items, count)`` wraps the stream of newly analysed summaries;
    ``info`` receives one-line notes (cache use, history, counts). Bad input
    never raises: it becomes problems of the state. When the store holds the outline of exactly
    these inputs (files, settings, history, the extension's code), the state is deferred: nothing
    is decoded until something reads its index.
    """
    with gc_paused():  # every object built here lives as long as the build
        found = find_sources(list(settings.roots), list(settings.exclude), list(settings.skip),
                             dict(settings.sys_path))
        store = Store(settings.cache_dir, info) if settings.cache_dir is not None else None
        digests = source_digests(found.files, store) if store is not None else None
        cochange = _history(settings, found.project_root, [source.path for source in found.files], info)
        key = _outline_key(settings, found, cochange, digests) if digests is not None else None
        recorded = store.read(OUTLINE, key=key, check=_valid_outline) if key is not None else None

        def load(state: ProjectState) -> None:
            with gc_paused():
                state._index = _index_of(settings, found, cochange, store, progress, digests)
                if (changed := _changed_file(state._index, found, digests)) is not None:
                    raise SourcesChanged(f"kwindex: {changed} changed while sphinx-build was running "
                                         "(and the analysis cache had lost it); run sphinx-build again")
                _complete(state, settings, info)

        # Deferred only while the analysis cache is the one the outline was kept with: every summary
        # is then decoded by the digest hashed now, whatever happens to the files meanwhile.
        if recorded is not None and recorded[2] == store.checksum(ANALYSIS):
            fingerprint, outline, _ = recorded
            info(f"kwindex: {len(outline.modules)} modules under {found.project_root}, as the last build "
                 "analysed them")
            return ProjectState(None, (), fingerprint, store=store, outline=outline, load=load)
        index = _index_of(settings, found, cochange, store, progress, digests)
        state = ProjectState(index, (), project_fingerprint(index), store=store)
        info(f"kwindex: {len(index.modules)} modules under {found.project_root}")
        _complete(state, settings, info)
        if key is not None and _changed_file(index, found, digests) is None:  # an outline of what was hashed
            state.outline_key = key
    return state


def _index_of(settings: ProjectSettings, found, cochange: CoChange | None, store: Store | None, progress,
              digests: list[str | None] | None) -> ProjectIndex:
    summaries = analyse_all(found.files, jobs=settings.jobs, store=store, progress=progress, digests=digests)
    return ProjectIndex.from_summaries(
        found.project_root, summaries, found.problems,
        cochange=cochange, weights=settings.weights, related_limit=settings.related_limit,
        references=settings.references,
    )


def _complete(state: ProjectState, settings: ProjectSettings, info: Callable[[str], None]) -> None:
    """Rank the state's index and group its keywords, from the store where it can."""
    index, store = state._index, state.store
    if store is not None:
        index.previous_references = lambda: _stored_references(store)
    _rank(state, store, info)
    if settings.keyword_pages:
        rows = store.read(KEYWORD_PAGES, key=state.fingerprint, check=_valid_rows) if store is not None else None
        state.groups_computed = rows is None
        state._groups = tuple(keyword_groups(index) if rows is None else map(KeywordGroup.from_row, rows))


def save_project(state: ProjectState) -> None:
    """Keep the ranking and the keyword index pages computed by this build for the next one."""
    store = state.store
    if store is None:
        return
    with gc_paused():
        if state.outline_key is not None:
            analysis = store.checksum(ANALYSIS)  # as this build left it (see runner.analyse_all)
            if analysis is not None:
                store.write(OUTLINE, (state.fingerprint, state.outline, analysis), key=state.outline_key)
            state.outline_key = None
        if not state.loaded:
            return
        if state.rank_state is not None:
            store.write(RANKING, (state.fingerprint, state.rank_state))
            state.rank_state = None
        if state.groups_computed:
            store.write(KEYWORD_PAGES, tuple(group.as_row() for group in state.groups), key=state.fingerprint)
            state.groups_computed = False
        index = state.index
        if index.reference_state is not None and index.re_resolved != set():
            store.write(REFERENCES, index.reference_state.stored())
            index.re_resolved = set()


def project_fingerprint(index: ProjectIndex) -> str:
    """Changes whenever an input of the pipeline changes: the extension's code, astroid and Python,
    weights, limit, module names, paths and test flags, git history, and every module's content
    (the settings that change what pages show are Sphinx ``env`` values: changing one re-reads all)."""
    frame = project_frame(index.modules, index.weights, index.related_limit, index.cochange)
    hasher = hashlib.blake2b(f"{frame}\0".encode(), digest_size=16)
    for name, summary in index.modules.items():
        hasher.update(f"{name}\0{summary.digest}\0".encode())
    return hasher.hexdigest()


def _rank(state: ProjectState, store: Store | None, info: Callable[[str], None]) -> None:
    """Related files of every module: stored ones when nothing changed, else only what changed anew."""
    index = state.index
    saved = store.read(RANKING, check=_valid_saved_ranking) if store is not None else None
    if saved is not None and saved[0] == state.fingerprint:
        index.seed_related(saved[1].ranking)
        return
    previous = saved[1] if saved is not None else None
    try:
        state.rank_state, state.reranked = index.rank_all(previous)
    except Exception:  # noqa: BLE001 - a stored state this build cannot use: rank everything
        if previous is None:
            raise
        index.forget_ranker()  # it may hold use counts taken from that state
        state.rank_state, state.reranked = index.rank_all()
    if state.reranked is not None:
        info(f"kwindex: related files ranked again for {len(state.reranked)} of {len(index.modules)} modules")


def _outline_key(settings: ProjectSettings, found: FoundSources, cochange: CoChange | None,
                 digests: list[str | None]) -> str | None:
    """Digest of everything the state built from these inputs depends on (None: a file is unreadable);
    the extension's code is the store entry's own key."""
    if None in digests:
        return None
    # Not the folders skipped (the build's output folders): the files found and their problems say
    # what they change, and builders writing elsewhere (html, latex) then share one outline.
    inputs = (replace(settings, jobs=1, cache_dir=None, skip=()), found.project_root, found.files, found.problems,
              cochange.fingerprint() if cochange is not None else None, digests)
    return plain_digest(inputs)


class SourcesChanged(RuntimeError):
    """A file changed between the start of the build and the loading of a deferred state that
    needed to analyse it again: the pages would show another state than the one checked."""


def _changed_file(index: ProjectIndex, found: FoundSources, digests: list[str | None]) -> str | None:
    """The first file whose summary is not of the content hashed at the start of the build (None: none)."""
    for source, digest in zip(found.files, digests):
        summary = index.modules.get(source.module)
        if summary is not None and summary.digest != digest:
            return source.abspath
    return None


def _valid_outline(value: object) -> bool:
    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], Outline) and isinstance(value[2], str)):
        return False
    outline = value[1]
    return (isinstance(outline.modules, tuple) and isinstance(outline.problems, tuple)
            and valid_rows(outline.modules, (str, int)) and valid_rows(outline.problems, (str, Problem)))


def _stored_references(store: Store) -> ReferenceState | None:
    """The references an earlier build kept, or None (a damaged file is said once, and replaced)."""
    with gc_paused():
        value = store.read(REFERENCES)
        state = ReferenceState.from_stored(value) if value is not None else None
    if value is not None and state is None:
        store.say(REFERENCES, f"kwindex: ignoring {REFERENCES.title} {store.path(REFERENCES)}: it is damaged "
                  "(unexpected content); rebuilding it")
    return state


def _valid_saved_ranking(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and valid_state(value[1])


def _valid_rows(rows: object) -> bool:
    if not isinstance(rows, tuple):
        return False
    for row in rows:
        KeywordGroup.from_row(row)  # raises (and so refuses) anything else
    return True


def _history(settings: ProjectSettings, root: Path, paths: list[str], info) -> CoChange | None:
    """Git co-change for the related files, or None (said once, at info level)."""
    if settings.weights.cochange <= 0 or settings.history_max_commits <= 0 or not paths:
        return None
    cochange, note = read_cochange(root, paths, settings.history_max_commits)
    info(f"kwindex: {note}")
    return cochange
