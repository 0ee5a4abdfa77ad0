# A tree of hostile sources (issue 6). tests/test_hostile_build.py adds what cannot be
# committed sensibly (symlinks, non-UTF-8 bytes, a 10 MB file) to a copy before building.
# Nothing here puts src/ on sys.path: sphinx_kwindex must never import what it analyses.
project = "hostile"
extensions = ["sphinx_kwindex"]
exclude_patterns = ["_build", "src", "other"]
kwindex_paths = ["src", "other"]
