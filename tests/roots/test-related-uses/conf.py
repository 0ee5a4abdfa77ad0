project = "related-uses"
extensions = ["sphinx_kwindex"]
exclude_patterns = ["_build", "src"]
kwindex_paths = ["src"]
