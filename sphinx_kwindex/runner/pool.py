"""Run :func:`~sphinx_kwindex.analyse.analyse` over many files, in this process or in a pool.

Workers get lists of :class:`SourceFile` and read the files themselves, so only
small objects cross the process boundary. The pool imports nothing beyond
``sphinx_kwindex.analyse`` (and, as always, the package's ``__init__``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from typing import TypeVar

from sphinx_kwindex.analyse import analyse_file
from sphinx_kwindex.model import ModuleSummary, Problem, SourceFile, Subtype

T = TypeVar("T")

#: Most files per task: small enough to balance 2 workers at the end of a run,
#: large enough that pickling round trips stay negligible (measured on torch).
MAX_CHUNK = 8
#: Fewer files than this are analysed inline: starting a pool (forking a build holding
#: Sphinx's environment) costs more than a few files take (about 10 ms each on torch).
INLINE_BELOW = 16


def analyse_files(
    files: Sequence[SourceFile],
    *,
    jobs: int,
    progress: Callable[[Iterable[T], int], Iterable[T]] | None = None,
) -> list[ModuleSummary]:
    """Summaries of ``files`` in their order, each file read where it is analysed.

    ``jobs`` <= 1, or fewer than :data:`INLINE_BELOW` files, runs inline; otherwise a pool of
    ``jobs`` processes reads and analyses the files.
    The pool's processes end with this call, however it ends (see :func:`start_worker`).
    """
    if not files:
        return []  # nothing to analyse: no (empty) progress line either
    if jobs <= 1 or len(files) < INLINE_BELOW:
        stream: Iterator[ModuleSummary] = map(analyse_safely, files)
        return list(progress(stream, len(files)) if progress else stream)
    chunk = max(1, min(MAX_CHUNK, len(files) // (jobs * 4)))
    chunks = [files[start:start + chunk] for start in range(0, len(files), chunk)]
    pool = ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=pool_context(), initializer=start_worker)
    try:
        stream = chain.from_iterable(pool.map(analyse_chunk, chunks))
        return list(progress(stream, len(files)) if progress else stream)
    finally:
        # On an exception (Ctrl-C included) the queued chunks are dropped; the workers finish the
        # few files they hold and exit.
        pool.shutdown(wait=True, cancel_futures=True)


def pool_map(function: Callable[[T], object], items: Sequence[T], *, jobs: int) -> Iterator[object]:
    """``map(function, items)`` over a pool of ``jobs`` processes (inline for ``jobs`` <= 1 or
    few items); results in order, as they come. The pool ends with the iteration, however it ends."""
    if jobs <= 1 or len(items) < INLINE_BELOW:
        yield from map(function, items)
        return
    pool = ProcessPoolExecutor(min(jobs, len(items)), mp_context=pool_context(), initializer=start_worker)
    try:
        yield from pool.map(function, items, chunksize=1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def start_worker() -> None:
    """Initializer of every worker of ours: collections skip what the build left it; it ends with the build."""
    # gc.freeze: the objects a forked worker inherits (Sphinx's environment) are never garbage;
    # frozen, no collection in the worker walks them (or copies their pages).
    gc.freeze()
    gc.enable()  # the build may fork us with automatic collection paused (see gc_pause)
    threading.Thread(target=_exit_with_parent, name="kwindex-parent-watch", daemon=True).start()


def _exit_with_parent() -> None:
    """End this worker as soon as the build that started it is gone.

    A build killed by SIGTERM or SIGKILL never shuts its pool down; its workers
    would wait forever on their task queue or on a full result pipe.
    ``parent_process().join()`` returns when the parent's end of the
    multiprocessing sentinel pipe closes, which the kernel does when the parent dies.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)  # at once, from any state: nothing of ours is left to flush


def analyse_chunk(files: Sequence[SourceFile]) -> list[ModuleSummary]:
    """The worker's task: read and analyse a few files."""
    return [analyse_safely(source) for source in files]


def analyse_safely(source: SourceFile) -> ModuleSummary:
    """Analyse one file; anything escaping the analysis becomes a problem of that file, not a failed build."""
    try:
        return analyse_file(source)
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop a 2000-file build
        problem = Problem(Subtype.ANALYSIS_ERROR, f"analysis failed: {type(exc).__name__}: {exc}")
        return ModuleSummary.failed(source, problem)


def pool_context() -> multiprocessing.context.BaseContext:
    """How our pools start their processes."""
    # Fork on Linux, as Sphinx's own parallel build does: workers start in milliseconds
    # and import nothing. Python 3.14 makes forkserver the Linux default, which would
    # re-import the package (and, through its ``__init__``, Sphinx) in every worker.
    # macOS and Windows keep their default (spawn): fork is unsafe there.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
