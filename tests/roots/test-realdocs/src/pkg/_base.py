"""Private base classes (flask's sansio.scaffold shape: documented only through public subclasses)."""

from typing import Generic, TypeVar

T = TypeVar("T")


class Base(Generic[T]):
    """What every widget shares."""

    def shared(self):
        """Shared by every widget."""
        return 1

    def render(self):
        """Overridden by Widget."""
        return ""
