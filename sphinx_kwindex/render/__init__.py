"""Render: a module's summary and the project index -> standard docutils nodes.

Only docutils nodes, and ``pending_xref`` for names outside the project (for
intersphinx), so every builder can write the result. Names, signatures and
docstrings only ever become text nodes. No Sphinx application or environment
here: links, anchors and source URLs come through a :class:`RenderContext`.
"""

from sphinx_kwindex.render.common import SECTION_TITLES, Linker, RenderContext
from sphinx_kwindex.render.facts import render_contents_body, render_facts_body
from sphinx_kwindex.render.keywords import keyword_anchor_terms, render_keywords_body, unknown_module_note
from sphinx_kwindex.render.project_keywords import render_group, render_overview
from sphinx_kwindex.render.related import render_related_body

__all__ = [
    "SECTION_TITLES",
    "Linker",
    "RenderContext",
    "keyword_anchor_terms",
    "render_contents_body",
    "render_facts_body",
    "render_group",
    "render_keywords_body",
    "render_overview",
    "render_related_body",
    "unknown_module_note",
]
