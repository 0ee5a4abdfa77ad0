"""Related files: import graph, use links, test links, shared identifiers and git co-change, ranked.

Pure Python over :class:`~sphinx_kwindex.model.ModuleSummary` objects; no Sphinx.
"""

from __future__ import annotations

from sphinx_kwindex.project.related.graph import ProjectGraph
from sphinx_kwindex.project.related.history import CoChange, read_cochange
from sphinx_kwindex.project.related.rank import RelatedFile, RelatedRanker, rank_related
from sphinx_kwindex.project.related.usage import UsageGraph
from sphinx_kwindex.project.related.weights import RelatedWeights

__all__ = ["CoChange", "ProjectGraph", "RelatedFile", "RelatedRanker", "RelatedWeights", "UsageGraph", "rank_related",
           "read_cochange"]
