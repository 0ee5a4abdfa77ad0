"""What a module's source page links, and where to (pure; from the project index).

Every use the analysis resolved to a project definition links to that
definition's line on its module's source page; a use resolved to a module,
and the module of ``from ... import``, link to that module; every definition
links to its keyword entry (which lists where the project uses it). The
destinations stay abstract here (:data:`Destination`); the glue turns them
into URLs for the builder at hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from sphinx_kwindex.project.index import ProjectIndex

#: ``("source", module, line)``: a line of a source page; ``("module", module)``: the module's
#: documentation (else its source page); ``("keyword", module, qualname)``: a keyword's entry.
Destination = tuple

#: What a definition's link says when hovered
DEFINITION_TITLE = "Keyword entry: where it is used"

#: (line, how, key, drop, destination, title): see :data:`sphinx_kwindex.source.page.Request`
Link = tuple[int, str, object, int, Destination, str]


@dataclass(frozen=True)
class SourcePlan:
    """A module's source page before its URLs are known."""

    module: str
    #: the file (absolute), read when the page is made
    abspath: str
    #: project-relative path, shown on the page
    path: str
    lines: int
    digest: str
    links: tuple[Link, ...]


def source_plan(index: ProjectIndex, module: str) -> SourcePlan | None:
    """The plan of ``module``'s source page, or None for a module the index lacks."""
    summary = index.get(module)
    if summary is None:
        return None
    links: list[Link] = []
    from_lines: set[int] = set()
    for use in summary.uses:
        resolved = index.resolve_use(module, use.symbol)
        if resolved is None:
            continue
        target, whole = resolved
        destination = _destination(index, target)
        if destination is None:
            continue
        if use.kind == "import":
            if whole:
                links.append((use.line, "import", use.symbol, 0, destination, ""))
            origin = use.symbol.rpartition(".")[0]
            if use.line not in from_lines and origin in index:
                from_lines.add(use.line)
                links.append((use.line, "from", "", 0, ("module", origin), ""))
            continue
        if use.column < 0 or target == module:
            continue
        drop = 0 if whole else _unfollowed(use.symbol, target)
        if drop is not None:
            links.append((use.line, "use", use.column, drop, destination, ""))
    # The title names no count: a page would then change with every module using one of its
    # definitions (its entry has the count, kept current).
    for definition in summary.definitions:
        links.append((definition.line, "def", definition.name.rpartition(".")[2], 0,
                      ("keyword", module, definition.name), DEFINITION_TITLE))
    return SourcePlan(module, summary.source.abspath, summary.path, summary.lines, summary.digest, tuple(links))


def _destination(index: ProjectIndex, target: str) -> Destination | None:
    split = index.split_target(target)
    if split is None:
        return None
    module, qualname = split
    if not qualname:
        return ("module", module)
    line = index.definition_line(module, qualname)
    return ("source", module, line) if line is not None else None


def _unfollowed(symbol: str, target: str) -> int | None:
    """How many names at the end of ``symbol`` go past ``target`` (a chain the index followed only
    part of the way: ``config.x.y`` read as ``config.x`` leaves 1); None when that is unclear."""
    chain = symbol.rpartition("|")[2] if symbol.startswith("~") else symbol.rpartition(":")[2]
    names = chain.lstrip(".").split(".")
    last = target.rpartition(".")[2]
    for position in range(len(names) - 1, -1, -1):
        if names[position] == last:
            return len(names) - position - 1
    return None
