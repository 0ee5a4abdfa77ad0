"""Documentation of sphinx-kwindex, built with sphinx-kwindex applied to its own source."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))  # for autodoc of our own package
from sphinx_kwindex import __version__  # noqa: E402

project = "sphinx-kwindex"
author = "sphinx-kwindex developers"
copyright = "2026, sphinx-kwindex developers"
version = release = __version__

extensions = ["sphinx.ext.autodoc", "myst_parser", "sphinx_kwindex"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
autodoc_member_order = "bysource"
nitpicky = False

# The extension applied to this repository's own code: the embedded demo.
kwindex_paths = ["../sphinx_kwindex"]
# Pictures (kwindex_pictures) as SVG: sharp at any zoom, links inside them.
graphviz_output_format = "svg"
