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
import sys
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


def text_digest(*parts: str) -> str:
    """A short digest of some strings (order matters)."""
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def value_digest(value: object) -> str:
    """A digest of a value built of tuples, lists, str-keyed dicts, strings, numbers and data classes.

    Equal values give equal digests in every process (views, ranking inputs). Not
    pickle: its memo makes the bytes depend on which equal strings are one object.
    """
    text = json.dumps(value, default=_fields_of, ensure_ascii=False, separators=(",", ":"), check_circular=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields_of(obj: object) -> list:
    """A data class as its class name and field values (what the JSON encoder cannot write itself)."""
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"cannot digest a {cls.__name__}")
        names = _FIELD_NAMES[cls] = tuple(field.name for field in dataclasses.fields(cls))
    return [cls.__qualname__, *[getattr(obj, name) for name in names]]


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
