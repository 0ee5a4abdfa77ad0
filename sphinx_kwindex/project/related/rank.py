"""Rank each module's related files from all signals, with the reasons worth showing.

Each signal gives a candidate a strength, scaled so the module's best candidate
for that signal has 1; the weighted sum ``s`` becomes the score ``1 - exp(-s)``.
Every loop runs over one module's own links (and those of its few closest
co-change partners), never over all pairs of modules.
"""

from __future__ import annotations

import heapq
import math
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from sphinx_kwindex.model import ModuleSummary, count_of
from sphinx_kwindex.project.related.graph import ProjectGraph
from sphinx_kwindex.project.related.history import CoChange
from sphinx_kwindex.project.related.identifiers import IdentifierIndex
from sphinx_kwindex.project.related.usage import Counts, UsageGraph
from sphinx_kwindex.project.related.weights import RelatedWeights

#: Hub penalty: a link's strength is multiplied by specificity ** HUB_POWER.
HUB_POWER = 1.5
#: Shown reasons: at least this many shared commits and this share of the module's commits.
MIN_SHOWN_COMMITS = 2
MIN_SHOWN_COCHANGE = 0.1
#: A commit touching at most this many of the project's files is a focused change; a pair of files
#: seen together only in larger ones gets a reason that says so ("each touching 18 files or more").
FOCUSED_COMMIT = 10
#: Shown reason "shares identifiers": cosine at least this.
MIN_SHOWN_IDENTIFIERS = 0.15
#: Each signal is scaled to the module's best candidate, but never by less than this,
#: so that weak evidence (only a hub imported, one shared commit) stays weak.
FLOOR = {"imports": 0.3, "uses": 0.3, "cochange": 0.2, "identifiers": 0.1, "activity": 1.0}
#: ``uses``: a name used otherwise than called counts this share of a called definition.
NAME_SHARE = 0.5
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
#: The signals, in the order their contributions are summed and their reasons listed.
SIGNALS = ("imports", "uses", "tests", "cochange", "neighbours", "identifiers", "activity", "folder")


@dataclass(frozen=True, slots=True)
class RelatedFile:
    """One entry of a module's related files: best first, with plain-word reasons."""

    module: str
    #: 0..1, rounded to 2 decimals
    score: float
    reasons: tuple[str, ...]


def rank_related(
    summaries: Mapping[str, ModuleSummary],
    graph: ProjectGraph,
    cochange: CoChange | None,
    weights: RelatedWeights,
    limit: int = 10,
    usage: UsageGraph | None = None,
) -> dict[str, tuple[RelatedFile, ...]]:
    """For every module: at most ``limit`` related modules, best first, never itself
    (``usage``: what modules' code uses of each other; None: no ``uses`` signal)."""
    ranker = RelatedRanker(summaries, graph, cochange, weights, usage)
    return {module: ranker.rank(module, limit) for module in sorted(summaries)}


class RelatedRanker:
    """Ranks related files for one module at a time; build once per project (indexes are shared)."""

    def __init__(
        self,
        summaries,
        graph: ProjectGraph,
        cochange: CoChange | None,
        weights: RelatedWeights,
        usage: UsageGraph | None = None,
    ) -> None:
        self.summaries = summaries
        self.graph = graph
        self.usage = usage if weights.uses > 0 else None
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
        #: The weight of each signal; the history signals ride on the co-change weight.
        self.signal_weights = {
            **weights.as_dict(),
            "activity": ACTIVITY_SHARE * weights.cochange,
            "neighbours": NEIGHBOURS_SHARE * weights.cochange,
        }

    def folder(self, module: str) -> str:
        return self._folder[module]

    def rank(self, module: str, limit: int) -> tuple[RelatedFile, ...]:
        """At most ``limit`` related modules of ``module``, best first.

        Each signal fills its own table (candidate -> strength); reasons are kept for the
        signals that give several per candidate, and made for the few entries shown only.
        """
        tables: dict[str, dict[str, float]] = {signal: {} for signal in SIGNALS}
        reasons: dict[str, list[tuple[str, str, bool]]] = {}
        if self.weights.imports > 0:
            self.imports(module, tables["imports"], reasons)
        if self.usage is not None:
            self.uses(module, tables["uses"], reasons)
        if self.weights.tests > 0:
            self.tests(module, tables["tests"], reasons)
        if self.cochange is not None:
            self.changes(module, tables["cochange"], reasons)
            self.neighbours(module, tables["neighbours"], reasons)
        if self.identifiers is not None:
            tables["identifiers"] = self.identifiers.similar(module)
        candidates: set[str] = set().union(*tables.values())
        candidates.discard(module)
        for table in tables.values():
            table.pop(module, None)
        if self.cochange is not None:
            self.activity(candidates, tables["activity"])
        if self.weights.folder > 0:
            self.near(module, candidates, tables["folder"], limit)
        totals, scales = self.combine(tables)
        ranked = heapq.nsmallest(limit, totals.items(), key=lambda item: (-item[1], item[0]))
        return tuple(
            self.entry(module, other, total, scales, tables, reasons.get(other, []))
            for other, total in ranked
            if total > 0
        )

    def combine(self, tables: dict[str, dict[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
        """Each candidate's weighted sum of its signal strengths (each signal scaled to its best here),
        summed in signal order; and each signal's scale."""
        weights = self.signal_weights
        totals: dict[str, float] = {}
        scales: dict[str, float] = {}
        for signal, table in tables.items():
            best = max(table.values(), default=0.0)
            if best <= 0:
                continue
            weight, scale = weights[signal], max(best, FLOOR.get(signal, 0.0))
            scales[signal] = scale
            for other, strength in table.items():
                totals[other] = totals.get(other, 0) + weight * strength / scale
        return totals, scales

    def entry(self, module, other, total, scales, tables, reasons) -> RelatedFile:
        """The entry shown for ``other``, with its strong reasons (strongest signal first), else its
        strongest weak one."""
        weights = self.signal_weights
        contributions = {
            signal: weights[signal] * tables[signal][other] / scales[signal]
            for signal in SIGNALS
            if signal in scales and other in tables[signal]
        }
        made: list[tuple[str, str | Callable[[], str], bool]] = list(reasons)
        similarity = tables["identifiers"].get(other)
        if similarity is not None:
            made.append(("identifiers", partial(self.shared_reason, module, other),
                         similarity >= MIN_SHOWN_IDENTIFIERS))
        if other in tables["activity"]:
            commits = self.cochange.commits_of(self.summaries[other].path)
            made.append(("activity", f"changed in {commits} commits", False))
        folder = tables["folder"].get(other)
        if folder is not None:
            made.append(("folder", "same folder", True) if folder == 1.0 else ("folder", "near folder", False))
        return _entry(other, total, contributions, made)

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

    def imports(self, module: str, table: dict[str, float], reasons) -> None:
        for target, names in self.graph.imports_of(module).items():
            count = self.used(module, target, names)
            _add(table, reasons, "imports", target, self.link(module, target, count), _imports_reason(names, count))
        for source, names in self.graph.imported_by(module).items():
            count = self.used(source, module, names)
            _add(table, reasons, "imports", source, self.link(source, module, count), _imported_by_reason(names, count))

    def uses(self, module: str, table: dict[str, float], reasons) -> None:
        """Definitions called and names used, both ways, hub-penalised like imports."""
        usage = self.usage
        for target, counts in usage.uses_of(module).items():
            _add(table, reasons, "uses", target, self.use_link(module, target, counts), _uses_reason(counts))
        for source, counts in usage.used_by(module).items():
            _add(table, reasons, "uses", source, self.use_link(source, module, counts), _used_by_reason(counts))

    def use_link(self, source: str, target: str, counts: Counts) -> float:
        """Strength of ``source`` calling and using definitions of ``target``: more more, hubs less."""
        usage = self.usage
        specific = usage.specificity(usage.in_degree(target)) ** HUB_POWER
        broad = usage.specificity(usage.out_degree(source)) ** 0.5
        return specific * broad * _use_amount(counts[0] + NAME_SHARE * counts[1])

    def tests(self, module: str, table: dict[str, float], reasons) -> None:
        tests_of, tested_by = self.graph.test_links(module)
        for target, strength in tests_of.items():
            _add(table, reasons, "tests", target, strength, "tested by this module")
        for test, strength in tested_by.items():
            _add(table, reasons, "tests", test, strength, "tests this module")

    def changes(self, module: str, table: dict[str, float], reasons) -> None:
        path = self.summaries[module].path
        mine = self.cochange.commits_of(path)
        for other_path, together in self.cochange.partners(path).items():
            other = self.by_path.get(other_path)
            if other is None:
                continue
            reason = f"changed together in {together} of {mine} commits"
            smallest = self.cochange.smallest_commit(path, other_path)
            if smallest > FOCUSED_COMMIT:
                # Only sweeping commits: true, but weak; said so, and shown only when nothing else is.
                reason += f", each touching {smallest} files or more"
            shown = (together >= MIN_SHOWN_COMMITS and together / mine >= MIN_SHOWN_COCHANGE
                     and smallest <= FOCUSED_COMMIT)
            _add(table, reasons, "cochange", other, together / mine, reason, shown)

    def neighbours(self, module: str, table: dict[str, float], reasons) -> None:
        """Import links of the closest co-change partners: ``share together * link strength``.

        A change touching this file and a partner often touches what the partner
        imports or is imported by; hubs weigh little, as for ``imports``.
        """
        mine = self.cochange.commits_of(self.summaries[module].path)
        for together, partner in self.closest_partners(module):
            share = together / mine
            reason = f"linked by imports to {partner}, which changed together with this module"
            for target, names in self.graph.imports_of(partner).items():
                strength = share * self.link(partner, target, self.used(partner, target, names))
                _add(table, reasons, "neighbours", target, strength, reason, False)
            for source, names in self.graph.imported_by(partner).items():
                strength = share * self.link(source, partner, self.used(source, partner, names))
                _add(table, reasons, "neighbours", source, strength, reason, False)

    def closest_partners(self, module: str) -> list[tuple[int, str]]:
        """(commits together, module) of the co-change partners ``neighbours`` follows, closest first."""
        if self.cochange is None:
            return []
        partners = self.cochange.partners(self.summaries[module].path)
        return sorted(
            ((together, self.by_path[path]) for path, together in partners.items() if path in self.by_path),
            key=lambda item: (-item[0], item[1]),
        )[:NEIGHBOUR_PARTNERS]

    def activity(self, candidates: set[str], table: dict[str, float]) -> None:
        """How often each candidate changed: ``log(1 + its commits) / log(1 + the busiest file's)``.

        Only for candidates some other signal found; it never adds one.
        """
        if self._busiest <= 0:
            return
        scale = math.log1p(self._busiest)
        for other in candidates:
            commits = self.cochange.commits_of(self.summaries[other].path)
            if commits:
                table[other] = math.log1p(commits) / scale

    def shared_reason(self, module: str, other: str) -> str:
        return "shares identifiers: " + ", ".join(self.identifiers.shared_words(module, other))

    def near(self, module: str, candidates: set[str], table: dict[str, float], limit: int) -> None:
        """Folder proximity: a tie-breaker among candidates, and fills a short list with neighbours."""
        home, home_parent = self._folder[module], self._parent[module]
        folder_of, parent_of = self._folder, self._parent
        for other in candidates:
            there = folder_of[other]
            if there == home:
                table[other] = 1.0
            elif parent_of[other] == home or home_parent == there:
                table[other] = 0.5
        if len(candidates) >= limit:
            return
        members = self.folders[home]
        at = self.position[module]
        nearest = sorted(
            members[max(0, at - _FOLDER_NEIGHBOURS) : at + _FOLDER_NEIGHBOURS + 1], key=lambda m: abs(self.position[m] - at)
        )
        for other in nearest:
            if len(candidates) >= limit:
                break
            if other != module and other not in candidates:
                table[other] = 1.0
                candidates.add(other)


#: How each reason's wording starts -> (the link it stands for, its direction: 1 from the module to
#: the related file, -1 back, 0 none). The pictures draw a related file's link by its first reason.
_REASON_LINKS = (
    ("imports ", "imports", 1), ("imported by", "imports", -1),
    ("calls ", "uses", 1), ("uses ", "uses", 1), ("called by", "uses", -1), ("used by", "uses", -1),
    ("tested by this module", "tests", 1), ("tests this module", "tests", -1),
    ("changed together", "cochange", 0),
)


def reason_link(reason: str) -> tuple[str, int]:
    """(``imports``, ``uses``, ``tests``, ``cochange`` or ``related``, direction) of a reason's words."""
    for start, link, direction in _REASON_LINKS:
        if reason.startswith(start):
            return link, direction
    return "related", 0


def _add(table: dict[str, float], reasons: dict, signal: str, other: str, strength: float, reason: str,
         strong: bool = True) -> None:
    table[other] = table.get(other, 0.0) + strength
    reasons.setdefault(other, []).append((signal, reason, strong))


def _names(count: int) -> str:
    return f"{count} name{'s' if count != 1 else ''}"


def _imports_reason(names: tuple[str, ...], count: int) -> str:
    if names:
        return f"imports {_names(count)} from"
    return f"imports the module, uses {_names(count)} from" if count else "imports the module"


def _use_amount(count: float) -> float:
    return math.log1p(count)


def _uses_reason(counts: Counts) -> str:
    calls, names = counts
    if not calls:
        return f"uses {_names(names)} of"
    said = f"calls {count_of(calls, 'function')} of"
    return f"{said}, uses {count_of(names, 'other name')} of" if names else said


def _used_by_reason(counts: Counts) -> str:
    calls, names = counts
    if not calls:
        return f"used by ({_names(names)})"
    said = f"called by ({count_of(calls, 'function')})"
    return f"{said}, used by ({count_of(names, 'other name')})" if names else said


def _imported_by_reason(names: tuple[str, ...], count: int) -> str:
    if names:
        return f"imported by ({_names(count)})"
    return f"imported by (the module, {_names(count)})" if count else "imported by (the module)"


def _entry(other: str, total: float, contributions: dict[str, float], reasons: list) -> RelatedFile:
    """The entry, with its strong reasons (strongest signal first), else its strongest weak one."""
    ordered = sorted(reasons, key=lambda item: -contributions.get(item[0], 0.0))
    ordered = [item for item in ordered if item[0] != "folder"] + [item for item in ordered if item[0] == "folder"]
    shown = [reason for _, reason, strong in ordered if strong] or [reason for _, reason, _ in ordered[:1]]
    words: list[str] = []
    for reason in shown:
        text = reason() if callable(reason) else reason
        if text not in words and (text != "same folder" or not words):
            words.append(text)
    return RelatedFile(other, round(1 - math.exp(-total), 2), tuple(words))
