"""Good module. Its docstring holds <script>alert("kwindex")</script> as text."""

import os

LIMIT = 10


class Widget:
    """A widget <b>bold</b>."""

    size: int = 1

    def render(self, depth=0):
        """Draw it."""

        def inner():
            return depth

        return inner()


def make_widget(name: str = "w") -> Widget:
    """Make a widget."""
    return Widget()
