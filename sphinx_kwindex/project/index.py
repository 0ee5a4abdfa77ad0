"""The project index: every module's summary, the module tree, and the questions asked across modules.

Built once per build from the summaries (see :mod:`sphinx_kwindex.pipeline`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import starmap
from pathlib import Path

from sphinx_kwindex.model import ModuleSummary, Problem, Reference
from sphinx_kwindex.project.inheritance import Hierarchy, inheritors
from sphinx_kwindex.project.references import ReferenceState, Row, UseResolver, assigned_elsewhere, update_references
from sphinx_kwindex.project.related import CoChange, ProjectGraph, RelatedFile, RelatedRanker, RelatedWeights
from sphinx_kwindex.project.related.graph import ImportResolver, owning_module, public_names
from sphinx_kwindex.project.related.incremental import RankInputs, RankState, project_frame, update_ranking
from sphinx_kwindex.project.related.usage import UsageGraph

#: Where a definition is used: (using module, scope in it, line, kind of use).
Place = tuple[str, str, int, str]


@dataclass
class ProjectIndex:
    """All analysed modules of the configured source roots, their links and related files."""

    project_root: Path
    modules: Mapping[str, ModuleSummary] = field(default_factory=dict)
    #: problems found while finding files: (absolute path, problem)
    find_problems: list[tuple[str, Problem]] = field(default_factory=list)
    graph: ProjectGraph = field(default_factory=lambda: ProjectGraph.build({}))
    cochange: CoChange | None = None
    weights: RelatedWeights = field(default_factory=RelatedWeights)
    related_limit: int = 10
    #: resolve uses into references (off: no references, nothing "used in")
    references_on: bool = True
    #: parent name -> child module and folder names (folders without ``__init__`` included)
    tree: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _ranker: RelatedRanker | None = field(default=None, repr=False)
    _targets: dict[str, tuple[str, str] | None] = field(default_factory=dict, repr=False)
    _defined: dict[str, tuple[str, str] | None] = field(default_factory=dict, repr=False)
    _followed: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _resolver: ImportResolver | None = field(default=None, repr=False)
    _hierarchy: Hierarchy | None = field(default=None, repr=False)
    _used_by: dict[str, dict[str, tuple[Place, ...]]] | None = field(default=None, repr=False)
    #: resolves single uses for source pages (references come from :attr:`reference_state`)
    _resolver_of_uses: UseResolver | None = field(default=None, repr=False)
    _lines: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    _elsewhere: frozenset[str] | None = field(default=None, repr=False)
    #: the references of an earlier build, asked for when references are first needed (see the pipeline)
    previous_references: Callable[[], ReferenceState | None] = field(default=lambda: None, repr=False)
    #: every module's references and what they were read from (made on first use)
    reference_state: ReferenceState | None = field(default=None, repr=False)
    #: modules whose references were resolved by this build (None: all, or none asked for yet)
    re_resolved: set[str] | None = field(default=None, repr=False)
    _inheritors: dict[tuple[str, str], tuple[tuple[tuple[str, str], tuple[str, ...]], ...]] | None = field(
        default=None, repr=False)
    _related: dict[tuple[str, int], tuple[RelatedFile, ...]] = field(default_factory=dict, repr=False)
    _public: tuple[dict[tuple[str, str], tuple[str, ...]], dict[str, tuple[str, str]]] | None = field(
        default=None, repr=False)

    @classmethod
    def from_summaries(
        cls,
        project_root: Path,
        summaries: Iterable[ModuleSummary],
        find_problems: Iterable[tuple[str, Problem]] = (),
        *,
        cochange: CoChange | None = None,
        weights: RelatedWeights | None = None,
        related_limit: int = 10,
        references: bool = True,
    ) -> ProjectIndex:
        modules = {summary.module: summary for summary in sorted(summaries, key=lambda s: s.module)}
        weights = weights or RelatedWeights()
        if not references:
            weights = replace(weights, uses=0.0)  # the "uses" signal counts references
        return cls(
            tree=_module_tree(modules),
            project_root=project_root,
            modules=modules,
            find_problems=list(find_problems),
            graph=ProjectGraph.build(modules),
            cochange=cochange,
            weights=weights,
            related_limit=related_limit,
            references_on=references,
        )

    def __contains__(self, module: str) -> bool:
        return module in self.modules

    def get(self, module: str) -> ModuleSummary | None:
        return self.modules.get(module)

    def split_target(self, dotted: str) -> tuple[str, str] | None:
        """Split ``pkg.mod.Cls.meth`` into (project module, qualified name) by the longest module prefix."""
        if dotted not in self._targets:  # the same few targets are imported all over a project
            head = owning_module(dotted, self.modules)
            self._targets[dotted] = None if head is None else (head, dotted[len(head) + 1 :])
        return self._targets[dotted]

    def defined_target(self, dotted: str) -> tuple[str, str] | None:
        """:meth:`split_target`, followed through packages' re-exports to where the object is
        defined: ``_pytest.mark.Mark`` -> (``_pytest.mark.structures``, ``Mark``); a name that
        leads to a module gives that module and an empty qualified name."""
        if dotted not in self._defined:
            target = self.split_target(dotted)
            if target is not None and target[1]:
                if self._resolver is None:
                    self._resolver = ImportResolver(self.modules)
                head, dot, rest = target[1].partition(".")
                module, name = self._resolver.follow(target[0], head)
                target = (module, f"{name}{dot}{rest}" if name is not None else rest)
            self._defined[dotted] = target
        return self._defined[dotted]

    def followed(self, dotted: str) -> tuple[str, ...]:
        """The modules whose summaries decide where :meth:`defined_target` leads ``dotted`` (the
        packages whose re-exports it follows, and the module it ends in), besides which modules
        the project has."""
        found = self._followed.get(dotted)
        if found is None:
            target = self.split_target(dotted)
            if target is None or not target[1]:
                found = ()
            else:
                if self._resolver is None:
                    self._resolver = ImportResolver(self.modules)
                visited: list[str] = []
                end = self._resolver.follow(target[0], target[1].partition(".")[0], visited)[0]
                found = tuple(dict.fromkeys((*visited, end)))
            self._followed[dotted] = found
        return found

    def subclass_names(self, module: str, qualname: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """For a class: ((the names each project class inheriting from it may be documented under,
        the class's members that subclass overrides), ...), nearest first (see
        :mod:`~sphinx_kwindex.project.inheritance`)."""
        if self._inheritors is None:
            self._inheritors = inheritors(self.hierarchy())
        found = []
        for (sub_module, sub_qualname), overridden in self._inheritors.get((module, qualname), ()):
            head, dot, rest = sub_qualname.partition(".")
            aliases = self.public_names(sub_module, head)
            found.append(((f"{sub_module}.{sub_qualname}", *(f"{alias}{dot}{rest}" for alias in aliases)), overridden))
        return tuple(found)

    def hierarchy(self) -> Hierarchy:
        """The project's classes, bases resolved (made once)."""
        if self._hierarchy is None:
            self._hierarchy = Hierarchy(self.modules, self.defined_target, self.followed)
        return self._hierarchy

    def references(self, module: str) -> tuple[Reference, ...]:
        """What ``module``'s code uses of the project (see :mod:`~sphinx_kwindex.project.references`)."""
        return tuple(starmap(Reference, self.reference_rows(module)))

    def reference_rows(self, module: str) -> tuple[Row, ...]:
        """:meth:`references` as plain (scope, line, target, kind) rows; every module's are resolved
        on first use, taking an earlier build's where their inputs are unchanged."""
        if not self.references_on:
            return ()
        if self.reference_state is None:
            previous = self.previous_references()
            try:
                self.reference_state, self.re_resolved = update_references(self, previous)
            except Exception:  # a stored state this build cannot use: resolve everything
                if previous is None:
                    raise
                self.reference_state, self.re_resolved = update_references(self)
        entry = self.reference_state.references.get(module)
        return entry[2] if entry is not None else ()

    def assigned_elsewhere(self) -> frozenset[str]:
        """The attribute names the project assigns otherwise than by its classes' own methods (see
        :mod:`~sphinx_kwindex.project.references`), found once."""
        if self._elsewhere is None:
            self._elsewhere = assigned_elsewhere(self.modules.values())
        return self._elsewhere

    def reference_digest(self) -> str:
        """Changes whenever any module's references do (every module's are resolved for it)."""
        self.reference_rows("")
        return self.reference_state.digest() if self.reference_state is not None else ""

    def module_reference_digest(self, module: str) -> str:
        """Changes whenever ``module``'s references do ("" with references off)."""
        self.reference_rows("")
        entry = self.reference_state.references.get(module) if self.reference_state is not None else None
        return entry[3] if entry is not None else ""

    def resolve_use(self, module: str, symbol: str) -> tuple[str, bool] | None:
        """Where a use's symbol in ``module`` leads: (target, whether the whole chain was followed)."""
        if self._resolver_of_uses is None:
            self._resolver_of_uses = UseResolver(self)
        return self._resolver_of_uses.resolve(module, symbol)

    def definition_line(self, module: str, qualname: str) -> int | None:
        """The line defining ``qualname`` in ``module`` (the first, when it is defined twice)."""
        lines = self._lines.get(module)
        if lines is None:
            summary = self.modules.get(module)
            lines = self._lines[module] = {} if summary is None else {
                d.name: d.line for d in reversed(summary.definitions)}
        return lines.get(qualname)

    def used_by(self, module: str) -> dict[str, tuple[Place, ...]]:
        """Qualified name of each definition of ``module`` -> where the project uses it (imports
        aside: "imported by" lists those), sorted by module and line; made for all modules at once."""
        if self._used_by is None:
            found: dict[str, dict[str, list[Place]]] = {}
            for user in self.modules:
                for scope, line, dotted, kind in self.reference_rows(user):
                    if kind == "import":
                        continue
                    target = self.split_target(dotted)
                    if target is not None and target[1]:
                        found.setdefault(target[0], {}).setdefault(target[1], []).append((user, scope, line, kind))
            self._used_by = {module: {name: tuple(places) for name, places in by_name.items()}
                             for module, by_name in found.items()}
        return self._used_by.get(module, {})

    def users(self) -> Mapping[str, tuple[str, ...]]:
        """Module -> the other modules whose code uses its definitions (imports aside), sorted by
        name: :meth:`used_by` names them with the module itself. Taken from the ranker's use counts
        when it has them (counting them resolved every module's references, and each module's are
        kept between builds), else from :meth:`used_by`; both give the same (read only)."""
        usage = self._ranker.usage if self._ranker is not None else None
        if usage is not None:
            return {module: tuple(users) for module in self.modules if (users := usage.used_by(module))}
        self.used_by("")
        found = {}
        for module, by_name in self._used_by.items():  # type: ignore[union-attr]
            others = {place[0] for places in by_name.values() for place in places} - {module}
            if others:
                found[module] = tuple(sorted(others))
        return found

    def public_names(self, module: str, name: str) -> tuple[str, ...]:
        """The names packages re-export top-level ``name`` of ``module`` under, shortest first."""
        return self._public_map()[0].get((module, name), ())

    def all_public_names(self) -> Mapping[tuple[str, str], tuple[str, ...]]:
        """(module, top-level name) -> :meth:`public_names`, for every re-exported name (read only)."""
        return self._public_map()[0]

    def defining_module(self, dotted: str) -> str | None:
        """The project module defining the object ``dotted`` names, under its own name or one a
        package re-exports it by (``click.Command.invoke`` -> ``click.core``); None if none does."""
        target = self.split_target(dotted)
        if target is None or not target[1]:
            return None
        module, qualname = target
        head = qualname.partition(".")[0]
        if any(d.name == head for d in self.modules[module].definitions):
            return module
        found = self._public_map()[1].get(f"{module}.{head}")
        return found[0] if found is not None else None

    def _public_map(self) -> tuple[dict[tuple[str, str], tuple[str, ...]], dict[str, tuple[str, str]]]:
        """(definition -> public names, public name -> definition), computed once."""
        if self._public is None:
            forward = public_names(self.modules)
            reverse = {alias: key for key, aliases in forward.items() for alias in aliases}
            self._public = (forward, reverse)
        return self._public

    def children(self, name: str) -> list[str]:
        """Modules and folders directly inside package or folder ``name`` (``""``: the top level)."""
        return self.tree.get(name, [])

    def is_folder(self, name: str) -> bool:
        """A folder holding modules that is no module itself (a namespace package, a test folder)."""
        return name not in self.modules and name in self.tree

    def dependencies(self, module: str) -> tuple[list[str], list[str], list[str]]:
        """What ``module`` imports: project modules, standard library and third-party top-level names."""
        summary = self.modules.get(module)
        if summary is None:
            return [], [], []
        project = set(self.graph.imports_of(module))
        stdlib: set[str] = set()
        third_party: set[str] = set()
        for imported in summary.imports:
            top = imported.module.partition(".")[0]
            if not top or self.split_target(imported.module) is not None:
                continue
            if top in sys.stdlib_module_names:
                stdlib.add(top)
            elif top in self.tree.get("", ()):
                project.add(imported.module)  # a project name with no analysed file (C extension, generated)
            else:
                third_party.add(top)
        project.discard(module)
        return sorted(project), sorted(stdlib), sorted(third_party)

    def related(self, module: str, limit: int | None = None) -> tuple[RelatedFile, ...]:
        """The related files of ``module``, best first (computed on first use, then kept)."""
        limit = self.related_limit if limit is None else limit
        key = (module, limit)
        if key not in self._related:
            if module not in self.modules or limit <= 0:
                return ()
            self._related[key] = self.ranker.rank(module, limit)
        return self._related[key]

    @property
    def ranker(self) -> RelatedRanker:
        """The ranker of this project (built on first use: it indexes every module's identifiers and,
        for the ``uses`` signal, resolves every module's references)."""
        if self._ranker is None:
            self._ranker = self._new_ranker()
        return self._ranker

    def forget_ranker(self) -> None:
        """Drop the ranker (and what it kept of an earlier build); the next use builds it anew."""
        self._ranker = None
        self._related.clear()

    def _new_ranker(self, previous: RankInputs | None = None) -> RelatedRanker:
        """The ranker; the use counts of modules whose references are as in ``previous`` are kept."""
        usage = None
        if self.weights.uses > 0 and self.references_on:
            digests = {module: self.module_reference_digest(module) for module in self.modules}
            kept = None
            if previous is not None and previous.references and previous.frame == project_frame(
                    self.modules, self.weights, self.related_limit, self.cochange):
                kept = (previous.references, previous.uses)
            usage = UsageGraph.build(self.modules, self.references, digests, kept)
        return RelatedRanker(self.modules, self.graph, self.cochange, self.weights, usage)

    def rank_all(self, previous: RankState | None = None) -> tuple[RankState, set[str] | None]:
        """Rank every module at the configured limit, reusing ``previous`` where its inputs are unchanged.

        Returns the state to keep for the next build, and the modules ranked anew (None: all).
        """
        if previous is not None and self._ranker is None:
            self._ranker = self._new_ranker(previous.inputs)
        state, stale = update_ranking(self.ranker, self.related_limit, previous)
        self.seed_related(state.ranking)
        return state, stale

    def all_related(self) -> dict[str, tuple[RelatedFile, ...]]:
        """The related files of every module at the configured limit."""
        return {module: self.related(module) for module in self.modules}

    def seed_related(self, ranking: Mapping[str, tuple[RelatedFile, ...]]) -> None:
        """Take a ranking computed before for exactly this project state (see the runner's cache)."""
        for module, entries in ranking.items():
            if module in self.modules:
                self._related[(module, self.related_limit)] = entries

    def test_command(self, module: str) -> str | None:
        """How to run a test module (``pytest path``), or None for other modules."""
        summary = self.modules.get(module)
        if summary is None or not summary.source.is_test or summary.source.module.endswith("conftest"):
            return None
        return f"pytest {summary.path}"


def _module_tree(modules: Mapping[str, ModuleSummary]) -> dict[str, list[str]]:
    """Parent name -> sorted child names, with folders that hold modules but are no module."""
    children: dict[str, set[str]] = {}
    for module in modules:
        name = module
        while True:
            parent = name.rpartition(".")[0]
            siblings = children.setdefault(parent, set())
            if name in siblings:
                break
            siblings.add(name)
            if not parent:
                break
            name = parent
    return {parent: sorted(names) for parent, names in children.items()}
