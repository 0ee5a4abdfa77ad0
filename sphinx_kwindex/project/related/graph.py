"""The project's import graph and test links, built once from all module summaries.

Imports are resolved to project modules: ``from pkg import sub`` names the
submodule ``pkg.sub``, and a name a package ``__init__`` re-exports from one of
its submodules (``from .mod import X``) leads to that submodule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.project.related.testlinks import link_tests
from sphinx_kwindex.project.related.weights import specificity

#: How many re-export hops through package ``__init__`` files are followed.
_MAX_HOPS = 5


class ProjectGraph:
    """Imports, imported-by and test links between the project's modules."""

    __slots__ = ("_imports", "_imported_by", "_tests_of", "_tested_by", "_size")

    def __init__(
        self,
        imports: dict[str, dict[str, tuple[str, ...]]],
        tests_of: dict[str, dict[str, float]],
        size: int,
    ) -> None:
        self._imports = imports
        self._size = size
        imported_by: dict[str, dict[str, tuple[str, ...]]] = {}
        for source in sorted(imports):
            for target, names in imports[source].items():
                imported_by.setdefault(target, {})[source] = names
        self._imported_by = imported_by
        self._tests_of = tests_of
        tested_by: dict[str, dict[str, float]] = {}
        for test in sorted(tests_of):
            for module, strength in tests_of[test].items():
                tested_by.setdefault(module, {})[test] = strength
        self._tested_by = tested_by

    @classmethod
    def build(cls, summaries: Mapping[str, ModuleSummary]) -> ProjectGraph:
        """Resolve every import of every module, then link tests to what they test."""
        resolver = ImportResolver(summaries)
        imports = {module: resolver.imports_of(summary) for module, summary in summaries.items()}
        return cls(imports, link_tests(summaries, imports), len(summaries))

    # -- queries -----------------------------------------------------------

    @property
    def size(self) -> int:
        """Number of modules in the project."""
        return self._size

    def imports_of(self, module: str) -> dict[str, tuple[str, ...]]:
        """Project modules ``module`` imports from (sorted by name), each with the names it imports
        (``()``: the module itself)."""
        return dict(self._imports.get(module, {}))

    def imported_by(self, module: str) -> dict[str, tuple[str, ...]]:
        """Project modules importing from ``module`` (sorted by name), each with the names they import."""
        return dict(self._imported_by.get(module, {}))

    def tests_of(self, module: str) -> tuple[str, ...]:
        """For a test module: the project modules it tests, most certain first."""
        return _by_strength(self._tests_of.get(module, {}))

    def tested_by(self, module: str) -> tuple[str, ...]:
        """Test modules that exercise ``module``, most certain first."""
        return _by_strength(self._tested_by.get(module, {}))

    def test_links(self, module: str) -> tuple[dict[str, float], dict[str, float]]:
        """(modules this test tests, tests testing this module), each with a strength in 0..1."""
        return self._tests_of.get(module, {}), self._tested_by.get(module, {})

    def all_imports(self) -> Mapping[str, dict[str, tuple[str, ...]]]:
        """Every module's resolved imports (read only: the graph's own data)."""
        return self._imports

    def in_degree(self, module: str) -> int:
        return len(self._imported_by.get(module, ()))

    def out_degree(self, module: str) -> int:
        return len(self._imports.get(module, ()))

    def specificity(self, degree: int) -> float:
        """IDF-like weight in 0..1 of a link to a module with ``degree`` links: hubs weigh little."""
        return specificity(degree + 1, self._size)

    def __getstate__(self) -> tuple:
        return (self._imports, self._tests_of, self._size)

    def __setstate__(self, state: tuple) -> None:
        self.__init__(*state)


def owning_module(dotted: str, modules: Collection[str]) -> str | None:
    """The longest prefix of ``dotted`` that is a module of ``modules`` (``pkg.mod`` for ``pkg.mod.Cls.f``)."""
    while dotted:
        if dotted in modules:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def public_names(summaries: Mapping[str, ModuleSummary]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(defining module, top-level name) -> the names packages re-export it under, shortest first
    (``flask.Flask`` for ``flask.app.Flask``): where projects document their public API.

    A package re-exports what it imports from another module, and a module what its
    ``__all__`` lists; a package with ``__all__`` only what that lists, one without it no
    private name. Chains through packages are followed to the defining module.
    """
    resolver = ImportResolver(summaries)
    found: dict[tuple[str, str], set[str]] = {}
    for module, summary in summaries.items():
        listed = set(summary.all_names or ())
        if not summary.source.is_package and not listed:
            continue
        for imported in summary.imported_names:
            if imported.is_local or imported.is_module:
                continue
            if listed or summary.all_names is not None:
                if imported.name not in listed:
                    continue
            elif imported.name.startswith("_"):
                continue
            owner = owning_module(imported.target, resolver.modules)
            if owner is None or owner == module:
                continue
            name = imported.target[len(owner) + 1:]
            if not name or "." in name:  # a module itself, or a name inside a class
                continue
            defining, defined = resolver.follow(owner, name)
            if defined is None or defining == module or defined not in resolver.exports(defining)[0]:
                continue
            found.setdefault((defining, defined), set()).add(f"{module}.{imported.name}")
    return {key: tuple(sorted(names, key=lambda n: (n.count("."), n))) for key, names in sorted(found.items())}


def _by_strength(links: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(sorted(links, key=lambda name: (-links[name], name)))


class ImportResolver:
    """Turns import statements into project modules and imported names."""

    def __init__(self, summaries: Mapping[str, ModuleSummary]) -> None:
        self.modules = frozenset(summaries)
        self.summaries = summaries
        self._exports: dict[str, tuple[frozenset[str], dict[str, str]]] = {}

    def imports_of(self, summary: ModuleSummary) -> dict[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {}
        for imp in summary.imports:
            for target, name in self.targets(self.sibling(summary, imp.module), imp.names):
                if target != summary.module:
                    names = found.setdefault(target, set())
                    if name:
                        names.add(name)
        return {target: tuple(sorted(found[target])) for target in sorted(found)}

    def sibling(self, summary: ModuleSummary, module: str) -> str:
        """``module`` as the importing file finds it: a plain ``import helpers`` in a folder that is
        no package (a tests folder: pytest and scripts put it on ``sys.path``) finds the module
        beside it when the project has no top-level ``helpers``."""
        folder = summary.module.rpartition(".")[0]
        if not folder or folder in self.modules or summary.source.is_package:
            return module
        top = module.partition(".")[0]
        if top in self.modules or owning_module(module, self.modules) is not None:
            return module
        beside = f"{folder}.{module}"
        owner = owning_module(beside, self.modules)
        return beside if owner is not None and owner.startswith(f"{folder}.") else module

    def targets(self, module: str, names: tuple[str, ...]) -> Iterator[tuple[str, str | None]]:
        """(project module, imported name or None for the module itself) for one statement."""
        if not names:
            owner = owning_module(module, self.modules)
            if owner:
                yield owner, None
            return
        for name in names:
            if name == "*":
                if module in self.modules:
                    yield module, "*"
            elif f"{module}.{name}" in self.modules:
                yield f"{module}.{name}", None
            elif module in self.modules:
                yield self.follow(module, name)

    def follow(self, module: str, name: str, visited: list[str] | None = None) -> tuple[str, str | None]:
        """Where ``name`` imported from ``module`` is defined, through package re-exports (the
        modules whose summaries decided it are appended to ``visited``)."""
        for _ in range(_MAX_HOPS):
            if visited is not None:
                visited.append(module)
            summary = self.summaries[module]
            if not summary.source.is_package:
                break
            defined, bound = self.exports(module)
            target = bound.get(name)
            if name in defined or target is None:
                break
            if target in self.modules:
                return target, None
            owner, _, last = target.rpartition(".")
            if owner not in self.modules or owner == module:
                break
            module, name = owner, last
        return module, name

    def exports(self, module: str) -> tuple[frozenset[str], dict[str, str]]:
        if module not in self._exports:
            summary = self.summaries[module]
            defined = frozenset(d.name for d in summary.definitions if "." not in d.name)
            bound = {imp.name: imp.target for imp in summary.imported_names if not imp.is_local}
            self._exports[module] = (defined, bound)
        return self._exports[module]
