"""Source pages on a corpus: the cost of highlighting and linking, and the pages' sizes.

Analyses the tree (nothing imported), plans every module's source page
(:mod:`sphinx_kwindex.source.plan`; URLs are stand-ins of the same length as
a build's), renders every page with Sphinx's HTML formatter and prints:

* seconds of planning, and of rendering with our ``tokenize`` lexer;
* with ``--pygments``, the seconds of highlighting the same files (``--every``
  n-th) with our lexer and with Pygments' own ``PythonLexer`` (the lexer a
  ``.. code-block:: python`` uses), alternating file by file;
* pages, links, total HTML size, and the largest pages.

Rendering here runs in this process, one file after another (a build spreads
it over ``kwindex_jobs`` processes)::

    python benchmarks/source_pages.py /work/corpus/torch --pygments
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pygments import highlight
from pygments.lexers.python import PythonLexer
from sphinx.highlighting import PygmentsBridge

from sphinx_kwindex.find import find_sources
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.runner import analyse_all
from sphinx_kwindex.source.page import part_count, read_source, source_parts
from sphinx_kwindex.source.plan import source_plan


def stand_in(destination: tuple) -> str:
    if destination[0] == "source":
        return f"{destination[1]}.html#L{destination[2]}"
    if destination[0] == "module":
        return f"../api/{destination[1]}.html#module-{destination[1]}"
    return f"../api/{destination[1]}.html#in-kw-{destination[1]}.{destination[2]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("/work/corpus/torch"))
    parser.add_argument("--jobs", type=int, default=2, help="analysis processes")
    parser.add_argument("--pygments", action="store_true", help="also time Pygments' PythonLexer against ours")
    parser.add_argument("--every", type=int, default=1, help="with --pygments: every n-th file only")
    args = parser.parse_args()
    found = find_sources([args.root.resolve()])
    summaries = analyse_all(found.files, jobs=args.jobs, store=None)
    index = ProjectIndex.from_summaries(found.project_root, summaries)
    begun = time.perf_counter()
    plans = [source_plan(index, module) for module in index.modules]
    planned = time.perf_counter() - begun
    formatter = PygmentsBridge("html").get_formatter(nowrap=True)
    sizes, links = [], 0
    begun = time.perf_counter()
    for plan in plans:
        requests = tuple((line, how, key, drop, stand_in(dest), title) for line, how, key, drop, dest, title in plan.links)
        links += len(requests)
        for part, code in enumerate(source_parts(plan.abspath, requests, formatter)):
            sizes.append((len(code.encode()), f"{plan.module}" + (f" (page {part + 1})" if part else "")))
    rendered = time.perf_counter() - begun
    lines = sum(plan.lines for plan in plans)
    print(f"modules {len(plans):,}, lines {lines:,}, pages {sum(part_count(p.lines) for p in plans):,}, "
          f"links {links:,}")
    print(f"planning {planned:.1f} s; rendering (tokenize lexer, linked) {rendered:.1f} s")
    print(f"HTML of the code {sum(s for s, _ in sizes) / 1e6:.1f} MB; largest:")
    for size, name in sorted(sizes, reverse=True)[:5]:
        print(f"  {size / 1e6:6.2f} MB  {name}")
    if args.pygments:
        # Highlighting only, both lexers through the same formatter, alternating file by file so a
        # change in the machine's load hits both.
        ours, theirs = TokenizeLexer(), PythonLexer(stripnl=False, ensurenl=False)
        spent = {"ours": 0.0, "pygments": 0.0}
        for plan in plans[:: args.every]:
            text = read_source(plan.abspath)
            for name, lexer in (("ours", ours), ("pygments", theirs)):
                begun = time.perf_counter()
                highlight(text, lexer, formatter)
                spent[name] += time.perf_counter() - begun
        print(f"highlighting every {args.every}. file: our lexer {spent['ours']:.1f} s, Pygments' PythonLexer "
              f"{spent['pygments']:.1f} s ({spent['pygments'] / spent['ours']:.2f} x)")


if __name__ == "__main__":
    main()
