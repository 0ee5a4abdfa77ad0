"""Every digest the extension keeps: of file contents, of its own code, of the runtime, of values.

Page digests, caches and ``kwindex.json`` use these, so what an older (or
locally edited) version of the extension, or another astroid or Python,
produced is never mistaken for current after an upgrade.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import operator
import sys
import typing
from pathlib import Path

import astroid

import sphinx_kwindex

#: The parser and interpreter a summary depends on (the tree astroid builds depends on both).
RUNTIME = {
    "astroid": astroid.__version__,
    "python": f"{sys.implementation.name} {'.'.join(map(str, sys.version_info[:3]))}",
}

#: Modules whose code decides what a summary holds (the analysis cache survives edits elsewhere).
_ANALYSIS_MODULES = ("analyse.py", "model.py")


def content_digest(data: bytes) -> str:
    """The hash that identifies a file's content (for caches and incremental builds)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def value_digest(value: object) -> str:
    """A digest of a value built of tuples, lists, str-keyed dicts, strings, numbers and data classes.

    Equal values give equal digests in every process (views, ranking inputs). Not
    pickle: its memo makes the bytes depend on which equal strings are one object.
    """
    text = json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"), check_circular=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _plain(value: object) -> object:
    """``value`` with every data class as ``[class name, *field values]`` (what JSON can write).

    A sequence of one data class is converted by ``attrgetter`` in C, row by row:
    a page's view holds thousands of definitions.
    """
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is tuple or kind is list:
        types = set(map(type, value))
        if types <= _ATOMS:
            return value
        if len(types) == 1:
            (item,) = types
            if dataclasses.is_dataclass(item):
                names, flat = _layout(item)
                rows = map(operator.attrgetter(*names), value) if len(names) > 1 else (
                    (getattr(row, names[0]),) for row in value)
                return [item.__qualname__, *(rows if flat else map(_plain, rows))]
        return [_plain(part) for part in value]
    if kind is dict:
        return {key: _plain(part) for key, part in value.items()}
    if dataclasses.is_dataclass(kind):
        names, _ = _layout(kind)
        return [kind.__qualname__, *(_plain(getattr(value, name)) for name in names)]
    if isinstance(value, str):  # a str enum
        return str(value)
    raise TypeError(f"cannot digest a {kind.__name__}")


@functools.cache
def _layout(cls: type) -> tuple[tuple[str, ...], bool]:
    """A data class's field names, and whether every field is a plain str, int, float, bool or None."""
    hints = typing.get_type_hints(cls)
    names = tuple(field.name for field in dataclasses.fields(cls))
    flat = all(set(typing.get_args(hints[name]) or (hints[name],)) <= _ATOMS for name in names)
    return names, flat


@functools.cache
def code_digest() -> str:
    """This package's version and source, and the parser and interpreter its analysis depends on."""
    return _package_digest(sorted(_package().rglob("*.py")))


@functools.cache
def analysis_digest() -> str:
    """The part of :func:`code_digest` that summaries depend on (what the analysis cache keys on)."""
    return _package_digest([_package() / name for name in _ANALYSIS_MODULES])


def _package() -> Path:
    return Path(sphinx_kwindex.__file__).parent


def _package_digest(files: list[Path]) -> str:
    runtime = f"{sphinx_kwindex.__version__}\0{astroid.__version__}\0{sys.implementation.name} {sys.version}"
    hasher = hashlib.blake2b(runtime.encode(), digest_size=8)
    package = _package()
    for path in files:
        hasher.update(path.relative_to(package).as_posix().encode())
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(b"\0missing")
    return hasher.hexdigest()
