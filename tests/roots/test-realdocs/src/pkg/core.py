"""Widgets and how to make them."""

from ._base import Base


class Widget(Base):
    """A widget. Made by :func:`make`."""

    def render(self):
        """Render the widget."""
        return "w"


def make():
    """Make a :class:`Widget`."""
    return Widget()


def _private_helper():
    return 1


def assemble():
    return make()
