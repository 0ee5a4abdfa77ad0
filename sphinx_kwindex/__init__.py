"""sphinx-kwindex: keyword indexes, related files and file facts for large Python code bases."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup(app: Sphinx) -> ExtensionMetadata:
    """The Sphinx entry point (``extensions = ["sphinx_kwindex"]``)."""
    # Imported here: analysis workers that import this package (spawn) need no Sphinx.
    from sphinx_kwindex.glue import setup_extension

    return setup_extension(app, __version__)
