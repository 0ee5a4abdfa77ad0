"""What the pictures show, as small immutable views (no Sphinx, no docutils, no Graphviz).

Two pictures: a module's neighbourhood (what it imports from the project, what
imports it, its tests and its top related files) and the import graph among a
package's direct submodules and subpackages, cycles marked. Both are bounded so
that a hub stays readable: what is left out is counted ("+312 more importers").
Nodes and edges are sorted, so the same project gives the same picture, its DOT
text and its file name (Sphinx's Graphviz extension names files by content).
A picture is part of its section's view: a page is re-read exactly when what
its picture shows changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sphinx_kwindex.project.cycles import import_cycles
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.related import RelatedFile
from sphinx_kwindex.project.related.rank import reason_link

#: The links a picture draws, in the order a legend names them.
LINKS = ("imports", "tests", "uses", "cochange", "related")

#: Module pictures: the most imports, importers, tests and other related files drawn.
MAX_IMPORTS = 8
MAX_IMPORTERS = 8
MAX_TESTS = 4
MAX_RELATED = 6
#: Package pictures: the most submodules and links drawn (the best connected, the heaviest).
MAX_MEMBERS = 16
MAX_MEMBER_LINKS = 32


@dataclass(frozen=True, slots=True)
class PictureNode:
    """A module, package or folder of the picture, or a count of those left out."""

    #: a module or folder name; for a count, ``+`` and what it counts (``+importers``)
    name: str
    #: the name shown: relative to the picture's package (``.ir``) when inside it
    label: str
    #: ``centre``, ``module``, ``package``, ``test``, ``folder`` or ``more``
    kind: str
    #: for ``more``: how many modules it stands for
    count: int = 0
    #: a member of an import cycle (package pictures)
    in_cycle: bool = False


@dataclass(frozen=True, slots=True)
class PictureEdge:
    """A link drawn from ``source`` to ``target`` (undirected kinds: ``cochange``, ``related``)."""

    source: str
    target: str
    #: one of :data:`LINKS`
    kind: str
    #: package pictures: how many imports between the two (a subpackage's modules' summed)
    weight: int = 1
    #: both ends are in the same import cycle
    in_cycle: bool = False


@dataclass(frozen=True, slots=True)
class Picture:
    """One picture: its nodes and edges, sorted; what was left out, counted."""

    #: ``neighbourhood`` (of a module) or ``package`` (imports among its members)
    kind: str
    #: the module, or the package or folder
    subject: str
    nodes: tuple[PictureNode, ...]
    edges: tuple[PictureEdge, ...]
    #: package pictures: the import cycles among all members (drawn or not), each sorted
    cycles: tuple[tuple[str, ...], ...] = ()
    #: package pictures: members and links not drawn
    members_left_out: int = 0
    links_left_out: int = 0

    def node(self, name: str) -> PictureNode | None:
        return next((node for node in self.nodes if node.name == name), None)


# -- a module's neighbourhood ---------------------------------------------------------


def neighbourhood_picture(index: ProjectIndex, module: str, related: tuple[RelatedFile, ...]) -> Picture | None:
    """``module`` and the modules around it: what it imports (arrows out), what imports it
    (arrows in), its tests, and its related files not among those (linked by their first
    reason). Each side is bounded; what is left out is one count node per side. None when
    the module is linked to nothing."""
    summary = index.get(module)
    if summary is None:
        return None
    graph = index.graph
    base = _relative_base(index, module)
    rank = {entry.module: position for position, entry in enumerate(related)}

    def by_relevance(names) -> list[str]:
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))

    is_test = summary.source.is_test
    tests = list(graph.tests_of(module) if is_test else graph.tested_by(module))
    tested = set(tests)
    importers = by_relevance(set(graph.imported_by(module)) - tested)
    imports = by_relevance(set(graph.imports_of(module)) - tested)
    nodes: dict[str, PictureNode] = {module: PictureNode(module, module, "centre")}
    edges: set[PictureEdge] = set()

    def side(names: list[str], bound: int, kind: str, outwards: bool, what: str) -> None:
        for name in names[:bound]:
            nodes.setdefault(name, _member_node(index, name, base))
            edges.add(PictureEdge(module, name, kind) if outwards else PictureEdge(name, module, kind))
        if len(names) > bound:
            more = PictureNode(f"+{what}", f"+{len(names) - bound} more {what}", "more", len(names) - bound)
            nodes[more.name] = more
            edges.add(PictureEdge(module, more.name, kind) if outwards else PictureEdge(more.name, module, kind))

    # A test module's arrows point at what it tests; a module's tests point at it.
    side(tests, MAX_TESTS, "tests", is_test, "tested" if is_test else "tests")
    side(importers, MAX_IMPORTERS, "imports", False, "importers")
    side(imports, MAX_IMPORTS, "imports", True, "imports")
    linked = tested | set(importers) | set(imports)
    shown = 0
    for entry in related:
        if shown >= MAX_RELATED:
            break
        if entry.module in linked or entry.module == module or entry.module not in index:
            continue
        kind, direction = reason_link(entry.reasons[0]) if entry.reasons else ("related", 0)
        nodes[entry.module] = _member_node(index, entry.module, base)
        if direction < 0:
            edges.add(PictureEdge(entry.module, module, kind))
        else:
            edges.add(PictureEdge(module, entry.module, kind))
        shown += 1
    if not edges:
        return None
    return Picture("neighbourhood", module, tuple(sorted(nodes.values(), key=_node_order)),
                   tuple(sorted(edges, key=_edge_order)))


# -- a package's members --------------------------------------------------------------


def package_picture(index: ProjectIndex, package: str) -> Picture | None:
    """The imports among the direct members (submodules, subpackages, folders) of ``package``:
    an import of ``pkg.sub.x`` from ``pkg.a`` is a link from ``pkg.a`` to ``pkg.sub``, weighted
    by how many such imports there are. Import cycles are found among all members; the best
    connected :data:`MAX_MEMBERS` and the heaviest :data:`MAX_MEMBER_LINKS` links are drawn.
    None when no member imports another."""
    members = index.children(package)
    if not package or len(members) < 2:
        return None
    prefix = f"{package}."
    member_set = set(members)
    imports = index.graph.all_imports()
    weights: Counter[tuple[str, str]] = Counter()
    for member in members:
        for module in _subtree(index, member):
            for target in imports.get(module, ()):
                if not target.startswith(prefix):
                    continue
                other = prefix + target[len(prefix):].partition(".")[0]
                if other != member and other in member_set:
                    weights[(member, other)] += 1
    if not weights:
        return None
    successors: dict[str, list[str]] = {}
    for source, target in weights:
        successors.setdefault(source, []).append(target)
    cycles = import_cycles(successors)
    cycle_of = {name: number for number, cycle in enumerate(cycles) for name in cycle}
    neighbours: Counter[str] = Counter()
    for source, target in weights:
        neighbours[source] += 1
        neighbours[target] += 1
    drawn = set(sorted(members, key=lambda name: (-neighbours[name], name))[:MAX_MEMBERS])
    links = _chosen_links(weights, drawn)
    base = package
    nodes = [_member_node(index, name, base, in_cycle=name in cycle_of) for name in sorted(drawn)]
    left_out = len(members) - len(drawn)
    if left_out:
        nodes.append(PictureNode("+members", f"+{left_out} more", "more", left_out))
    edges = tuple(sorted(
        (PictureEdge(source, target, "imports", weight,
                     source in cycle_of and cycle_of[source] == cycle_of.get(target))
         for (source, target), weight in links[:MAX_MEMBER_LINKS]),
        key=_edge_order,
    ))
    return Picture("package", package, tuple(sorted(nodes, key=_node_order)), edges, cycles,
                   left_out, len(weights) - len(edges))


# -- helpers ---------------------------------------------------------------------------


def _chosen_links(weights: Counter[tuple[str, str]], drawn: set[str]) -> list[tuple[tuple[str, str], int]]:
    """The links among ``drawn`` members to draw first: each member's heaviest link (so no drawn
    member stands alone when it has one), then the rest by weight; ties by name."""
    order = sorted(((pair, weight) for pair, weight in weights.items() if drawn.issuperset(pair)),
                   key=lambda item: (-item[1], item[0]))
    first: dict[tuple[str, str], int] = {}
    for member in sorted(drawn):
        heaviest = next((item for item in order if member in item[0]), None)
        if heaviest is not None:
            first.setdefault(*heaviest)
    return [*first.items(), *(item for item in order if item[0] not in first)]


def _subtree(index: ProjectIndex, name: str) -> Iterator[str]:
    """``name`` and every module and folder under it."""
    stack = [name]
    while stack:
        name = stack.pop()
        yield name
        stack.extend(index.children(name))


def _relative_base(index: ProjectIndex, module: str) -> str:
    """The package names are shown relative to: a package's own (``.`` in its ``__init__``), else
    the module's parent, as Python's relative imports read."""
    summary = index.get(module)
    if summary is not None and summary.source.is_package:
        return module
    return module.rpartition(".")[0]


def _member_node(index: ProjectIndex, name: str, base: str, *, in_cycle: bool = False) -> PictureNode:
    summary = index.get(name)
    if summary is None:
        kind = "folder"
    elif summary.source.is_test:
        kind = "test"
    else:
        kind = "package" if summary.source.is_package else "module"
    label = "." + name[len(base) + 1:] if base and name.startswith(f"{base}.") else name
    return PictureNode(name, label, kind, in_cycle=in_cycle)


def _node_order(node: PictureNode) -> tuple[bool, str]:
    return node.kind == "more", node.name


def _edge_order(edge: PictureEdge) -> tuple[str, str, str]:
    return edge.source, edge.target, edge.kind
