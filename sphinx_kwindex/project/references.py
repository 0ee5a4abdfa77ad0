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
class and the ``__init__`` it runs. A member of a value of known type
(``~type|member``), and a chain going on past a variable, attribute or property
whose value type is known (``self.code.getargs``), are followed through that
type's class, when it names exactly one project class (a function's return
annotation for what calling it gives). Uses of names outside the project, and
what cannot be followed statically, give no reference.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.store import loads, valid_rows

if TYPE_CHECKING:
    from sphinx_kwindex.project.index import ProjectIndex

#: A reference as a plain row: (scope, line, target, kind) (see :class:`~sphinx_kwindex.model.Reference`).
Row = tuple[str, int, str, str]


class UseResolver:
    """Turns modules' uses into references; remembers each module's definitions once.

    It also notes which modules' summaries each module's references were read from
    (:meth:`references`), so a later build resolves again only the modules whose uses, or
    whose sources' definitions, changed (:func:`update_references`).
    """

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.hierarchy = index.hierarchy()
        self._kinds: dict[str, dict[str, str]] = {}
        self._types: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {}
        #: (module, symbol) -> (what it resolves to, the modules that decided it)
        self._symbols: dict[tuple[str, str], tuple[tuple[str, bool] | None, frozenset[str]]] = {}
        #: the modules read for what is being resolved
        self._read: set[str] = set()
        #: attribute names some module assigns otherwise than in its class's methods
        self.elsewhere = index.assigned_elsewhere()
        #: the symbols being resolved, and how many times one was met again (see :meth:`resolve`)
        self._resolving: set[tuple[str, str]] = set()
        self._cuts = 0

    def references(self, summary: ModuleSummary) -> tuple[tuple[Row, ...], frozenset[str]]:
        """The module's references as rows, sorted by (line, target), without duplicates; and the
        modules whose summaries they were read from (the module itself included)."""
        module = summary.module
        self._read = {module}
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
                owner = self.owner(self.split(target), "__init__")
                if owner is not None:
                    found.setdefault((use.line, f"{owner[0]}.{owner[1]}.__init__", use.scope, "call"), None)
        rows = tuple((scope, line, target, kind) for line, target, scope, kind in sorted(found))
        return rows, frozenset(self._read)

    def resolve(self, module: str, symbol: str) -> tuple[str, bool] | None:
        """(target, whether the whole chain was followed) of one symbol, or None.

        Value types can go round (``self.node = self.node.parent``): a symbol met again while it
        is being resolved gives nothing there, and what was resolved with such a cut is not
        remembered, so each symbol's answer is the same whatever was resolved before it."""
        key = (module, symbol)
        known = self._symbols.get(key)
        if known is None:
            if key in self._resolving or len(self._resolving) > _RESOLVING_DEPTH:
                self._cuts += 1
                return None
            outer, self._read = self._read, set()
            cuts = self._cuts
            self._resolving.add(key)
            try:
                known = (self._resolve(module, symbol), frozenset(self._read))
            finally:
                self._resolving.discard(key)
                self._read = outer
            if self._cuts == cuts:
                self._symbols[key] = known
        self._read |= known[1]
        return known[0]

    def owner(self, klass: tuple[str, str], name: str, after: bool = False) -> tuple[str, str] | None:
        """:meth:`Hierarchy.owner <sphinx_kwindex.project.inheritance.Hierarchy.owner>`, noting what it read."""
        self._read |= self.hierarchy.sources(klass)
        return self.hierarchy.owner(klass, name, after)

    def _resolve(self, module: str, symbol: str) -> tuple[str, bool] | None:
        head = symbol[:1]
        if head == ".":
            return self.walk(module, "", _parts(symbol[1:]), module_read=False)
        if head in "@^":
            klass, _, rest = symbol[1:].partition(":")
            parts = rest.split(".")
            owner = self.owner((module, klass), parts[0], after=head == "^")
            if owner is None:
                return None
            return self.walk(owner[0], owner[1], parts, module_read=False)
        if head == "*":
            return self.star(symbol)
        if head == "~":
            value, _, rest = symbol[1:].rpartition("|")
            klass = self.instance_class(module, value)
            if klass is None:
                return None
            parts = rest.split(".")
            owner = self.owner(klass, parts[0])
            if owner is None:
                return None
            return self.walk(owner[0], owner[1], parts, module_read=False)
        target = self.index.defined_target(symbol)
        self._read.update(self.index.followed(symbol))
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
            self._read.add(module)
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
            kind = kinds.get(current[1]) if current[1] else None
            if kind == "class":
                owner = self.owner(current, part)
                if owner is not None:
                    current = (owner[0], f"{owner[1]}.{part}")
                    continue
            elif kind is not None:  # a variable, attribute or property: through its value's class
                klass = self.held_class(current)
                owner = self.owner(klass, part) if klass is not None else None
                if owner is not None:
                    current = (owner[0], f"{owner[1]}.{part}")
                    continue
            break
        else:
            return (f"{current[0]}.{current[1]}", True) if current[1] else None
        if not current[1]:
            return (current[0], False) if module_read else None
        return f"{current[0]}.{current[1]}", False

    def instance_class(self, module: str, value: str, depth: int = 0) -> tuple[str, str] | None:
        """The project class (module, qualname) whose instance a type symbol of ``module``'s code
        gives (:class:`~sphinx_kwindex.model.ValueType`), or None."""
        if depth > _TYPE_DEPTH:
            return None
        if value.startswith("="):
            resolved = self.resolve(module, value[1:])
            if resolved is None or not resolved[1]:
                return None
            target = self.split(resolved[0])
            return self.held_class(target, depth) if self.kinds(target[0]).get(target[1]) != "class" \
                else None  # the class itself, not an instance
        called = value.endswith("()")
        resolved = self.resolve(module, value[:-2] if called else value)
        if resolved is None or not resolved[1]:
            return None
        target = self.split(resolved[0])
        kind = self.kinds(target[0]).get(target[1])
        if kind == "class":
            return target
        if called and kind in ("function", "method"):
            return self.typed_class(target, "returns", depth)
        return None

    def held_class(self, definition: tuple[str, str], depth: int = 0) -> tuple[str, str] | None:
        """The class of what a variable, attribute or property holds: its declared type, else the
        type inferred from its assignments, unless some module assigns that name on other objects
        (``obj.name = ...``: what it holds is then not only what its own module says)."""
        if (definition[1], "holds") in self.types(definition[0]):
            return self.typed_class(definition, "holds", depth)
        if definition[1].rpartition(".")[2] in self.elsewhere:
            return None
        return self.typed_class(definition, "assigned", depth)

    def typed_class(self, definition: tuple[str, str], how: str, depth: int) -> tuple[str, str] | None:
        """The one class every value type of a definition gives, or None (at the first type giving
        none, or a second class)."""
        module, qualname = definition
        types = self.types(module).get((qualname, how))
        if not types:
            return None
        found = None
        for value in types:
            klass = self.instance_class(module, value, depth + 1)
            if klass is None or found is not None and klass != found:
                return None
            found = klass
        return found

    def types(self, module: str) -> dict[tuple[str, str], tuple[str, ...]]:
        """(qualified name, how) -> the value types of ``module``'s definitions."""
        self._read.add(module)
        if module not in self._types:
            summary = self.index.get(module)
            found: dict[tuple[str, str], tuple[str, ...]] = {}
            for value_type in summary.value_types if summary is not None else ():
                key = (value_type.name, value_type.how)
                found[key] = (*found.get(key, ()), value_type.type)
            self._types[module] = found
        return self._types[module]

    def kinds(self, module: str) -> dict[str, str]:
        """Qualified name -> kind of every definition of ``module``."""
        self._read.add(module)
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


def assigned_elsewhere(summaries) -> frozenset[str]:
    """The attribute names the project assigns otherwise than by its classes' own methods."""
    return frozenset(t.name for summary in summaries for t in summary.value_types if t.how == "elsewhere")


#: How many symbols deep one resolution goes (value types lead from one symbol to another).
_RESOLVING_DEPTH = 16
#: How many value types deep a type is followed (``a`` holds ``=b``, ``b`` holds ``f()``...).
_TYPE_DEPTH = 6


def _parts(dotted: str) -> list[str]:
    """The steps of a qualified name: ``f.<locals>.g.x`` is ``f``, ``<locals>.g``, ``x``."""
    parts: list[str] = []
    for part in dotted.split("."):
        if parts and parts[-1] == "<locals>":
            parts[-1] = f"<locals>.{part}"
        else:
            parts.append(part)
    return parts


# -- references kept between builds ----------------------------------------------------

#: What a module's uses are a function of: (content digest, project-relative path, package, test, stub).
ContentKey = tuple[str, str, bool, bool, bool]


@dataclass(frozen=True)
class ReferenceState:
    """Every module's references and what they were resolved from, kept for the next build."""

    #: digest of the project's module names (another set of modules resolves everything again)
    names: str
    #: module -> (its content key, digest of what resolving any module may read of it)
    interfaces: dict[str, tuple[ContentKey, str]]
    #: module -> (its content key, the modules its references were read from, its references,
    #: their digest)
    references: dict[str, tuple[ContentKey, tuple[str, ...], tuple[Row, ...], str]]
    #: module -> its references pickled on their own, as read from the store (saved again as they are)
    encoded: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def digest(self) -> str:
        """Changes whenever any module's references do (and only then)."""
        hasher = hashlib.blake2b(digest_size=16)
        for module, entry in self.references.items():
            hasher.update(f"{module}\0{entry[3]}\0".encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def stored(self) -> tuple:
        """What the store keeps: each module's references pickled on their own, so an edit
        re-encodes only the modules it resolved again (on PyTorch, 14 MB of them)."""
        entries = {}
        for module, (key, read, rows, digest) in self.references.items():
            blob = self.encoded.get(module)
            if blob is None:
                blob = self.encoded[module] = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
            entries[module] = (key, read, blob, digest)
        return (self.names, self.interfaces, entries)

    @classmethod
    def from_stored(cls, value: object) -> ReferenceState | None:
        """The state :meth:`stored` gave, or None when ``value`` is not one (stored data is checked)."""
        try:
            return cls._from_stored(value)
        except Exception:  # noqa: BLE001 - checking planted data can raise anything: not used
            return None

    @classmethod
    def _from_stored(cls, value: object) -> ReferenceState | None:
        if not (isinstance(value, tuple) and len(value) == 3):
            return None
        names, interfaces, entries = value
        if not (isinstance(names, str) and isinstance(interfaces, dict) and isinstance(entries, dict)):
            return None
        for module, (key, digest) in interfaces.items():
            if not (isinstance(module, str) and _valid_key(key) and isinstance(digest, str)):
                return None
        references, encoded = {}, {}
        for module, (key, read, blob, digest) in entries.items():
            if not (isinstance(module, str) and _valid_key(key) and isinstance(read, tuple)
                    and all(map(isinstance, read, repeat(str))) and type(blob) is bytes
                    and isinstance(digest, str)):
                return None
            rows = loads(blob)
            if not _valid_rows(rows):
                return None
            references[module] = (key, read, rows, digest)
            encoded[module] = blob
        return cls(names, interfaces, references, encoded)


def content_key(summary: ModuleSummary) -> ContentKey:
    source = summary.source
    return (summary.digest, source.path, source.is_package, source.is_test, source.is_stub)


def interface_digest(summary: ModuleSummary) -> str:
    """Digest of all that resolving uses reads of a module: its definitions (names, kinds, bases,
    value types), the names it imports, ``__all__`` and whether it is a package."""
    parts = [f"{summary.source.is_package}\0{summary.all_names!r}"]
    parts += [f"d{d.name}\0{d.kind}\0{d.bases!r}" for d in summary.definitions]
    parts += [f"i{i.name}\0{i.target}\0{i.is_module}\0{i.is_local}" for i in summary.imported_names]
    parts += [f"t{t.name}\0{t.how}\0{t.type}" for t in summary.value_types]
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def update_references(
    index: ProjectIndex, previous: ReferenceState | None = None,
) -> tuple[ReferenceState, set[str] | None]:
    """Every module's references, taken from ``previous`` for each module whose content is the same
    and none of whose sources' interfaces changed, resolved again for the others: exactly what
    resolving everything gives. Returns the state to keep and the modules resolved again (None: all)."""
    modules = index.modules
    # which names are assigned on other objects decides value types anywhere: a change resolves all again
    everything = [*modules, "\0", *sorted(index.assigned_elsewhere())]
    names = hashlib.blake2b("\n".join(everything).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    if previous is not None and previous.names != names:
        previous = None
    old_interfaces = previous.interfaces if previous is not None else {}
    old_references = previous.references if previous is not None else {}
    interfaces: dict[str, tuple[ContentKey, str]] = {}
    changed: set[str] = set()
    for module, summary in modules.items():
        key = content_key(summary)
        old = old_interfaces.get(module)
        if old is not None and old[0] == key:
            interfaces[module] = old
        else:
            interfaces[module] = (key, interface_digest(summary))
            if old is None or old[1] != interfaces[module][1]:
                changed.add(module)
    resolver: UseResolver | None = None
    references: dict[str, tuple[ContentKey, tuple[str, ...], tuple[Row, ...], str]] = {}
    stale: set[str] = set()
    encoded: dict[str, bytes] = {}
    for module, summary in modules.items():
        old = old_references.get(module)
        if old is not None and old[0] == interfaces[module][0] and changed.isdisjoint(old[1]):
            references[module] = old
            if module in previous.encoded:
                encoded[module] = previous.encoded[module]
            continue
        if resolver is None:
            resolver = UseResolver(index)
        rows, read = resolver.references(summary)
        digest = hashlib.blake2b(repr(rows).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        references[module] = (interfaces[module][0], tuple(sorted(read)), rows, digest)
        stale.add(module)
    return ReferenceState(names, interfaces, references, encoded), (stale if previous is not None else None)


def _valid_rows(rows: object) -> bool:
    """A tuple of (scope, line, target, kind) rows."""
    return valid_rows(rows, _ROW_TYPES)


_ROW_TYPES = (str, int, str, str)
_KEY_TYPES = (str, str, bool, bool, bool)


def _valid_key(key: object) -> bool:
    return isinstance(key, tuple) and tuple(map(type, key)) == _KEY_TYPES

