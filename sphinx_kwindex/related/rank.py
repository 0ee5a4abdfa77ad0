"""Rank each module's related files from all signals, with the reasons worth showing.

Each signal gives a candidate a strength, scaled so the module's best candidate
for that signal has 1; the weighted sum ``s`` becomes the score ``1 - exp(-s)``.
Every loop runs over one module's own links (and those of its few closest
co-change partners), never over all pairs of modules.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.related.graph import ProjectGraph
from sphinx_kwindex.related.history import CoChange
from sphinx_kwindex.related.identifiers import IdentifierIndex
from sphinx_kwindex.related.weights import RelatedWeights

#: Hub penalty: a link's strength is multiplied by specificity ** HUB_POWER.
HUB_POWER = 1.5
#: Shown reasons: at least this many shared commits and this share of the module's commits.
MIN_SHOWN_COMMITS = 2
MIN_SHOWN_COCHANGE = 0.1
#: Shown reason "shares identifiers": cosine at least this.
MIN_SHOWN_IDENTIFIERS = 0.15
#: Each signal is scaled to the module's best candidate, but never by less than this,
#: so that weak evidence (only a hub imported, one shared commit) stays weak.
FLOOR = {"imports": 0.3, "cochange": 0.2, "identifiers": 0.1, "activity": 1.0}
#: Two history signals ride on the co-change weight, each with this share of it:
#: ``activity`` (how often the candidate itself changed: busy files are more
#: likely in the next change) and ``neighbours`` (import links of the files that
#: changed together with this one).
ACTIVITY_SHARE = 0.25
NEIGHBOURS_SHARE = 0.25
#: ``neighbours`` follows the import links of at most this many co-change partners (the closest).
NEIGHBOUR_PARTNERS = 20
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
    """What the signals say about one candidate: strength per signal, and the reasons they give."""

    __slots__ = ("strengths", "reasons", "contributions", "total")

    def __init__(self) -> None:
        self.strengths: dict[str, float] = {}
        #: (signal, reason or a function making it, strong enough to show on its own)
        self.reasons: list[tuple[str, str | Callable[[], str], bool]] = []
        self.contributions: dict[str, float] = {}
        self.total = 0.0

    def add(self, signal: str, strength: float, reason: str | Callable[[], str], strong: bool = True) -> None:
        self.strengths[signal] = self.strengths.get(signal, 0.0) + strength
        self.reasons.append((signal, reason, strong))


def rank_related(
    summaries: Mapping[str, ModuleSummary],
    graph: ProjectGraph,
    cochange: CoChange | None,
    weights: RelatedWeights,
    limit: int = 10,
) -> dict[str, tuple[RelatedFile, ...]]:
    """For every module: at most ``limit`` related modules, best first, never itself."""
    ranker = RelatedRanker(summaries, graph, cochange, weights)
    return {module: ranker.rank(module, limit) for module in sorted(summaries)}


class RelatedRanker:
    """Ranks related files for one module at a time; build once per project (indexes are shared)."""

    def __init__(self, summaries, graph: ProjectGraph, cochange: CoChange | None, weights: RelatedWeights) -> None:
        self.summaries = summaries
        self.graph = graph
        self.cochange = cochange if weights.cochange > 0 else None
        self.weights = weights
        self.identifiers = IdentifierIndex(summaries) if weights.identifiers > 0 else None
        self.by_path = {summary.path: module for module, summary in summaries.items()}
        self.folders: dict[str, list[str]] = {}
        # Folder of each module and of that folder, computed once (the ranking asks millions of times).
        self._folder = {module: posixpath.dirname(summary.path) for module, summary in summaries.items()}
        self._parent = {module: posixpath.dirname(folder) for module, folder in self._folder.items()}
        for module in sorted(summaries):
            self.folders.setdefault(self.folder(module), []).append(module)
        self._identifiers: dict[str, frozenset[str]] = {}
        self._toplevel: dict[str, frozenset[str]] = {}
        self.position = {module: i for members in self.folders.values() for i, module in enumerate(members)}
        #: Commits of the project's most changed file (scales ``activity``).
        self._busiest = max((self.cochange.commits_of(path) for path in self.by_path), default=0) if self.cochange else 0

    def folder(self, module: str) -> str:
        return self._folder[module]

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
        if self.cochange is not None:
            self.activity(found)
        if self.weights.folder > 0:
            self.near(module, found, evidence, limit)
        self.combine(found)
        ranked = sorted(found.items(), key=lambda item: (-item[1].total, item[0]))[:limit]
        return tuple(_entry(other, ev) for other, ev in ranked if ev.total > 0)

    def combine(self, found: dict[str, _Evidence]) -> None:
        """Weighted sum of each candidate's signal strengths (each signal scaled to its best here)."""
        weights = self.weights.as_dict()
        weights["activity"] = ACTIVITY_SHARE * self.weights.cochange
        weights["neighbours"] = NEIGHBOURS_SHARE * self.weights.cochange
        best: dict[str, float] = {}
        for ev in found.values():
            for signal, strength in ev.strengths.items():
                best[signal] = max(best.get(signal, 0.0), strength)
        for ev in found.values():
            ev.contributions = {
                signal: weights[signal] * strength / max(best[signal], FLOOR.get(signal, 0.0))
                for signal, strength in ev.strengths.items()
                if best[signal] > 0
            }
            ev.total = sum(ev.contributions.values())

    # -- signals -----------------------------------------------------------

    def link(self, source: str, target: str, count: int) -> float:
        """Strength of ``source`` using ``count`` names of ``target``: more names more, hubs less."""
        graph = self.graph
        specific = graph.specificity(graph.in_degree(target)) ** HUB_POWER
        broad = graph.specificity(graph.out_degree(source)) ** 0.5
        return specific * broad * (0.6 + 0.4 * min(1.0, max(1, count) / 4))

    def used(self, source: str, target: str, names: tuple[str, ...]) -> int:
        """Names imported, or for ``import target``: its top-level names ``source`` mentions."""
        if names:
            return len(names)
        if source not in self._identifiers:
            self._identifiers[source] = frozenset(self.summaries[source].identifiers)
        if target not in self._toplevel:
            definitions = self.summaries[target].definitions
            self._toplevel[target] = frozenset(d.name for d in definitions if "." not in d.name)
        return len(self._toplevel[target] & self._identifiers[source])

    def imports(self, module: str, evidence) -> None:
        for target, names in self.graph.imports_of(module).items():
            count = self.used(module, target, names)
            evidence(target).add("imports", self.link(module, target, count), _imports_reason(names, count))
        for source, names in self.graph.imported_by(module).items():
            count = self.used(source, module, names)
            evidence(source).add("imports", self.link(source, module, count), _imported_by_reason(names, count))

    def tests(self, module: str, evidence) -> None:
        tests_of, tested_by = self.graph.test_links(module)
        for target, strength in tests_of.items():
            evidence(target).add("tests", strength, "tested by this module")
        for test, strength in tested_by.items():
            evidence(test).add("tests", strength, "tests this module")

    def changes(self, module: str, evidence) -> None:
        path = self.summaries[module].path
        mine = self.cochange.commits_of(path)
        for other_path, together in self.cochange.partners(path).items():
            other = self.by_path.get(other_path)
            if other is None:
                continue
            strength = together / mine
            shown = together >= MIN_SHOWN_COMMITS and together / mine >= MIN_SHOWN_COCHANGE
            evidence(other).add("cochange", strength, f"changed together in {together} of {mine} commits", shown)
        self.neighbours(module, mine, evidence)

    def neighbours(self, module: str, mine: int, evidence) -> None:
        """Import links of the closest co-change partners: ``share together * link strength``.

        A change touching this file and a partner often touches what the partner
        imports or is imported by; hubs weigh little, as for ``imports``.
        """
        partners = self.cochange.partners(self.summaries[module].path)
        closest = sorted(
            ((together, self.by_path[path]) for path, together in partners.items() if path in self.by_path),
            key=lambda item: (-item[0], item[1]),
        )[:NEIGHBOUR_PARTNERS]
        for together, partner in closest:
            share = together / mine
            reason = f"linked by imports to {partner}, which changed together with this module"
            for target, names in self.graph.imports_of(partner).items():
                strength = share * self.link(partner, target, self.used(partner, target, names))
                evidence(target).add("neighbours", strength, reason, False)
            for source, names in self.graph.imported_by(partner).items():
                strength = share * self.link(source, partner, self.used(source, partner, names))
                evidence(source).add("neighbours", strength, reason, False)

    def activity(self, found: dict[str, _Evidence]) -> None:
        """How often each candidate changed: ``log(1 + its commits) / log(1 + the busiest file's)``.

        Only for candidates some other signal found; it never adds one.
        """
        if self._busiest <= 0:
            return
        scale = math.log1p(self._busiest)
        for other, ev in found.items():
            commits = self.cochange.commits_of(self.summaries[other].path)
            if commits:
                ev.add("activity", math.log1p(commits) / scale, f"changed in {commits} commits", False)

    def shared_words(self, module: str, evidence) -> None:
        for other, similarity in self.identifiers.similar(module).items():
            reason = partial(self.shared_reason, module, other)
            evidence(other).add("identifiers", similarity, reason, similarity >= MIN_SHOWN_IDENTIFIERS)

    def shared_reason(self, module: str, other: str) -> str:
        return "shares identifiers: " + ", ".join(self.identifiers.shared_words(module, other))

    def near(self, module: str, found: dict[str, _Evidence], evidence, limit: int) -> None:
        """Folder proximity: a tie-breaker among candidates, and fills a short list with neighbours."""
        home, home_parent = self._folder[module], self._parent[module]
        folder_of, parent_of = self._folder, self._parent
        for other, ev in found.items():
            there = folder_of[other]
            if there == home:
                ev.add("folder", 1.0, "same folder")
            elif parent_of[other] == home or home_parent == there:
                ev.add("folder", 0.5, "near folder", False)
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
                evidence(other).add("folder", 1.0, "same folder")


def _names(count: int) -> str:
    return f"{count} name{'s' if count != 1 else ''}"


def _imports_reason(names: tuple[str, ...], count: int) -> str:
    if names:
        return f"imports {_names(count)} from"
    return f"imports the module, uses {_names(count)} from" if count else "imports the module"


def _imported_by_reason(names: tuple[str, ...], count: int) -> str:
    if names:
        return f"imported by ({_names(count)})"
    return f"imported by (the module, {_names(count)})" if count else "imported by (the module)"


def _entry(module: str, evidence: _Evidence) -> RelatedFile:
    """The entry, with its strong reasons (strongest signal first), else its strongest weak one."""
    ordered = sorted(evidence.reasons, key=lambda item: -evidence.contributions.get(item[0], 0.0))
    ordered = [item for item in ordered if item[0] != "folder"] + [item for item in ordered if item[0] == "folder"]
    shown = [reason for _, reason, strong in ordered if strong] or [reason for _, reason, _ in ordered[:1]]
    words: list[str] = []
    for reason in shown:
        text = reason() if callable(reason) else reason
        if text not in words and (text != "same folder" or not words):
            words.append(text)
    return RelatedFile(module, round(1 - math.exp(-evidence.total), 2), tuple(words))
