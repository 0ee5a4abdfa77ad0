"""Widgets and how to make them."""


class Widget:
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
