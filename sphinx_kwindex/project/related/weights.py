"""How much each related-files signal counts; defaults measured by ``benchmarks/related_replay.py``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class RelatedWeights:
    """One non-negative weight per signal; 0 turns a signal off."""

    imports: float = 0.75
    uses: float = 0.25
    cochange: float = 2.0
    tests: float = 1.0
    identifiers: float = 1.0
    folder: float = 0.05

    @classmethod
    def signals(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> RelatedWeights:
        """Defaults overridden by ``values``; unknown names or bad weights raise ValueError."""
        allowed = cls.signals()
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(
                f"unknown related-files signal(s): {', '.join(map(str, unknown))}; allowed: {', '.join(allowed)}"
            )
        for name, weight in values.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
                raise ValueError(f"weight of related-files signal {name!r} must be a number, not {weight!r}")
            if weight < 0:
                raise ValueError(f"weight of related-files signal {name!r} must not be negative, not {weight!r}")
        return cls(**{name: float(weight) for name, weight in values.items()})

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.signals()}


def specificity(count: int, total: int) -> float:
    """An IDF weight in 0..1: 1 for what one of ``total`` items has, near 0 for what all have."""
    return math.log((total + 1) / count) / math.log(total + 1) if total > 0 else 0.0
