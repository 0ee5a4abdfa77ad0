"""Whole-build speed: sphinx-kwindex (generated pages) against sphinx-autoapi, with the parse floor.

Copies the analysed tree to a scratch folder (so the one-file edit never
touches the corpus), then times whole ``sphinx-build`` processes with
``/usr/bin/time -v`` (wall time, peak RSS) and reads Sphinx's own
"N added, M changed" line for the documents read:

* floor: stdlib ``ast.parse`` and ``astroid.parse`` of the same files, one process each;
* ours: cold build, no-change rebuild, rebuild after editing one leaf module;
* peer (``--peer-python``): sphinx-autoapi's cold build and no-change rebuild on the same tree.

    python benchmarks/build_speed.py /work/corpus/torch/_inductor --peer-python /work/venv-autoapi/bin/python
    python benchmarks/build_speed.py /work/corpus/torch --floor-runs 1
    python benchmarks/build_speed.py /work/corpus/torch --floor-runs 0 --runs 5 --versus /work/old --this /work/new
    python benchmarks/build_speed.py /work/corpus/torch --floor-runs 0 --jobs 2 \
        --baseline-conf "kwindex_references = False; kwindex_source_pages = False"

``--baseline-conf`` compares this version with itself, the "old" side with those
settings added to its ``conf.py`` (a feature switched off against the defaults).
``--versus`` compares two versions of sphinx-kwindex side by side: each measurement runs the old
one, then the new one, on identical copies of the tree (and the same edits), and the table ends
with the ratios new / old of the medians.

The torch corpus: the Python sources of the PyTorch 2.13.0 wheel, unpacked (``torch/`` of the wheel).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

# ``exclude_patterns`` as sphinx-quickstart writes it: without it Sphinx walks the output folder
# (thousands of pages, pictures and source pages) looking for sources on every build.
OURS_CONF = """\
project = "bench"
exclude_patterns = ["_build"]
extensions = ["sphinx_kwindex"]
kwindex_paths = [{root!r}]
kwindex_generate = "api"
kwindex_generate_toctree = True
"""
PEER_CONF = """\
project = "bench"
exclude_patterns = ["_build"]
extensions = ["autoapi.extension"]
autoapi_dirs = [{root!r}]
autoapi_type = "python"
autoapi_add_toctree_entry = True
"""
INDEX = "Benchmark\n=========\n\nThe analysed tree.\n"
FLOOR = """\
import ast, sys, time, pathlib
files = sorted(pathlib.Path(sys.argv[2]).rglob("*.py"))
start = time.perf_counter()
for f in files:
    text = f.read_bytes()
    try:
        if sys.argv[1] == "ast":
            ast.parse(text)
        else:
            import astroid
            astroid.parse(text.decode("utf-8", "replace"))
    except Exception:
        pass
print(len(files), time.perf_counter() - start)
"""


@dataclass
class Run:
    wall: float
    rss_mb: float
    read: int | None = None


def timed(command: list[str], cwd: Path, code: Path | None = None) -> tuple[Run, str]:
    """Run ``command`` under /usr/bin/time -v (with ``code`` first on ``PYTHONPATH``); its wall time,
    peak RSS and output."""
    env = None
    if code is not None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    wall_text = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", done.stderr).group(1)
    parts = [float(p) for p in wall_text.split(":")]
    wall = sum(value * 60 ** i for i, value in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024
    match = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", done.stdout)
    read = int(match.group(1)) + int(match.group(2)) if match else None
    return Run(wall, rss, read), done.stdout


def sphinx(python: str, project: Path, jobs: str | None = None, code: Path | None = None) -> tuple[Run, str]:
    command = [python, "-m", "sphinx", "-b", "html", "-d", "_build/doctrees", ".", "_build/html"]
    if jobs:
        command[3:3] = ["-j", jobs]
    return timed(command, project, code)


def make_project(folder: Path, conf: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "conf.py").write_text(conf)
    (folder / "index.rst").write_text(INDEX)
    return folder


def leaf_module(outdir: Path, tree: Path) -> Path:
    """A module no other module imports (so the edit is a leaf change), the smallest first."""
    data = json.loads((outdir / "kwindex.json").read_text())["modules"]
    imported = {i["module"] for m in data.values() for i in m["imports"]}
    imported |= {f"{i['module']}.{n}" for m in data.values() for i in m["imports"] for n in i["names"]}
    leaves = [
        m for name, m in data.items()
        if name not in imported and not m["is_package"] and m["path"].endswith(".py") and m["keywords"]
    ]
    best = min(leaves, key=lambda m: (len(m["keywords"]), m["path"]))
    return tree.parent / best["path"] if not (tree / best["path"]).exists() else tree / best["path"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="a package folder, e.g. /work/corpus/torch/_inductor")
    parser.add_argument("--peer-python", help="python of a virtualenv with sphinx-autoapi 3.x")
    parser.add_argument("--runs", type=int, default=3, help="runs of each cheap measurement (median)")
    parser.add_argument("--floor-runs", type=int, help="runs of each parse floor (default: --runs; 0: none)")
    parser.add_argument("--jobs", help="sphinx-build -j for our builds (default: serial)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold builds of ours (median)")
    parser.add_argument("--keep", type=Path, help="keep the scratch folder here")
    parser.add_argument("--versus", type=Path, help="a checkout of another version of sphinx-kwindex: every "
                        "measurement of ours runs it and --this one after the other (old, then new)")
    parser.add_argument("--baseline-conf", help="compare this code with itself: the 'old' side's conf.py gets "
                        "these lines too, e.g. 'kwindex_references = False; kwindex_source_pages = False'")
    parser.add_argument("--this", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout compared with --versus (default: the one holding this script)")
    args = parser.parse_args()
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="kwindex-bench-"))
    source = args.tree.resolve()
    # The copy keeps the package path (torch/_inductor), so module names stay the same.
    top = source
    while (top.parent / "__init__.py").exists():
        top = top.parent
    tree = scratch / "src" / source.relative_to(top.parent)
    shutil.copytree(source, tree)
    for parent in tree.relative_to(scratch / "src").parents:
        init = scratch / "src" / parent / "__init__.py"
        if parent != Path(".") and not init.exists():
            init.write_text("")
    rows: list[tuple[str, str, str, str]] = []
    py = sys.executable

    for tool in ("ast", "astroid") if args.floor_runs != 0 else ():
        runs = [timed([py, "-c", FLOOR, tool, str(tree)], scratch)[0]
                for _ in range(args.runs if args.floor_runs is None else args.floor_runs)]
        rows.append((f"floor: {tool}.parse, 1 process", f"{statistics.median(r.wall for r in runs):.1f}",
                     f"{max(r.rss_mb for r in runs):.0f}", "-"))

    # One project (and one copy of the tree, edited alike) per code version; with --versus every
    # measurement runs both versions one after the other, so drifts of the machine's speed hit both.
    versions = [("", None)] if args.versus is None else [("old ", args.versus.resolve()), ("new ", args.this.resolve())]
    if args.baseline_conf:
        versions = [("old ", args.this.resolve()), ("new ", args.this.resolve())]
    # Byte-compiled first, as pip installs a package: with PYTHONDONTWRITEBYTECODE set, every build
    # would compile the extension from source again (0.17 s a build).
    for _, code in versions:
        subprocess.run([py, "-m", "compileall", "-q", str((code or args.this.resolve()) / "sphinx_kwindex")],
                       check=True, stdout=subprocess.DEVNULL)
    copies = []
    for label, code in versions:
        own_tree = tree if label in ("", "old ") else scratch / "src-new" / tree.relative_to(scratch / "src")
        if own_tree != tree:
            shutil.copytree(scratch / "src", scratch / "src-new")
        conf = OURS_CONF.format(root=str(own_tree))
        if args.baseline_conf and label == "old ":
            conf += "".join(f"{line.strip()}\n" for line in args.baseline_conf.split(";"))
        project = make_project(scratch / f"ours{'-' + label.strip() if label else ''}", conf)
        copies.append((label, code, own_tree, project))
    results: dict[str, dict[str, list[Run]]] = {label: {"cold": [], "again": [], "edit": []} for label, *_ in copies}
    for attempt in range(args.cold_runs):
        for label, code, _, project in copies:
            if attempt:  # a cold build again: no output, no doctrees, no cache
                shutil.rmtree(project / "_build")
            results[label]["cold"].append(sphinx(py, project, args.jobs, code)[0])
    for _ in range(args.runs):
        for label, code, _, project in copies:
            results[label]["again"].append(sphinx(py, project, args.jobs, code)[0])
    leaf = leaf_module(copies[0][3] / "_build" / "html", scratch / "src")
    for attempt in range(args.runs):
        for label, code, own_tree, project in copies:
            with (own_tree / leaf.relative_to(tree)).open("a") as stream:
                stream.write(f"\n\ndef kwindex_benchmark_edit_{attempt}():\n    return {attempt}\n")
            results[label]["edit"].append(sphinx(py, project, args.jobs, code)[0])
    for label, *_ in copies:
        measured = results[label]
        for work, key in (("cold build", "cold"), ("no-change rebuild", "again"), (f"edit {leaf.name}", "edit")):
            runs = measured[key]
            rows.append((f"{label}ours: {work}", f"{statistics.median(r.wall for r in runs):.1f}",
                         f"{max(r.rss_mb for r in runs):.0f}", str(max(r.read or 0 for r in runs))))
    if len(copies) == 2:
        for work, key in (("cold", "cold"), ("no change", "again"), ("edit", "edit")):
            old_runs, new_runs = (results[label][key] for label, *_ in copies)
            ratio = statistics.median(r.wall for r in new_runs) / statistics.median(r.wall for r in old_runs)
            rows.append((f"new / old, {work}", f"{ratio:.3f}", "", ""))
    cold = results[copies[0][0]]["cold"][0]
    again = results[copies[0][0]]["again"]
    html_mb = sum(p.stat().st_size for p in (copies[0][3] / "_build" / "html").rglob("*") if p.is_file()) / 1e6
    for label, _, _, project in copies:
        files = [p for p in (project / "_build" / "html").rglob("*") if p.is_file()]
        pages = [p for p in files if p.suffix == ".html"]
        source = [p for p in pages if "_kwsource" in p.parts]
        largest = max(pages, key=lambda p: p.stat().st_size)
        rows.append((f"{label}ours: HTML output, MB", f"{sum(p.stat().st_size for p in files) / 1e6:.0f}", "", ""))
        rows.append((f"{label}ours: source pages, count / MB", f"{len(source)} / "
                     f"{sum(p.stat().st_size for p in source) / 1e6:.0f}", "", ""))
        rows.append((f"{label}ours: largest page, MB", f"{largest.stat().st_size / 1e6:.1f}", "", largest.stem[:30]))

    if args.peer_python:
        peer = make_project(scratch / "peer", PEER_CONF.format(root=str(tree)))
        peer_cold, _ = sphinx(args.peer_python, peer)
        rows.append(("sphinx-autoapi: cold build", f"{peer_cold.wall:.1f}", f"{peer_cold.rss_mb:.0f}",
                     str(peer_cold.read)))
        peer_again, _ = sphinx(args.peer_python, peer)
        rows.append(("sphinx-autoapi: no-change rebuild", f"{peer_again.wall:.1f}", f"{peer_again.rss_mb:.0f}",
                     str(peer_again.read)))
        rows.append(("ratio autoapi / ours, cold", f"{peer_cold.wall / cold.wall:.1f}x", "", ""))
        rows.append(("ratio autoapi / ours, no change",
                     f"{peer_again.wall / statistics.median(r.wall for r in again):.1f}x", "", ""))

    modules = sum(1 for _ in tree.rglob("*.py"))
    print(textwrap.dedent(f"""
        tree: {args.tree} ({modules} .py files); runs: {args.runs} (median); our HTML: {html_mb:.0f} MB
    """).strip())
    print(f"| {'work':<36} | {'wall s':>8} | {'peak RSS MB':>11} | {'docs read':>9} |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 13}|{'-' * 11}|")
    for work, wall, rss, read in rows:
        print(f"| {work:<36} | {wall:>8} | {rss:>11} | {read:>9} |")
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
