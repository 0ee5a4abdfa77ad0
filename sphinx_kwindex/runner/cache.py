"""The analysis cache: module summaries from the last build, keyed by file content, in the store.

One file written once per build measured fastest at torch scale (2320 summaries:
see ``benchmarks/README.rst``). It holds each summary as its own pickle, so a
build that re-analyses one file re-encodes one summary, not all of them, and
summaries are decoded only when asked for. A summary's uses are a pickle inside
it, decoded when something reads them (:meth:`~sphinx_kwindex.model.UseRows.packed`).
Anything unexpected in it makes the file (or the entry) be ignored, said once, and
rebuilt: it is never trusted and never raises. Uses are checked when they are
decoded; bad ones are said once, remove the file, and their module is analysed again.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import io
import operator
import pickle
import typing
from collections.abc import Callable, Iterable
from itertools import chain, repeat

from sphinx_kwindex import model
from sphinx_kwindex.analyse import analyse_file
from sphinx_kwindex.fingerprint import analysis_digest
from sphinx_kwindex.model import ModuleSummary, SourceFile, UseRows
from sphinx_kwindex.store import Entry, Store, loads, valid_rows

ANALYSIS = Entry("kwindex-analysis.cache", "the analysis cache", "the next build analyses every module again",
                 analysis_digest)

#: ``(digest, module, path, is_package, is_test, is_stub)``: everything the summary depends on,
#: but not the absolute path, so a cache survives moving the checkout (CI workspaces).
EntryKey = tuple[str, str, str, bool, bool, bool]
_KEY_TYPES = (str, str, str, bool, bool, bool)


def entry_key(source: SourceFile, digest: str) -> EntryKey:
    return (digest, source.module, source.path, source.is_package, source.is_test, source.is_stub)


class AnalysisCache:
    """Summaries from the last build in ``store``; :meth:`save` replaces them."""

    def __init__(self, store: Store, entries: dict[EntryKey, bytes] | None = None, *, rewrite: bool = False) -> None:
        self.store = store
        #: entry key -> the summary, pickled on its own
        self.entries = entries or {}
        #: the file on disk is unusable and must be replaced even if nothing changed
        self.rewrite = rewrite

    @classmethod
    def load(cls, store: Store) -> AnalysisCache:
        """The cache stored in ``store``; empty if it cannot be used."""
        entries = store.read(ANALYSIS, check=_valid_entries)
        return cls(store, entries, rewrite=entries is None and store.path(ANALYSIS).exists())  # type: ignore[arg-type]

    def get(self, source: SourceFile, digest: str) -> ModuleSummary | None:
        """The cached summary of ``source`` with content ``digest``, showing ``source`` itself."""
        key = entry_key(source, digest)
        blob = self.entries.get(key)
        if blob is None:
            return None
        summary = _decode_entry(key, blob, functools.partial(_uses_or_analysed, self.store, source, digest))
        if summary is None:  # well-formed file, wrong content: drop the entry, say so once
            del self.entries[key]
            self.rewrite = True
            self.store.say(ANALYSIS, f"kwindex: ignoring damaged entries of the analysis cache "
                           f"{self.store.path(ANALYSIS)} (unexpected content); analysing them again")
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
        if self.store.write(ANALYSIS, entries):
            self.entries, self.rewrite = entries, False


def _field_reducer(cls: type) -> Callable[[object], tuple]:
    names = tuple(field.name for field in dataclasses.fields(cls))
    return lambda obj: (cls, tuple(getattr(obj, name) for name in names))


def _summary_reducer(summary: ModuleSummary) -> tuple:
    """A summary with its uses as one pickle of plain (scope, line, symbol, kind, column) rows, in
    bytes: loading it decodes none of them, and a summary loaded from the cache is saved again
    without decoding its uses (see :func:`_decode_entry`)."""
    uses = summary.uses
    blob = uses.blob() if isinstance(uses, UseRows) else None
    if blob is None:
        rows = uses.rows if isinstance(uses, UseRows) else _rows_of(uses)
        blob = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    return ModuleSummary, tuple(blob if name == "uses" else getattr(summary, name) for name in _SUMMARY_FIELDS)


_SUMMARY_FIELDS = tuple(field.name for field in dataclasses.fields(ModuleSummary))
_MODEL_CLASSES = (model.SourceFile, model.Definition, model.ImportedName, model.Import,
                  model.NotableCall, model.Use, model.Problem, model.ValueType, model.ModuleSummary)

#: Pickle model objects as ``cls(*fields)``: loading calls ``__init__`` once instead of the
#: per-field ``__setstate__`` loop of slotted dataclasses (about 2x faster on torch's 75 000
#: definitions). The store's version (:func:`analysis_digest`) covers the field order.
_MODEL_REDUCERS = {**copyreg.dispatch_table, **{cls: _field_reducer(cls) for cls in _MODEL_CLASSES},
                   ModuleSummary: _summary_reducer}


def _encode_entry(summary: ModuleSummary) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _MODEL_REDUCERS
    pickler.dump(summary)
    return buffer.getvalue()


def _decode_entry(key: EntryKey, blob: bytes,
                  decode_uses: Callable[[bytes], tuple] | None = None) -> ModuleSummary | None:
    """The summary in ``blob`` if it is one, for ``key``; else None. Its uses are decoded when read,
    by ``decode_uses`` (default: :func:`_uses_rows`, which raises on bad rows)."""
    try:
        summary = loads(blob)
        usable = _valid_summary(summary) and entry_key(summary.source, summary.digest) == key
    except Exception:  # noqa: BLE001 - unpickling or checking bad data can raise anything
        return None
    if not usable:
        return None
    return dataclasses.replace(summary, uses=UseRows.packed(summary.uses, decode_uses or _uses_rows))


def _uses_or_analysed(store: Store, source: SourceFile, digest: str,
                      blob: bytes) -> tuple[tuple[str, int, str, str, int], ...]:
    """The uses rows in ``blob``; bad ones (the file's checksum held, so it was made so) are said
    once, the file is removed (the next build analyses every module again), and the module is
    analysed again here: its uses are then those of its file, whatever reads them. Holds the
    store and the file only, not the cache (which is freed once the summaries are made)."""
    try:
        return _uses_rows(blob)
    except Exception:  # noqa: BLE001 - unpickling or checking bad data can raise anything
        pass
    path = store.path(ANALYSIS)
    store.say(ANALYSIS, f"kwindex: ignoring the analysis cache {path}: it holds damaged uses "
              "(unexpected content); analysing those modules again")
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only store: the next build meets the damage again, and says so again
    try:
        fresh = analyse_file(source)
    except Exception:  # noqa: BLE001 - as the pool's analysis: one odd file gives no uses, never a failed build
        return ()
    if fresh.digest != digest:  # changed since the build hashed it: its uses would not fit the summary
        return ()
    return _rows_of(fresh.uses)


def _rows_of(uses: Iterable[model.Use]) -> tuple[tuple[str, int, str, str, int], ...]:
    """Uses as the plain (scope, line, symbol, kind, column) rows the cache holds."""
    return tuple((use.scope, use.line, use.symbol, use.kind, use.column) for use in uses)


def _uses_rows(blob: bytes) -> tuple[tuple[str, int, str, str, int], ...]:
    """The uses rows pickled in ``blob``; raises on anything else."""
    rows = loads(blob)
    if not valid_rows(rows, _USE_ROW):
        raise ValueError("not uses rows")
    return rows


def _valid_entries(entries: object) -> bool:
    return isinstance(entries, dict) and all(
        isinstance(key, tuple) and len(key) == len(_KEY_TYPES)
        and all(type(part) is kind for part, kind in zip(key, _KEY_TYPES))
        and isinstance(blob, bytes)
        for key, blob in entries.items()
    )


def _valid_summary(summary: object) -> bool:
    """A summary with every field of the right type, down to its parts' fields (a planted entry
    may hold anything); its uses still encoded (see :func:`_summary_reducer`)."""
    return type(summary) is ModuleSummary and _valid_fields(summary) and _valid_fields(summary.source) and all(
        _valid_parts(parts) for parts in (summary.definitions, summary.imported_names, summary.imports,
                                          summary.notable_calls, summary.problems, summary.value_types)
    ) and type(summary.uses) is bytes  # the rows are checked when they are decoded


#: The types of a :class:`~sphinx_kwindex.model.UseRows` row: (scope, line, symbol, kind, column).
_USE_ROW = (str, int, str, str, int)


def _valid_fields(obj: object) -> bool:
    checks = _FIELD_CHECKS.get(type(obj))
    return checks is not None and all(check(getattr(obj, name)) for name, check in checks)


def _valid_parts(parts: tuple) -> bool:
    """Every part (of one model class: the summary's fields said which) has fields of the right type.

    All parts at once, in C: fields compared by exact type, then the items of tuple fields
    (torch's 75,000 definitions and 25,000 imports in milliseconds, not a second).
    """
    if not parts:
        return True
    getter, types, items = _PART_CHECKS[type(parts[0])]
    return all(map(types.__eq__, map(tuple, map(map, repeat(type), map(getter, parts))))) and all(
        all(map(isinstance, chain.from_iterable(map(get, parts)), repeat(item))) for get, item in items
    )


def _checker(kind: object) -> Callable[[object], bool]:
    """A test that a value fits a field annotation of the model (a class, ``X | None``, ``tuple[X, ...]``)."""
    if kind is int:
        return lambda value: type(value) is int
    if isinstance(kind, type):
        return lambda value: isinstance(value, kind)
    args = typing.get_args(kind)
    if typing.get_origin(kind) is tuple:
        item = args[0]
        return lambda value: isinstance(value, tuple) and all(map(isinstance, value, repeat(item)))
    alternatives = [_checker(arg) for arg in args]  # a union
    return lambda value: any(check(value) for check in alternatives)


#: (field name, test), per model class (a stored summary's uses are bytes: see :func:`_valid_summary`).
_FIELD_CHECKS = {cls: [(name, _checker(kind)) for name, kind in typing.get_type_hints(cls).items()
                       if (cls, name) != (ModuleSummary, "uses")]
                 for cls in _MODEL_CLASSES}


def _part_check(cls: type) -> tuple[Callable[[object], tuple], tuple[type, ...], list[tuple[Callable, type]]]:
    """(getter of all fields, each field's exact type, (getter, item type) of each tuple field) of a
    model class whose fields are plain classes or tuples of one."""
    hints = typing.get_type_hints(cls)
    types, items = [], []
    for name, kind in hints.items():
        if typing.get_origin(kind) is tuple:
            types.append(tuple)
            items.append((operator.attrgetter(name), typing.get_args(kind)[0]))
        else:
            assert isinstance(kind, type), f"{cls.__name__}.{name}: checked one by one only"
            types.append(kind)
    getter = operator.attrgetter(*hints)
    return (getter if len(hints) > 1 else lambda obj: (getter(obj),)), tuple(types), items


_PART_CHECKS = {cls: _part_check(cls) for cls in _MODEL_CLASSES if cls is not ModuleSummary}
