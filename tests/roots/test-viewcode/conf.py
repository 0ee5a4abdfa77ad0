# viewcode's [source] links for hand-written py: directives, with the package on sys.path:
# viewcode alone imports canary (its __init__ writes a file); with sphinx_kwindex it must not.
import os
import sys

sys.path.insert(0, os.path.abspath("src"))

project = "viewcode"
extensions = ["sphinx.ext.viewcode", "sphinx_kwindex"]
exclude_patterns = ["_build", "src"]
kwindex_paths = ["src"]
