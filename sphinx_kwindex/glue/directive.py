"""The ``kwindex`` directive: ``.. kwindex:: pkg.module`` (rST) or ```` ```{kwindex} pkg.module ```` (MyST)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from sphinx_kwindex.glue.config import parse_count, parse_kinds, parse_sections
from sphinx_kwindex.glue.sections import place_keyword_page, place_module_sections
from sphinx_kwindex.glue.warnings import warn
from sphinx_kwindex.model import Subtype
from sphinx_kwindex.render import unknown_module_note
from sphinx_kwindex.views import digest_of

if TYPE_CHECKING:
    from docutils import nodes

    from sphinx_kwindex.glue.events import Kwindex


class KwindexDirective(SphinxDirective):
    """Show the keyword index of one analysed module."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    # Values are checked in run(), so a bad one is a located ``kwindex`` warning, not a docutils error.
    option_spec: ClassVar = {
        "kinds": directives.unchanged_required,
        "sections": directives.unchanged,
        "related-limit": directives.unchanged_required,
    }
    #: set by :func:`make_directive` for each Sphinx application
    kwindex: ClassVar[Kwindex]

    def run(self) -> list[nodes.Node]:
        module = self.arguments[0]
        settings = self.kwindex.settings
        request = self.kwindex.request(
            self.option("sections", parse_sections, settings.sections),
            self.option("kinds", parse_kinds, settings.kinds),
            self.option("related-limit", parse_count, settings.related_limit),
        )
        index = self.kwindex.index
        if module not in index and not index.is_folder(module):
            warn(f"kwindex directive: unknown module {module!r} (not found under kwindex_paths)",
                 Subtype.UNKNOWN_MODULE, self.get_location())
            # Recorded with what it shows now (nothing), so the page is re-read when the module appears.
            self.env.domains["kwindex"].note_module(self.env.docname, module, None, digest_of(()), tuple(request))
            return [unknown_module_note(module)]
        return place_module_sections(self.kwindex, module, request, self.env, self.state.document)

    def option(self, name: str, parse, default):
        """An option's parsed value; a bad one is a located warning and the default."""
        if name not in self.options:
            return default
        try:
            return parse(self.options[name] or "")
        except ValueError as exc:
            warn(f"kwindex directive: bad :{name}: value {self.options[name]!r}: {exc}; using the default",
                 Subtype.BAD_OPTION, self.get_location())
            return default


def make_directive(kwindex: Kwindex) -> type[KwindexDirective]:
    """The directive class bound to one application's extension state."""
    return type("KwindexDirective", (KwindexDirective,), {"kwindex": kwindex})


class KeywordIndexDirective(SphinxDirective):
    """A page of the project keyword index (``kwindex_generate`` writes these): the front page
    without an argument, else the page with the given key (``a``, ``fa-fo``)."""

    required_arguments = 0
    optional_arguments = 1
    has_content = False
    kwindex: ClassVar[Kwindex]

    def run(self) -> list[nodes.Node]:
        key = self.arguments[0] if self.arguments else None
        if key is not None and self.kwindex.keyword_view(key) is None:
            warn(f"kwindex-keywords directive: no keyword index page {key!r} (kwindex_generate makes them)",
                 Subtype.UNKNOWN_KEYWORD_PAGE, self.get_location())
        return place_keyword_page(self.kwindex, key, self.env, self.state.document)


def make_keyword_index_directive(kwindex: Kwindex) -> type[KeywordIndexDirective]:
    """The keyword-index directive class bound to one application's extension state."""
    return type("KeywordIndexDirective", (KeywordIndexDirective,), {"kwindex": kwindex})
