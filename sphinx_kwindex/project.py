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


@dataclass
class ProjectIndex:
    """All analysed modules of the configured source roots."""

    project_root: Path
    modules: Mapping[str, ModuleSummary] = field(default_factory=dict)
    #: problems found while finding files: (absolute path, problem)
    find_problems: list[tuple[str, Problem]] = field(default_factory=list)

    @classmethod
    def from_summaries(
        cls, project_root: Path, summaries: Iterable[ModuleSummary], find_problems=()
    ) -> ProjectIndex:
        modules = {summary.module: summary for summary in sorted(summaries, key=lambda s: s.module)}
        return cls(project_root, modules, list(find_problems))

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

    def render_digest(self, module: str) -> str:
        """Changes exactly when what a page shows for ``module`` may change.

        A page that shows a module is re-read when this changes (and only then):
        the file's content and path, and which of its import targets are in the project.
        """
        summary = self.modules.get(module)
        if summary is None:
            return "missing"
        hasher = hashlib.blake2b(digest_size=12)
        hasher.update(f"{summary.digest}\0{summary.path}\0{summary.source.is_test}".encode())
        for imported in summary.imported_names:
            in_project = self.split_target(imported.target) is not None
            hasher.update(f"\0{imported.target}:{in_project}".encode())
        return hasher.hexdigest()
