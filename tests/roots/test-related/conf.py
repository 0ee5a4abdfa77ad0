project = "related"
extensions = ["sphinx_kwindex"]
exclude_patterns = ["_build", "src", "tests"]
kwindex_paths = ["src", "tests"]
