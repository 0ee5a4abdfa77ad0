"""Which project classes inherit which members, statically (bases as written, resolved through imports).

Projects often document an inherited method under the public subclass only
(``:inherited-members:``: flask documents ``flask.Flask.add_url_rule``, defined
on ``flask.sansio.scaffold.Scaffold``). For each class this finds the project
classes that inherit from it, nearest first, and which of its members each one
overrides, so a keyword ``Scaffold.add_url_rule`` can link to that documentation.

A base that cannot be resolved to a project class (one from another package,
or any expression but a dotted name) may define anything: a class is taken to
inherit a member only when, in its method resolution order (C3, as Python
computes it), the defining class comes before every such unknown base.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sphinx_kwindex.model import ModuleSummary

#: A class: (module, qualified name).
Class = tuple[str, str]
#: Subclasses kept per class, nearest first (a hub such as ``torch.nn.Module`` has thousands).
MAX_SUBCLASSES = 64
#: Bases from outside that give their subclasses no member a project documents: they hide nothing.
TRANSPARENT = frozenset({
    "object", "abc.ABC", "typing.Generic", "typing.Protocol", "typing_extensions.Generic",
    "typing_extensions.Protocol",
})


class Hierarchy:
    """The project's classes: their bases resolved, their method resolution orders, their members."""

    def __init__(self, summaries: Mapping[str, ModuleSummary],
                 defined_target: Callable[[str], tuple[str, str] | None],
                 followed: Callable[[str], tuple[str, ...]] = lambda dotted: ()) -> None:
        classes = {(module, d.name) for module, summary in summaries.items()
                   for d in summary.definitions if d.kind == "class"}
        #: class -> the modules (beside its own) whose summaries decided where its bases lead
        self.base_sources: dict[Class, frozenset[str]] = {}
        self.bases = _resolved_bases(summaries, classes, defined_target, followed, self.base_sources)
        self.members = _members(summaries, classes)
        self._orders: dict[Class, tuple[Class | str, ...] | None] = {}
        self._sources: dict[Class, frozenset[str]] = {}

    def order(self, klass: Class) -> tuple[Class | str, ...] | None:
        """``klass``'s C3 linearization (unknown bases as their text); None when it has none."""
        if klass not in self.bases:
            return (klass,)
        return _mro(klass, self.bases, self._orders, ())

    def owner(self, klass: Class, name: str, after: bool = False) -> Class | None:
        """The class whose body (or methods) defines member ``name`` for ``klass``: the first in its
        order (after ``klass`` itself for ``super()``); None when no project class does before an
        unknown base, which may define it."""
        order = self.order(klass)
        if order is None:
            return None
        for ancestor in order[1:] if after else order:
            if isinstance(ancestor, str):
                return None
            if name in self.members.get(ancestor, ()):
                return ancestor
        return None


    def sources(self, klass: Class) -> frozenset[str]:
        """The modules whose summaries decide ``klass``'s order and its ancestors' members: what an
        answer of :meth:`owner` for it depends on (besides which modules the project has)."""
        found = self._sources.get(klass)
        if found is None:
            modules: set[str] = set()
            seen, todo = {klass}, [klass]
            while todo:  # every ancestor, once (a broken project may have a cycle of bases)
                current = todo.pop()
                modules.add(current[0])
                modules.update(self.base_sources.get(current, ()))
                for base in self.bases.get(current, ()):
                    if not isinstance(base, str) and base not in seen:
                        seen.add(base)
                        todo.append(base)
            found = self._sources[klass] = frozenset(modules)
        return found


def inheritors(hierarchy: Hierarchy) -> dict[Class, tuple[tuple[Class, tuple[str, ...]], ...]]:
    """Class -> ((subclass, the class's members the subclass overrides before reaching it), ...),
    nearest subclass first, at most :data:`MAX_SUBCLASSES`; classes no project class inherits from
    are left out."""
    members = hierarchy.members
    found: dict[Class, list[tuple[int, Class, tuple[str, ...]]]] = {}
    for klass in sorted(hierarchy.bases):
        order = hierarchy.order(klass)
        if order is None:
            continue
        defined_before = set(members.get(klass, ()))
        for depth, ancestor in enumerate(order[1:], 1):
            if isinstance(ancestor, str):  # an unknown base: what comes after it may be shadowed
                break
            own = members.get(ancestor, frozenset())
            found.setdefault(ancestor, []).append((depth, klass, tuple(sorted(own & defined_before))))
            defined_before |= own
    return {ancestor: tuple((klass, overridden) for _, klass, overridden in sorted(subs)[:MAX_SUBCLASSES])
            for ancestor, subs in sorted(found.items())}


def _members(summaries: Mapping[str, ModuleSummary], classes: set[Class]) -> dict[Class, frozenset[str]]:
    """Names each class's body (or its methods, for ``self`` attributes) defines."""
    members: dict[Class, set[str]] = {}
    for module, summary in summaries.items():
        for definition in summary.definitions:
            owner, dot, name = definition.name.rpartition(".")
            if dot and (module, owner) in classes:
                members.setdefault((module, owner), set()).add(name)
    return {klass: frozenset(names) for klass, names in members.items()}


def _resolved_bases(
    summaries: Mapping[str, ModuleSummary], classes: set[Class],
    defined_target: Callable[[str], tuple[str, str] | None],
    followed: Callable[[str], tuple[str, ...]], sources: dict[Class, frozenset[str]],
) -> dict[Class, tuple[Class | str, ...]]:
    """Each project class with bases -> its bases: a project class, or the text of an unknown one
    (``sources``: each such class -> the other modules whose summaries decided that)."""
    resolved: dict[Class, tuple[Class | str, ...]] = {}
    for module, summary in summaries.items():
        imported = {imp.name: imp.target for imp in summary.imported_names if not imp.is_local}
        for definition in summary.definitions:
            if definition.kind != "class" or not definition.bases or definition.is_local:
                continue
            scope = definition.name.rpartition(".")[0]
            found: list[Class | str] = []
            consulted: set[str] = set()
            for base in definition.bases:
                klass = _base(module, scope, base, classes, imported, defined_target)
                target = _imported_name(base, imported)
                if target is not None:
                    consulted.update(followed(target))
                if klass is not None:
                    found.append(klass)
                elif _outside_name(base, imported) not in TRANSPARENT:
                    found.append(base)
            resolved[(module, definition.name)] = tuple(found)
            if consulted:
                sources[(module, definition.name)] = frozenset(consulted)
    return resolved


def _base(module: str, scope: str, base: str, classes: set[Class], imported: Mapping[str, str],
          defined_target: Callable[[str], tuple[str, str] | None]) -> Class | None:
    head = base.partition(".")[0]
    # A class of the enclosing class body, then of the module (Python's lookup from a class body).
    for prefix in ([f"{scope}."] if scope else []) + [""]:
        if (module, f"{prefix}{base}") in classes and (module, f"{prefix}{head}") in classes:
            return module, f"{prefix}{base}"
    target = _imported_name(base, imported)
    found = defined_target(target) if target is not None else None
    return found if found is not None and found in classes else None


def _imported_name(base: str, imported: Mapping[str, str]) -> str | None:
    """``nn.Module`` with ``from torch import nn`` is ``torch.nn.Module`` (``import a.b`` binds ``a.b``)."""
    parts = base.split(".")
    for end in range(len(parts), 0, -1):
        target = imported.get(".".join(parts[:end]))
        if target is not None:
            return ".".join([target, *parts[end:]])
    return None


def _outside_name(base: str, imported: Mapping[str, str]) -> str:
    """The absolute name of a base from outside the project (a builtin when nothing imports it)."""
    return _imported_name(base, imported) or base


def _mro(klass: Class, bases: Mapping[Class, tuple[Class | str, ...]],
         orders: dict[Class, tuple[Class | str, ...] | None], seen: tuple[Class, ...]) -> tuple[Class | str, ...] | None:
    """The C3 linearization of ``klass`` (unknown bases kept as their text); None when it has none
    (inconsistent orders, or a cycle of bases that only a broken project has)."""
    if klass in orders:
        return orders[klass]
    if klass in seen:
        return None
    sequences: list[list[Class | str]] = []
    for base in bases.get(klass, ()):
        if isinstance(base, str):
            sequences.append([base])
            continue
        order = _mro(base, bases, orders, (*seen, klass))
        if order is None:
            orders[klass] = None
            return None
        sequences.append(list(order))
    sequences.append(list(bases.get(klass, ())))
    result: list[Class | str] = [klass]
    while any(sequences):
        sequences = [sequence for sequence in sequences if sequence]
        head = next((seq[0] for seq in sequences if not any(seq[0] in other[1:] for other in sequences)), None)
        if head is None:
            orders[klass] = None
            return None
        result.append(head)
        sequences = [seq[1:] if seq[0] == head else seq for seq in sequences]
    orders[klass] = tuple(result)
    return orders[klass]
