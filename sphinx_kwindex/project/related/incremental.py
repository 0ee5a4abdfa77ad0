"""Re-rank only the modules an edit can affect, and get exactly what ranking everything would give.

A module's related files are computed from a known set of inputs (see
:class:`~sphinx_kwindex.project.related.rank.RelatedRanker`): its own import links and
those of the modules at their other end (with their link counts and used
names), its use links (definitions called, names used) and those of the modules
at their other end, its test links, the identifier vectors of the modules sharing its top
words, the import links of its closest co-change partners, and project-wide
facts (module names and paths, weights, limit, co-change counts). A
:class:`RankInputs` records these inputs per module, compactly; comparing the
previous build's record with this one's gives the modules whose ranking may
differ (:func:`stale_modules`). When a project-wide fact differs, everything is
re-ranked.

Use links are counted from references, which depend on other modules'
definitions too (an edit of ``b`` can change what ``a`` calls of it); the record
holds the counts themselves, so such a change is seen without knowing its cause.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sphinx_kwindex import fingerprint
from sphinx_kwindex.fingerprint import plain_digest
from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.project.related.history import CoChange
from sphinx_kwindex.project.related.rank import RelatedFile, RelatedRanker
from sphinx_kwindex.project.related.weights import RelatedWeights

#: Bump when the record's layout or meaning changes.
INPUTS_FORMAT = 3


@dataclass
class RankInputs:
    """What each module's ranking read, from one build."""

    #: what forces ranking everything: code, weights, limit, modules with paths and test flags, co-change
    frame: str
    #: module -> content digest
    digests: dict[str, str]
    #: module -> resolved imports {target: names}
    imports: dict[str, dict[str, tuple[str, ...]]]
    #: module -> modules whose definitions it uses {target: (definitions called, other names used)}
    uses: dict[str, dict[str, tuple[int, int]]]
    #: module -> (tests it tests, tests testing it), each sorted (module, strength) pairs
    tests: dict[str, tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]]
    #: module -> digest of its identifier vector
    vectors: dict[str, str]
    #: module -> its top identifier words
    tops: dict[str, tuple[str, ...]]
    #: word -> modules found through it
    postings: dict[str, tuple[str, ...]]
    #: module -> the modules it follows for ``neighbours`` (its closest co-change partners)
    partners: dict[str, tuple[str, ...]]
    #: module -> digest of the references its ``uses`` were counted from (empty: not known)
    references: dict[str, str] = field(default_factory=dict)


@dataclass
class RankState:
    """A ranking of every module, with the inputs it was computed from."""

    inputs: RankInputs
    ranking: dict[str, tuple[RelatedFile, ...]]


def project_frame(
    summaries: Mapping[str, ModuleSummary], weights: RelatedWeights, limit: int, cochange: CoChange | None
) -> str:
    """Digest of what every module's ranking depends on alike: the extension's code, the weights,
    the limit, the modules with their paths and test flags, and the co-change counts."""
    frame = hashlib.blake2b(digest_size=16)
    frame.update(f"{INPUTS_FORMAT}\0{fingerprint.code_digest()}\0{weights!r}\0{limit}\0".encode())
    for module in sorted(summaries):
        summary = summaries[module]
        frame.update(f"{module}\0{summary.path}\0{summary.source.is_test}\0".encode())
    if cochange is not None:
        frame.update(cochange.fingerprint().encode())
    return frame.hexdigest()


def rank_inputs(ranker: RelatedRanker, limit: int) -> RankInputs:
    """The inputs of every module's ranking by ``ranker`` at ``limit``."""
    summaries = ranker.summaries
    graph = ranker.graph
    identifiers = ranker.identifiers
    uses = ranker.usage.all_uses() if ranker.usage is not None else {}
    tests = {}
    for module in summaries:
        tests_of, tested_by = graph.test_links(module)
        tests[module] = (tuple(sorted(tests_of.items())), tuple(sorted(tested_by.items())))
    return RankInputs(
        frame=project_frame(summaries, ranker.weights, limit, ranker.cochange),
        digests={module: summary.digest for module, summary in summaries.items()},
        imports={module: dict(graph.all_imports().get(module, {})) for module in summaries},
        uses={module: dict(uses.get(module, {})) for module in summaries},
        tests=tests,
        vectors={module: plain_digest(tuple(sorted(vector.items()))) for module, vector in identifiers.vectors.items()}
        if identifiers else {},
        tops=dict(identifiers.tops) if identifiers else {},
        postings={word: tuple(found) for word, found in identifiers.postings.items()} if identifiers else {},
        partners={module: tuple(p for _, p in ranker.closest_partners(module)) for module in summaries},
        references=dict(ranker.usage.digests) if ranker.usage is not None else {},
    )


def stale_modules(old: RankInputs, new: RankInputs) -> set[str] | None:
    """Modules whose ranking may differ between ``old`` and ``new`` inputs; None: all of them."""
    if old.frame != new.frame or old.digests.keys() != new.digests.keys():
        return None
    modules = new.digests.keys()
    old_importers, new_importers = _importers(old.imports), _importers(new.imports)

    def ends(module: str) -> set[str]:
        """A module with the modules at the other end of its import links, before and after."""
        return {
            module, *old.imports[module], *new.imports[module],
            *old_importers.get(module, ()), *new_importers.get(module, ()),
        }

    # Modules whose import links, or what is counted on them, may differ (the "imports" signal).
    linked: set[str] = set()
    for module in modules:
        if old.digests[module] != new.digests[module]:
            linked |= ends(module)  # names it uses, names it defines
        before, after = old.imports[module], new.imports[module]
        if before != after:
            linked |= ends(module)
            for target in before.keys() ^ after.keys():  # in-degree changed: every link to it weighs anew
                linked |= ends(target)
    stale = set(linked)
    # "neighbours" follows the import links of each module's closest co-change partners.
    stale |= {module for module in modules if not linked.isdisjoint(new.partners[module])}
    # "uses": the same for use links, whose counts the record holds (see the module's docstring).
    old_users, new_users = _importers(old.uses), _importers(new.uses)

    def use_ends(module: str) -> set[str]:
        return {module, *old.uses[module], *new.uses[module], *old_users.get(module, ()), *new_users.get(module, ())}

    for module in modules:
        before, after = old.uses[module], new.uses[module]
        if before != after:
            stale |= use_ends(module)
            for target in before.keys() ^ after.keys():
                stale |= use_ends(target)
    # Test links: a test's imports also break ties between modules its name points to, so a
    # module can gain or lose a test without any import link of its own changing.
    stale |= {module for module in modules if old.tests[module] != new.tests[module]}
    # "identifiers": a module whose vector changed, and every module finding it (or finding
    # other modules) through one of its top words: the words whose postings changed or hold it.
    changed_vectors = {module for module in modules if old.vectors.get(module) != new.vectors.get(module)}
    words = {word for word in old.postings.keys() | new.postings.keys() if old.postings.get(word) != new.postings.get(word)}
    words |= {word for word, found in new.postings.items() if not changed_vectors.isdisjoint(found)}
    stale |= changed_vectors
    stale |= {module for module in modules if not words.isdisjoint(new.tops.get(module, ()))}  # old tops: the same
    return stale


def update_ranking(
    ranker: RelatedRanker, limit: int, previous: RankState | None
) -> tuple[RankState, set[str] | None]:
    """The ranking of every module, re-ranking only stale ones when ``previous`` allows.

    Returns the new state and the modules ranked anew (None: all of them).
    """
    inputs = rank_inputs(ranker, limit)
    stale = stale_modules(previous.inputs, inputs) if previous is not None else None
    if limit <= 0:
        ranking = {module: () for module in sorted(ranker.summaries)}
    elif stale is None:
        ranking = {module: ranker.rank(module, limit) for module in sorted(ranker.summaries)}
    else:
        ranking = {
            module: ranker.rank(module, limit) if module in stale else previous.ranking[module]
            for module in sorted(ranker.summaries)
        }
    return RankState(inputs, ranking), stale


def _importers(imports: Mapping[str, Mapping[str, Iterable]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for source, targets in imports.items():
        for target in targets:
            found.setdefault(target, []).append(source)
    return found


def valid_state(state: object) -> bool:
    """Everything a later build reads from a stored ``state`` is there, of the right type, and names
    known modules (a planted or damaged file may hold anything; this may raise, which means no)."""
    if not (isinstance(state, RankState) and isinstance(state.inputs, RankInputs) and isinstance(state.ranking, dict)):
        return False
    inputs = state.inputs
    modules = inputs.digests.keys()
    if not (isinstance(inputs.frame, str)
            and state.ranking.keys() == modules == inputs.imports.keys() == inputs.uses.keys()
            == inputs.tests.keys() == inputs.partners.keys()):
        return False
    return (
        all(isinstance(v, str) for mapping in (inputs.digests, inputs.vectors, inputs.references)
            for v in mapping.values())
        and isinstance(inputs.references, dict) and inputs.references.keys() <= modules
        and all(_imports(targets, modules) for targets in inputs.imports.values())
        and all(_uses(targets, modules) for targets in inputs.uses.values())
        and all(_test_links(links, modules) for links in inputs.tests.values())
        and all(_strings(words) for words in (*inputs.tops.values(), *inputs.postings.values()))
        and all(_strings(found) and set(found) <= modules for found in inputs.partners.values())
        and all(_entries(entries, modules) for entries in state.ranking.values())
    )


def _strings(values: object) -> bool:
    return isinstance(values, tuple) and all(isinstance(value, str) for value in values)


def _imports(targets: object, modules) -> bool:
    return isinstance(targets, dict) and all(t in modules and _strings(names) for t, names in targets.items())


def _uses(targets: object, modules) -> bool:
    return isinstance(targets, dict) and all(
        t in modules and isinstance(counts, tuple) and len(counts) == 2 and all(type(c) is int for c in counts)
        for t, counts in targets.items()
    )


def _test_links(links: object, modules) -> bool:
    return isinstance(links, tuple) and len(links) == 2 and all(
        isinstance(pair, tuple) and len(pair) == 2 and pair[0] in modules and isinstance(pair[1], float)
        for side in links for pair in side
    )


def _entries(entries: object, modules) -> bool:
    return isinstance(entries, tuple) and all(
        isinstance(e, RelatedFile) and e.module in modules and isinstance(e.score, float) and _strings(e.reasons)
        for e in entries
    )
