"""Replay a repository's history to measure related-files rankings against what changed together.

Splits the non-merge commits at 80 %, ranks related files in a temporary clone
checked out at the split (history after it unseen), then asks each later commit
touching 2 to 30 ``.py`` files that exist at the split: for each changed file,
are the other changed files in its top 10?  The user's checkout is never touched.

    python benchmarks/related_replay.py /path/to/repo [--source-root src --source-root tests]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sphinx_kwindex.analyse import analyse_file  # noqa: E402
from sphinx_kwindex.find import find_sources  # noqa: E402
from sphinx_kwindex.project.index import ProjectIndex  # noqa: E402
from sphinx_kwindex.project.related import ProjectGraph, RelatedWeights, rank_related, read_cochange  # noqa: E402
from sphinx_kwindex.project.related import rank as rank_module  # noqa: E402
from sphinx_kwindex.project.related.history import DEFAULT_MAX_COMMITS  # noqa: E402
from sphinx_kwindex.project.related.usage import UsageGraph  # noqa: E402

_MARK = "\x1e"
#: A later commit gives queries when it touches this many .py files that exist at the split.
MIN_FILES, MAX_FILES = 2, 30


@dataclass
class Scores:
    """Mean recall@k, precision@k, reciprocal rank, hit rate and coverage over all queries."""

    recall: float = 0.0
    precision: float = 0.0
    mrr: float = 0.0
    hit: float = 0.0
    coverage: float = 0.0
    queries: int = 0


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def later_commits(repo: Path, split_at: float) -> tuple[str, list[list[str]]]:
    """The split commit, and the .py files (names at the split) of each later non-merge commit."""
    hashes = git(repo, "rev-list", "--no-merges", "--reverse", "HEAD").split()
    index = max(0, int(len(hashes) * split_at) - 1)
    split, later = hashes[index], set(hashes[index + 1 :])
    log = git(repo, "-c", "core.quotepath=off", "log", "--no-merges", "-M", "--name-status", f"--format={_MARK}%H",
              f"{split}..HEAD")
    commits = []
    for block in log.split(_MARK)[1:]:
        lines = block.splitlines()
        if not lines or lines[0] not in later:
            continue
        files = []
        for line in lines[1:]:
            status, *names = line.split("\t")
            # A renamed file is known at the split by its old name.
            name = names[0] if names else ""
            if name.endswith(".py"):
                files.append(name)
        commits.append(files)
    return split, commits


def checkout(repo: Path, commit: str, into: Path) -> Path:
    """A throw-away clone of ``repo`` at ``commit``; the user's checkout is left alone."""
    subprocess.run(["git", "clone", "--quiet", "--shared", "--no-checkout", str(repo), str(into)], check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach", commit], cwd=into, check=True)
    return into


def default_roots(tree: Path) -> list[Path]:
    """Every top-level folder holding Python files (sources, tests, scripts)."""
    roots = []
    for entry in sorted(tree.iterdir()):
        if entry.is_dir() and not entry.name.startswith(".") and any(entry.rglob("*.py")):
            roots.append(entry)
    return roots


def evaluate(rankings: Mapping[str, list[str]], commits: list[list[str]], k: int = 10) -> Scores:
    """Each changed file of a commit is a query; the other changed files are its right answers."""
    scores = Scores()
    for files in commits:
        for query in files:
            answers = set(files) - {query}
            ranked = rankings.get(query, [])[:k]
            hits = [i for i, path in enumerate(ranked) if path in answers]
            scores.queries += 1
            scores.recall += len(hits) / len(answers)
            scores.precision += len(hits) / k
            scores.mrr += 1 / (hits[0] + 1) if hits else 0.0
            scores.hit += bool(hits)
            scores.coverage += bool(ranked)
    n = scores.queries or 1
    return Scores(scores.recall / n, scores.precision / n, scores.mrr / n, scores.hit / n, scores.coverage / n,
                  scores.queries)


def same_folder(paths: list[str], k: int = 10) -> dict[str, list[str]]:
    """The naive baseline: the first ``k`` other files of the same folder, by name."""
    folders: dict[str, list[str]] = {}
    for path in sorted(paths):
        folders.setdefault(os.path.dirname(path), []).append(path)
    return {path: [other for other in folders[os.path.dirname(path)] if other != path][:k] for path in paths}


def parse_weights(text: str) -> RelatedWeights:
    values = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        values[name.strip()] = float(value)
    return RelatedWeights.from_mapping(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a git repository (not modified)")
    parser.add_argument("--source-root", action="append", default=[],
                        help="folder to analyse, relative to the repository (repeatable; default: every top-level "
                             "folder holding .py files)")
    parser.add_argument("--split", type=float, default=0.8, help="share of non-merge commits before the split")
    parser.add_argument(
        "--max-commits", type=int, default=DEFAULT_MAX_COMMITS, help="history read for co-change (default: as Sphinx)"
    )
    parser.add_argument("--weights", action="append", default=[],
                        help="extra row with these weights, e.g. 'cochange=2,identifiers=0.5' (repeatable)")
    parser.add_argument("--ablation", action="store_true", help="add rows with each signal alone and each left out")
    parser.add_argument("--max-files", type=int, default=MAX_FILES,
                        help=f"later commits touching more .py files give no queries (default {MAX_FILES}; "
                             "10 asks only focused changes)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes analysing files")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()

    started = time.perf_counter()
    split, commits = later_commits(repo, args.split)
    with tempfile.TemporaryDirectory(prefix="kwindex-replay-") as tmp:
        tree = checkout(repo, split, Path(tmp) / "tree")
        roots = [tree / root for root in args.source_root] or default_roots(tree)
        found = find_sources([root.resolve() for root in roots])
        with ProcessPoolExecutor(max(1, args.jobs)) as pool:
            summaries = {s.module: s for s in pool.map(analyse_file, found.files, chunksize=8)}
        paths = {summary.path: module for module, summary in summaries.items()}
        cochange, note = read_cochange(found.project_root, paths, max_commits=args.max_commits)
        project_root = found.project_root
    analysed = time.perf_counter()
    # The "uses" signal counts references, as a build does (kwindex_references on).
    index = ProjectIndex.from_summaries(project_root, summaries.values())
    usage = UsageGraph.build(summaries, index.references)
    referenced = time.perf_counter()
    most = args.max_files
    queries = [[f for f in files if f in paths] for files in commits if len(files) <= most]
    queries = [files for files in queries if MIN_FILES <= len(files) <= most]
    print(f"repository {repo.name}: split at {split[:12]} ({args.split:.0%} of non-merge commits); "
          f"{len(summaries)} modules; {note}")
    print(f"{len(queries)} later commits touching {MIN_FILES}..{most} .py files known at the split; "
          f"analysis {analysed - started:.1f}s, references {referenced - analysed:.2f}s")

    graph = ProjectGraph.build(summaries)
    rows: list[tuple[str, Callable[[], dict[str, list[str]]]]] = [("same folder (baseline)", lambda: same_folder(list(paths)))]

    def ranking(weights: RelatedWeights, history=cochange, **shares: float) -> Callable[[], dict[str, list[str]]]:
        """``shares``: ``ACTIVITY_SHARE`` / ``NEIGHBOURS_SHARE`` of the ranking module overridden for this row."""
        def run() -> dict[str, list[str]]:
            saved = {name: getattr(rank_module, name) for name in shares}
            try:
                for name, value in shares.items():
                    setattr(rank_module, name, value)
                ranked = rank_related(summaries, graph, history, weights, usage=usage)
            finally:
                for name, value in saved.items():
                    setattr(rank_module, name, value)
            return {summaries[m].path: [summaries[r.module].path for r in entries] for m, entries in ranked.items()}
        return run

    defaults = RelatedWeights()
    rows.append(("kwindex defaults", ranking(defaults)))
    for text in args.weights:
        rows.append((text, ranking(parse_weights(text))))
    if args.ablation:
        for signal in RelatedWeights.signals():
            alone = {name: (value if name == signal else 0.0) for name, value in defaults.as_dict().items()}
            rows.append((f"only {signal}", ranking(RelatedWeights(**alone))))
        for signal in RelatedWeights.signals():
            rows.append((f"without {signal}", ranking(RelatedWeights.from_mapping({signal: 0}))))
        # The two history signals riding on the co-change weight.
        rows.append(("without activity", ranking(defaults, ACTIVITY_SHARE=0.0)))
        rows.append(("without neighbours", ranking(defaults, NEIGHBOURS_SHARE=0.0)))
        rows.append(("no activity, no neighbours",
                     ranking(defaults, ACTIVITY_SHARE=0.0, NEIGHBOURS_SHARE=0.0)))

    print(f"\n{'ranking':<34} {'recall@10':>9} {'prec@10':>8} {'MRR':>6} {'hit@10':>7} {'coverage':>8} {'time':>6}")
    for label, run in rows:
        began = time.perf_counter()
        rankings = run()
        took = time.perf_counter() - began
        s = evaluate(rankings, queries)
        print(f"{label:<34} {s.recall:9.3f} {s.precision:8.3f} {s.mrr:6.3f} {s.hit:7.3f} {s.coverage:8.3f} {took:5.1f}s")
    print(f"\n{s.queries} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
