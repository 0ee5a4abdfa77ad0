"""What every renderer shares: the context it renders in (links, anchors, source URLs) and small nodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from docutils import nodes

#: Section titles, by section name, in page order.
SECTION_TITLES = {
    "facts": "File facts",
    "contents": "Contents",
    "keywords": "Keyword index",
    "related": "Related files",
}


#: Class of rendered parts kept out of the HTML search index (Sphinx 8.1+ skips such elements):
#: signatures, link lists and reasons name other modules and parameters, so indexing them
#: only makes every page match every search and slows the build.
NO_SEARCH = "no-search"


class Linker(Protocol):
    """Turns a target into a link around ``contnode`` (or returns ``contnode`` when there is none).

    ``names`` are where a project object may be documented, in order: its own dotted
    name, then the names packages re-export it under.
    """

    def module(self, module: str, contnode: nodes.Node) -> nodes.Node: ...

    def module_uri(self, module: str) -> str | None:
        """The URL of the page showing ``module``, relative to the page being written, for links
        inside pictures (None: no link)."""

    def keyword(self, module: str, qualname: str, names: tuple[str, ...], contnode: nodes.Node) -> nodes.Node: ...

    def definition(self, module: str, qualname: str, names: tuple[str, ...], anchor: str, url: str | None,
                   contnode: nodes.Node) -> nodes.Node:
        """A definition shown on this page: its documentation, else its source, else its own entry."""

    def imported(self, target: str, is_module: bool, project_target: tuple[str, str] | None,
                 names: tuple[str, ...], contnode: nodes.Node) -> nodes.Node:
        """An imported name: its project module or keyword when ``project_target`` is set, else outside."""

    def documented_here(self, names: tuple[str, ...]) -> bool:
        """Whether the page being written documents the object (autodoc shows it already)."""

    def page(self, docname: str, contnode: nodes.Node) -> nodes.Node: ...

    def label(self, label: str, contnode: nodes.Node) -> nodes.Node: ...


@dataclass(frozen=True)
class RenderContext:
    """What the renderer needs from its surroundings, as plain values and callables."""

    docname: str
    links: Linker
    #: (prefix, name) -> the id reserved for that entry when the page was read
    anchor: Callable[[str, str], str]
    #: (project-relative path, line) -> URL of the source (``kwindex_source_url``), or None
    source_url: Callable[[str, int], str | None]
    #: (project-relative path, line) -> URL of the line shown by a line number (0: the file): the
    #: source page when there are any, else :attr:`source_url`
    line_url: Callable[[str, int], str | None] | None = None
    #: (DOT text, alt text, picture kind) -> the node that draws it; None: no pictures
    picture: Callable[[str, str, str], nodes.Element | None] | None = None

    def source_line(self, path: str, line: int) -> str | None:
        return (self.line_url or self.source_url)(path, line)

    def module_link(self, module: str) -> nodes.Node:
        return self.links.module(module, nodes.literal("", module, classes=["kwindex-name"]))


def text(value: str, classes: tuple[str, ...] = ()) -> nodes.inline:
    """Text from the analysed code, shown as it is (no smart quotes)."""
    return nodes.inline("", value, classes=list(classes), support_smartquotes=False)
