project = "pictures"
extensions = ["sphinx_kwindex"]
exclude_patterns = ["_build", "src", "tests"]
kwindex_paths = ["src", "tests"]
kwindex_generate = "api"
kwindex_generate_toctree = True
latex_documents = [("index", "pictures.tex", "Pictures", "Tests", "manual")]
