"""What each module's code uses of the others: definitions it calls, and other names it uses.

Counted from references (:mod:`sphinx_kwindex.project.references`), which follow
re-exports to the defining module, so ``flask.Flask`` counts for ``flask.app``.
Imports are left out (the ``imports`` signal has them); so is a module named as
a whole. A name both called and used otherwise counts once, as a call; calling a
class and the ``__init__`` it runs count once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from sphinx_kwindex.model import Reference
from sphinx_kwindex.project.related.graph import owning_module
from sphinx_kwindex.project.related.weights import specificity

#: (distinct definitions called, distinct other names used) of one module by another.
Counts = tuple[int, int]


def count_uses(module: str, references: Iterable[Reference], modules: Collection[str]) -> dict[str, Counts]:
    """{other project module: (its definitions ``module`` calls, its other names ``module`` uses)},
    sorted by module name."""
    called: dict[str, set[str]] = {}
    named: dict[str, set[str]] = {}
    for reference in references:
        if reference.kind == "import":
            continue
        owner = owning_module(reference.target, modules)
        if owner is None or owner == module or owner == reference.target:
            continue
        if reference.kind == "call":
            target = reference.target.removesuffix(".__init__")
            called.setdefault(owner, set()).add(target if target != owner else reference.target)
        else:
            named.setdefault(owner, set()).add(reference.target)
    return {
        owner: (len(called.get(owner, ())), len(named.get(owner, set()) - called.get(owner, set())))
        for owner in sorted(called.keys() | named.keys())
    }


class UsageGraph:
    """Uses and used-by between the project's modules, each link with its :data:`Counts`."""

    __slots__ = ("_size", "_used_by", "_uses", "digests")

    def __init__(self, uses: dict[str, dict[str, Counts]], size: int, digests: Mapping[str, str] | None = None) -> None:
        self._uses = uses
        self._size = size
        #: module -> digest of the references its counts were made from (when the builder knew them)
        self.digests = dict(digests or {})
        used_by: dict[str, dict[str, Counts]] = {}
        for source in sorted(uses):
            for target, counts in uses[source].items():
                used_by.setdefault(target, {})[source] = counts
        self._used_by = used_by

    @classmethod
    def build(
        cls,
        modules: Collection[str],
        references: Callable[[str], Iterable[Reference]],
        digests: Mapping[str, str] | None = None,
        previous: tuple[Mapping[str, str], Mapping[str, Mapping[str, Counts]]] | None = None,
    ) -> UsageGraph:
        """Count every module's ``references(module)``. ``digests``: each module's references'
        digest; ``previous``: (digests, counts) of a graph of the same modules, whose counts a
        module with the same digest keeps (counting all of torch's references takes a second)."""
        names = frozenset(modules)
        digests = digests or {}
        kept_digests, kept = previous or ({}, {})
        uses = {}
        for module in sorted(names):
            digest = digests.get(module)
            if digest is not None and kept_digests.get(module) == digest and module in kept:
                uses[module] = dict(kept[module])
            else:
                uses[module] = count_uses(module, references(module), names)
        return cls({module: found for module, found in uses.items() if found}, len(names), digests)

    def uses_of(self, module: str) -> Mapping[str, Counts]:
        """Modules whose definitions ``module`` uses (sorted by name), with the counts."""
        return self._uses.get(module, {})

    def used_by(self, module: str) -> Mapping[str, Counts]:
        """Modules using definitions of ``module`` (sorted by name), with the counts."""
        return self._used_by.get(module, {})

    def all_uses(self) -> Mapping[str, dict[str, Counts]]:
        """Every module's links (read only: the graph's own data)."""
        return self._uses

    def specificity(self, degree: int) -> float:
        """IDF-like weight in 0..1 of a link to a module with ``degree`` links: hubs weigh little."""
        return specificity(degree + 1, self._size)

    def in_degree(self, module: str) -> int:
        return len(self._used_by.get(module, ()))

    def out_degree(self, module: str) -> int:
        return len(self._uses.get(module, ()))

    def __getstate__(self) -> tuple:
        return (self._uses, self._size, self.digests)

    def __setstate__(self, state: tuple) -> None:
        self.__init__(*state)
