# One module per rule of how names resolve (tests/test_references.py writes out what each gives).
project = "references"
extensions = ["sphinx_kwindex"]
exclude_patterns = ["_build", "src"]
kwindex_paths = ["src"]
