"""Stage 3, the project index: every module's summary and the questions asked across modules.

No Sphinx here. ``index`` holds the summaries, the module tree and the import
graph; ``related`` ranks related files; ``keywords`` splits the project-wide
keyword index into pages. Lookups are dict based, so nothing is quadratic in
the number of modules.
"""

from sphinx_kwindex.project.index import ProjectIndex

__all__ = ["ProjectIndex"]
