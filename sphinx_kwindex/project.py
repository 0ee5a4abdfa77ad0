"""The project index: every module's summary, and the questions asked across modules.

No Sphinx here. Built once per build from the summaries; lookups are dict
based so nothing is quadratic in the number of modules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_kwindex.model import ModuleSummary, Problem
from sphinx_kwindex.related import CoChange, ProjectGraph, RelatedFile, RelatedRanker, RelatedWeights


@dataclass
class ProjectIndex:
    """All analysed modules of the configured source roots, their links and related files."""

    project_root: Path
    modules: Mapping[str, ModuleSummary] = field(default_factory=dict)
    #: problems found while finding files: (absolute path, problem)
    find_problems: list[tuple[str, Problem]] = field(default_factory=list)
    graph: ProjectGraph = field(default_factory=lambda: ProjectGraph.build({}))
    cochange: CoChange | None = None
    weights: RelatedWeights = field(default_factory=RelatedWeights)
    related_limit: int = 10
    _ranker: RelatedRanker | None = field(default=None, repr=False)
    _related: dict[tuple[str, int], tuple[RelatedFile, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_summaries(
        cls,
        project_root: Path,
        summaries: Iterable[ModuleSummary],
        find_problems: Iterable[tuple[str, Problem]] = (),
        *,
        cochange: CoChange | None = None,
        weights: RelatedWeights | None = None,
        related_limit: int = 10,
    ) -> ProjectIndex:
        modules = {summary.module: summary for summary in sorted(summaries, key=lambda s: s.module)}
        return cls(
            project_root,
            modules,
            list(find_problems),
            graph=ProjectGraph.build(modules),
            cochange=cochange,
            weights=weights or RelatedWeights(),
            related_limit=related_limit,
        )

    def __contains__(self, module: str) -> bool:
        return module in self.modules

    def get(self, module: str) -> ModuleSummary | None:
        return self.modules.get(module)

    def split_target(self, dotted: str) -> tuple[str, str] | None:
        """Split ``pkg.mod.Cls.meth`` into (project module, qualified name) by the longest module prefix."""
        head = dotted
        while head:
            if head in self.modules:
                return head, dotted[len(head) + 1 :]
            head = head.rpartition(".")[0]
        return None

    def related(self, module: str, limit: int | None = None) -> tuple[RelatedFile, ...]:
        """The related files of ``module``, best first (computed on first use, then kept)."""
        limit = self.related_limit if limit is None else limit
        key = (module, limit)
        if key not in self._related:
            if module not in self.modules or limit <= 0:
                return ()
            if self._ranker is None:
                self._ranker = RelatedRanker(self.modules, self.graph, self.cochange, self.weights)
            self._related[key] = self._ranker.rank(module, limit)
        return self._related[key]

    def test_command(self, module: str) -> str | None:
        """How to run a test module (``pytest path``), or None for other modules."""
        summary = self.modules.get(module)
        if summary is None or not summary.source.is_test or summary.source.module.endswith("conftest"):
            return None
        return f"pytest {summary.path}"

    def render_digest(self, module: str, related_limit: int | None = None) -> str:
        """Changes exactly when what a page shows for ``module`` may change.

        A page that shows a module is re-read when this changes (and only then):
        the file's content and path, which of its import targets are in the
        project, its links to other modules and its related files.
        """
        summary = self.modules.get(module)
        if summary is None:
            return "missing"
        parts = [summary.digest, summary.path, str(summary.source.is_test)]
        parts += [f"{i.target}:{self.split_target(i.target) is not None}" for i in summary.imported_names]
        parts.append(repr(sorted(self.graph.imports_of(module).items())))
        parts.append(repr(sorted(self.graph.imported_by(module).items())))
        parts.append(repr((self.graph.tests_of(module), self.graph.tested_by(module))))
        parts += [f"{r.module}:{r.score}:{r.reasons}" for r in self.related(module, related_limit)]
        parts += [self.modules[r.module].path for r in self.related(module, related_limit)]
        return hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()
