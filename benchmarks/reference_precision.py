"""Precision of the exported references against an independent static resolver (jedi).

Analyses the tree in one process (no cache, nothing imported), resolves every
use into references (:class:`~sphinx_kwindex.project.references.UseResolver`),
draws a seeded uniform sample of them (``--sample``, ``--seed``) and checks each
with jedi's ``Script.goto(follow_imports=True)``, which parses the code too and
never runs it:

* the candidate tokens of a reference are the NAME tokens of its logical line
  (from its line on, stdlib ``tokenize``) spelling the target's last part or a
  name the module binds to it by an import (``as`` aliases), and the same words
  inside string tokens (string annotations);
* jedi's answer for a token is each definition it goes to, named the way our
  targets are: the module from the file's path under the project root, plus
  the ``__qualname__`` of what is defined at that line (stdlib ``ast``: a def or
  class, a module or class variable, ``self.x = ...`` in a method of ``C`` is
  ``C.x``); a jedi answer that is an import statement it could not follow, or
  nothing at all, is no answer;
* the reference **agrees** when one of jedi's answers for one of its tokens is
  its target, **disagrees** when jedi answered something else, and has **no
  answer** otherwise (no candidate token; jedi gave nothing);
* the ``__init__`` added to a class's call (no ``__init__`` token on the line)
  is checked as jedi's answer for the class's token, then jedi's answer for
  ``Class.__init__`` appended to the class's own module.

Precision is agreements / (agreements + disagreements). Every disagreement
(and some of the references jedi could not answer) was read by hand: the
verdicts live in ``reference_precision_verdicts.json`` keyed
``module:line:target`` (``ours``: our error, ``jedi``: jedi's error, ``ambiguous``;
for no answers ``right`` or ``wrong``), and the script prints the precision
counting our errors only. ``--json`` writes every checked reference with
jedi's answers (for the hand check).

::

    python benchmarks/reference_precision.py /work/corpus/torch --sample 300 --seed 1
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import faulthandler
import io
import json
import random
import re
import signal
import sys
import time
import tokenize
from collections import Counter
from functools import lru_cache
from pathlib import Path

import jedi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.model import ModuleSummary, Reference
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.references import UseResolver
from sphinx_kwindex.runner import analyse_all

VERDICTS = Path(__file__).with_name("reference_precision_verdicts.json")


# -- what is defined where, from the stdlib ast of a file -----------------------------------------


@lru_cache(maxsize=256)
def definitions_at(path: str, package: str = "") -> dict[tuple[int, str], list[str]]:
    """(line, name) -> what a name token at that line defines, as ``__qualname__`` (``#import``:
    an import binding, ``#from:module`` one of ``from module import``, relative to ``package``;
    ``<locals>`` parts for a function's names)."""
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError, OSError):
        return {}
    found: dict[tuple[int, str], list[str]] = {}

    def add(line: int, name: str, qualname: str) -> None:
        found.setdefault((line, name), []).append(qualname)

    def walk(node: ast.AST, prefix: str, kind: str, owner: str, instance: str, global_names: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualname = prefix + child.name
                add(child.lineno, child.name, qualname)
                for part in (*child.decorator_list, *getattr(child, "bases", ()), *getattr(child, "keywords", ())):
                    walk(part, prefix, kind, owner, instance, global_names)
                if isinstance(child, ast.ClassDef):
                    walk_body(child, qualname + ".", "class", qualname, "", set())
                else:
                    walk(child.args, qualname + ".<locals>.", "function", owner, "", set())
                    if child.returns is not None:
                        walk(child.returns, prefix, kind, owner, instance, global_names)
                    positional = [*child.args.posonlyargs, *child.args.args]
                    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in child.decorator_list)
                    first = positional[0].arg if positional and kind == "class" and not static else ""
                    inner = {n for s in ast.walk(child) if isinstance(s, ast.Global) for n in s.names}
                    walk_body(
                        child, qualname + ".<locals>.", "function", owner if kind == "class" else "", first, inner
                    )
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                add(child.lineno, child.id, child.id if child.id in global_names else prefix + child.id)
            elif (
                isinstance(child, ast.Attribute)
                and isinstance(child.ctx, ast.Store)
                and instance
                and isinstance(child.value, ast.Name)
                and child.value.id == instance
            ):
                add(child.end_lineno or child.lineno, child.attr, f"{owner}.{child.attr}")
            elif isinstance(child, ast.arg):
                add(child.lineno, child.arg, prefix + child.arg)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    add(alias.lineno, (alias.asname or alias.name).partition(".")[0], "#import")
                    if isinstance(child, ast.ImportFrom):
                        base = package.split(".")[: len(package.split(".")) - child.level + 1] if child.level else []
                        module = ".".join([*base, *([child.module] if child.module else [])])
                        add(alias.lineno, alias.asname or alias.name, f"#from:{module}")
                    for part in alias.name.split("."):
                        add(alias.lineno, part, "#import")
            walk(child, prefix, kind, owner, instance, global_names)

    def walk_body(node: ast.AST, prefix: str, kind: str, owner: str, instance: str, global_names: set[str]) -> None:
        for statement in node.body:
            holder = ast.Module(body=[statement], type_ignores=[])
            walk(holder, prefix, kind, owner, instance, global_names)

    walk_body(tree, "", "module", "", "", set())
    return found


def module_of(path: Path, root: Path) -> str | None:
    """The dotted module of a file under the project root (None outside it)."""
    try:
        parts = list(path.resolve().relative_to(root).with_suffix("").parts)
    except ValueError:
        return None
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def name_of(answer: jedi.api.classes.Name, root: Path) -> str | None:
    """jedi's answer named like our targets (``module`` or ``module.qualname``); None: no answer
    (an import jedi did not follow); ``outside:...`` for what is not in the project."""
    if answer.module_path is None:
        return None if answer.type == "module" else f"outside:{answer.full_name}"
    module = module_of(Path(answer.module_path), root)
    if module is None:
        return f"outside:{answer.full_name or answer.name}"
    if answer.type == "module" or answer.line is None:
        return module
    qualnames = definitions_at(str(answer.module_path)).get((answer.line, answer.name))
    if not qualnames:
        return f"{module}:{answer.line}:{answer.name}?"
    if all(q.startswith("#") for q in qualnames):
        return None
    return f"{module}.{next(q for q in qualnames if not q.startswith('#'))}"


# -- the tokens of a reference ------------------------------------------------------------------


class Source:
    """One module's text, its tokens by logical line and a cached jedi Script."""

    def __init__(self, path: str, project: jedi.Project, environment) -> None:
        self.path = path
        self.text = Path(path).read_text(encoding="utf-8", errors="replace")
        self.project = project
        self.environment = environment
        self.script = jedi.Script(self.text, path=path, project=project, environment=environment)
        #: NAME and STRING tokens: (kind, text, (line, column)), and each line's logical line end
        self.tokens: list[tuple[int, str, tuple[int, int], tuple[int, int]]] = []
        self.logical_end: dict[int, int] = {}
        start = 1
        try:
            for token in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if token.type in (tokenize.NAME, tokenize.STRING):
                    self.tokens.append((token.type, token.string, token.start, token.end))
                elif token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                    for line in range(start, token.end[0] + 1):
                        self.logical_end[line] = token.end[0]
                    start = token.end[0] + 1
        except (tokenize.TokenError, SyntaxError):
            pass

    def positions(
        self, line: int, words: set[str], *, any_name: bool = False, following: int = 3
    ) -> list[tuple[int, int]]:
        """Where ``words`` are written on ``line``, else on the next lines of its logical line
        (``a.b`` split over lines; at most ``following`` of them), strings included."""
        end = min(self.logical_end.get(line, line), line + following)
        found = self._positions(line, line, words, any_name)
        return found or self._positions(line + 1, end, words, any_name)

    def _positions(self, line: int, end: int, words: set[str], any_name: bool) -> list[tuple[int, int]]:
        found = []
        for kind, text, (row, column), (last, _) in self.tokens:
            if last < line or row > end:
                continue
            if kind == tokenize.NAME and (text in words or any_name):
                found.append((row, column))
            elif kind == tokenize.STRING and not any_name:
                for offset, part in enumerate(text.split("\n")):
                    if not line <= row + offset <= end:
                        continue
                    for match in re.finditer(r"[A-Za-z_][A-Za-z_0-9]*", part):
                        if match.group() in words:
                            found.append((row + offset, (column if not offset else 0) + match.start()))
        return found

    def in_string(self, line: int, column: int) -> tuple[int, int, int] | None:
        """(row, start column, end column) of the one-line plain string token holding the position."""
        for kind, text, (row, start), (last, stop) in self.tokens:
            if (
                kind == tokenize.STRING
                and row == last == line
                and start <= column < stop
                and text[:1] in ("'", '"')
                and text[1:3] != text[:1] * 2
            ):
                return row, start, stop
        return None

    def goto(self, line: int, column: int, *, follow: bool = True) -> list:
        """jedi's answers at the position; a name inside a one-line string (a string annotation)
        is asked of the same code with that string's quotes blanked (the columns stay)."""
        script = self.script
        string = self.in_string(line, column)
        if string is not None:
            row, start, stop = string
            lines = self.text.split("\n")
            text = lines[row - 1]
            lines[row - 1] = f"{text[:start]} {text[start + 1 : stop - 1]} {text[stop:]}"
            script = jedi.Script("\n".join(lines), path=self.path, project=self.project, environment=self.environment)
        found = timed(lambda: script.goto(line, column, follow_imports=follow), self.path, line, column)
        if not found and follow:  # a name only a stub (.pyi) defines
            found = timed(
                lambda: script.goto(line, column, follow_imports=True, prefer_stubs=True), self.path, line, column
            )
        return found


#: seconds jedi may take for one position (some module-level expressions of thousands of lines take minutes)
TIMEOUT = 60
#: set when jedi was interrupted: its helper process is then replaced
INTERRUPTED = [False]


class Timeout(BaseException):  # not Exception: jedi catches those
    pass


def _alarm(signum, frame):
    raise Timeout


def timed(ask, path: str, line: int, column: int) -> list:
    """jedi's answer, or nothing when jedi fails or takes more than ``TIMEOUT`` seconds."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT, 1)  # again each second: jedi swallows some exceptions
    try:
        return ask()
    except Timeout:
        INTERRUPTED[0] = True
        print(f"  jedi timed out at {path}:{line}:{column}", file=sys.stderr)
        return []
    except Exception as error:  # noqa: BLE001 - jedi's own failures count as no answer
        print(f"  jedi failed at {path}:{line}:{column}: {error!r}", file=sys.stderr)
        return []
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Checker:
    def __init__(
        self,
        index: ProjectIndex,
        resolver: UseResolver,
        summaries: dict[str, ModuleSummary],
        references: dict[str, tuple[Reference, ...]],
        root: Path,
        python: str,
    ) -> None:
        self.index = index
        self.resolver = resolver
        self.summaries = summaries
        self.references = references
        self.root = root
        self.python = python
        self.environment = jedi.create_environment(python, safe=False)
        self.project = jedi.Project(str(root), environment_path=python)
        self._source: Source | None = None

    def source(self, module: str) -> Source:
        path = self.summaries[module].source.abspath
        if INTERRUPTED[0]:
            INTERRUPTED[0] = False
            self.environment = jedi.create_environment(self.python, safe=False)
            self._source = None
        if self._source is None or self._source.path != path:
            self._source = Source(path, self.project, self.environment)
        return self._source

    def words(self, module: str, target: str) -> set[str]:
        """The names the module may write for ``target``: its last part, and names bound to it by imports."""
        words = {target.rpartition(".")[2]}
        for imported in self.summaries[module].imported_names:
            if "." in imported.name:
                continue
            defined = self.index.defined_target(imported.target)
            if defined is not None and ".".join(p for p in defined if p) == target:
                words.add(imported.name)
        return words

    def answers(self, source: Source, positions: list[tuple[int, int]], target: str) -> set[str | None]:
        found: set[str | None] = set()
        for line, column in positions:
            found.update(name_of(answer, self.root) for answer in source.goto(line, column))
            if target in found:
                break
        return found

    def check(self, module: str, reference: Reference) -> tuple[str, list[str], str]:
        """(agree | disagree | none, jedi's answers, how it was checked)."""
        target = reference.target
        source = self.source(module)
        if (
            target.endswith(".__init__")
            and reference.kind == "call"
            and not source.positions(reference.line, {"__init__"})
        ):
            return self.check_init(module, reference)
        # an import statement's names may be many lines down (``from m import (`` ...)
        following = 1000 if reference.kind == "import" else 3
        positions = source.positions(reference.line, self.words(module, target), following=following)
        how = "tokens"
        if not positions:  # the name is not written on the line: any token of it naming the target
            positions, how = source.positions(reference.line, set(), any_name=True), "any token"
            answers = self.answers(source, positions, target)
            if target not in answers and self.read_through_import(module, reference):
                return "agree", sorted(a for a in answers if a), "module read through an import"
            return ("agree" if target in answers else "none"), sorted(a for a in answers if a), how
        answers = self.answers(source, positions, target)
        known = sorted(a for a in answers if a)
        if target in answers:
            return "agree", known, how
        if self.read_through_import(module, reference):
            return "agree", known, "module read through an import"
        return ("disagree" if known else "none"), known, how

    def read_through_import(self, module: str, reference: Reference) -> bool:
        """A module target read through a name the module does not define (``from m import x``, ``x``
        imported there from elsewhere or made at run time): jedi, not following imports, takes a
        name of the line to ``from <target> import`` in this file."""
        if reference.kind == "import" or self.resolver.split(reference.target)[1]:
            return False
        source = self.source(module)
        summary = self.summaries[module].source
        package = module if summary.is_package else module.rpartition(".")[0]
        here = definitions_at(source.path, package)
        for line, column in source.positions(reference.line, set(), any_name=True):
            for answer in source.goto(line, column, follow=False):
                if (
                    answer.module_path is not None
                    and str(answer.module_path) == source.path
                    and answer.line
                    and f"#from:{reference.target}" in here.get((answer.line, answer.name), ())
                ):
                    return True
        return False

    def check_init(self, module: str, reference: Reference) -> tuple[str, list[str], str]:
        """The ``__init__`` of a class's call: the class's token, then ``Class.__init__`` in its module."""
        classes = [
            r
            for r in self.references[module]
            if r.line == reference.line
            and r.kind == "call"
            and self.resolver.kind_of(r.target) == "class"
            and self.resolver.hierarchy.owner(self.resolver.split(r.target), "__init__") is not None
            and self._init_of(r.target) == reference.target
        ]
        if not classes:
            return "none", [], "__init__: no class call on the line"
        outcomes = []
        for klass in classes:
            outcome, answers, _ = self.check(module, klass)
            if outcome != "agree":
                outcomes.append((outcome, answers, f"__init__ via class {klass.target}"))
                continue
            class_module, qualname = self.resolver.split(klass.target)
            if "<locals>" in qualname:
                outcomes.append(("none", answers, "__init__ via a local class"))
                continue
            path = self.summaries[class_module].source.abspath
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            line = text.count("\n") + 2
            code = f"{text}\n{qualname}.__init__\n"
            script = jedi.Script(code, path=path, project=self.project, environment=self.environment)
            try:
                found = script.goto(line, len(qualname) + 1, follow_imports=True)
            except Exception:  # noqa: BLE001
                found = []
            inits = {name_of(answer, self.root) for answer in found}
            known = sorted(a for a in inits if a)
            if reference.target in inits:
                return "agree", known, f"__init__ via class {klass.target}"
            outcomes.append(("disagree" if known else "none", known, f"__init__ via class {klass.target}"))
        return next((o for o in outcomes if o[0] == "disagree"), outcomes[0])

    def _init_of(self, klass: str) -> str:
        owner = self.resolver.hierarchy.owner(self.resolver.split(klass), "__init__")
        return f"{owner[0]}.{owner[1]}.__init__"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("/work/corpus/torch"))
    parser.add_argument("--sample", type=int, default=300, help="references checked (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python", default=sys.executable, help="the interpreter jedi reads builtins from")
    parser.add_argument("--json", type=Path, help="write every checked reference and jedi's answers here")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS)
    parser.add_argument(
        "--typed-only",
        action="store_true",
        help="sample only the references the value-type rules give (those gone when every value type "
        "and every use through one is dropped)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="MODULE:LINE:TARGET",
        help="check only this reference (repeatable), not a sample",
    )
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: where it is
    started = time.perf_counter()
    found = find_sources([args.root.resolve()])
    summaries = analyse_all(found.files, jobs=1, store=None)
    index = ProjectIndex.from_summaries(found.project_root, summaries)
    resolver = UseResolver(index)
    by_module = {s.module: s for s in summaries}
    references = {s.module: [Reference(*row) for row in resolver.references(s)[0]] for s in summaries}
    everything = [(module, reference) for module in sorted(references) for reference in references[module]]
    if args.typed_only:
        untyped = [
            dataclasses.replace(s, value_types=(), uses=tuple(u for u in s.uses if not u.symbol.startswith("~")))
            for s in summaries
        ]
        plain = UseResolver(ProjectIndex.from_summaries(found.project_root, untyped))
        without = {(s.module, *row) for s in untyped for row in plain.references(s)[0]}
        everything = [(m, r) for m, r in everything if (m, r.scope, r.line, r.target, r.kind) not in without]
    sample = random.Random(args.seed).sample(everything, min(args.sample, len(everything)))
    if args.only:
        sample = [(m, r) for m, r in everything if f"{m}:{r.line}:{r.target}" in args.only]
    sample.sort(key=lambda item: (item[0], item[1].line, item[1].target))
    analysed = time.perf_counter()
    print(
        f"{len(summaries)} modules, {len(everything):,} references{' given by value types' if args.typed_only else ''}; "
        "analysed and resolved in "
        f"{analysed - started:.1f} s; sample of {len(sample)} (seed {args.seed})"
    )
    kinds = Counter(r.kind for _, r in sample)
    print("sample by kind: " + ", ".join(f"{kind} {kinds[kind]}" for kind in sorted(kinds)))
    checker = Checker(index, resolver, by_module, references, found.project_root.resolve(), args.python)
    verdicts = json.loads(args.verdicts.read_text()) if args.verdicts.exists() else {}
    results = []
    outcomes: dict[str, Counter] = {"agree": Counter(), "disagree": Counter(), "none": Counter()}
    for number, (module, reference) in enumerate(sample, 1):
        outcome, answers, how = checker.check(module, reference)
        outcomes[outcome][reference.kind] += 1
        key = f"{module}:{reference.line}:{reference.target}"
        results.append(
            {
                "key": key,
                "scope": reference.scope,
                "kind": reference.kind,
                "outcome": outcome,
                "jedi": answers,
                "how": how,
                "code": linecache_line(by_module[module].source.abspath, reference.line),
            }
        )
        print(f"  [{number}/{len(sample)}] {outcome:<8} {key} ({reference.kind})", file=sys.stderr)
    checked = time.perf_counter()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    agree, disagree, none = (sum(outcomes[o].values()) for o in ("agree", "disagree", "none"))
    print(f"jedi checked {len(sample)} references in {checked - analysed:.0f} s")
    print(f"{'kind':<11} {'agree':>6} {'disagree':>9} {'no answer':>10}")
    for kind in sorted(kinds):
        print(f"{kind:<11} {outcomes['agree'][kind]:>6} {outcomes['disagree'][kind]:>9} {outcomes['none'][kind]:>10}")
    print(f"{'all':<11} {agree:>6} {disagree:>9} {none:>10}")
    print(f"precision against jedi: {agree}/{agree + disagree} = {agree / max(1, agree + disagree):.3f}")
    print("disagreements (jedi's answers; the hand verdict):")
    judged = Counter()
    for result in results:
        if result["outcome"] != "disagree":
            continue
        verdict = verdicts.get(result["key"], {})
        judged[verdict.get("verdict", "not judged")] += 1
        print(f"  {result['key']} ({result['kind']}): {result['code']}")
        print(f"      jedi: {', '.join(result['jedi'])}")
        print(f"      verdict: {verdict.get('verdict', 'not judged')}: {verdict.get('reason', '')}")
    ours = judged["ours"]
    print("hand verdicts on the disagreements: " + ", ".join(f"{v} {n}" for v, n in sorted(judged.items())))
    print(
        f"precision counting our errors only: {agree + disagree - ours}/{agree + disagree} = "
        f"{(agree + disagree - ours) / max(1, agree + disagree):.3f}"
        + (f" ({judged['not judged']} disagreements not judged)" if judged["not judged"] else "")
    )
    unanswered = Counter(
        verdicts.get(r["key"], {}).get("verdict", "not read") for r in results if r["outcome"] == "none"
    )
    print(f"no answer from jedi: {none}; read by hand: " + ", ".join(f"{v} {n}" for v, n in sorted(unanswered.items())))
    for result in results:
        if result["outcome"] == "none":
            verdict = verdicts.get(result["key"], {})
            print(
                f"  {result['key']} ({result['kind']}, {result['how']}): {result['code']}"
                + (f"\n      verdict: {verdict['verdict']}: {verdict.get('reason', '')}" if verdict else "")
            )
    wrong = sum(1 for r in results if verdicts.get(r["key"], {}).get("verdict") in ("ours", "wrong"))
    print(f"our errors found in the sample (disagreements and no answers read by hand): {wrong}/{len(sample)}")


def linecache_line(path: str, line: int) -> str:
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


if __name__ == "__main__":
    main()
