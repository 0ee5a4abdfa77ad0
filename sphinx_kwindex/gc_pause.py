"""Pause Python's cyclic garbage collector while a phase builds many long-lived objects.

Building 165 000 summary objects (or unpickling them) next to Sphinx's loaded
environment triggers full collections that walk every object in the process
and free nothing (measured: half a second per edit rebuild of PyTorch). The
objects built here are not garbage; the collector runs again once the phase ends.
"""

from __future__ import annotations

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
