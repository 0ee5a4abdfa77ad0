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
import os
import sys
import time
import typing
from pathlib import Path

import astroid

import sphinx_kwindex
from sphinx_kwindex.model import ModuleSummary, SourceFile

#: The parser and interpreter a summary depends on (the tree astroid builds depends on both).
RUNTIME = {
    "astroid": astroid.__version__,
    "python": f"{sys.implementation.name} {'.'.join(map(str, sys.version_info[:3]))}",
}

#: A file modified this recently may change again within the same clock tick: its stamp is not trusted.
RECENT_SECONDS = 2.0
#: What tells that a file is unchanged without reading it, as git's index does: modification and change
#: times (ns), size, inode.
Stamp = tuple[int, int, int, int]


def file_stamp(status: os.stat_result) -> Stamp:
    """The file's :data:`Stamp`, from its ``stat``."""
    return (status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino)


def settled_before() -> int:
    """The time (ns) before which a file's last change must lie for its stamp to be kept: taken when
    an operation starts, so files it writes itself are read once more the next time."""
    return time.time_ns() - int(RECENT_SECONDS * 1e9)


def is_settled(status: os.stat_result, before: int) -> bool:
    """Whether the file's last change lies before ``before`` (see :func:`settled_before`): its stamp can be kept."""
    return max(status.st_mtime_ns, status.st_ctime_ns) < before


#: Modules whose code decides what a summary holds, and how the analysis cache stores it (the cache
#: survives edits elsewhere).
_ANALYSIS_MODULES = ("analyse.py", "uses.py", "model.py", "runner/cache.py")


def content_digest(data: bytes) -> str:
    """The hash that identifies a file's content (for caches and incremental builds)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def value_digest(value: object) -> str:
    """A digest of a value built of tuples, lists, str-keyed dicts, strings, numbers and data classes.

    Equal values give equal digests in every process (views, ranking inputs). Not
    pickle: its memo makes the bytes depend on which equal strings are one object.
    A module summary is digested by its identity (:func:`summary_identity`), not its content.
    """
    text = json.dumps(_bulk(value), default=_as_row, ensure_ascii=False, separators=(",", ":"),
                      check_circular=False, sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def plain_digest(value: tuple) -> str:
    """A digest of a value made only of tuples, strings, integers, floats, booleans, None and data
    classes with their generated ``repr``, through its ``repr`` (in C for all but the data classes,
    and the same in every process): for large plain data such as every place the project uses a
    module's definitions, which :func:`value_digest` walks in Python."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _bulk(value: object) -> object:
    """``value`` with each tuple of one data class (a view's 75,000 definitions...) turned into rows
    by one C ``attrgetter`` call each, through tuples and data classes; the rest is left to JSON."""
    kind = type(value)
    if kind is ModuleSummary:
        return summary_identity(value)
    if kind is tuple and value:
        item = type(value[0])
        if item is not ModuleSummary and dataclasses.is_dataclass(item) and all(type(part) is item for part in value):
            return [item.__qualname__, *map(_getter(item), value)]
        return [_bulk(part) for part in value]
    if dataclasses.is_dataclass(kind) and not isinstance(value, type):
        return [kind.__qualname__, *map(_bulk, _getter(kind)(value))]
    return value


def _as_row(value: object) -> list:
    """What the JSON encoder cannot write itself (a data class inside a list or dict): its row."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"cannot digest a {type(value).__name__}")
    if type(value) is ModuleSummary:
        return summary_identity(value)
    return [type(value).__qualname__, *_getter(type(value))(value)]


def summary_identity(summary: ModuleSummary) -> list:
    """What a summary is a function of: its file (every field), the file's content digest and the
    analysis code and runtime. The analysis cache rests on the same fact; a summary without a
    content digest (a file that could not be read) is digested whole."""
    if not summary.digest:
        return ["ModuleSummary", *map(_bulk, _getter(ModuleSummary)(summary))]
    return ["ModuleSummary:identity", *_getter(SourceFile)(summary.source), summary.digest, analysis_digest()]


@functools.cache
def _getter(cls: type) -> typing.Callable[[object], tuple]:
    """A data class instance -> the tuple of its values, a field declared as a data class read
    through dotted names (``imported.name``), in one C call (a summary stays whole: it is
    digested by its identity)."""
    paths = _paths(cls)
    getter = operator.attrgetter(*paths)
    return getter if len(paths) > 1 else (lambda value: (getter(value),))


def _paths(cls: type) -> tuple[str, ...]:
    hints = typing.get_type_hints(cls)
    paths: list[str] = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint) and hint is not ModuleSummary:
            paths += [f"{field.name}.{path}" for path in _paths(hint)]
        else:
            paths.append(field.name)
    return tuple(paths)


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
