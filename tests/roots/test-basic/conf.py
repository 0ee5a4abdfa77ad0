import os
import sys

# Only autodoc imports the demo package (as it always does); sphinx_kwindex never does.
sys.path.insert(0, os.path.abspath("src"))

project = "demo"
version = release = "1.0"
copyright = "the demo authors"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx", "myst_parser", "sphinx_kwindex"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "src"]
kwindex_paths = ["src"]
# A two-entry copy of the Python inventory, so the tests need no network.
intersphinx_mapping = {"python": ("https://docs.python.org/3", "python.inv")}
