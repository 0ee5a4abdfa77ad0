"""Incremental re-ranking on a real tree: after one-file edits, is it exactly a full ranking, and how fast?

Analyses the tree once (through the analysis cache in ``--cache``), ranks every
module, then for each of ``--edits`` modules (picked at random with ``--seed``,
leaf modules by default) applies an edit in memory, re-analyses that one file,
and ranks again twice: incrementally from the previous state and from nothing.
It prints, per edit, the modules re-ranked, both times, and whether the two
rankings are equal (they must be: the script exits 1 otherwise)::

    python benchmarks/incremental_rank.py /work/corpus/torch --edits 10

Edits: ``function`` appends a new function (new identifier words),
``import`` appends an import of another project module (new graph edge),
``body`` appends a statement using existing names (identifier counts only).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.runner import analyse_all
from sphinx_kwindex.store import Store

EDITS = ("function", "import", "body")


def edited_text(text: bytes, kind: str, number: int, other_module: str) -> bytes:
    if kind == "function":
        return text + f"\n\ndef kwindex_benchmark_edit_{number}():\n    return {number}\n".encode()
    if kind == "import":
        return text + f"\n\nimport {other_module}\n".encode()
    return text + f"\n\n_kwindex_benchmark_{number} = None\n".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="analysis cache folder (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="kwindex-rank-"))
    found = find_sources([args.tree.resolve()], [], [])
    store = Store(cache) if cache is not None else None
    summaries = {s.module: s for s in analyse_all(found.files, jobs=args.jobs, store=store)}
    sources = {source.module: source for source in found.files}
    start = time.perf_counter()
    state, _ = ProjectIndex.from_summaries(found.project_root, summaries.values()).rank_all()
    print(f"{len(summaries)} modules; full ranking {time.perf_counter() - start:.2f} s")
    rng = random.Random(args.seed)
    imported = {target for s in summaries.values() for target in (i.module for i in s.imports)}
    candidates = sorted(m for m, s in summaries.items() if m not in imported and not s.parse_failed)
    print(f"| {'edit':<60} | {'re-ranked':>9} | {'incremental s':>13} | {'full s':>6} | equal |")
    print(f"|{'-' * 62}|{'-' * 11}|{'-' * 15}|{'-' * 8}|-------|")
    failed = False
    for number in range(args.edits):
        module, kind = rng.choice(candidates), EDITS[number % len(EDITS)]
        source = sources[module]
        text = edited_text(Path(source.abspath).read_bytes(), kind, number, rng.choice(sorted(summaries)))
        summaries[module] = analyse(source, text)
        index = ProjectIndex.from_summaries(found.project_root, summaries.values())
        start = time.perf_counter()
        new_state, stale = index.rank_all(state)
        incremental = time.perf_counter() - start
        start = time.perf_counter()
        fresh, _ = ProjectIndex.from_summaries(found.project_root, summaries.values()).rank_all()
        full = time.perf_counter() - start
        equal = new_state.ranking == fresh.ranking
        failed |= not equal
        count = "all" if stale is None else str(len(stale))
        print(f"| {kind + ' ' + module:<60} | {count:>9} | {incremental:>13.2f} | {full:>6.2f} | {equal!s:>5} |")
        state = new_state
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
