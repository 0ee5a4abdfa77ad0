"""Keep Python's cyclic garbage collector from walking a build's long-lived objects for nothing.

Building 165 000 summary objects (or unpickling them) next to Sphinx's loaded
environment triggers full collections that walk every object in the process
and free nothing (measured: half a second per edit rebuild of PyTorch). The
objects built here are not garbage; the collector runs again once the phase ends.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collection inside the block (explicit ``gc.collect`` still works)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: this module froze the objects alive (see :func:`freeze_long_lived`)
_FROZEN = False


def freeze_long_lived() -> None:
    """Leave every object alive now out of the collector's walks until :func:`thaw` (``gc.freeze``).

    Called once the project is analysed: Sphinx's loaded environment and the project state
    live to the end of the build, yet every full collection walked them (PyTorch: 1.3 s of a
    7.7 s no-change rebuild, 2.8 s of a 17.5 s edit). Objects they stop referring to are
    still freed by reference counting; only garbage cycles among them wait for :func:`thaw`.
    Nothing is done when objects are frozen already (by the process hosting Sphinx, say): the
    thaw would give theirs back too.
    """
    global _FROZEN
    if not _FROZEN and gc.get_freeze_count() == 0:
        gc.freeze()
        _FROZEN = True


def thaw() -> None:
    """Give the objects :func:`freeze_long_lived` froze back to the collector."""
    global _FROZEN
    if _FROZEN:
        _FROZEN = False
        gc.unfreeze()


#: Allocations between young collections while pages are written (Python's default: 700)
WRITING_THRESHOLD = 5000
#: Middle-generation collections between full ones while pages are written (Python's default: 10)
WRITING_FULL_EVERY = 50
#: the thresholds :func:`collect_young_less_often` replaced
_SAVED_THRESHOLD: tuple[int, ...] | None = None


def collect_young_less_often() -> None:
    """Collect the young generation every :data:`WRITING_THRESHOLD` allocations, and everything
    after :data:`WRITING_FULL_EVERY` middle-generation collections, until :func:`restore_threshold`.

    For the write phase. Each page's doctree is cyclic garbage once the page is written
    (docutils nodes point at their parents). Collected every 700 allocations, a doctree lives
    through dozens of young collections while its page is written and reaches the oldest
    generation, where only full collections free it, and each of those walks every object
    alive. On ``torch/_inductor`` (385 pages) writing ran 52 full collections, 10 s of a 79 s
    build; with 5,000 it ran 7 (4 s), for about 25 MB more at the peak. On the whole of torch
    (2,399 pages) writing still ran 42 full collections (51 s), each walking the 700,000 objects
    alive for about a second; with a full collection every 100 middle ones at most it ran 5
    (22 s: what they free is walked once whatever their number), for 280 MB more at the peak.
    50 was not measured on its own (the torch builds with it peaked at 1,153 to 1,231 MB; see
    ``docs/performance.rst``). Higher thresholds are kept, and 0 (no automatic collection) too.
    """
    global _SAVED_THRESHOLD
    if _SAVED_THRESHOLD is None and gc.get_threshold()[0] != 0:  # 0: automatic collection is off
        _SAVED_THRESHOLD = gc.get_threshold()
        young, middle, *rest = _SAVED_THRESHOLD
        full = max(WRITING_FULL_EVERY, rest[0]) if rest else WRITING_FULL_EVERY
        gc.set_threshold(max(WRITING_THRESHOLD, young), middle, full)


def restore_threshold() -> None:
    """The thresholds :func:`collect_young_less_often` found."""
    global _SAVED_THRESHOLD
    if _SAVED_THRESHOLD is not None:
        gc.set_threshold(*_SAVED_THRESHOLD)
        _SAVED_THRESHOLD = None


_EXIT_REGISTERED = False


def skip_collections_at_exit() -> None:
    """Once per process: at interpreter exit, leave the objects still alive out of the
    interpreter's last garbage collections (``gc.freeze``).

    Those collections walk every object alive (a PyTorch build ends with 800,000 of
    Sphinx's and ours) and free nothing a build needs: files are written and closed,
    caches saved; Python never promised finalizers of objects alive at exit anyway.
    Measured on PyTorch: 2.0 s of every ``sphinx-build`` run, cold or incremental.
    """
    global _EXIT_REGISTERED
    if not _EXIT_REGISTERED:
        _EXIT_REGISTERED = True
        atexit.register(gc.freeze)
