"""Stage 2 for a whole project: summaries from the analysis cache first, the rest inline or in a pool.

No Sphinx here: the caller passes a ``progress`` wrapper and the build's store (whose ``info`` says
what happened).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from sphinx_kwindex.gc_pause import gc_paused
from sphinx_kwindex.model import ModuleSummary, SourceFile
from sphinx_kwindex.runner.cache import ANALYSIS, AnalysisCache
from sphinx_kwindex.runner.digests import source_digests
from sphinx_kwindex.runner.pool import analyse_files
from sphinx_kwindex.store import Store

__all__ = ["ANALYSIS", "AnalysisCache", "analyse_all", "analyse_files", "source_digests"]

T = TypeVar("T")


def analyse_all(
    files: Sequence[SourceFile],
    *,
    jobs: int,
    store: Store | None,
    progress: Callable[[Iterable[T], int], Iterable[T]] | None = None,
    digests: Sequence[str | None] | None = None,
) -> list[ModuleSummary]:
    """Summaries of ``files``, in their order; only files missing from the cache are parsed.

    ``jobs`` > 1 analyses the misses in a pool of that many processes; ``store`` None
    disables the cache. ``progress(items, count)`` wraps the stream of new summaries
    (each has ``.module``, like a :class:`SourceFile`), e.g. with Sphinx's
    ``status_iterator``. Cache problems are said through the store's ``info``, once
    each, and never raise. ``digests`` (from :func:`source_digests`) spares reading the files the
    cache holds.
    """
    if store is None:
        return list(analyse_files(files, jobs=jobs, progress=progress))
    if digests is None:
        digests = source_digests(files)
    summaries: list[ModuleSummary | None] = []
    missing: list[int] = []
    with gc_paused():  # decoding builds many objects, none of them garbage
        cache = AnalysisCache.load(store)
        for position, (source, digest) in enumerate(zip(files, digests)):
            summary = cache.get(source, digest) if digest is not None else None
            if summary is None:
                missing.append(position)  # read again where it is analysed
            summaries.append(summary)
    fresh = analyse_files([files[p] for p in missing], jobs=jobs, progress=progress)
    for position, summary in zip(missing, fresh):
        summaries[position] = summary
    complete: list[ModuleSummary] = summaries  # type: ignore[assignment]  # every slot is filled now
    with gc_paused():
        cache.save(complete)
    if files:
        store.info(f"kwindex: {len(files) - len(missing)} of {len(files)} modules from the analysis cache, "
                   f"{len(missing)} analysed")
    return complete
