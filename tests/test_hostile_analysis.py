"""Hostile trees (issue 6): find and analyse never crash, never execute, never lose.

Each hostile file gives at most one problem with a clear subtype and a line
where one makes sense; every good module beside it is found and analysed
exactly as it is without it. The Sphinx build of the same cases is in
``test_hostile_build.py``, which uses :func:`add_generated_files` from here.
"""

from __future__ import annotations

import builtins
import os
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from conftest import copy_root
from sphinx_kwindex import analyse as analyse_module
from sphinx_kwindex.analyse import MAX_SOURCE_BYTES, analyse, analyse_file
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.model import ModuleSummary, SourceFile
from sphinx_kwindex.project.index import ProjectIndex

NEWER = sys.version_info >= (3, 12)


def summary_of(data: bytes, module: str = "pkg.mod") -> ModuleSummary:
    return analyse(SourceFile(module, f"/nowhere/{module}.py", f"{module}.py"), data)


def only_problem(summary: ModuleSummary):
    assert len(summary.problems) == 1, summary.problems
    assert summary.parse_failed
    assert summary.definitions == ()
    return summary.problems[0]


def names(summary: ModuleSummary) -> list[tuple[str, str, int]]:
    return [(d.name, d.kind, d.line) for d in summary.definitions]


# -- one file's bytes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "subtype", "line", "words"),
    [
        (b"def f(:\n    pass\n", "syntax-error", 1, "cannot parse: invalid syntax"),
        (b'"""Doc."""\n\nprint "hello"\n', "syntax-error", 3, "Missing parentheses in call to 'print'"),
        (b"try:\n    pass\nexcept Exception, e:\n    pass\n", "syntax-error", 3, "(Python 2 code?)"),
        (b"x = 0777\n", "syntax-error", 1, "(Python 2 code?)"),
        ("x = 'caf\xe9'\n".encode("latin-1"), "encoding", 1, "byte 0xe9 is invalid; save it as UTF-8"),
        (b"a = 1\nb = 2\nc = 3\nx = '\xe9'\n", "encoding", 4, "cannot decode source as utf-8: byte 0xe9"),
        (b"# -*- coding: nonsense -*-\nx = 1\n", "encoding", 1, "unknown encoding: nonsense"),
        (b"#!/usr/bin/env python\n# coding: rot13\nx = 1\n", "encoding", 2, "rot13"),
        (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "encoding", 1, "byte order mark"),
        ("x = 1\n".encode("utf-16"), "encoding", 1, "UTF-16"),
        (b"x = 1\n\ny = '\x00'\n", "syntax-error", 3, "NUL byte"),
        (b"x = 1\r\ny = 2\r\x00\n", "syntax-error", 3, "NUL byte"),
        (b"x = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n", "too-complex", 1, "too many nested parentheses"),
        (b"x = " + b"[" * 300 + b"]" * 300 + b"\n", "too-complex", 1, "too many nested parentheses"),
        (b"".join(b" " * i + b"if x:\n" for i in range(1000)) + b" " * 1000 + b"pass\n", "too-complex", 101,
         "too many levels of indentation"),
        (b"x = " + b"-" * 100_000 + b"1\n", "too-complex", 0, "nesting too deep"),
        (b"x = " + b"+".join([b"1"] * 100_000) + b"\n", "too-complex", 0, "nesting too deep to parse"),
        (b"x = a" + b".b" * 50_000 + b"\n", "too-complex", 0, "nesting too deep to parse"),
    ],
    ids=[
        "syntax-error", "python2-print", "python2-except", "python2-octal", "latin1-no-cookie",
        "latin1-line-4", "unknown-cookie", "text-codec-cookie", "bom-and-other-cookie", "utf16", "nul-byte",
        "nul-after-crlf-cr", "1000-parentheses", "300-brackets", "1000-nested-ifs", "100k-unary-minus",
        "100k-term-sum", "50k-attribute-chain",
    ],
)
def test_each_bad_file_is_one_located_problem(data, subtype, line, words):
    problem = only_problem(summary_of(data))
    assert (problem.subtype, problem.line) == (subtype, line)
    assert words in problem.message


@pytest.mark.skipif(NEWER, reason="Python 3.12+ parses PEP 695 syntax")
@pytest.mark.parametrize(
    ("data", "line", "what"),
    [
        (b"x = 1\ntype Pair = tuple[int, int]\n", 2, "a 'type' alias statement (PEP 695)"),
        (b"def first[T](items: list[T]) -> T:\n    return items[0]\n", 1, "a generic function 'def f[T]'"),
        (b"class Box[T]:\n    pass\n", 1, "a generic class 'class C[T]'"),
        (b"class Foo:\n    def m(self):\n        async def f[T](a): pass\n", 3, "a generic function"),
    ],
)
def test_newer_syntax_says_it_needs_a_newer_python(data, line, what):
    problem = only_problem(summary_of(data))
    assert (problem.subtype, problem.line) == ("syntax-error", line)
    assert what in problem.message
    assert "it needs Python 3.12+, the build runs 3.11" in problem.message.replace(
        f"3.{sys.version_info[1]}", "3.11"
    )


@pytest.mark.skipif(NEWER, reason="Python 3.12+ parses PEP 701 f-strings")
def test_pep701_fstring_hints_at_a_newer_python():
    problem = only_problem(summary_of(b'x = f"{d["key"]}"\n'))
    assert problem.subtype == "syntax-error"
    assert "PEP 701: it may need a newer Python" in problem.message


def test_an_ordinary_syntax_error_gets_no_version_hint():
    problem = only_problem(summary_of(b"x = [1, 2\ny = 3\n"))
    assert "Python" not in problem.message


GOOD = b'"""Doc."""\n\nimport os\n\nX = 1\n\n\nclass C:\n    def m(self):\n        pass\n\n\ndef f():\n    pass\n'
GOOD_NAMES = [("X", "variable", 5), ("C", "class", 8), ("C.m", "method", 9), ("f", "function", 13)]


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (GOOD, 14),
        (GOOD.replace(b"\n", b"\r\n"), 14),
        (GOOD.replace(b"\n", b"\r"), 14),
        (b"\xef\xbb\xbf" + GOOD, 14),
        (b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"), 14),
        (b"# -*- coding: latin-1 -*-\n" + GOOD.replace(b"Doc.", b"Caf\xe9."), 15),
        (b"# vim: set fileencoding=cp1252 :\n" + GOOD.replace(b"Doc.", b"\x93quoted\x94"), 15),
        (GOOD.rstrip(b"\n"), 14),
    ],
    ids=["plain", "crlf", "lone-cr", "bom", "bom-crlf", "latin1-cookie", "cp1252-cookie", "no-final-newline"],
)
def test_line_ends_bom_and_cookies_keep_every_line_right(data, lines):
    summary = summary_of(data)
    assert summary.problems == ()
    shift = 1 if b"coding" in data.splitlines()[0] else 0
    assert names(summary) == [(n, k, line + shift) for n, k, line in GOOD_NAMES]
    assert summary.lines == lines
    assert summary.doc in ("Doc.", "Café.", "\u201cquoted\u201d")


def test_mixed_line_ends_count_like_python():
    data = b"a = 1\r\nb = 2\rc = 3\n\rdef f():\r\n    pass\n"
    summary = summary_of(data)
    assert names(summary) == [("a", "variable", 1), ("b", "variable", 2), ("c", "variable", 3), ("f", "function", 5)]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"# just a comment\n", b"\xef\xbb\xbf", b'"""Only a docstring."""'])
def test_empty_files_are_fine_modules(data):
    summary = summary_of(data)
    assert summary.problems == () and not summary.parse_failed
    assert summary.definitions == ()


def test_deep_nesting_leaves_the_interpreter_usable():
    limit = sys.getrecursionlimit()
    for _ in range(3):
        assert only_problem(summary_of(b"x = " + b"+".join([b"1"] * 100_000) + b"\n")).subtype == "too-complex"
    assert sys.getrecursionlimit() == limit

    def depth(n):
        return 0 if n == 0 else depth(n - 1) + 1

    assert depth(limit - 100) == limit - 100  # the stack is whole again
    assert names(summary_of(GOOD)) == GOOD_NAMES


def test_nesting_within_limits_is_analysed():
    data = b"".join(b"    " * i + b"class C%d:\n" % i for i in range(90)) + b"    " * 90 + b"X = 1\n"
    summary = summary_of(data)
    assert summary.problems == ()
    assert len(summary.definitions) == 91


def test_an_astroid_failure_costs_one_file_not_the_build(monkeypatch):
    def explode(*args):
        raise ValueError("boom")

    monkeypatch.setattr(analyse_module, "_parse", explode)
    problem = only_problem(summary_of(GOOD))
    assert problem.subtype == "analysis-error"
    assert "ValueError: boom" in problem.message
    monkeypatch.undo()
    monkeypatch.setattr(analyse_module, "_summarise", explode)
    assert only_problem(summary_of(GOOD)).subtype == "analysis-error"


def huge_source(size: int) -> bytes:
    """A generated table module, the usual shape of a 10 MB Python file."""
    row = "    ({0}, {1}, 'name_{0}', {2:.5f}),\n"
    rows = []
    total = 0
    i = 0
    while total < size:
        rows.append(row.format(i, i * 3, i / 7))
        total += len(rows[-1])
        i += 1
    return ("TABLE = [\n" + "".join(rows) + "]\n\n\ndef lookup(k):\n    return TABLE[k]\n").encode()


def test_a_10_mb_generated_file_is_a_quick_clear_warning(tmp_path):
    path = tmp_path / "table.py"
    path.write_bytes(huge_source(10_500_000))
    tracemalloc.start()
    started = time.perf_counter()
    summary = analyse_file(SourceFile("table", str(path), "table.py"))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    problem = only_problem(summary)
    assert problem.subtype == "too-large"
    assert "file is 10.5 MB, larger than the 4.2 MB analysed" in problem.message
    assert "kwindex_exclude" in problem.message
    assert summary.size == path.stat().st_size and summary.lines > 200_000
    assert elapsed < 5
    assert peak < 100 * 1024 * 1024  # the bytes and their lines, no syntax tree


def test_a_file_below_the_size_limit_is_analysed():
    data = huge_source(1_000_000)  # about torch's largest file (1.4 MB)
    assert len(data) < MAX_SOURCE_BYTES
    summary = summary_of(data)
    assert summary.problems == ()
    assert names(summary)[:1] == [("TABLE", "variable", 1)]


# -- trees ------------------------------------------------------------------------------


def add_generated_files(src: Path) -> dict[str, Path]:
    """Add to a copy of the ``hostile`` root what is not committed: odd bytes, symlinks, a huge file.

    Returns the paths the tests refer to by case name.
    """
    pkg = src / "hostile"
    made = {
        "latin1_no_cookie": pkg / "latin1_no_cookie.py",
        "latin1_cookie": pkg / "latin1_cookie.py",
        "bom": pkg / "with_bom.py",
        "nul": pkg / "nul_bytes.py",
        "crlf": pkg / "crlf_ends.py",
        "cr": pkg / "cr_ends.py",
        "deep_parens": pkg / "deep_parens.py",
        "deep_sum": pkg / "deep_sum.py",
        "huge": pkg / "huge_table.py",
        "unreadable_file": pkg / "unreadable.py",
        "unreadable_dir": pkg / "locked",
        "symlink_outside": pkg / "outside_link.py",
        "dir_symlink_outside": pkg / "outside_dir",
        "broken_symlink": pkg / "dangling.py",
        "non_utf8_name": Path(os.fsdecode(bytes(pkg) + b"/caf\xe9_latin1.py")),
    }
    made["latin1_no_cookie"].write_bytes("\"\"\"Caf\xe9 without a cookie.\"\"\"\n\nX = 1\n".encode("latin-1"))
    made["latin1_cookie"].write_bytes(
        "# -*- coding: latin-1 -*-\n\"\"\"Caf\xe9 with a cookie.\"\"\"\n\n\ndef cr\xe8me():\n    pass\n".encode("latin-1")
    )
    made["bom"].write_bytes(b'\xef\xbb\xbf"""Starts with a BOM."""\n\n\ndef bom_function():\n    pass\n')
    made["nul"].write_bytes(b'"""NUL byte on line 3."""\nX = 1\nY = "\x00"\n')
    made["crlf"].write_bytes(b'"""CRLF."""\r\n\r\n\r\ndef crlf_function():\r\n    pass\r\n')
    made["cr"].write_bytes(b'"""Lone CR."""\r\r\rdef cr_function():\r    pass\r')
    made["deep_parens"].write_bytes(b"X = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n")
    made["deep_sum"].write_bytes(b"X = " + b" + ".join([b"1"] * 100_000) + b"\n")
    made["huge"].write_bytes(huge_source(10_500_000))
    made["unreadable_file"].write_text('"""Cannot be read (simulated)."""\n')
    made["unreadable_dir"].mkdir()
    (made["unreadable_dir"] / "__init__.py").write_text('"""In a folder that cannot be listed (simulated)."""\n')
    (made["unreadable_dir"] / "inside.py").write_text("X = 1\n")
    outside = src.parent / "outside"
    outside.mkdir()
    (outside / "elsewhere.py").write_text("OUTSIDE = True\n")
    made["symlink_outside"].symlink_to(outside / "elsewhere.py")
    made["dir_symlink_outside"].symlink_to(outside, target_is_directory=True)
    made["broken_symlink"].symlink_to(pkg / "no_such_file.py")
    (pkg / "alias_of_good.py").symlink_to(pkg / "good.py")  # inside the roots: indexed
    (pkg / "loop").symlink_to(pkg, target_is_directory=True)  # a loop: never followed
    (pkg / "root_loop").symlink_to(src, target_is_directory=True)
    (pkg / ".#good.py").symlink_to("user@host.1234:1700000000")  # an emacs lock link: hidden, skipped
    (pkg / ".hidden").mkdir()
    (pkg / ".hidden" / "secret.py").write_text("SECRET = 1\n")
    made["non_utf8_name"].write_text("X = 1\n")
    return made


def simulate_unreadable(monkeypatch, files=(), folders=()):
    """Make ``files`` fail to open and ``folders`` fail to list, as chmod 000 does for a non-root user.

    Simulated so the tests also hold when run as root, whom chmod does not stop.
    """
    files = {os.fspath(f) for f in files}
    folders = {os.fspath(f) for f in folders}
    real_open, real_scandir = builtins.open, os.scandir

    def fake_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) in files:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    def fake_scandir(path="."):
        if os.fspath(path) in folders:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)


GOOD_MODULES = {
    "hostile", "hostile.good", "hostile.café", "hostile.circ_a", "hostile.circ_b", "hostile.star_a",
    "hostile.star_b", "hostile.star_c", "hostile.empty", "dup", "canarypkg", "canarypkg.calls_os_exit",
    "canarypkg.calls_sys_exit", "canarypkg.deletes_files", "canarypkg.json", "canarypkg.loops_forever",
    "canarypkg.metaclass", "canarypkg.raises_system_exit", "canarypkg.runs_as_main",
}
GENERATED_GOOD = {"hostile.latin1_cookie", "hostile.with_bom", "hostile.crlf_ends", "hostile.cr_ends",
                  "hostile.alias_of_good"}
#: modules found but not analysable: one problem each
FAILING = {
    "hostile.broken_syntax": "syntax-error", "hostile.python2": "syntax-error",
    "hostile.latin1_no_cookie": "encoding", "hostile.nul_bytes": "syntax-error",
    "hostile.deep_parens": "too-complex", "hostile.deep_sum": "too-complex", "hostile.huge_table": "too-large",
    "hostile.unreadable": "unreadable",
}
if not NEWER:
    FAILING["hostile.py312"] = "syntax-error"
else:
    GOOD_MODULES.add("hostile.py312")


def expected_find_problems(src: Path, made: dict[str, Path]) -> list[tuple[str, str]]:
    """(location, subtype) of each problem found while finding modules, in discovery order."""
    pkg, other = src / "hostile", src.parent / "other"
    return sorted([
        (str(made["unreadable_dir"]), "unreadable"),
        # one for the three files of unimportable names in the package (my-script.py, a non-UTF-8 name)
        (str(pkg / "a.b.py"), "bad-module-name"),
        (str(pkg / "bad-dir"), "bad-module-name"),
        (str(made["broken_symlink"]), "broken-symlink"),
        (str(made["dir_symlink_outside"]), "symlink-outside"),
        (str(made["symlink_outside"]), "symlink-outside"),
        (str(other / "dup" / "__init__.py"), "duplicate-module"),
    ])


@pytest.fixture
def hostile_tree(tmp_path, monkeypatch):
    srcdir = copy_root("hostile", tmp_path)
    made = add_generated_files(srcdir / "src")
    simulate_unreadable(monkeypatch, files=[made["unreadable_file"]], folders=[made["unreadable_dir"]])
    return srcdir, made


def analyse_tree(srcdir: Path):
    found = find_sources([(srcdir / "src").resolve(), (srcdir / "other").resolve()])
    summaries = {source.module: analyse_file(source) for source in found.files}
    return found, summaries


def test_the_hostile_tree_gives_one_problem_per_case_and_indexes_the_rest(hostile_tree):
    srcdir, made = hostile_tree
    found, summaries = analyse_tree(srcdir)
    assert sorted((where, p.subtype) for where, p in found.problems) == expected_find_problems(srcdir / "src", made)
    assert set(summaries) == GOOD_MODULES | GENERATED_GOOD | set(FAILING)
    for module, summary in summaries.items():
        if module in FAILING:
            assert [p.subtype for p in summary.problems] == [FAILING[module]], module
        else:
            assert summary.problems == () and not summary.parse_failed, module
    bad_dir = next(p for where, p in found.problems if where.endswith("bad-dir"))
    assert bad_dir.message == "folder 'bad-dir' is not an importable package name; 2 modules under it skipped"
    bad_files = next(p for where, p in found.problems if where.endswith("a.b.py"))
    assert bad_files.message == "'a.b.py' is not an importable module name (and 2 more files of this folder); skipped"
    assert names(summaries["hostile.latin1_cookie"]) == [("crème", "function", 5)]
    assert names(summaries["hostile.crlf_ends"]) == [("crlf_function", "function", 4)]
    assert names(summaries["hostile.cr_ends"]) == [("cr_function", "function", 4)]
    assert names(summaries["hostile.with_bom"]) == [("bom_function", "function", 4)]
    assert summaries["dup"].definitions[0].name == "FIRST"  # the first root wins
    assert names(summaries["hostile.café"]) == [("crème", "function", 4)]


def test_good_modules_are_indexed_exactly_as_without_the_hostile_ones(hostile_tree, tmp_path):
    srcdir, _ = hostile_tree
    _, with_hostile = analyse_tree(srcdir)
    clean = copy_root("hostile", tmp_path / "clean")
    for module in FAILING:
        path = clean / "src" / Path(*module.split(".")).with_suffix(".py")
        if path.exists():
            path.unlink()
    for junk in ("a.b.py", "my-script.py"):
        (clean / "src" / "hostile" / junk).unlink()
    os.rename(clean / "src" / "hostile" / "bad-dir", clean / "bad-dir-moved-away")
    (clean / "other" / "dup" / "__init__.py").unlink()
    _, without = analyse_tree(clean)
    assert set(without) == GOOD_MODULES
    for module in GOOD_MODULES:
        a, b = with_hostile[module], without[module]
        assert (a.definitions, a.imports, a.imported_names, a.identifiers, a.doc) == (
            b.definitions, b.imports, b.imported_names, b.identifiers, b.doc
        ), module


def test_circular_and_star_imports_index_without_looping(hostile_tree):
    srcdir, _ = hostile_tree
    found, summaries = analyse_tree(srcdir)
    star_a = summaries["hostile.star_a"]
    assert [(i.module, i.names) for i in star_a.imports] == [("hostile.star_b", ("*",))]
    assert [(i.module, i.names) for i in summaries["hostile.circ_b"].imports] == [("hostile", ("circ_a",))]
    index = ProjectIndex.from_summaries(found.project_root, summaries.values(), found.problems)
    for module in ("hostile.circ_a", "hostile.circ_b", "hostile.star_a", "hostile.star_b", "hostile.star_c"):
        related = [r.module for r in index.related(module)]
        assert module not in related
    assert "hostile.star_b" in [r.module for r in index.related("hostile.star_a")]


def test_canaries_are_read_never_imported_or_run(hostile_tree):
    srcdir, _ = hostile_tree
    canaries = srcdir / "src" / "canarypkg"
    before = set(sys.modules)
    _, summaries = analyse_tree(srcdir)
    assert {"canarypkg", "hostile", "dup"}.isdisjoint(set(sys.modules) - before)
    assert not any(name.startswith(("canarypkg", "hostile.")) for name in sys.modules)
    assert not list(srcdir.rglob("CANARY_TRIGGERED"))
    assert (canaries / "KEEP_ME.txt").exists()
    assert [d.name for d in summaries["canarypkg.metaclass"].definitions] == ["Meta", "Meta.__new__", "Evil"]
    assert summaries["canarypkg.runs_as_main"].has_main_block


# -- find_sources, case by case ---------------------------------------------------------


def modules_and_problems(*roots: Path):
    found = find_sources([root.resolve() for root in roots])
    return [s.module for s in found.files], [(os.path.relpath(w, roots[0].parent), p.subtype) for w, p in found.problems]


def test_symlink_loops_end_and_are_silent(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("X = 1\n")
    (pkg / "self").symlink_to(pkg, target_is_directory=True)
    (pkg / "up").symlink_to(tmp_path / "src", target_is_directory=True)
    (pkg / "a").symlink_to(pkg / "b", target_is_directory=True)
    (pkg / "b").symlink_to(pkg / "a", target_is_directory=True)  # a two-link loop, realpath gives up
    assert modules_and_problems(tmp_path / "src") == (["pkg", "pkg.mod"], [])


def test_file_symlinks(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "real.py").write_text("X = 1\n")
    (pkg / "alias.py").symlink_to(pkg / "real.py")
    (tmp_path / "secret.py").write_text("KEY = 1\n")
    (pkg / "leak.py").symlink_to(tmp_path / "secret.py")
    (pkg / "gone.py").symlink_to(pkg / "nothing.py")
    (pkg / "self.py").symlink_to(pkg / "self.py")  # a one-file loop
    modules, problems = modules_and_problems(tmp_path / "src")
    assert modules == ["pkg", "pkg.alias", "pkg.real"]
    assert sorted(problems) == [
        ("src/pkg/gone.py", "broken-symlink"),
        ("src/pkg/leak.py", "symlink-outside"),
        ("src/pkg/self.py", "broken-symlink"),
    ]


def test_names_that_are_not_identifiers(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    (pkg / "my-sub").mkdir(parents=True)
    (pkg / "plain-dir" / "inner").mkdir(parents=True)
    (pkg / "plain-dir" / "realpkg").mkdir(parents=True)
    for name in ("__init__.py", "my-script.py", "a.b.py", "café.py", "Ω.py", "1st.py", "my-sub/__init__.py",
                 "my-sub/x.py", "plain-dir/loose.py", "plain-dir/inner/deep.py"):
        (pkg / name).write_text("X = 1\n")
    modules, problems = modules_and_problems(tmp_path / "src")
    assert modules == ["pkg", "pkg.café", "pkg.Ω"]
    # One problem per folder, however many files in it have such names (a package of data modules
    # loaded through importlib must not give a hundred warnings).
    assert problems == [
        ("src/pkg/1st.py", "bad-module-name"),
        ("src/pkg/my-sub", "bad-module-name"),
        ("src/pkg/plain-dir", "bad-module-name"),
    ]
    found = find_sources([(tmp_path / "src").resolve()])
    assert found.problems[0][1].message == (
        "'1st.py' is not an importable module name (and 2 more files of this folder); skipped")
    # A package below an unimportable folder starts a fresh name, as Python sees it.
    (pkg / "plain-dir" / "realpkg" / "__init__.py").write_text("")
    (pkg / "plain-dir" / "realpkg" / "mod.py").write_text("")
    assert modules_and_problems(tmp_path / "src")[0] == ["pkg", "pkg.café", "pkg.Ω", "realpkg", "realpkg.mod"]


def test_a_non_identifier_root_folder_is_one_problem(tmp_path):
    root = tmp_path / "my-tests"
    (root / "unit").mkdir(parents=True)
    for name in ("a.py", "b.py", "unit/c.py"):
        (root / name).write_text("")
    found = find_sources([root])
    assert found.files == []
    assert [(w, p.subtype, p.message) for w, p in found.problems] == [
        (str(root), "bad-module-name", "folder 'my-tests' is not an importable package name; 3 modules under it skipped")
    ]


def test_file_names_that_are_not_utf8(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    weird = os.path.join(os.fsencode(pkg), b"caf\xe9.py")
    with open(weird, "w") as stream:
        stream.write("X = 1\n")
    found = find_sources([(tmp_path / "src").resolve()])
    assert [s.module for s in found.files] == ["pkg"]
    [(where, problem)] = found.problems
    assert where == f"{pkg}/caf\\xe9.py" and problem.subtype == "bad-module-name"
    assert (where + problem.message).encode("utf-8")  # printable in a UTF-8 log


def test_hidden_files_and_folders_are_skipped_silently(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    (pkg / ".venv-like").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / ".hidden.py").write_text("X = 1\n")
    (pkg / ".venv-like" / "x.py").write_text("X = 1\n")
    (pkg / ".#__init__.py").symlink_to("user@host.42:1700000000")
    assert modules_and_problems(tmp_path / "src") == (["pkg"], [])


def test_unreadable_file_and_folder_simulated(tmp_path, monkeypatch):
    pkg = tmp_path / "src" / "pkg"
    (pkg / "locked").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "ok.py").write_text("X = 1\n")
    (pkg / "secret.py").write_text("Y = 1\n")
    (pkg / "locked" / "inner.py").write_text("Z = 1\n")
    simulate_unreadable(monkeypatch, files=[pkg / "secret.py"], folders=[pkg / "locked"])
    found = find_sources([(tmp_path / "src").resolve()])
    assert [(w, p.subtype, p.message) for w, p in found.problems] == [
        (str(pkg / "locked"), "unreadable", "cannot list folder: Permission denied")
    ]
    summaries = {s.module: analyse_file(s) for s in found.files}
    assert sorted(summaries) == ["pkg", "pkg.ok", "pkg.secret"]
    assert summaries["pkg.secret"].problems[0].subtype == "unreadable"
    assert "Permission denied" in summaries["pkg.secret"].problems[0].message
    assert names(summaries["pkg.ok"]) == [("X", "variable", 1)]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod 000 does not stop root; simulated above")
def test_unreadable_file_and_folder_for_real(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    (pkg / "locked").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "secret.py").write_text("Y = 1\n")
    (pkg / "locked" / "inner.py").write_text("Z = 1\n")
    os.chmod(pkg / "secret.py", 0)
    os.chmod(pkg / "locked", 0)
    try:
        found = find_sources([(tmp_path / "src").resolve()])
        assert [p.subtype for _, p in found.problems] == ["unreadable"]
        assert [analyse_file(s).problems[0].subtype for s in found.files if s.module == "pkg.secret"] == ["unreadable"]
    finally:
        os.chmod(pkg / "locked", 0o755)
        os.chmod(pkg / "secret.py", 0o644)


def test_duplicates_and_overlapping_roots(tmp_path):
    for root, text in (("one", "FIRST = 1\n"), ("two", "SECOND = 1\n")):
        (tmp_path / root / "pkg").mkdir(parents=True)
        (tmp_path / root / "pkg" / "__init__.py").write_text(text)
    modules, problems = modules_and_problems(tmp_path / "one", tmp_path / "two")
    assert modules == ["pkg"] and problems == [("two/pkg/__init__.py", "duplicate-module")]
    # A root inside another: each folder is walked once, under the first root's naming.
    (tmp_path / "one" / "pkg" / "sub").mkdir()
    (tmp_path / "one" / "pkg" / "sub" / "__init__.py").write_text("")
    modules, problems = modules_and_problems(tmp_path / "one", tmp_path / "one" / "pkg" / "sub")
    assert modules == ["pkg", "pkg.sub"] and problems == []


def test_a_package_wins_over_a_module_of_the_same_name(tmp_path):
    pkg = tmp_path / "src" / "pkg"
    (pkg / "mod").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("SHADOWED = 1\n")
    (pkg / "mod" / "__init__.py").write_text("IMPORTED = 1\n")
    found = find_sources([(tmp_path / "src").resolve()])
    assert [(s.module, s.path) for s in found.files] == [("pkg", "src/pkg/__init__.py"), ("pkg.mod", "src/pkg/mod/__init__.py")]
    [(where, problem)] = found.problems
    assert where == str(pkg / "mod.py") and problem.subtype == "duplicate-module"
    assert "which Python imports" in problem.message


def test_review_cases_except_star_and_relative_imports_above_the_top():
    from sphinx_kwindex.analyse import analyse
    from sphinx_kwindex.model import SourceFile

    code = b"try:\n    pass\nexcept* ValueError:\n    def fallback():\n        pass\nfrom ..up import x\n"
    summary = analyse(SourceFile("pkg.mod", "/p/pkg/mod.py", "pkg/mod.py"), code)
    assert [d.name for d in summary.definitions] == ["fallback"]
    assert [(p.subtype, p.line) for p in summary.problems] == [("bad-import", 6)]
    nested = analyse(SourceFile("a.b.mod", "/p/a/b/mod.py", "a/b/mod.py"), b"from ..up import x\n")
    assert [(i.module, i.names) for i in nested.imports] == [("a.up", ("x",))]


def test_git_quoted_paths_decode_without_raising():
    from sphinx_kwindex.project.related.history import _unquote

    assert _unquote('"\u540d\u524d\\ty.py"') == "\u540d\u524d\ty.py"
    assert _unquote('"caf\\303\\251\\t.py"') == "caf\u00e9\t.py"
    assert _unquote("plain.py") == "plain.py"
