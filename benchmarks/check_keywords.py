"""Independent acceptance checker for the definition keywords in ``kwindex.json``.

It recomputes, with the standard library ``ast`` only (it never imports
``sphinx_kwindex``), every class, function and method of each module together
with its ``__qualname__`` and the line of its ``def``/``class`` keyword, and
compares that with the ``class``/``function``/``method`` keywords that the
extension wrote.

Usage::

    python benchmarks/check_keywords.py --json _build/html/kwindex.json \\
        --root /work/corpus [--all | MODULE ...] [--seeds DIR] [--show N]

Expected keywords (docs/json.rst): classes anywhere;
functions at module level and local functions (``f.<locals>.g``); methods,
i.e. functions directly in a class body. Bodies of ``if``/``try``/``with``/
``for``/``while``/``match`` are searched at every scope; lambdas and
comprehensions are not definitions. A qualname defined twice counts once, at
its first line, with the kind of that first definition.

Per module it reports missing, extra, wrong line, wrong kind and duplicate
entries, plus "junk" (an extra whose last name part is one of the old
generator's fake keywords such as ``class`` or ``self``) and the JSON's count
of keywords per kind. The exit status is 1 on any mismatch, 0 otherwise.
Files that Python 3.11 cannot parse are reported and skipped; a ``path``
that cannot be read is a failure.

With ``--seeds`` (default ``/work/shared/seeds``; pass ``''`` to skip) it also
prints, for each seed page of the replaced system, how many distinct class and
function names the seed listed against how many the source file defines.
This part is informational only and never affects the exit status.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path

DEFAULT_MODULES = [
    "torch._inductor.comm_lowering",
    "torch._inductor.distributed_autotune",
    "torch._inductor.ir",
    "torch._inductor.runtime.autotune_cache",
]
DEF_KINDS = ("class", "function", "method")
JUNK = {"class", "for", "self", "that", "to", "handles"}
FuncDef = (ast.FunctionDef, ast.AsyncFunctionDef)


def expected_definitions(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """Map qualname -> (kind, line) for every class/function/method of ``tree``."""
    found: dict[str, tuple[str, int]] = {}

    def add(qualname: str, kind: str, line: int) -> None:
        if qualname not in found or line < found[qualname][1]:
            found[qualname] = (kind, line)

    def visit(stmts: list, prefix: str, scope: str) -> None:
        """Visit a statement list; ``scope`` is 'module', 'class' or 'function'."""
        for node in stmts:
            if isinstance(node, (ast.ClassDef, *FuncDef)):
                qualname = prefix + node.name
                if isinstance(node, ast.ClassDef):
                    add(qualname, "class", node.lineno)
                    visit(node.body, qualname + ".", "class")
                else:
                    add(qualname, "method" if scope == "class" else "function", node.lineno)
                    visit(node.body, qualname + ".<locals>.", "function")
                continue
            # Compound statements (if/try/with/for/while/match) keep the scope.
            for _field, value in ast.iter_fields(node):
                if not isinstance(value, list):
                    continue
                for item in value:
                    if isinstance(item, ast.stmt):
                        visit([item], prefix, scope)
                    elif isinstance(item, (ast.excepthandler, ast.match_case)):
                        visit(item.body, prefix, scope)

    visit(tree.body, "", "module")
    return found


def check_module(name: str, entry: dict, root: Path, show: int) -> tuple[list, bool]:
    """Compare one module's JSON entry with its source; return (table row, ok)."""
    source = root / str(entry.get("path") or "<no path>")
    try:
        data = source.read_bytes()
    except OSError as exc:  # a wrong or absent ``path`` breaks the contract
        print(f"  {name}: FAIL, cannot read {source}: {exc}")
        return [name, "-", "-", "-", "-", "-", "-", "-", "-", "no file"], False
    try:
        tree = ast.parse(data, filename=str(source))
    except (SyntaxError, ValueError) as exc:
        print(f"  {name}: SKIPPED, cannot parse {source}: {exc}")
        return [name, "-", "-", "-", "-", "-", "-", "-", "-", "skipped"], True
    expected = expected_definitions(tree)
    keywords = entry.get("keywords", [])
    per_kind = Counter(k.get("kind") for k in keywords)
    defs = [k for k in keywords if k.get("kind") in DEF_KINDS]
    names = Counter(k.get("name") for k in defs)
    got: dict[str, tuple[str, int]] = {}
    for k in defs:
        got.setdefault(k.get("name"), (k.get("kind"), k.get("line")))
    others = {k.get("name"): k.get("kind") for k in keywords if k.get("kind") not in DEF_KINDS}

    missing = sorted(n for n in expected if n not in got)
    extra = sorted(n for n in got if n not in expected)
    dups = sorted(n for n, c in names.items() if c > 1)
    wrong_line = sorted(n for n in expected if n in got and got[n][1] != expected[n][1])
    wrong_kind = sorted(n for n in expected if n in got and got[n][0] != expected[n][0])
    junk = [n for n in extra if str(n).rsplit(".", 1)[-1] in JUNK]

    def detail(label: str, items: list, fmt) -> None:
        if items:
            print(f"  {name}: {len(items)} {label}")
            for n in items[:show]:
                print(f"      {fmt(n)}")
            if len(items) > show:
                print(f"      ... {len(items) - show} more")

    detail("missing", missing, lambda n: f"{n} ({expected[n][0]}, line {expected[n][1]})"
           + (f" [JSON has it as {others[n]}]" if n in others else ""))
    detail("extra", extra, lambda n: f"{n} ({got[n][0]}, line {got[n][1]})")
    detail("wrong line", wrong_line, lambda n: f"{n}: expected {expected[n][1]}, got {got[n][1]}")
    detail("wrong kind", wrong_kind, lambda n: f"{n}: expected {expected[n][0]}, got {got[n][0]}")
    detail("duplicated", dups, lambda n: f"{n} x{names[n]}")
    detail("junk keywords", junk, str)
    print(f"  {name}: keywords per kind: "
          + (", ".join(f"{k}={c}" for k, c in sorted(per_kind.items(), key=str)) or "none"))
    ok = not (missing or extra or dups or wrong_line or wrong_kind)
    row = [name, len(expected), len(defs), len(missing), len(extra), len(wrong_line),
           len(wrong_kind), len(dups), len(junk), "ok" if ok else "FAIL"]
    return row, ok


def parse_seed(text: str) -> tuple[str | None, dict[str, set[str]]]:
    """Return (source path, {'class': names, 'function': names}) of one seed page."""
    match = re.search(r"^#+\s*Keyword Index:\s*`?([^`\s]+\.py)`?", text, re.M)
    lists: dict[str, set[str]] = {"class": set(), "function": set()}
    section = None
    for line in text.splitlines():
        heading = re.match(r"^\s*#{1,6}\s*(.*)$", line)
        if heading:
            title = heading.group(1).strip().lower()
            section = ("class" if title.startswith("class") else
                       "function" if title.startswith(("function", "method")) else None)
            continue
        item = re.match(r"^\s*[-*+]\s+(?:\*\*)?`([^`]+)`", line)
        if section and item:
            lists[section].add(item.group(1).strip())
    return (match.group(1) if match else None), lists


def seed_report(seeds: Path, root: Path) -> None:
    """Print seed keyword counts against the definitions of the described files."""
    table = {}  # page file name -> source path, from the README's table
    readme = seeds / "README.md"
    if readme.is_file():
        for m in re.finditer(r"^\|\s*(\S+\.txt)\s*\|\s*(\S+\.py)", readme.read_text(errors="replace"), re.M):
            table[m.group(1)] = m.group(2)
    rows = []
    for page in sorted(seeds.glob("*.txt")):
        path, lists = parse_seed(page.read_text(encoding="utf-8", errors="replace"))
        path = path or table.get(page.name)
        if not path:
            print(f"  {page.name}: no source file named, skipped")
            continue
        module = path[:-3].replace("/", ".").removesuffix(".__init__")
        try:
            defs = expected_definitions(ast.parse((root / path).read_bytes()))
        except (OSError, SyntaxError, ValueError):
            rows.append([module, len(lists["class"]), "-", "-", len(lists["function"]), "-", "-", "-", "-"])
            continue
        file = {"class": set(), "function": set()}
        for qualname, (kind, _line) in defs.items():
            file["class" if kind == "class" else "function"].add(qualname.rsplit(".", 1)[-1])
        seed_cls, seed_fn = lists["class"], lists["function"]
        unlisted = file["function"] - seed_fn
        last = max(seed_fn, default="")
        after = sorted(n for n in unlisted if n > last)  # truncation shows as names past the end
        rows.append([module, len(seed_cls), len(file["class"]), len(seed_cls - file["class"]),
                     len(seed_fn), len(file["function"]), len(seed_fn - file["function"]),
                     len(unlisted), len(after)])
        if after:
            print(f"  {module}: seed's function list ends at {last!r}; {len(after)} defined"
                  f" names sort after it, e.g. {after[:3]}")
    print_table(["module (seed page)", "seed cls", "file cls", "not in file", "seed fn",
                 "file fn", "not in file", "not in seed", "past end"], rows)
    print("  (distinct simple names; fn = functions and methods; 'not in file' = seed names the"
          " file does not define (junk or version drift); 'past end' = unlisted names sorting"
          " after the seed's last function; '-' = source not under --root)")


def print_table(header: list, rows: list) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="module names (default: four torch._inductor modules)")
    parser.add_argument("--json", required=True, type=Path, help="path to kwindex.json")
    parser.add_argument("--root", required=True, type=Path, help="folder the JSON 'path' values are relative to")
    parser.add_argument("--all", action="store_true", help="check every module in the JSON")
    parser.add_argument("--seeds", default="/work/shared/seeds", help="seed pages folder ('' to skip)")
    parser.add_argument("--show", type=int, default=10, help="details listed per category (default 10)")
    args = parser.parse_args(argv)
    if args.all and args.modules:
        parser.error("give module names or --all, not both")

    modules = json.loads(args.json.read_text(encoding="utf-8")).get("modules", {})
    names = sorted(modules) if args.all else (args.modules or DEFAULT_MODULES)
    rows, failed, skipped = [], 0, 0
    print(f"Definition keywords of {len(names)} module(s) in {args.json}:")
    for name in names:
        if name not in modules:
            print(f"  {name}: NOT IN JSON")
            rows.append([name, "-", "-", "-", "-", "-", "-", "-", "-", "absent"])
            failed += 1
            continue
        row, ok = check_module(name, modules[name], args.root, args.show)
        rows.append(row)
        failed += not ok
        skipped += row[-1] == "skipped"
    print()
    print_table(["module", "expected", "found", "missing", "extra", "line",
                 "kind", "dup", "junk", "status"], rows)
    if args.seeds and Path(args.seeds).is_dir():
        print("\nSeed pages of the replaced system:")
        seed_report(Path(args.seeds), args.root)
    print(f"\n{len(names) - failed - skipped} of {len(names)} module(s) pass, {failed} fail,"
          f" {skipped} skipped (unparsable)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
