# The shapes of real projects' hand-written docs (flask's api.rst, click's currentmodule pages),
# with generated pages beside them.
import os
import sys

# Only autodoc imports the packages (as it always does); sphinx_kwindex never does.
sys.path.insert(0, os.path.abspath("src"))

project = "realdocs"
extensions = ["sphinx.ext.autodoc", "sphinx_kwindex"]
exclude_patterns = ["_build", "src"]
kwindex_paths = ["src"]
kwindex_generate = "reference"
