"""Time the analysis stage on a corpus against its floors: stdlib ``ast`` and astroid parsing.

Each row runs in a fresh process, so its peak RSS is its own (workers included):

- ``ast.parse``: stdlib parser, one process;
- ``astroid.parse``: what astroid users call (tree, post-build, transforms; its
  module cache grows), one process;
- ``astroid tree only``: astroid's tree building step alone, the part of it we use;
- ``ours cold, jobs=N``: :func:`sphinx_kwindex.runner.analyse_all` with an empty cache;
- ``ours warm``: the same call again on the cache just written (no change: parses nothing).

Every row reads and decodes the files the same way. The machine is shared by
other work at times, so CPU seconds (user + system, workers included) are shown
next to wall time.

    python benchmarks/analysis_speed.py                  # /work/corpus/torch
    python benchmarks/analysis_speed.py DIR/torch --jobs 2 --memory
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sphinx_kwindex.analyse import _decode  # noqa: E402
from sphinx_kwindex.find import find_sources  # noqa: E402
from sphinx_kwindex.model import SourceFile  # noqa: E402

DEFAULT_CORPUS = Path("/work/corpus/torch")


def texts(files: list[SourceFile]):
    for source in files:
        try:
            yield source, _decode(Path(source.abspath).read_bytes())
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            continue


def run_ast(files: list[SourceFile], cache_dir: Path, jobs: int) -> None:
    for _, text in texts(files):
        try:
            ast.parse(text, type_comments=True)
        except SyntaxError:
            pass


def run_astroid(files: list[SourceFile], cache_dir: Path, jobs: int) -> None:
    import astroid
    from astroid.exceptions import AstroidSyntaxError

    for source, text in texts(files):
        try:
            astroid.parse(text, module_name=source.module, path=source.abspath)
        except (AstroidSyntaxError, RecursionError):
            pass


def run_astroid_tree(files: list[SourceFile], cache_dir: Path, jobs: int) -> None:
    import astroid
    from astroid.builder import AstroidBuilder
    from astroid.exceptions import AstroidSyntaxError

    builder = AstroidBuilder(astroid.MANAGER, apply_transforms=False)
    for source, text in texts(files):
        try:
            builder._data_build(text, source.module, None)
        except (AstroidSyntaxError, RecursionError):
            pass


def run_ours(files: list[SourceFile], cache_dir: Path, jobs: int) -> None:
    from sphinx_kwindex.runner import analyse_all
    from sphinx_kwindex.store import Store

    analyse_all(files, jobs=jobs, store=Store(cache_dir) if cache_dir is not None else None)


ROWS: dict[str, Callable[[list[SourceFile], Path, int], None]] = {
    "ast": run_ast,
    "astroid": run_astroid,
    "astroid-tree": run_astroid_tree,
    "ours": run_ours,
}


def measure_row(row: str, root: Path, cache_dir: Path, jobs: int) -> dict:
    """In this (fresh) process: run one row, return its times and peak memory."""
    files = find_sources([root]).files
    started, cpu_before = time.perf_counter(), _cpu_seconds()
    ROWS[row](files, cache_dir, jobs)
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"wall": wall, "cpu": _cpu_seconds() - cpu_before, "rss_mb": own / 1024,
            "child_rss_mb": children / 1024, "files": len(files)}


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def in_fresh_process(row: str, root: Path, cache_dir: Path, jobs: int) -> dict:
    command = [sys.executable, __file__, str(root), "--row", row, "--cache-dir", str(cache_dir), "--jobs", str(jobs)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def worker_memory(root: Path, jobs: int) -> None:
    """Resident memory of each pool worker as it works through the corpus (is it flat?)."""
    from concurrent.futures import ProcessPoolExecutor

    from sphinx_kwindex.runner.pool import _context

    files = find_sources([root]).files
    chunks = [files[start:start + 8] for start in range(0, len(files), 8)]
    done: dict[int, int] = {}
    samples: dict[int, list[tuple[int, float]]] = {}
    with ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
        for pid, count, rss in pool.map(_chunk_with_rss, chunks):
            done[pid] = done.get(pid, 0) + count
            samples.setdefault(pid, []).append((done[pid], rss))
    for pid, points in samples.items():
        marks = [points[0]] + [p for p in points if p[0] >= 200][:1] + [points[len(points) // 2], points[-1]]
        shown = ", ".join(f"{n} files: {rss:.0f} MB" for n, rss in marks)
        print(f"worker {pid}: RSS after {shown}; peak {max(r for _, r in points):.0f} MB")


def _chunk_with_rss(files: list[SourceFile]) -> tuple[int, int, float]:
    from sphinx_kwindex.runner.pool import analyse_chunk

    analyse_chunk(files)
    with open("/proc/self/statm") as stream:
        resident_pages = int(stream.read().split()[1])
    return os.getpid(), len(files), resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, nargs="?", default=DEFAULT_CORPUS, help="source root (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=2, help="workers of the pooled row (default: %(default)s)")
    parser.add_argument("--memory", action="store_true", help="also show each worker's RSS as it goes")
    parser.add_argument("--row", choices=sorted(ROWS), help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.row:
        print(json.dumps(measure_row(args.row, root, args.cache_dir, args.jobs)))
        return 0

    with tempfile.TemporaryDirectory(prefix="kwindex-speed-") as tmp:
        cold1, cold2 = Path(tmp) / "cold1", Path(tmp) / "cold2"
        plan = [
            ("ast.parse (1 process)", "ast", cold1, 1, 1),
            ("astroid.parse (1 process)", "astroid", cold1, 1, 1),
            ("astroid tree only (1 process)", "astroid-tree", cold1, 1, 1),
            ("ours cold, jobs=1", "ours", cold1, 1, 1),
            (f"ours cold, jobs={args.jobs}", "ours", cold2, args.jobs, 1),
            (f"ours warm, jobs={args.jobs} (median of 3)", "ours", cold2, args.jobs, 3),
        ]
        results = []
        for label, row, cache_dir, jobs, repeat in plan:
            runs = sorted((in_fresh_process(row, root, cache_dir, jobs) for _ in range(repeat)), key=lambda r: r["wall"])
            result = runs[len(runs) // 2]
            results.append((label, result))
            print(f"  {label}: {result['wall']:.1f} s", file=sys.stderr)
        cache_size = sum(path.stat().st_size for path in cold2.iterdir()) / 2**20

    astroid_wall = results[1][1]["wall"]
    print(f"{results[0][1]['files']} modules under {root}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    print(f"{'work':38} {'wall s':>7} {'cpu s':>7} {'/ astroid':>9} {'peak RSS MB':>11} {'worker MB':>10}")
    for label, result in results:
        workers = f"{result['child_rss_mb']:.0f}" if "ours" in label and "jobs=1" not in label else "-"
        print(f"{label:38} {result['wall']:7.1f} {result['cpu']:7.1f} {result['wall'] / astroid_wall:9.2f} "
              f"{result['rss_mb']:11.0f} {workers:>10}")
    print(f"cache file: {cache_size:.1f} MB")
    if args.memory:
        worker_memory(root, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
