"""Recall of our static call references against the call edges a project makes at run time.

Two steps, in two virtualenvs (the analysed code is run only in the first, never
imported by our analysis):

``record`` (run with the Python of a virtualenv holding the project, editable,
and its test dependencies; only the standard library is used) installs a
``sys.setprofile`` hook (``threading.setprofile`` too) before importing
pytest, runs ``pytest.main`` in this process with the arguments after ``--``,
and writes every call event whose callee's code *and* the calling frame's code
are files under ``--src``: (caller file, caller ``co_qualname``, caller line,
callee file, callee ``co_qualname``, callee ``co_firstlineno``), with whether
the callee frame was entered for the first time (a generator or coroutine
frame gives a call event at each resumption: only its first counts as the
call) and, for ``__init__``/``__new__``, the name of the class instantiated.
Edges whose caller is outside ``--src`` (pluggy calling hook implementations,
the tests calling pytest) are only counted. Child processes (``pytester``'s
``runpytest_subprocess``, ``subprocess`` runs of ``python -m pytest``) are not
recorded; ``pytester``'s in-process runs are. A ``RecursionError`` raised
when Python calls the hook switches it off (pytest's tests of deep recursion do
that); a plugin puts it back after each test that did, and the output names
those tests.

``compare`` (run with our virtualenv) analyses the same ``--src`` with
sphinx-kwindex (``find_sources``, ``analyse_all``, ``ProjectIndex``,
``UseResolver.references``), maps each runtime edge to our model and prints the
recall. The mapping:

* caller scope: ``co_qualname`` without the parts of lambdas and
  comprehensions (``f.<locals>.<listcomp>`` -> ``f``, as our uses name them),
  ``<module>`` -> ``""``; a call in a def's or class's decorators, defaults,
  annotations or bases is that definition's use in our contract, so a call at
  such a line of the enclosing scope's code is expected under that definition;
* callee: ``module.co_qualname`` (an ``__init__`` reached by calling a class is
  the ``Class.__init__`` of the class defining it, as our references say).

Each call site is put in one category, from the caller's source (stdlib
``ast``, never run): *named call* when a call expression on the calling line
calls a name (``f(...)``, ``x.f(...)``, or a decorator ``@f``) equal to the
callee's name (for ``__init__``/``__new__``: or to the instantiated class's
name); otherwise *lambda/comprehension* (the callee is no definition), *later
generator resumption*, *property accessor* (matched by a ``read`` of the
property), *implicit dunder* (``__eq__``, ``__iter__``, ``__enter__``...
nothing on the line calls it by name), *not named on the line* (a callable
passed around: callbacks, ``cls(...)``, wrappers of decorators).

An edge (caller module, caller scope, callee) is *named* when one of its sites
is. It is *found* (strict) when the caller module's references hold (scope,
callee, kind ``call``, or ``decorator`` for a decorator line, ``read`` for a
property); *on the line* when one of them is also on the lines of the call
expression; *or base* when strict, or when such a reference names the method of
a base class that the runtime callee overrides (``self.m()`` reaching a
subclass's ``m``); *loose* when the callee is a target of any reference of the
caller module. The main figure is the strict recall over named edges. The
named edges are also counted by the form of the called expression (plain name,
``self.m``, ``param.m`` with or without an annotation, ``self.attr.m``...),
which shows what the misses are.

Commands (pytest's clone at ``/work/replay/pytest``; a copy is run, so the
clone's tracked files stay untouched)::

    git clone -q /work/replay/pytest /work/h-recall-data/pytest
    python3.11 -m venv /work/venv-pytest-recall
    /work/venv-pytest-recall/bin/pip install -e '/work/h-recall-data/pytest[dev]'
    cd /work/h-recall-data/pytest && /work/venv-pytest-recall/bin/python \\
        /work/h-recall/benchmarks/reference_recall.py record --src src --out /work/h-recall-data/edges.json \\
        -- testing -q -p no:cacheprovider
    /work/venv/bin/python benchmarks/reference_recall.py compare --src /work/h-recall-data/pytest/src \\
        --edges /work/h-recall-data/edges.json --misses 40
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

#: Decorators making a def an attribute accessor (the call is an attribute read).
ACCESSORS = {"property", "cached_property", "setter", "getter", "deleter"}
#: Categories of call sites, in the order they are decided.
CATEGORIES = ("named call", "lambda/comprehension", "later generator resumption", "property accessor",
              "implicit dunder", "not named on the line")
#: Code flags of frames resumed by ``next``/``send``/``await``: generator, coroutine, async generator.
RESUMABLE = 0x20 | 0x80 | 0x200


# -- record (runs in the project's virtualenv: standard library only) --------------------------------


def record(src: Path, out: Path, pytest_args: list[str]) -> int:
    root = str(src.resolve()) + os.sep
    inside: dict[str, bool] = {}
    first_resume: dict[object, int] = {}
    edges: Counter = Counter()
    outside: Counter = Counter()

    def is_inside(filename: str) -> bool:
        known = inside.get(filename)
        if known is None:
            known = inside[filename] = os.path.realpath(filename).startswith(root)
        return known

    errors = [0]
    #: tests after which the hook was found switched off (a RecursionError raised when calling it)
    lost: list[str] = []

    class KeepOn:
        """Puts the hook back after a test that switched it off (tests of deep recursion do)."""

        def pytest_runtest_logfinish(self, nodeid: str) -> None:
            if sys.getprofile() is not profile:
                lost.append(nodeid)
                sys.setprofile(profile)

    def profile(frame, event, arg):
        if event != "call":
            return
        try:
            note(frame)
        except Exception:  # noqa: BLE001 - an exception escaping the hook would switch it off
            errors[0] += 1

    def note(frame) -> None:
        code = frame.f_code
        if not is_inside(code.co_filename):
            return
        caller = frame.f_back
        if caller is None or not is_inside(caller.f_code.co_filename):
            outside[caller.f_code.co_filename if caller is not None else ""] += 1
            return
        entered = 1
        if code.co_flags & RESUMABLE:
            start = first_resume.get(code)
            if start is None:
                start = first_resume[code] = _first_resume(code)
            entered = int(frame.f_lasti <= start)
        instance = ""
        if code.co_name in ("__init__", "__new__") and code.co_argcount:
            value = frame.f_locals.get(code.co_varnames[0])
            instance = getattr(value if code.co_name == "__new__" else type(value), "__name__", "")
        edges[(caller.f_code.co_filename, caller.f_code.co_qualname, caller.f_lineno,
               code.co_filename, code.co_qualname, code.co_firstlineno, entered, instance)] += 1

    started = time.perf_counter()
    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        import pytest

        status = pytest.main(list(pytest_args), plugins=[KeepOn()])
    finally:
        still_on = sys.getprofile() is profile
        sys.setprofile(None)
        threading.setprofile(None)
    seconds = time.perf_counter() - started
    data = {"src": str(src.resolve()), "args": pytest_args, "status": int(status), "seconds": round(seconds, 1),
            "python": sys.version.split()[0],
            "edges": [[*key, count] for key, count in sorted(edges.items())],
            "outside_callers": dict(outside.most_common()), "hook_errors": errors[0], "hook_lost_after": lost,
            "hook_still_on_at_the_end": still_on}
    out.write_text(json.dumps(data, indent=0))
    print(f"pytest exit status {int(status)}, {seconds:.0f} s; {len(edges):,} distinct project->project "
          f"call sites, {sum(edges.values()):,} calls; {sum(outside.values()):,} calls into the project "
          f"from outside it; hook errors {errors[0]}, hook switched off by {len(lost)} tests (put back), still on at the end: {still_on}; "
          f"written to {out}", file=sys.stderr)
    return 0


def _first_resume(code) -> int:
    """Offset of a generator's first instruction after ``RETURN_GENERATOR``: a call event there is
    the frame's first entry, later ones resume it."""
    import dis

    for instruction in dis.get_instructions(code):
        if instruction.opname == "RESUME":
            return instruction.offset
    return 0


# -- compare (runs in our virtualenv) -----------------------------------------------------------------


class Source:
    """What one module's source says, by stdlib ``ast`` (the categories, not our analysis)."""

    def __init__(self, path: str) -> None:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        #: line -> {name called there: first line of that call expression}
        self.called: dict[int, dict[str, int]] = defaultdict(dict)
        #: lines holding a decorator (a call of it there is a ``decorator`` use)
        self.decorator_lines: set[int] = set()
        #: (qualname, first line as co_firstlineno says) -> decorators' last names
        self.decorators: dict[tuple[str, int], set[str]] = {}
        #: (qualname of the enclosing def or class, line) -> qualname of the def or class whose
        #: header (decorators, defaults, annotations, bases) holds the line
        self.headers: dict[tuple[str, int], str] = {}
        #: (line, name) -> the expressions called under that name there
        self.calls: dict[tuple[int, str], list[ast.expr]] = defaultdict(list)
        #: names the module binds at its top level (imports, defs, classes, assignments)
        self.module_names = {n for statement in tree.body for n in _bound(statement)}
        self.functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _last_name(node.func):
                for line in {node.lineno, node.func.end_lineno}:  # 3.11: ``x\n.f()`` is at ``.f``'s line
                    self.called[line].setdefault(_last_name(node.func), node.lineno)
                    self.calls[(line, _last_name(node.func))].append(node.func)
        self._definitions(tree, "", "module")

    def function_at(self, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The innermost def holding ``line``."""
        holding = [f for f in self.functions if f.lineno <= line <= f.end_lineno]
        return max(holding, key=lambda f: f.lineno, default=None)

    def _definitions(self, node: ast.AST, qualname: str, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not isinstance(child, (ast.Lambda, ast.expr)):
                    self._definitions(child, qualname, kind)  # if, try, with... bodies
                continue
            inner = {"module": "", "function": f"{qualname}.<locals>.", "class": f"{qualname}."}[kind] + child.name
            first = child.decorator_list[0].lineno if child.decorator_list else child.lineno
            names = set()
            for decorator in child.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                names.add(_last_name(target))
                self.decorator_lines.add(target.end_lineno)
                self.called[target.end_lineno].setdefault(_last_name(target), decorator.lineno)
            self.decorators[(inner, first)] = names
            header = [*child.decorator_list, *getattr(child, "bases", ()), *getattr(child, "keywords", ()),
                      *([child.returns] if getattr(child, "returns", None) else []),
                      *(ast.walk(child.args) if hasattr(child, "args") else ())]
            end = max([child.lineno, *(n.end_lineno for n in header if hasattr(n, "end_lineno"))])
            for line in range(first, end + 1):
                self.headers.setdefault((qualname, line), inner)
            self._definitions(child, inner, "class" if isinstance(child, ast.ClassDef) else "function")


def _bound(statement: ast.stmt) -> set[str]:
    """Names a module-level statement binds (into ``if``/``try`` bodies too)."""
    names: set[str] = set()
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # its body binds its own names
        if isinstance(node, ast.alias):
            names.add(node.asname or node.name.partition(".")[0])
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if not isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.extend(ast.iter_child_nodes(node))
    return names


def shape(expression: ast.expr, source: Source) -> str:
    """How a missed call names its callee: the form of the called expression."""
    if isinstance(expression, ast.Name):
        return "plain name (module-level)" if expression.id in source.module_names else "plain name (local)"
    root, depth = expression, 0
    while isinstance(root, ast.Attribute):
        root, depth = root.value, depth + 1
    if isinstance(root, ast.Name) and root.id in ("self", "cls"):
        return f"{root.id}.method" if depth == 1 else f"{root.id}.attribute.method (value held)"
    if isinstance(root, ast.Name):
        function = source.function_at(expression.lineno)
        arguments = function.args if function is not None else None
        parameters = {a.arg: a for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)} \
            if arguments is not None else {}
        if root.id in parameters:
            annotated = "annotated" if parameters[root.id].annotation is not None else "unannotated"
            return f"{annotated} parameter.method"
        if function is not None:
            values = [n.value for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.AnnAssign))
                      and any(isinstance(t, ast.Name) and t.id == root.id for t in
                              (n.targets if isinstance(n, ast.Assign) else [n.target]))]
            if values and all(isinstance(v, ast.Call) and isinstance(v.func, (ast.Name, ast.Attribute))
                              and _last_name(v.func)[:1].isupper() for v in values):
                return "local from a Class(...) call.method"
            if values:
                return "local assigned otherwise.method"
            return "local bound otherwise (for, with, except...).method"
        if root.id in source.module_names:
            return "module-level name.attribute"
        return "unbound name.method"
    if isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id == "super":
        return "super().method"
    if isinstance(root, ast.Call):
        return "returned value.method"
    return f"{type(root).__name__.lower()}.method"


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def our_scope(qualname: str) -> str:
    """Our scope of runtime code ``qualname``: lambdas and comprehensions belong to what holds them."""
    if qualname == "<module>":
        return ""
    parts = qualname.split(".")
    while parts and (parts[-1].startswith("<") and parts[-1] != "<locals>" or parts[-1] == "<locals>"):
        parts.pop()
    return ".".join(parts)


def compare(src: Path, edges_path: Path, misses: int, dump: Path | None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sphinx_kwindex.find import find_sources
    from sphinx_kwindex.model import Reference
    from sphinx_kwindex.project.index import ProjectIndex
    from sphinx_kwindex.project.references import UseResolver
    from sphinx_kwindex.runner import analyse_all

    data = json.loads(edges_path.read_text())
    found = find_sources([src.resolve()])
    summaries = analyse_all(found.files, jobs=1, store=None)
    index = ProjectIndex.from_summaries(found.project_root, summaries)
    resolver = UseResolver(index)
    modules = {os.path.realpath(s.source.abspath): s.module for s in summaries}
    references = {s.module: [Reference(*row) for row in resolver.references(s)[0]] for s in summaries}
    by_target: dict[str, dict[str, list]] = {m: defaultdict(list) for m in references}
    for module, refs in references.items():
        for ref in refs:
            by_target[module][ref.target].append(ref)
    sources: dict[str, Source] = {}

    def source(filename: str) -> Source:
        if filename not in sources:
            sources[filename] = Source(filename)
        return sources[filename]

    sites = []  # (category, caller module, scope, line, callee, kinds wanted, first line of the call)
    unknown_files: Counter = Counter()
    for caller_file, caller_qualname, line, callee_file, callee_qualname, callee_first, entered, instance, count \
            in data["edges"]:
        caller_module = modules.get(os.path.realpath(caller_file))
        callee_module = modules.get(os.path.realpath(callee_file))
        if caller_module is None or callee_module is None:
            unknown_files[caller_file if caller_module is None else callee_file] += count
            continue
        caller_source = source(caller_file)
        scope = our_scope(caller_qualname)
        scope = caller_source.headers.get((scope, line), scope)
        name = callee_qualname.rpartition(".")[2]
        called = caller_source.called.get(line, {})
        names = [n for n in (name, instance if name in ("__init__", "__new__") else "") if n and n in called]
        decorators = source(callee_file).decorators.get((callee_qualname, callee_first), set())
        callee = f"{callee_module}.{callee_qualname}"
        if name.startswith("<"):
            category = "lambda/comprehension"
        elif not entered:
            category = "later generator resumption"
        elif names:
            category = "named call"
        elif decorators & ACCESSORS:
            category = "property accessor"
        elif name.startswith("__") and name.endswith("__"):
            category = "implicit dunder"
        else:
            category = "not named on the line"
        kinds = {"read"} if category == "property accessor" else {"call"}
        if line in caller_source.decorator_lines:
            kinds.add("decorator")
        start = min((called[n] for n in names), default=line)
        sites.append((category, caller_module, scope, line, callee, frozenset(kinds), start, caller_qualname,
                      count, caller_file))

    hierarchy = index.hierarchy()

    def verdict(caller_module, scope, line, callee, kinds, start) -> tuple[bool, bool, bool, bool]:
        """(strict, strict on the call's lines, by a base's method, loose) for one call site."""
        refs = by_target[caller_module].get(callee, [])
        strict = [r for r in refs if r.scope == scope and r.kind in kinds]
        return bool(strict), any(start <= r.line <= line for r in strict), bool(strict) or \
            overridden(caller_module, scope, callee, kinds), bool(refs)

    def overridden(caller_module, scope, callee, kinds) -> bool:
        """A reference to a method of a base class that the runtime callee overrides (the call
        dispatched on a subclass instance: ``self.m()`` in the base reaching the subclass's ``m``)."""
        split = index.split_target(callee)
        if split is None or "." not in split[1]:
            return False
        klass, _, name = split[1].rpartition(".")
        order = hierarchy.order((split[0], klass)) or ()
        for base in order[1:]:
            if isinstance(base, tuple):
                target = f"{base[0]}.{base[1]}.{name}"
                if any(r.scope == scope and r.kind in kinds for r in by_target[caller_module].get(target, [])):
                    return True
        return False

    # edge level: (caller module, scope, callee); an edge is named when one of its sites is
    edges: dict[tuple[str, str, str], dict] = {}
    for category, caller_module, scope, line, callee, kinds, start, raw, count, caller_file in sites:
        edge = edges.setdefault((caller_module, scope, callee), {"categories": set(), "kinds": set(),
                                                                 "sites": [], "calls": 0, "files": []})
        edge["categories"].add(category)
        edge["kinds"] |= kinds
        edge["sites"].append((line, start, raw, category))
        edge["files"].append(caller_file)
        edge["calls"] += count
    results = {}
    for key, edge in edges.items():
        caller_module, scope, callee = key
        category = next(c for c in CATEGORIES if c in edge["categories"])
        verdicts = [verdict(caller_module, scope, line, callee, edge["kinds"], start)
                    for line, start, _, _ in edge["sites"]]
        results[key] = (category, *(any(v[i] for v in verdicts) for i in range(4)))

    print(f"runtime: pytest {' '.join(data['args'])} (exit status {data['status']}, {data['seconds']} s "
          f"with the profiler, Python {data['python']})")
    outside = sum(data["outside_callers"].values())
    print(f"calls into {src} from code outside it (pluggy, tests, stdlib): {outside:,} (not edges)")
    if unknown_files:
        print(f"calls of files our analysis has no module for: {sum(unknown_files.values()):,} "
              f"({', '.join(sorted(unknown_files)[:5])})")
    print(f"{len(sites):,} project->project call sites, {len(edges):,} edges (caller module, scope, callee)")
    print()
    header = f"{'category':<28} {'sites':>7} {'edges':>7} {'strict':>7} {'on line':>7} {'or base':>7} {'loose':>7}"
    print(header)
    print("-" * len(header))
    site_counts = Counter(s[0] for s in sites)

    def row(label: str, selected: list, sites_n: int) -> None:
        n = len(selected)
        shares = " ".join(f"{sum(r[i] for r in selected) / n:>7.3f}" if n else f"{'-':>7}" for i in range(1, 5))
        print(f"{label:<28} {sites_n:>7,} {n:>7,} {shares}")

    for category in CATEGORIES:
        row(category, [r for r in results.values() if r[0] == category], site_counts[category])
    row("all", list(results.values()), len(sites))
    named = [r for r in results.values() if r[0] == "named call"]
    print(f"\nmain figure: strict recall over named-call edges = {sum(r[1] for r in named)}/{len(named)} = "
          f"{sum(r[1] for r in named) / max(len(named), 1):.3f}")
    forms: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    examples: dict[str, str] = {}
    for (caller_module, scope, callee), edge in sorted(edges.items()):
        if results[(caller_module, scope, callee)][0] != "named call":
            continue
        line = next(site[0] for site in edge["sites"] if site[3] == "named call")
        caller = source(edge["files"][0])
        name = callee.rpartition(".")[2]
        called = caller.calls.get((line, name)) or [e for (ln, _), es in caller.calls.items() if ln == line for e in es]
        form = edge["shape"] = shape(called[0], caller) if called else "decorator"
        found = results[(caller_module, scope, callee)][1]
        forms[form][0] += 1
        forms[form][1] += found
        if not found and form not in examples:
            examples[form] = f"{caller_module}:{line} [{scope or '<module>'}] {ast.unparse(called[0])}(...) -> {callee}"
    print("\nnamed-call edges by the form of the called expression:")
    print(f"  {'form':<44} {'edges':>6} {'found':>6} {'missed':>6}  first miss")
    for form, (total, found) in sorted(forms.items(), key=lambda item: -item[1][0]):
        print(f"  {form:<44} {total:>6,} {found:>6,} {total - found:>6,}  {examples.get(form, '')}")
    missed = sorted((key, edges[key]) for key, r in results.items() if r[0] == "named call" and not r[1])
    if misses:
        print(f"\nmissed named-call edges (first {misses} of {len(missed)}):")
        for (caller_module, scope, callee), edge in missed[:misses]:
            line = edge["sites"][0][0]
            print(f"  {caller_module}:{line} [{scope or '<module>'}] -> {callee}  "
                  f"base={results[(caller_module, scope, callee)][3]} "
                  f"loose={results[(caller_module, scope, callee)][4]}  ({edge['shape']})")
    if dump is not None:
        rows = []
        for (caller_module, scope, callee), edge in sorted(edges.items()):
            category, strict, on_line, by_base, loose = results[(caller_module, scope, callee)]
            rows.append({"caller": caller_module, "scope": scope, "callee": callee, "category": category,
                         "strict": strict, "on_line": on_line, "by_base": by_base, "loose": loose,
                         "calls": edge["calls"],
                         "lines": sorted({s[0] for s in edge["sites"]}),
                         "runtime_scopes": sorted({s[2] for s in edge["sites"]}), "shape": edge.get("shape", "")})
        dump.write_text(json.dumps(rows, indent=1))
        print(f"\nevery edge with its verdicts: {dump}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="run pytest with the profiler (the project's virtualenv)")
    rec.add_argument("--src", type=Path, required=True, help="the folder of the project's code (pytest's src)")
    rec.add_argument("--out", type=Path, required=True, help="where to write the edges (JSON)")
    rec.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then pytest's arguments")
    cmp = commands.add_parser("compare", help="recall of our references (our virtualenv)")
    cmp.add_argument("--src", type=Path, required=True)
    cmp.add_argument("--edges", type=Path, required=True)
    cmp.add_argument("--misses", type=int, default=30, help="missed named-call edges to list")
    cmp.add_argument("--dump", type=Path, help="write every edge and its verdicts here (JSON)")
    args = parser.parse_args()
    if args.command == "record":
        pytest_args = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
        sys.exit(record(args.src, args.out, pytest_args))
    compare(args.src, args.edges, args.misses, args.dump)


if __name__ == "__main__":
    main()
