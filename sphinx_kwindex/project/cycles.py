"""Import cycles: the strongly connected components of a directed graph (Tarjan's algorithm).

``graphlib`` only says that a cycle exists; a package picture needs every cycle's members.
Iterative (a deep package must not hit the recursion limit) and deterministic: nodes and
their successors are visited in sorted order, so the same graph gives the same components.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def import_cycles(edges: Mapping[str, Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    """The strongly connected components of more than one node (``a`` imports ``b`` imports ``a``),
    each sorted, sorted by their first member. ``edges``: node -> the nodes it points to (a node
    only pointed to needs no key of its own); self-loops are no cycles here."""
    successors: dict[str, list[str]] = {}
    for source, targets in edges.items():
        successors.setdefault(source, [])
        for target in targets:
            successors.setdefault(target, [])
            if target != source:
                successors[source].append(target)
    for targets in successors.values():
        targets.sort()
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    for root in sorted(successors):
        if root in index:
            continue
        # (node, position of the next successor to visit): the call stack of the recursive form
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = lowlink[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = successors[node]
            while position < len(targets):
                target = targets[position]
                position += 1
                if target not in index:
                    work.append((node, position))
                    work.append((target, 0))
                    break
                if target in on_stack:
                    lowlink[node] = min(lowlink[node], index[target])
            else:
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(tuple(sorted(component)))
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
    return tuple(sorted(found))
