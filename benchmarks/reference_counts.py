"""Reference counts of a corpus: uses found, resolved per kind, unresolved, and the cost of resolving.

Analyses the tree in one process (no cache, nothing imported), builds the
project index, resolves every use and prints:

* uses found, resolved per kind, how many of those stopped at the last
  definition of a longer chain (``read`` of it), unresolved per kind;
* the same by the form of the symbol (``.`` own definition, ``@`` self/cls,
  ``^`` super(), ``*`` star import, ``~`` a member of a value of known class,
  else through an import);
* the seconds of the analysis, of resolution alone and of making the
  references, and the size of ``kwindex-references.json``'s data.

::

    python benchmarks/reference_counts.py /work/corpus/torch
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sphinx_kwindex.find import find_sources  # noqa: E402
from sphinx_kwindex.project.index import ProjectIndex  # noqa: E402
from sphinx_kwindex.project.references import UseResolver  # noqa: E402
from sphinx_kwindex.runner import analyse_all  # noqa: E402

FORMS = {".": "own definition", "@": "self/cls member", "^": "super() member", "*": "star import",
         "~": "member of a typed value"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("/work/corpus/torch"))
    args = parser.parse_args()
    found = find_sources([args.root.resolve()])
    started = time.perf_counter()
    summaries = analyse_all(found.files, jobs=1, store=None)
    analysed = time.perf_counter()
    index = ProjectIndex.from_summaries(found.project_root, summaries)
    resolver = UseResolver(index)
    resolved, cut, unresolved, forms = Counter(), Counter(), Counter(), Counter()
    begun = time.perf_counter()
    for summary in summaries:
        for use in summary.uses:
            result = resolver.resolve(summary.module, use.symbol)
            form = FORMS.get(use.symbol[0], "through an import")
            if result is None:
                unresolved[use.kind] += 1
                forms[(form, "unresolved")] += 1
            else:
                resolved[use.kind] += 1
                cut[use.kind] += not result[1]
                forms[(form, "resolved")] += 1
    resolving = time.perf_counter() - begun
    begun = time.perf_counter()
    references = {module: index.references(module) for module in index.modules}
    making = time.perf_counter() - begun
    data = {m: [{"scope": r.scope, "line": r.line, "target": r.target, "kind": r.kind} for r in refs]
            for m, refs in references.items()}
    size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    print(f"{len(summaries)} modules, analysed in {analysed - started:.1f} s (1 process)")
    print(f"uses: {sum(len(s.uses) for s in summaries):,}; resolved {sum(resolved.values()):,}, "
          f"unresolved {sum(unresolved.values()):,}")
    for kind in sorted(set(resolved) | set(unresolved)):
        print(f"  {kind:<11} resolved {resolved[kind]:>8,} (of which stopped short {cut[kind]:>7,})"
              f"   unresolved {unresolved[kind]:>8,}")
    for (form, outcome), count in sorted(forms.items()):
        print(f"  {form:<18} {outcome:<10} {count:>8,}")
    total = sum(map(len, references.values()))
    print(f"references: {total:,} (a class's call adds its __init__); resolution alone {resolving:.2f} s, "
          f"making the references {making:.2f} s more; references' JSON {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
