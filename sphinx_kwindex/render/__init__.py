"""Render: a module's summary and the project index -> standard docutils nodes.

Only docutils nodes and Sphinx's ``pending_xref`` (resolved later by Sphinx,
intersphinx or our fallbacks), so every builder can write the result. Names,
signatures and docstrings only ever become text nodes. No Sphinx application
or environment here: what a renderer needs comes in a :class:`RenderContext`.
"""

from sphinx_kwindex.render.common import RenderContext, module_link
from sphinx_kwindex.render.keywords import render_keyword_index, unknown_module_note
from sphinx_kwindex.render.related import render_related

__all__ = ["RenderContext", "module_link", "render_keyword_index", "render_related", "unknown_module_note"]
