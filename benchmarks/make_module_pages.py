"""Write a throw-away Sphinx project with one ``.. py:module::`` page per module of a package.

Used to check the keyword-index hook on real code (PyTorch): each page only
declares its module, so every keyword index on it is injected by
sphinx-kwindex; package pages hold the toctree of their children, so
navigation is a tree. Optionally adds a page with the ``kwindex`` directive for
given modules.

    python benchmarks/make_module_pages.py /work/corpus/torch/_inductor /tmp/inductor-docs \
        --directive torch._inductor.ir torch._inductor.comm_lowering
    /usr/bin/time -v sphinx-build -q -b html /tmp/inductor-docs /tmp/inductor-docs/_build/html
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sphinx_kwindex.find import find_sources  # noqa: E402

CONF = """\
project = "kwindex on {name}"
extensions = ["sphinx_kwindex"]
kwindex_paths = [{root!r}]
exclude_patterns = ["_build"]
suppress_warnings = []
"""


def write_project(root: Path, out: Path, directive_modules: list[str]) -> int:
    modules = sorted(source.module for source in find_sources([root]).files)
    children: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        parent = module.rpartition(".")[0]
        if parent in modules and parent != module:
            children[parent].append(module)
    top = [m for m in modules if m.rpartition(".")[0] not in modules]
    out.mkdir(parents=True, exist_ok=True)
    (out / "conf.py").write_text(CONF.format(name=root.name, root=os.path.abspath(root)))
    for module in modules:
        lines = [f"``{module}``", "=" * (len(module) + 4), "", f".. py:module:: {module}", ""]
        if children.get(module):
            lines += [".. toctree::", "   :maxdepth: 1", ""] + [f"   {c}" for c in children[module]] + [""]
        (out / f"{module}.rst").write_text("\n".join(lines))
    index = ["Modules", "=======", "", ".. toctree::", "   :maxdepth: 1", ""] + [f"   {m}" for m in top]
    if directive_modules:
        index.append("   directive")
        page = ["The directive", "=============", ""]
        for module in directive_modules:
            page += [module, "-" * len(module), "", f".. kwindex:: {module}", ""]
        (out / "directive.rst").write_text("\n".join(page))
    (out / "index.rst").write_text("\n".join(index) + "\n")
    return len(modules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="source root (a package folder)")
    parser.add_argument("out", type=Path, help="folder for the Sphinx project (created)")
    parser.add_argument("--directive", nargs="*", default=[], help="modules to show with the directive")
    args = parser.parse_args()
    count = write_project(args.root, args.out, args.directive)
    print(f"wrote {count} module pages to {args.out}")


if __name__ == "__main__":
    main()
