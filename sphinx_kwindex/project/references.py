"""Where each use of a name leads in the project: references, statically (stage 3).

A file's uses (:mod:`sphinx_kwindex.uses`) name what they use as far as the
file knows: its own definitions, absolute names through its imports,
``self``/``cls``/``super()`` members of its classes. Here each is followed
through the project: packages' re-exports to the defining module, classes'
method resolution orders to the class defining a member, and a dotted chain
as far as it names definitions (``ir.Buffer.realize`` -> the method; a chain
running on past what is defined, ``config.x.y``, stops at the last definition
and counts as a read of it). A package that binds a submodule's name to
something imported from that submodule (``from .run import run``) shadows the
submodule: ``pkg.run`` and ``from pkg import run`` are that thing, as in
Python; ``import pkg.run`` still imports the module. Calling a class uses the
class and the ``__init__`` it runs. Uses of names outside the project, and
what cannot be followed statically, give no reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx_kwindex.model import ModuleSummary, Reference

if TYPE_CHECKING:
    from sphinx_kwindex.project.index import ProjectIndex


class UseResolver:
    """Turns modules' uses into references; remembers each module's definitions once."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.hierarchy = index.hierarchy()
        self._kinds: dict[str, dict[str, str]] = {}
        self._symbols: dict[tuple[str, str], tuple[str, bool] | None] = {}

    def references(self, summary: ModuleSummary) -> tuple[Reference, ...]:
        """The module's references, sorted by (line, target), without duplicates."""
        module = summary.module
        found: dict[tuple[int, str, str, str], None] = {}
        plain = {(imp.line, imp.module) for imp in summary.imports if not imp.names}  # import a.b
        for use in summary.uses:
            if use.kind == "import" and (use.line, use.symbol) in plain and self.index.get(use.symbol) is not None:
                resolved = (use.symbol, True)  # the module itself, whatever its package binds
            else:
                resolved = self.resolve(module, use.symbol)
            if resolved is None:
                continue
            target, whole = resolved
            kind = use.kind if whole or use.kind == "import" else "read"
            if target == module:
                continue  # the module's own name
            found.setdefault((use.line, target, use.scope, kind), None)
            if kind == "call" and self.kind_of(target) == "class":
                owner = self.hierarchy.owner(self.split(target), "__init__")
                if owner is not None:
                    found.setdefault((use.line, f"{owner[0]}.{owner[1]}.__init__", use.scope, "call"), None)
        return tuple(Reference(scope, line, target, kind) for line, target, scope, kind in sorted(found))

    def resolve(self, module: str, symbol: str) -> tuple[str, bool] | None:
        """(target, whether the whole chain was followed) of one symbol, or None."""
        key = (module, symbol)
        if key not in self._symbols:
            self._symbols[key] = self._resolve(module, symbol)
        return self._symbols[key]

    def _resolve(self, module: str, symbol: str) -> tuple[str, bool] | None:
        head = symbol[:1]
        if head == ".":
            return self.walk(module, "", _parts(symbol[1:]), module_read=False)
        if head in "@^":
            klass, _, rest = symbol[1:].partition(":")
            parts = rest.split(".")
            owner = self.hierarchy.owner((module, klass), parts[0], after=head == "^")
            if owner is None:
                return None
            return self.walk(owner[0], owner[1], parts, module_read=False)
        if head == "*":
            return self.star(symbol)
        target = self.index.defined_target(symbol)
        if target is None:
            return None
        found, qualname = target
        if not qualname:
            bound = self.shadowing(found)
            if bound is not None:
                return self.resolve(module, bound)
            return found, True  # a module, under its name or a package's
        return self.walk(found, "", qualname.split("."), module_read=True)

    def shadowing(self, module: str) -> str | None:
        """What ``pkg.name`` is when the package binds ``name`` (at module level) to something it
        imports from its submodule ``pkg.name`` itself: importing that submodule set the attribute
        first, the binding replaced it (``from .run import run``). None when it does not."""
        package, _, name = module.rpartition(".")
        summary = self.index.get(package)
        if summary is None or not summary.source.is_package or name in self.kinds(package):
            return None  # a package defining the name too: which one wins depends on the run
        for imported in summary.imported_names:
            if imported.name == name and not imported.is_local and imported.target.startswith(f"{module}."):
                return imported.target
        return None

    def star(self, symbol: str) -> tuple[str, bool] | None:
        """``*m1,m2:name.rest``: the last of the modules whose ``*`` binds ``name`` (Python's order)."""
        modules, _, dotted = symbol[1:].partition(":")
        name = dotted.partition(".")[0]
        for module in reversed(modules.split(",")):
            summary = self.index.get(module)
            if summary is None:
                continue
            exported = summary.all_names
            if exported is not None and name not in exported or exported is None and name.startswith("_"):
                continue
            if name in self.kinds(module) or any(i.name == name and not i.is_local for i in summary.imported_names):
                return self.resolve(module, f"{module}.{dotted}")
        return None

    def walk(self, module: str, qualname: str, parts: list[str], *, module_read: bool) -> tuple[str, bool] | None:
        """Follow ``parts`` from ``qualname`` of ``module`` (``""``: the module itself) through
        definitions and classes' members: the last definition reached, and whether every part was
        followed. A chain naming nothing of a module is a read of that module (``module_read``)."""
        current = (module, qualname)
        for part in parts:
            name = f"{current[1]}.{part}" if current[1] else part
            kinds = self.kinds(current[0])
            if name in kinds:
                current = (current[0], name)
                continue
            if current[1] and kinds.get(current[1]) == "class":
                owner = self.hierarchy.owner(current, part)
                if owner is not None:
                    current = (owner[0], f"{owner[1]}.{part}")
                    continue
            break
        else:
            return (f"{current[0]}.{current[1]}", True) if current[1] else None
        if not current[1]:
            return (current[0], False) if module_read else None
        return f"{current[0]}.{current[1]}", False

    def kinds(self, module: str) -> dict[str, str]:
        """Qualified name -> kind of every definition of ``module``."""
        if module not in self._kinds:
            summary = self.index.get(module)
            self._kinds[module] = {d.name: d.kind for d in summary.definitions} if summary is not None else {}
        return self._kinds[module]

    def kind_of(self, target: str) -> str | None:
        module, qualname = self.split(target)
        return self.kinds(module).get(qualname)

    def split(self, target: str) -> tuple[str, str]:
        found = self.index.split_target(target)
        return found if found is not None else (target, "")


def _parts(dotted: str) -> list[str]:
    """The steps of a qualified name: ``f.<locals>.g.x`` is ``f``, ``<locals>.g``, ``x``."""
    parts: list[str] = []
    for part in dotted.split("."):
        if parts and parts[-1] == "<locals>":
            parts[-1] = f"<locals>.{part}"
        else:
            parts.append(part)
    return parts
