"""Shapes. <script>alert("docstrings are text")</script>"""

from __future__ import annotations

import os.path
from typing import Any, overload

from . import util
from .util import area as compute_area

try:
    import numpy as np
except ImportError:
    np = None

DEFAULT_RADIUS = 1.0
KNOWN: dict[str, Any] = {}


class Shape:
    """Base of all shapes."""

    sides: int = 0

    def area(self) -> float:
        """The area."""
        raise NotImplementedError

    class Style:
        """Nested <script>alert("style")</script> style."""

        def apply(self, colour: str = "red") -> None:
            pass


class Circle(Shape):
    """A circle."""

    def __init__(self, radius: float = DEFAULT_RADIUS) -> None:
        self.radius = radius

    @overload
    def scale(self, factor: int) -> Circle: ...

    @overload
    def scale(self, factor: float) -> Circle: ...

    def scale(self, factor):
        return Circle(self.radius * factor)

    def area(self) -> float:
        return compute_area(self.radius)


def register_shapes(registry):
    """Register lowering-style local callbacks, as PyTorch does."""

    def _circle(radius):
        return Circle(radius)

    class _Adapter:
        def adapt(self):
            return _circle

    if os.path.sep == "/":

        def _posix_only():
            return None

    registry["circle"] = _circle
    return _Adapter
