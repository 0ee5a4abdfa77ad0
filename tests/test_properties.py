"""Properties of the analyser (issue 6), tested with hypothesis.

For generated Python programs (a small grammar of def/class/if/try/with/for/
while/match/import/assign statements) and byte-level mutations of them, the
analyser never raises and always returns a complete ModuleSummary; it agrees
with the standard library's parser on whether a file parses and where its
top-level definitions are; line ends do not change the result.

``KWINDEX_PROPERTY_EXAMPLES`` raises the number of examples per test
(default 250, about 10 s for the file); e.g. ``KWINDEX_PROPERTY_EXAMPLES=3000``.
"""

from __future__ import annotations

import ast
import os
import pickle
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.model import KINDS, ModuleSummary, SourceFile

EXAMPLES = int(os.environ.get("KWINDEX_PROPERTY_EXAMPLES", "250"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

SUBTYPES = {"too-large", "encoding", "syntax-error", "too-complex", "analysis-error", "bad-import"}
SOURCE = SourceFile("pkg.sub.mod", "/nowhere/pkg/sub/mod.py", "pkg/sub/mod.py")

# -- a grammar of small programs ----------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "x", "y", "self", "cls", "data", "_private", "Widget", "café", "match", "type"])
MODULES = st.sampled_from(["os", "os.path", "typing", "pkg", "pkg.sub", "collections.abc", "numpy"])


ATOMS = st.one_of(
    NAMES,
    st.integers(-5, 10**6).map(str),
    st.text("abc <>\"'\\é\n", max_size=6).map(repr),
    st.sampled_from(["None", "...", "True"]),
)


def _compound_expressions(sub):
    return st.one_of(
        st.tuples(sub, st.sampled_from(["+", "*", " if x else ", " and ", "==", "|"]), sub).map("".join),
        st.tuples(NAMES, st.lists(sub, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.lists(sub, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
        st.tuples(sub, NAMES).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(NAMES, sub).map(lambda t: f"lambda {t[0]}: {t[1]}"),
        sub.filter(lambda e: not any(c in e for c in "'\\\n")).map(lambda e: f"f'{{{e}}}'"),
    )


EXPRESSIONS = st.recursive(ATOMS, _compound_expressions, max_leaves=6)


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines] or ["    pass"]


SIMPLE = st.one_of(
    st.tuples(NAMES, EXPRESSIONS).map(lambda t: [f"{t[0]} = {t[1]}"]),
    st.tuples(NAMES, NAMES, EXPRESSIONS).map(lambda t: [f"{t[0]}: {t[1]} = {t[2]}"]),
    st.tuples(MODULES, st.none() | NAMES).map(lambda t: [f"import {t[0]}" + (f" as {t[1]}" if t[1] else "")]),
    st.tuples(st.integers(0, 4), st.none() | MODULES, st.lists(NAMES, min_size=1, max_size=3) | st.just(["*"])).map(
        lambda t: [f"from {'.' * t[0]}{t[1] or ('' if t[0] else 'os')} import {', '.join(t[2])}"]
    ),
    st.sampled_from([["pass"], ["return"], ["__all__ = ['a', 'b']"], ["del x"], ["raise ValueError"]]),
    EXPRESSIONS.map(lambda e: [e]),
    # Docstring text of any characters but CR: the line-end property rewrites every line end.
    st.text(st.characters(blacklist_characters="\r", blacklist_categories=("Cs",)), max_size=30).map(
        lambda t: ['"""' + t.replace('"', "'").replace("\\", "/") + '"""']
    ),
)
DECORATORS = st.lists(st.sampled_from(["@property", "@staticmethod", "@functools.wraps(f)", "@x.setter"]), max_size=2)
ARGUMENTS = st.lists(NAMES, max_size=3, unique=True).map(", ".join)


def _statements(depth: int):
    """Statements nesting at most ``3 - depth`` blocks deeper; built once per depth."""
    if depth >= 3:
        return SIMPLE
    body = st.lists(_statements(depth + 1), min_size=1, max_size=3).map(lambda ss: [line for s in ss for line in s])
    compound = st.one_of(
        st.tuples(DECORATORS, st.booleans(), NAMES, ARGUMENTS, body).map(
            lambda t: [*t[0], f"{'async ' if t[1] else ''}def {t[2]}({t[3]}):", *indent(t[4])]
        ),
        st.tuples(DECORATORS, NAMES, st.lists(NAMES, max_size=2), body).map(
            lambda t: [*t[0], f"class {t[1]}({', '.join(t[2])}):", *indent(t[3])]
        ),
        st.tuples(EXPRESSIONS, body, st.none() | body).map(
            lambda t: [f"if {t[0]}:", *indent(t[1]), *(["else:", *indent(t[2])] if t[2] else [])]
        ),
        st.tuples(body, body, st.none() | body).map(
            lambda t: ["try:", *indent(t[0]), "except (ImportError, KeyError) as e:", *indent(t[1]),
                       *(["finally:", *indent(t[2])] if t[2] else [])]
        ),
        st.tuples(EXPRESSIONS, NAMES, body).map(lambda t: [f"with {t[0]} as {t[1]}:", *indent(t[2])]),
        st.tuples(NAMES, EXPRESSIONS, body).map(lambda t: [f"for {t[0]} in {t[1]}:", *indent(t[2])]),
        st.tuples(EXPRESSIONS, body).map(lambda t: [f"while {t[0]}:", *indent(t[1])]),
        st.tuples(EXPRESSIONS, body, body).map(
            lambda t: [f"match {t[0]}:", "    case [a, *rest]:", *indent(indent(t[1])), "    case _:",
                       *indent(indent(t[2]))]
        ),
    )
    return st.one_of(SIMPLE, compound)


programs = st.lists(_statements(0), min_size=1, max_size=6).map(lambda ss: [line for s in ss for line in s]).map(lambda lines: "\n".join(lines) + "\n")

# -- byte-level mutations ----------------------------------------------------------------

SPECIAL = [b"(", b")", b"[", b":", b"\x00", b"\r", b"\r\n", b"\t", b"\xef\xbb\xbf", b"\xe9", b"\xff\xfe", b"'''",
           b'"', b"\\", b"# -*- coding: latin-1 -*-\n", b"# coding: nonsense\n", b"    ", b"def f[T](x): pass\n",
           b"print 'x'\n", b"from ...... import *\n", b"(" * 250, b"-" * 5000]


@st.composite
def mutated(draw):
    data = draw(programs).encode("utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["delete", "insert", "special", "truncate", "replace", "duplicate"]))
        if kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 20)):]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == "special":
            data = data[:at] + draw(st.sampled_from(SPECIAL)) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "replace" and at < len(data):
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "duplicate":
            data = data[:at] + data[max(0, at - 30):at] + data[at:]
    return data


# -- the properties ----------------------------------------------------------------------


def check_summary(summary: ModuleSummary, data: bytes) -> None:
    """What every summary must satisfy, good input or bad."""
    assert isinstance(summary, ModuleSummary)
    assert summary.size == len(data) and summary.source == SOURCE
    assert all(problem.subtype in SUBTYPES for problem in summary.problems), summary.problems
    assert all(problem.line >= 0 and problem.message for problem in summary.problems)
    if summary.parse_failed:
        assert len(summary.problems) == 1 and summary.definitions == ()
    assert all(d.kind in KINDS and 1 <= d.line <= max(summary.lines, 1) for d in summary.definitions)
    assert pickle.loads(pickle.dumps(summary)) == summary
    # Every text that reaches a page or a UTF-8 log can be encoded.
    for text in (summary.doc, *(p.message for p in summary.problems), *(d.doc for d in summary.definitions)):
        text.encode("utf-8")


def stdlib_parses(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like
        try:
            ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return False
    return True


@SETTINGS
@given(programs)
def test_generated_programs_parse_like_python_and_keep_their_definitions(text):
    summary = analyse(SOURCE, text.encode("utf-8"))
    check_summary(summary, text.encode("utf-8"))
    parses = stdlib_parses(text)
    assert summary.parse_failed == (not parses), summary.problems
    if not parses:
        return
    # Top-level defs and classes (through if/try/with/for/while/match blocks) are keywords at their line.
    expected = {}
    todo = list(ast.parse(text).body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            expected.setdefault(node.name, node.lineno)
        elif isinstance(node, ast.Match):
            todo += [stmt for case in node.cases for stmt in case.body]
        elif not isinstance(node, (ast.Assign, ast.AnnAssign)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo += getattr(node, field, [])
    found = {d.name: d.line for d in summary.definitions if "." not in d.name}
    for name, line in expected.items():
        assert name in found, (name, text)
        if found[name] != line:  # a plain assignment may come first; a def or class then wins
            assert any(d.name == name and d.kind in ("function", "class") for d in summary.definitions)


@SETTINGS
@given(mutated())
def test_mutated_sources_never_raise(data):
    summary = analyse(SOURCE, data)
    check_summary(summary, data)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    check_summary(analyse(SOURCE, data), data)


@SETTINGS
@given(programs, st.sampled_from([b"\r\n", b"\r"]), st.booleans())
def test_line_ends_and_a_bom_do_not_change_the_result(text, newline, bom):
    data = text.encode("utf-8")
    plain = analyse(SOURCE, data)
    other = analyse(SOURCE, (b"\xef\xbb\xbf" if bom else b"") + data.replace(b"\n", newline))
    assert other.definitions == plain.definitions
    assert other.imports == plain.imports
    assert other.lines == plain.lines
    assert [(p.subtype, p.line) for p in other.problems] == [(p.subtype, p.line) for p in plain.problems]


@SETTINGS
@given(mutated(), mutated())
def test_analysis_is_a_pure_function_of_the_bytes(data, other):
    """No state survives from one file to the next (astroid's manager, the class-wide models)."""
    first = analyse(SOURCE, data)
    analyse(SOURCE, other)
    assert analyse(SOURCE, data) == first
