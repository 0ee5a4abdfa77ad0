"""Rank each module's related files from all signals, with the reasons worth showing.

Each signal gives a candidate a strength in 0..1; the weighted sum ``s`` becomes
the score ``1 - exp(-s)``. Every loop runs over one module's own links, never
over all pairs of modules.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.related.graph import ProjectGraph
from sphinx_kwindex.related.history import CoChange
from sphinx_kwindex.related.identifiers import IdentifierIndex
from sphinx_kwindex.related.weights import RelatedWeights

#: Hub penalty: a link's strength is multiplied by specificity ** HUB_POWER.
HUB_POWER = 1.5
#: Co-change: pseudo-commits added to each file's count, so one shared commit is weak evidence.
COCHANGE_SMOOTHING = 2
#: Shown reasons: at least this many shared commits and this share of the module's commits.
MIN_SHOWN_COMMITS = 2
MIN_SHOWN_COCHANGE = 0.1
#: Shown reason "shares identifiers": cosine at least this.
MIN_SHOWN_IDENTIFIERS = 0.15
#: Folder neighbours looked at when filling a short list.
_FOLDER_NEIGHBOURS = 10


@dataclass(frozen=True, slots=True)
class RelatedFile:
    """One entry of a module's related files: best first, with plain-word reasons."""

    module: str
    #: 0..1, rounded to 2 decimals
    score: float
    reasons: tuple[str, ...]


class _Evidence:
    """What the signals say about one candidate: weighted sum and (weight, reason) pairs."""

    __slots__ = ("total", "reasons")

    def __init__(self) -> None:
        self.total = 0.0
        self.reasons: list[tuple[float, str]] = []

    def add(self, amount: float, reason: str | None) -> None:
        self.total += amount
        if reason:
            self.reasons.append((amount, reason))


def rank_related(
    summaries: Mapping[str, ModuleSummary],
    graph: ProjectGraph,
    cochange: CoChange | None,
    weights: RelatedWeights,
    limit: int = 10,
) -> dict[str, tuple[RelatedFile, ...]]:
    """For every module: at most ``limit`` related modules, best first, never itself."""
    ranker = _Ranker(summaries, graph, cochange, weights)
    return {module: ranker.rank(module, limit) for module in sorted(summaries)}


class _Ranker:
    def __init__(self, summaries, graph: ProjectGraph, cochange: CoChange | None, weights: RelatedWeights) -> None:
        self.summaries = summaries
        self.graph = graph
        self.cochange = cochange if weights.cochange > 0 else None
        self.weights = weights
        self.identifiers = IdentifierIndex(summaries) if weights.identifiers > 0 else None
        self.by_path = {summary.path: module for module, summary in summaries.items()}
        self.folders: dict[str, list[str]] = {}
        for module in sorted(summaries):
            self.folders.setdefault(self.folder(module), []).append(module)
        self.position = {module: i for members in self.folders.values() for i, module in enumerate(members)}

    def folder(self, module: str) -> str:
        return posixpath.dirname(self.summaries[module].path)

    def rank(self, module: str, limit: int) -> tuple[RelatedFile, ...]:
        found: dict[str, _Evidence] = {}

        def evidence(other: str) -> _Evidence:
            if other not in found:
                found[other] = _Evidence()
            return found[other]

        if self.weights.imports > 0:
            self.imports(module, evidence)
        if self.weights.tests > 0:
            self.tests(module, evidence)
        if self.cochange is not None:
            self.changes(module, evidence)
        if self.identifiers is not None:
            self.shared_words(module, evidence)
        found.pop(module, None)
        if self.weights.folder > 0:
            self.near(module, found, evidence, limit)
        ranked = sorted(found.items(), key=lambda item: (-item[1].total, item[0]))[:limit]
        return tuple(_entry(other, ev) for other, ev in ranked if ev.total > 0)

    # -- signals -----------------------------------------------------------

    def link(self, source: str, target: str, names: tuple[str, ...]) -> float:
        """Strength of ``source`` importing ``names`` from ``target``: more names more, hubs less."""
        graph = self.graph
        specific = graph.specificity(graph.in_degree(target)) ** HUB_POWER
        broad = graph.specificity(graph.out_degree(source)) ** 0.5
        return specific * broad * (0.6 + 0.4 * min(1.0, max(1, len(names)) / 4))

    def imports(self, module: str, evidence) -> None:
        weight = self.weights.imports
        for target, names in self.graph.imports_of(module).items():
            evidence(target).add(weight * self.link(module, target, names), _imports_reason(names))
        for source, names in self.graph.imported_by(module).items():
            evidence(source).add(weight * self.link(source, module, names), _imported_by_reason(names))

    def tests(self, module: str, evidence) -> None:
        weight = self.weights.tests
        tests_of, tested_by = self.graph.test_links(module)
        for target, strength in tests_of.items():
            evidence(target).add(weight * strength, "tested by this module")
        for test, strength in tested_by.items():
            evidence(test).add(weight * strength, "tests this module")

    def changes(self, module: str, evidence) -> None:
        path = self.summaries[module].path
        mine = self.cochange.commits_of(path)
        for other_path, together in self.cochange.partners(path).items():
            other = self.by_path.get(other_path)
            if other is None:
                continue
            theirs = self.cochange.commits_of(other_path)
            strength = together / math.sqrt((mine + COCHANGE_SMOOTHING) * (theirs + COCHANGE_SMOOTHING))
            shown = together >= MIN_SHOWN_COMMITS and together / mine >= MIN_SHOWN_COCHANGE
            reason = f"changed together in {together} of {mine} commits" if shown else None
            evidence(other).add(self.weights.cochange * strength, reason)

    def shared_words(self, module: str, evidence) -> None:
        for other, similarity in self.identifiers.similar(module).items():
            reason = None
            if similarity >= MIN_SHOWN_IDENTIFIERS:
                reason = "shares identifiers: " + ", ".join(self.identifiers.shared_words(module, other))
            evidence(other).add(self.weights.identifiers * similarity, reason)

    def near(self, module: str, found: dict[str, _Evidence], evidence, limit: int) -> None:
        """Folder proximity: a tie-breaker among candidates, and fills a short list with neighbours."""
        weight = self.weights.folder
        home = self.folder(module)
        for other, ev in found.items():
            there = self.folder(other)
            if there == home:
                ev.add(weight, "same folder")
            elif posixpath.dirname(there) == home or posixpath.dirname(home) == there:
                ev.add(weight / 2, None)
        if len(found) >= limit:
            return
        members = self.folders[home]
        at = self.position[module]
        nearest = sorted(
            members[max(0, at - _FOLDER_NEIGHBOURS) : at + _FOLDER_NEIGHBOURS + 1], key=lambda m: abs(self.position[m] - at)
        )
        for other in nearest:
            if len(found) >= limit:
                break
            if other != module and other not in found:
                evidence(other).add(weight, "same folder")


def _imports_reason(names: tuple[str, ...]) -> str:
    if not names:
        return "imports the module"
    return f"imports {len(names)} name{'s' if len(names) != 1 else ''} from"


def _imported_by_reason(names: tuple[str, ...]) -> str:
    if not names:
        return "imported by (the module)"
    return f"imported by ({len(names)} name{'s' if len(names) != 1 else ''})"


def _entry(module: str, evidence: _Evidence) -> RelatedFile:
    reasons = sorted(evidence.reasons, key=lambda item: -item[0])
    words: list[str] = []
    for _, reason in reasons:
        if reason not in words and reason != "same folder":
            words.append(reason)
    if not words and any(reason == "same folder" for _, reason in reasons):
        words.append("same folder")
    return RelatedFile(module, round(1 - math.exp(-evidence.total), 2), tuple(words))
