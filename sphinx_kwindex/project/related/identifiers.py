"""Shared rare identifier words: TF-IDF over identifier names split on ``_`` and camelCase.

Candidates come from an inverted index over each module's rarest words, with
common words left out, so the work grows with the project, not with its square.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from itertools import chain

from sphinx_kwindex.model import ModuleSummary

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
#: Words every Python file uses; they say nothing even where rare.
_STOP = frozenset(
    "self cls args kwargs init new str int float bool dict list tuple set none true false len isinstance "
    "return get for the and not with from import type name value key items keys values append format "
    "super object property staticmethod classmethod main test tests".split()
)
#: Words kept per module for finding candidates (its highest weighted ones).
TOP_WORDS = 40
#: A word in more modules than this share of the project (and at least MIN_POSTINGS) finds no candidates.
MAX_SHARE = 0.05
MIN_POSTINGS = 30


def words_of(identifier: str) -> tuple[str, ...]:
    """``register_lowering`` -> register, lowering; ``HTTPServerError`` -> http, server, error."""
    return tuple(
        word
        for word in (match.lower() for match in _WORD.findall(identifier))
        if len(word) > 2 and word not in _STOP
    )


class IdentifierIndex:
    """Unit-length TF-IDF vectors of each module's identifier words, and who shares what."""

    def __init__(self, summaries: Mapping[str, ModuleSummary]) -> None:
        counts: dict[str, Counter[str]] = {}
        frequency: Counter[str] = Counter()  # modules having each word
        split: dict[str, tuple[str, ...]] = {}  # most identifiers recur across the modules of a project
        for module, summary in summaries.items():
            for identifier in set(summary.identifiers).difference(split):
                split[identifier] = words_of(identifier)
            # Counted in C, each word where it first occurs (the vectors' sums add in that order).
            words = counts[module] = Counter(chain.from_iterable(map(split.__getitem__, summary.identifiers)))
            frequency.update(words.keys())
        total = len(summaries)
        # The factors of each weight, computed once per word and per count (the same floats).
        rarity = {word: math.log((total + 1) / found) for word, found in frequency.items() if found > 1}
        repeats: dict[int, float] = {}
        self.vectors: dict[str, dict[str, float]] = {}
        for module, words in counts.items():
            vector = {}
            for word, count in words.items():
                if word in rarity:
                    tf = repeats.get(count)
                    if tf is None:
                        tf = repeats[count] = 1 + math.log(count)
                    vector[word] = tf * rarity[word]
            norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
            self.vectors[module] = {word: weight / norm for word, weight in vector.items()}
        #: each module's highest weighted words (its rarest, most repeated ones)
        self.tops: dict[str, tuple[str, ...]] = {}
        cap = max(MIN_POSTINGS, int(total * MAX_SHARE))
        #: word -> modules having it among their top words (only words rare enough to find candidates)
        self.postings: dict[str, list[str]] = {}
        #: word -> (module, its weight of the word) for the modules in ``postings``
        self._weighted: dict[str, list[tuple[str, float]]] = {}
        for module in sorted(self.vectors):
            vector = self.vectors[module]
            top = self.tops[module] = tuple(sorted(vector, key=lambda word: (-vector[word], word))[:TOP_WORDS])
            for word in top:
                if frequency[word] <= cap:
                    self.postings.setdefault(word, []).append(module)
                    self._weighted.setdefault(word, []).append((module, vector[word]))

    def similar(self, module: str) -> dict[str, float]:
        """Modules sharing rare words with ``module``: {module: cosine over those words}."""
        vector = self.vectors.get(module, {})
        scores: dict[str, float] = {}
        for word in self.tops.get(module, ()):
            weight = vector[word]
            for other, theirs in self._weighted.get(word, ()):
                if other != module:
                    scores[other] = scores.get(other, 0.0) + weight * theirs
        return scores

    def shared_words(self, module: str, other: str, most: int = 3) -> list[str]:
        """The words weighing most in what ``module`` and ``other`` share."""
        mine, theirs = self.vectors.get(module, {}), self.vectors.get(other, {})
        shared = sorted(set(mine) & set(theirs), key=lambda word: (-mine[word] * theirs[word], word))
        return shared[:most]
