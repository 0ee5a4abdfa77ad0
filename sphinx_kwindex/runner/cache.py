"""A persistent cache of module summaries, keyed by file content, in one file per project.

One file written once per build measured fastest at torch scale (2320 summaries:
see ``benchmarks/README.rst``). It holds each summary as its own pickle, so a
build that re-analyses one file re-encodes one summary, not all of them, and
summaries are decoded only when asked for. Anything unexpected in it (damage,
truncation, another version of us, astroid or Python) makes the file be ignored
with one info message and rebuilt: it is never trusted and never raises.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import io
import json
import os
import pickle
import sys
import time
import typing
from collections.abc import Callable, Iterable
from pathlib import Path

import astroid

import sphinx_kwindex
from sphinx_kwindex import model
from sphinx_kwindex.atomic import write_atomic
from sphinx_kwindex.model import ModuleSummary, SourceFile
from sphinx_kwindex.runner.safe_pickle import safe_loads

#: Bump when the file layout below changes.
CACHE_FORMAT = 2
CACHE_NAME = "kwindex-analysis.cache"
_MAGIC = b"sphinx-kwindex analysis cache\n"
_TEMP_PREFIX = ".kwindex-analysis-"
_TEMP_SUFFIX = ".tmp"
#: A temporary file older than this is left over by a killed build (a write takes well under a second).
STALE_TEMP_SECONDS = 600

#: ``(digest, module, path, is_package, is_test, is_stub)``: everything the summary depends on,
#: but not the absolute path, so a cache survives moving the checkout (CI workspaces).
EntryKey = tuple[str, str, str, bool, bool, bool]
_KEY_TYPES = (str, str, str, bool, bool, bool)


#: The parser and interpreter the summaries come from (the tree astroid builds depends on both).
RUNTIME = {
    "astroid": astroid.__version__,
    "python": f"{sys.implementation.name} {'.'.join(map(str, sys.version_info[:3]))}",
}


def cache_header() -> dict[str, str | int]:
    """What must match for cached summaries to be used: our versions, astroid's and Python's."""
    return {
        "format": CACHE_FORMAT,
        "sphinx_kwindex": sphinx_kwindex.__version__,
        # Edits to the analysis between releases change results too, so they invalidate the cache.
        "analysis_code": _analysis_code_digest(),
        **RUNTIME,
    }


def _analysis_code_digest() -> str:
    folder = Path(sphinx_kwindex.__file__).parent
    hasher = hashlib.blake2b(digest_size=8)
    for name in ("analyse.py", "model.py"):
        try:
            hasher.update((folder / name).read_bytes())
        except OSError:
            hasher.update(name.encode())
    return hasher.hexdigest()


def entry_key(source: SourceFile, digest: str) -> EntryKey:
    return (digest, source.module, source.path, source.is_package, source.is_test, source.is_stub)


class AnalysisCache:
    """Summaries from the last build under ``folder``; :meth:`save` replaces them atomically."""

    def __init__(self, folder: Path, info: Callable[[str], None], entries: dict[EntryKey, bytes] | None = None,
                 *, rewrite: bool = False, reported_io: bool = False) -> None:
        self.folder = folder
        self.path = folder / CACHE_NAME
        self.info = info
        #: entry key -> the summary, pickled on its own
        self.entries = entries or {}
        self.reported_damage = False
        #: the file on disk is unusable and must be replaced even if nothing changed
        self.rewrite = rewrite
        #: an I/O problem with the folder was reported already (don't report it again on save)
        self.reported_io = reported_io

    @classmethod
    def load(cls, folder: Path, info: Callable[[str], None] = lambda message: None) -> AnalysisCache:
        """The cache stored under ``folder``; empty (and reported once) if it cannot be used."""
        path = folder / CACHE_NAME
        try:
            blob = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return cls(folder, info)  # first build, or the folder is not there yet: nothing to say
        except OSError as exc:
            info(f"kwindex: cannot read the analysis cache {path} ({exc.strerror or exc}); analysing every module")
            return cls(folder, info, rewrite=True, reported_io=True)
        try:
            entries = _decode(blob, cache_header())
        except _Unusable as exc:
            info(f"kwindex: ignoring the analysis cache {path}: {exc}; rebuilding it")
            return cls(folder, info, rewrite=True)
        return cls(folder, info, entries)

    def get(self, source: SourceFile, digest: str) -> ModuleSummary | None:
        """The cached summary of ``source`` with content ``digest``, showing ``source`` itself."""
        key = entry_key(source, digest)
        blob = self.entries.get(key)
        if blob is None:
            return None
        summary = _decode_entry(key, blob)
        if summary is None:  # well-formed file, wrong content: drop the entry, say so once
            del self.entries[key]
            self.rewrite = True
            if not self.reported_damage:
                self.info(f"kwindex: ignoring damaged entries of the analysis cache {self.path} "
                          "(unexpected content); analysing them again")
                self.reported_damage = True
            return None
        if summary.source != source:
            summary = dataclasses.replace(summary, source=source)
        return summary

    def save(self, summaries: Iterable[ModuleSummary]) -> None:
        """Keep exactly these summaries (unreadable files excluded); write only if that changes the file."""
        keys = [(entry_key(s.source, s.digest), s) for s in summaries if s.digest]
        if not self.rewrite and {key for key, _ in keys} == self.entries.keys():
            return
        entries = {key: self.entries[key] if key in self.entries else _encode_entry(s) for key, s in keys}
        try:
            self._write(_encode(entries, cache_header()))
        except OSError as exc:
            if not self.reported_io:
                self.info(f"kwindex: cannot write the analysis cache {self.path} "
                          f"({exc.strerror or exc}); the next build analyses every module again")
            return
        self.entries, self.rewrite = entries, False

    def _write(self, blob: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(self.folder)
        write_atomic(self.path, blob, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)


class _Unusable(Exception):
    """The cache file exists but must not be used; the message says why."""


def _field_reducer(cls: type) -> Callable[[object], tuple]:
    names = tuple(field.name for field in dataclasses.fields(cls))
    return lambda obj: (cls, tuple(getattr(obj, name) for name in names))


#: Pickle model objects as ``cls(*fields)``: loading calls ``__init__`` once instead of the
#: per-field ``__setstate__`` loop of slotted dataclasses (about 2x faster on torch's 75 000
#: definitions). The header's ``analysis_code`` digest covers the field order.
_MODEL_REDUCERS = {
    **copyreg.dispatch_table,
    **{cls: _field_reducer(cls) for cls in (
        model.SourceFile, model.Definition, model.ImportedName, model.Import,
        model.NotableCall, model.Problem, model.ModuleSummary,
    )},
}


def _encode_entry(summary: ModuleSummary) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _MODEL_REDUCERS
    pickler.dump(summary)
    return buffer.getvalue()


def _decode_entry(key: EntryKey, blob: bytes) -> ModuleSummary | None:
    """The summary in ``blob`` if it is one, for ``key``; else None."""
    try:
        summary = safe_loads(blob)
        usable = _valid_summary(summary) and entry_key(summary.source, summary.digest) == key
    except Exception:  # noqa: BLE001 - unpickling or checking bad data can raise anything
        return None
    return summary if usable else None


def _valid_summary(summary: object) -> bool:
    """A summary with every field of the right type, down to its parts' fields (a planted entry
    may hold anything)."""
    return isinstance(summary, ModuleSummary) and _valid_fields(summary) and all(
        _valid_fields(part)
        for part in (summary.source, *summary.definitions, *summary.imported_names, *summary.imports,
                     *summary.notable_calls, *summary.problems)
    )


def _valid_fields(obj: object) -> bool:
    checks = _FIELD_CHECKS.get(type(obj))
    return checks is not None and all(check(getattr(obj, name)) for name, check in checks)


def _checker(kind: object) -> Callable[[object], bool]:
    """A test that a value fits a field annotation of the model (a class, ``X | None``, ``tuple[X, ...]``)."""
    if kind is int:
        return lambda value: type(value) is int
    if isinstance(kind, type):
        return lambda value: isinstance(value, kind)
    args = typing.get_args(kind)
    if typing.get_origin(kind) is tuple:
        item = args[0]
        return lambda value: isinstance(value, tuple) and all(isinstance(part, item) for part in value)
    alternatives = [_checker(arg) for arg in args]  # a union
    return lambda value: any(check(value) for check in alternatives)


#: (field name, test), per model class.
_FIELD_CHECKS = {
    cls: [(name, _checker(kind)) for name, kind in typing.get_type_hints(cls).items()]
    for cls in (model.SourceFile, model.Definition, model.ImportedName, model.Import, model.NotableCall,
                model.Problem, model.ModuleSummary)
}


def _encode(entries: dict[EntryKey, bytes], header: dict) -> bytes:
    payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
    checksum = hashlib.blake2b(payload, digest_size=16).hexdigest()
    return b"".join((_MAGIC, json.dumps(header, sort_keys=True).encode(), b"\n", checksum.encode(), b"\n", payload))


def _decode(blob: bytes, header: dict) -> dict[EntryKey, bytes]:
    """Check magic, versions and checksum before unpickling, then the structure after it
    (each summary is checked when it is decoded, see :func:`_decode_entry`)."""
    if not blob.startswith(_MAGIC):
        raise _Unusable("it is not a kwindex analysis cache")
    head, _, rest = blob[len(_MAGIC):].partition(b"\n")
    checksum, _, payload = rest.partition(b"\n")
    try:
        found = json.loads(head)
    except ValueError:
        raise _Unusable("it is damaged (unreadable header)") from None
    if found != header:
        differ = sorted(k for k in header if not isinstance(found, dict) or found.get(k) != header[k])
        raise _Unusable(f"it was made with other versions ({', '.join(differ) or 'layout'})")
    if hashlib.blake2b(payload, digest_size=16).hexdigest().encode() != checksum:
        raise _Unusable("it is damaged or truncated (checksum mismatch)")
    try:
        entries = safe_loads(payload)
    except Exception as exc:  # noqa: BLE001 - unpickling bad data can raise anything
        raise _Unusable(f"it is damaged ({type(exc).__name__})") from None
    if not isinstance(entries, dict) or not all(_valid_entry(k, v) for k, v in entries.items()):
        raise _Unusable("it is damaged (unexpected content)")
    return entries


def _valid_entry(key: object, blob: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == len(_KEY_TYPES)
        and all(type(part) is kind for part, kind in zip(key, _KEY_TYPES))
        and isinstance(blob, bytes)
    )


def _remove_stale_temps(folder: Path) -> None:
    """Temporary files of builds killed while writing; young ones may belong to a running build."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if item.name.startswith(_TEMP_PREFIX) and item.name.endswith(_TEMP_SUFFIX):
                    try:
                        if item.stat().st_mtime < cutoff:
                            os.unlink(item.path)
                    except OSError:
                        pass
    except OSError:
        pass

