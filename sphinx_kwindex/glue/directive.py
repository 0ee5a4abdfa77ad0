"""The ``kwindex`` directive: ``.. kwindex:: pkg.module`` (rST) or ```` ```{kwindex} pkg.module ```` (MyST)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sphinx_kwindex.glue.config import parse_count, parse_kinds, parse_sections
from sphinx_kwindex.render import unknown_module_note

if TYPE_CHECKING:
    from docutils import nodes

    from sphinx_kwindex.glue.extension import KwindexExtension

logger = logging.getLogger(__name__)


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
    extension: ClassVar[KwindexExtension]

    def run(self) -> list[nodes.Node]:
        module = self.arguments[0]
        settings = self.extension.settings
        kinds = self.option("kinds", parse_kinds, settings.kinds)
        sections = self.option("sections", parse_sections, settings.sections)
        related_limit = self.option("related-limit", parse_count, settings.related_limit)
        if module not in self.extension.index and not self.extension.index.is_folder(module):
            logger.warning(
                "kwindex directive: unknown module %r (not found under kwindex_paths)",
                module, type="kwindex", subtype="unknown-module", location=self.get_location(),
            )
            self.env.domains["kwindex"].note_missing(self.env.docname, module)
            return [unknown_module_note(module)]
        return self.extension.render_module(
            module, self.env, self.state.document, kinds=kinds, sections=sections, related_limit=related_limit
        )

    def option(self, name: str, parse, default):
        """An option's parsed value; a bad one is a located warning and the default."""
        if name not in self.options:
            return default
        try:
            return parse(self.options[name] or "")
        except ValueError as exc:
            logger.warning(
                "kwindex directive: bad :%s: value %r: %s; using the default",
                name, self.options[name], exc,
                type="kwindex", subtype="bad-option", location=self.get_location(),
            )
            return default


def make_directive(extension: KwindexExtension) -> type[KwindexDirective]:
    """The directive class bound to one application's extension state."""
    return type("KwindexDirective", (KwindexDirective,), {"extension": extension})


class KeywordIndexDirective(SphinxDirective):
    """A page of the project keyword index (``kwindex_generate`` writes these): the front page
    without an argument, else the page with the given key (``a``, ``fa-fo``)."""

    required_arguments = 0
    optional_arguments = 1
    has_content = False
    extension: ClassVar[KwindexExtension]

    def run(self) -> list[nodes.Node]:
        key = self.arguments[0] if self.arguments else None
        known = {group.key for group in self.extension.groups}
        if key is not None and key not in known:
            logger.warning(
                "kwindex-keywords directive: no keyword index page %r (kwindex_generate makes them)",
                key, type="kwindex", subtype="unknown-keyword-page", location=self.get_location(),
            )
        return self.extension.render_keyword_pages(key, self.env, self.state.document)


def make_keyword_index_directive(extension: KwindexExtension) -> type[KeywordIndexDirective]:
    """The keyword-index directive class bound to one application's extension state."""
    return type("KeywordIndexDirective", (KeywordIndexDirective,), {"extension": extension})
