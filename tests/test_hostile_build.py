"""A real Sphinx build of the ``hostile`` root (issue 6): exactly the expected warnings, all good
modules in ``kwindex.json``, canaries untouched; ``-W`` turns the first warning into a failure."""

from __future__ import annotations

import json
import re
import sys

import pytest
from sphinx.cmd.build import build_main
from sphinx.testing.util import SphinxTestApp

from test_hostile_analysis import (
    FAILING,
    GENERATED_GOOD,
    GOOD_MODULES,
    expected_find_problems,
    hostile_tree,  # noqa: F401 - the fixture: a copy of the root plus generated files
)

WARNING = re.compile(r"^(?P<location>.*?): WARNING: (?P<message>.*) \[(?P<type>[\w-]+)\.(?P<subtype>[\w-]+)\]$")

#: (module, line of its one problem); the subtype is in FAILING
FAILING_LINES = {
    "hostile.broken_syntax": 4,
    "hostile.python2": 3,
    "hostile.latin1_no_cookie": 1,
    "hostile.nul_bytes": 3,
    "hostile.deep_parens": 1,
    "hostile.deep_sum": 0,
    "hostile.huge_table": 0,
    "hostile.unreadable": 0,
    "hostile.py312": 4,
}


def warnings_of(app) -> list[tuple[str, str, str, str]]:
    """(type, subtype, location, message) of every warning; fails on any other line of output."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    found = []
    for line in text.splitlines():
        if line.strip():
            match = WARNING.match(line)
            assert match, f"unexpected output: {line}"
            found.append((match["type"], match["subtype"], match["location"], match["message"]))
    return found


def expected_warnings(srcdir, made) -> list[tuple[str, str, str]]:
    """(type, subtype, location) as the extension emits them: ``{abspath}:{line or ''}``."""
    src = srcdir / "src"
    expected = [("kwindex", subtype, f"{where}:") for where, subtype in expected_find_problems(src, made)]
    for module, subtype in FAILING.items():
        path = src / (module.replace(".", "/") + ".py")
        expected.append(("kwindex", subtype, f"{path}:{FAILING_LINES[module] or ''}"))
    return sorted(expected)


def test_hostile_build_warns_exactly_and_indexes_every_good_module(hostile_tree):
    srcdir, made = hostile_tree
    modules_before = set(sys.modules)
    app = SphinxTestApp("html", srcdir=srcdir, confoverrides={"show_warning_types": True})
    try:
        app.build()  # no exception: the build goes on
    finally:
        app.cleanup()
    assert app.statuscode == 0
    warnings = warnings_of(app)
    assert sorted(w[:3] for w in warnings) == expected_warnings(srcdir, made)
    messages = {location: message for _, _, location, message in warnings}
    if sys.version_info < (3, 12):
        assert "it needs Python 3.12+" in messages[f"{srcdir / 'src' / 'hostile' / 'py312.py'}:4"]

    data = json.loads((app.outdir / "kwindex.json").read_text(encoding="utf-8"))
    modules = data["modules"]
    assert set(modules) == GOOD_MODULES | GENERATED_GOOD | set(FAILING)
    keywords = {name: [(k["name"], k["kind"], k["line"]) for k in entry["keywords"]] for name, entry in modules.items()}
    assert ("Widget.render", "method", 13) in keywords["hostile.good"]
    assert ("make_widget", "function", 22) in keywords["hostile.good"]
    assert ("crème", "function", 4) in keywords["hostile.café"]
    assert ("crème", "function", 5) in keywords["hostile.latin1_cookie"]
    assert ("crlf_function", "function", 4) in keywords["hostile.crlf_ends"]
    assert ("cr_function", "function", 4) in keywords["hostile.cr_ends"]
    assert ("bom_function", "function", 4) in keywords["hostile.with_bom"]
    assert ("Evil", "class", 14) in keywords["canarypkg.metaclass"]
    assert modules["dup"]["path"] == "src/dup/__init__.py"
    assert all(not entry["path"].startswith("/") for entry in modules.values())

    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html  # a docstring is text, never markup

    assert_canaries_untouched(srcdir, modules_before)


def assert_canaries_untouched(srcdir, modules_before):
    assert not list(srcdir.parent.rglob("CANARY_TRIGGERED"))
    assert (srcdir / "src" / "canarypkg" / "KEEP_ME.txt").exists()
    new = set(sys.modules) - modules_before
    assert not any(name.split(".")[0] in ("canarypkg", "hostile", "dup") for name in new)


@pytest.mark.parametrize(("options", "status"), [([], 0), (["-W"], 1), (["-W", "--keep-going"], 1)])
def test_sphinx_build_exits_0_unless_W(hostile_tree, options, status, capsys):
    srcdir, made = hostile_tree
    modules_before = set(sys.modules)
    outdir = srcdir / "_build" / "html"
    assert build_main([*options, "-q", "-b", "html", str(srcdir), str(outdir)]) == status
    errors = capsys.readouterr().err
    assert "Traceback" not in errors and "Exception occurred" not in errors
    assert f"{made['huge']}:: WARNING" in errors or f"{made['huge']}: WARNING" in errors
    assert_canaries_untouched(srcdir, modules_before)
