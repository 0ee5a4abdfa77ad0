"""Stage 4, render: a view -> standard docutils nodes.

Only docutils nodes, and ``pending_xref`` for names outside the project (for
intersphinx), so every builder can write the result. Names, signatures and
docstrings only ever become text nodes. A renderer reads its view and nothing
else; links, anchors and source URLs come through a :class:`RenderContext`.
"""

from __future__ import annotations

from functools import singledispatch

from docutils import nodes

from sphinx_kwindex.render.common import SECTION_TITLES, Linker, RenderContext
from sphinx_kwindex.render.facts import render_contents, render_facts
from sphinx_kwindex.render.keywords import render_keywords, unknown_module_note
from sphinx_kwindex.render.project_keywords import render_keyword_front, render_keyword_page
from sphinx_kwindex.render.related import render_related
from sphinx_kwindex.views import (
    ContentsView,
    FactsView,
    KeywordFrontView,
    KeywordPageView,
    KeywordsView,
    RelatedView,
)

__all__ = ["SECTION_TITLES", "Linker", "RenderContext", "render", "unknown_module_note"]


@singledispatch
def render(view, ctx: RenderContext) -> list[nodes.Node]:
    """The nodes showing ``view``."""
    raise TypeError(f"no renderer for {type(view).__name__}")


render.register(KeywordsView, render_keywords)
render.register(FactsView, render_facts)
render.register(ContentsView, render_contents)
render.register(RelatedView, render_related)
render.register(KeywordFrontView, render_keyword_front)
render.register(KeywordPageView, render_keyword_page)
