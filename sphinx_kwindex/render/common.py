"""What every renderer shares: the context it renders in, links to modules, counting words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes

from sphinx_kwindex.model import KINDS


@dataclass(frozen=True)
class RenderContext:
    """What the renderer needs from its surroundings, as plain callables."""

    docname: str
    #: term -> an id unique in the document, already reserved there
    make_id: Callable[[str], str]
    #: (project-relative path, line) -> URL of the source, or None
    source_url: Callable[[str, int], str | None]
    kinds: tuple[str, ...] = KINDS


def count_of(count: int, noun: str) -> str:
    """``1 class``, ``2 classes``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {noun}es" if noun.endswith(("ss", "sh", "ch")) else f"{count:,} {noun}s"


def module_link(module: str) -> addnodes.pending_xref:
    """A link to a project module: its documentation, else the page showing its keyword index."""
    link = addnodes.pending_xref(
        "",
        nodes.literal("", module, classes=["kwindex-name"]),
        refdomain="py",
        reftype="mod",
        reftarget=module,
        refexplicit=True,
        refwarn=False,
    )
    link["kwindex_targets"] = [module]
    return link


