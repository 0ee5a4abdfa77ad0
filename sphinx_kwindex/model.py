"""Plain, picklable data that flows between the stages (no Sphinx, no astroid).

``find`` yields :class:`SourceFile`; ``analyse`` turns one file into a
:class:`ModuleSummary`; the project index and the renderer only ever read these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import starmap

#: The type of every warning the extension gives (``suppress_warnings = ["kwindex"]`` silences all).
WARNING_TYPE = "kwindex"


class Subtype(StrEnum):
    """Warning subtypes (``suppress_warnings = ["kwindex.syntax-error"]``); the docs list them all."""

    # Finding files
    UNREADABLE = "unreadable"
    BAD_MODULE_NAME = "bad-module-name"
    DUPLICATE_MODULE = "duplicate-module"
    BROKEN_SYMLINK = "broken-symlink"
    SYMLINK_OUTSIDE = "symlink-outside"
    # Analysing one file
    TOO_LARGE = "too-large"
    ENCODING = "encoding"
    SYNTAX_ERROR = "syntax-error"
    TOO_COMPLEX = "too-complex"
    ANALYSIS_ERROR = "analysis-error"
    BAD_IMPORT = "bad-import"
    # Pages
    UNKNOWN_MODULE = "unknown-module"
    BAD_OPTION = "bad-option"
    UNKNOWN_KEYWORD_PAGE = "unknown-keyword-page"
    GENERATE_CONFLICT = "generate-conflict"
    # Pictures
    NO_DOT = "no-dot"  # ``kwindex_pictures = True`` and Graphviz's ``dot`` is missing

#: Keyword kinds, in the order pages show them.
KINDS = ("class", "function", "method", "attribute", "variable", "import")

#: Headings for each kind (plural, as a reader expects).
KIND_TITLES = {
    "class": "Classes",
    "function": "Functions",
    "method": "Methods",
    "attribute": "Attributes",
    "variable": "Variables and constants",
    "import": "Imports",
}

#: Singular nouns for counts ("3 classes, 1 import").
KIND_NOUNS = {
    "class": "class",
    "function": "function",
    "method": "method",
    "attribute": "attribute",
    "variable": "variable",
    "import": "import",
}


def count_of(count: int, noun: str) -> str:
    """``1 class``, ``2 classes``, ``1,024 lines``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {noun}es" if noun.endswith(("ss", "sh", "ch")) else f"{count:,} {noun}s"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One Python file found under a source root, and the module name it gets."""

    module: str
    #: absolute path on this machine (never published)
    abspath: str
    #: POSIX path relative to the project root (what pages and JSON show)
    path: str
    is_package: bool = False
    is_test: bool = False
    is_stub: bool = False


@dataclass(frozen=True, slots=True)
class Definition:
    """A class, function, method, attribute or variable defined in a file."""

    #: Python's ``__qualname__``: ``Outer.Inner.method``, ``f.<locals>.g``
    name: str
    kind: str
    line: int
    #: ``(a, b=1) -> int`` for callables, ``(Base)`` for classes, ``: int`` for annotated names
    signature: str = ""
    #: first line of the docstring
    doc: str = ""
    #: classes: each base as written, when it is a dotted name (``Base``, ``abc.ABC``; ``Generic[T]``
    #: gives ``Generic``); other expressions are left out
    bases: tuple[str, ...] = ()

    @property
    def is_local(self) -> bool:
        return "<locals>" in self.name


@dataclass(frozen=True, slots=True)
class ImportedName:
    """A name an import statement binds, and the absolute name it refers to."""

    #: the bound name (``np`` for ``import numpy as np``; ``os.path`` for ``import os.path``)
    name: str
    #: absolute dotted target (``numpy``, ``typing.Any``, ``pkg.sub.mod.Thing``)
    target: str
    line: int
    #: the statement imports a module (``import x``), not a name from one
    is_module: bool = False
    #: bound inside a function or class body rather than at module level
    is_local: bool = False


@dataclass(frozen=True, slots=True)
class Import:
    """One import statement, with a relative module resolved to an absolute one."""

    module: str
    names: tuple[str, ...]
    line: int
    is_local: bool = False


@dataclass(frozen=True, slots=True)
class Use:
    """A name the code uses, resolved as far as its file allows (:mod:`sphinx_kwindex.uses`)."""

    #: ``__qualname__`` of the innermost enclosing class or def (``""``: module level)
    scope: str
    line: int
    #: ``.qualname.rest`` (this file's definition), ``pkg.mod.Name.rest`` (through an import),
    #: ``@Class:rest`` (``self``/``cls`` in a method of ``Class``), ``^Class:rest`` (``super()``),
    #: ``*m1,m2:name.rest`` (a name only ``from m1 import *`` or ``from m2 import *`` may bind),
    #: ``~type|rest`` (a member of a value whose type is known: a type symbol of :class:`ValueType`)
    symbol: str
    #: ``call``, ``base``, ``decorator``, ``annotation``, ``import`` or ``read``
    kind: str
    #: column of the name (or chain) that makes the first such use on the line; -1 where the
    #: code has no name for it (an import's names, a string annotation)
    column: int = -1


class UseRows(Sequence[Use]):
    """A summary's uses as read from the analysis cache: plain (scope, line, symbol, kind, column) rows,
    made :class:`Use` objects only when iterated. Most builds never look at them (the references
    of unchanged modules are kept), and on PyTorch decoding 400,000 objects took half a second.

    :meth:`packed` rows stay encoded until something reads them: decoding and checking every
    module's rows was 0.4 s of each PyTorch edit rebuild, which reads the rows of the edited
    module only.
    """

    __slots__ = ("_blob", "_decode", "_rows")

    def __init__(self, rows: tuple[tuple[str, int, str, str, int], ...]) -> None:
        self._rows = rows
        self._blob: bytes | None = None
        self._decode: Callable[[bytes], tuple[tuple[str, int, str, str, int], ...]] | None = None

    @classmethod
    def packed(cls, blob: bytes, decode: Callable[[bytes], tuple[tuple[str, int, str, str, int], ...]]) -> UseRows:
        """Rows that are ``decode(blob)``, decoded the first time they are read."""
        rows = cls(())
        rows._blob, rows._decode = blob, decode
        return rows

    @property
    def rows(self) -> tuple[tuple[str, int, str, str, int], ...]:
        if self._decode is not None:
            self._rows = self._decode(self._blob)  # type: ignore[arg-type]
            self._decode = self._blob = None
        return self._rows

    def blob(self) -> bytes | None:
        """The encoded rows, while they are not decoded (None once they are)."""
        return self._blob

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(starmap(Use, self.rows[index]))
        return Use(*self.rows[index])

    def __iter__(self) -> Iterator[Use]:
        return starmap(Use, self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UseRows):
            return self.rows == other.rows
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"UseRows({self.rows!r})"

    def __reduce__(self):
        return UseRows, (self.rows,)


@dataclass(frozen=True, slots=True)
class ValueType:
    """What the value of one of the file's definitions is, as far as its code says statically: the
    project index turns ``type`` into a class (:mod:`sphinx_kwindex.project.references`)."""

    #: ``__qualname__`` of the definition (a variable, an attribute, a function, a property)
    name: str
    #: ``holds``: reading it gives a value of the declared type (annotated variables, attributes,
    #: properties); ``assigned``: of the type every assignment gives (inferred); ``returns``:
    #: calling it does (functions, methods); ``elsewhere``: ``name`` is an attribute name the
    #: file assigns on other objects (``type`` empty)
    how: str
    #: a type symbol, from a symbol ``S`` as :class:`Use` writes them: ``S`` (an instance of the
    #: class ``S`` names: an annotation), ``S()`` (what calling ``S`` gives), ``=S`` (the value ``S``
    #: holds); a definition with several rows is typed only when they all give the same class
    type: str


@dataclass(frozen=True, slots=True)
class NotableCall:
    """A call worth knowing about when reviewing a file (``eval``, ``pickle.load``...)."""

    kind: str
    call: str
    line: int


@dataclass(frozen=True, slots=True)
class Reference:
    """A use of a definition (or module) of the analysed project, from one module's code."""

    #: ``__qualname__`` of the innermost enclosing class or def in the using module (``""``: module level)
    scope: str
    line: int
    #: a project module, or a module + ``.`` + the ``__qualname__`` of one of its definitions
    target: str
    #: ``call``, ``base``, ``decorator``, ``annotation``, ``import`` or ``read``
    kind: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a source file; becomes one located warning."""

    subtype: Subtype
    message: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    """Everything the later stages need to know about one module."""

    source: SourceFile
    #: hash of the file's bytes
    digest: str
    lines: int = 0
    size: int = 0
    #: first line of the module docstring
    doc: str = ""
    definitions: tuple[Definition, ...] = ()
    imported_names: tuple[ImportedName, ...] = ()
    imports: tuple[Import, ...] = ()
    #: ``__all__`` when it is a literal list or tuple of strings
    all_names: tuple[str, ...] | None = None
    #: sorted identifier names used in the file (for "shares identifiers")
    identifiers: tuple[str, ...] = ()
    has_main_block: bool = False
    notable_calls: tuple[NotableCall, ...] = ()
    #: what the code uses by name, sorted by line (the project index resolves them to references);
    #: :class:`UseRows` in a summary from the analysis cache
    uses: tuple[Use, ...] | UseRows = ()
    #: what the values of its definitions are, where the code says (annotations, ``Class()``)
    value_types: tuple[ValueType, ...] = ()
    #: the file could not be parsed: no definitions, see ``problems``
    parse_failed: bool = False
    problems: tuple[Problem, ...] = field(default=())

    @classmethod
    def failed(cls, source: SourceFile, problem: Problem, digest: str = "", *, size: int = 0,
               lines: int = 0) -> ModuleSummary:
        """The summary of a file that could not be read or analysed: no keywords, one problem."""
        return cls(source, digest, lines=lines, size=size, parse_failed=True, problems=(problem,))

    @property
    def module(self) -> str:
        return self.source.module

    @property
    def path(self) -> str:
        return self.source.path
