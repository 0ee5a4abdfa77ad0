"""Stage 2, analyse: one file's bytes -> its summary (no Sphinx, nothing imported or run)."""

from __future__ import annotations

import gc
import textwrap

import pytest
from astroid import nodes

from sphinx_kwindex.analyse import analyse, analyse_file, summary_of
from sphinx_kwindex.model import Import, ImportedName, ModuleSummary, NotableCall, SourceFile, Subtype

PACKAGE = SourceFile("pkg.sub", "/x/pkg/sub/__init__.py", "pkg/sub/__init__.py", is_package=True)
MODULE = SourceFile("pkg.sub.mod", "/x/pkg/sub/mod.py", "pkg/sub/mod.py")

CODE = textwrap.dedent('''\
    """Widgets and how to draw them.

    More text that is not the summary.
    """
    import os.path
    import numpy as np
    from . import sibling
    from ..core import Base as B, helper
    from .util import *

    __all__ = ["Widget", "make"]
    LIMIT: int = 3
    if os.path.sep == "/":
        POSIX = True
    else:
        POSIX = False


    class Widget(B, total=False):
        """A widget."""

        size = 1

        @property
        def area(self) -> int:
            return self.size

        class Part:
            def draw(self, *args, **kw):
                import pickle
                return pickle.loads(b"")


    def make(n=1):
        def inner():
            pass

        eval("1")
        return Widget()


    def make(n=2):
        """Second definition: the first line wins."""


    if __name__ == "__main__":
        make()
    ''')


def by_name(summary: ModuleSummary) -> dict[str, tuple[str, int, str, str]]:
    return {d.name: (d.kind, d.line, d.signature, d.doc) for d in summary.definitions}


def test_definitions_are_the_files_own_named_by_qualname_at_their_def_line():
    summary = analyse(MODULE, CODE.encode())
    assert by_name(summary) == {
        "__all__": ("variable", 11, "", ""),
        "LIMIT": ("variable", 12, ": int", ""),
        "POSIX": ("variable", 14, "", ""),
        "Widget": ("class", 19, "(B, total=False)", "A widget."),
        "Widget.size": ("attribute", 22, "", ""),
        "Widget.area": ("method", 25, "(self) -> int", ""),
        "Widget.Part": ("class", 28, "", ""),
        "Widget.Part.draw": ("method", 29, "(self, *args, **kw)", ""),
        "make": ("function", 34, "(n=1)", ""),
        "make.<locals>.inner": ("function", 35, "()", ""),
    }
    assert summary.doc == "Widgets and how to draw them."
    assert summary.all_names == ("Widget", "make")
    assert summary.has_main_block and not summary.parse_failed and summary.problems == ()
    assert summary.lines == CODE.count("\n")


def test_imports_resolve_relative_names_from_the_package():
    summary = analyse(MODULE, CODE.encode())
    assert summary.imports == (
        Import("os.path", (), 5), Import("numpy", (), 6), Import("pkg.sub", ("sibling",), 7),
        Import("pkg.core", ("Base", "helper"), 8), Import("pkg.sub.util", ("*",), 9),
        Import("pickle", (), 30, is_local=True),
    )
    bound = {i.name: i for i in summary.imported_names}
    assert bound["np"] == ImportedName("np", "numpy", 6, is_module=True)
    assert bound["B"] == ImportedName("B", "pkg.core.Base", 8)
    assert bound["sibling"].target == "pkg.sub.sibling"
    assert bound["pickle"].is_local
    # In a package's __init__, "." is the package itself.
    package = analyse(PACKAGE, b"from .mod import Widget\n")
    assert package.imports == (Import("pkg.sub.mod", ("Widget",), 1),)


def test_notable_calls_resolve_through_imports():
    summary = analyse(MODULE, CODE.encode())
    assert summary.notable_calls == (NotableCall("deserialisation", "pickle.loads", 31),
                                     NotableCall("dynamic code", "eval", 38))


def test_identifiers_are_the_names_used_not_strings_or_comments():
    summary = analyse(MODULE, b"# widget_comment\nx = 'widget_string'\ndef render_widget(size): return size\n")
    assert "render_widget" in summary.identifiers and "size" in summary.identifiers
    assert not any("widget_comment" in i or "widget_string" in i for i in summary.identifiers)


def test_a_relative_import_above_the_top_is_a_problem_not_a_failure():
    summary = analyse(MODULE, b"from .... import x\n\ndef f():\n    pass\n")
    assert [p.subtype for p in summary.problems] == [Subtype.BAD_IMPORT]
    assert not summary.parse_failed and [d.name for d in summary.definitions] == ["f"]


def test_a_syntax_error_is_one_located_problem_in_a_failed_summary():
    summary = analyse(MODULE, b"x = 1\ndef broken(:\n")
    assert summary.parse_failed and summary.definitions == ()
    assert [(p.subtype, p.line) for p in summary.problems] == [(Subtype.SYNTAX_ERROR, 2)]
    assert summary.digest  # failed summaries are still keyed by content (cached)


def test_an_unreadable_file_is_a_failed_summary(tmp_path):
    missing = SourceFile("gone", str(tmp_path / "gone.py"), "gone.py")
    summary = analyse_file(missing)
    assert summary.parse_failed and summary.problems[0].subtype == Subtype.UNREADABLE


def test_analyse_frees_its_astroid_tree_for_any_caller():
    """A direct caller of analyse() gets the clean-up too (no tree outlives its file)."""
    for _ in range(3):
        summary = analyse(MODULE, CODE.encode())
    assert summary.definitions
    gc.collect()
    # Without the clean-up, the class-wide special_attributes model keeps the last tree alive.
    alive = [obj for obj in gc.get_objects() if isinstance(obj, nodes.Module) and obj.name == MODULE.module]
    assert alive == []


def test_the_same_bytes_give_the_same_summary_after_other_files():
    first = analyse(MODULE, CODE.encode())
    analyse(PACKAGE, b"class Other:\n    pass\n")
    analyse(MODULE, b"def broken(:\n")
    assert analyse(MODULE, CODE.encode()) == first


# -- summaries: the first sentence as a reader sees it ------------------------------------


@pytest.mark.parametrize(("docstring", "summary"), [
    # click: a first line cut mid-sentence
    ("A Click command is inspired by the stdlib optparse to make\nwriting command line utilities possible.\n\nMore.",
     "A Click command is inspired by the stdlib optparse to make writing command line utilities possible."),
    # flask.json.tag: roles shown as their text
    ("Base class for defining type tags for :class:`TaggedJSONSerializer`.",
     "Base class for defining type tags for TaggedJSONSerializer."),
    ("The :func:`~click.core.echo` function, e.g. for output. Next.", "The echo function, e.g. for output."),
    ("Uses ``literal``, `default role` and :ref:`the guide <guide>`.", "Uses literal, default role and the guide."),
    # directive markup and field lists are never shown, nor their bodies
    (".. deprecated:: 8.2\n    Use :class:`Group` instead.\n\nThe real summary. More.", "The real summary."),
    (":param x: the x\n:returns: y", ""),
    ("Version 3.5 is here. Really.", "Version 3.5 is here."),
])
def test_a_summary_is_the_first_sentence_without_markup(docstring, summary):
    assert summary_of(docstring) == summary


def test_definitions_and_modules_get_summaries():
    summary = analyse(SourceFile("m", "/x/m.py", "m.py"), (
        b'""":mod:`m` does\nthings. More."""\n\n'
        b'def f():\n    """.. versionadded:: 2.0\n\n    Makes :class:`~pkg.Thing` objects. Details."""\n'
    ))
    assert summary.doc == "m does things."
    assert summary.definitions[0].doc == "Makes Thing objects."


def test_the_first_definition_in_source_order_wins_through_try_branches():
    summary = analyse(SourceFile("m", "/x/m.py", "m.py"), (
        b"try:\n    import fast\nexcept ImportError:\n    def helper():\n        pass\n"
        b"else:\n    class helper:\n        pass\n"
    ))
    assert [(d.name, d.kind, d.line) for d in summary.definitions] == [("helper", "function", 4)]


INSTANCE_ATTRIBUTES = textwrap.dedent('''\
    class Node:
        name: str
        def __init__(self, name):
            self.config: dict = {}
            self.name = name
            self.a, (self.b, *self.rest) = 1, (2, 3)
            def inner(self):
                self.inner_only = 1
            self.path = None
            other.not_self = 1
            self.config.nested = 2
        @property
        def path(self):
            return 1
        @staticmethod
        def s(self):
            self.static_only = 1
        @classmethod
        def c(cls):
            cls.class_only = 1
        if True:
            def later(this):
                this.later = 1
                self.not_this = 1
        def again(self):
            self.config = 2
''').encode()


def test_attributes_assigned_to_self_in_methods_are_the_classs_unless_its_body_defines_them():
    summary = analyse(SourceFile("m", "/x/m.py", "m.py"), INSTANCE_ATTRIBUTES)
    found = {d.name: (d.kind, d.line, d.signature) for d in summary.definitions if d.kind == "attribute"}
    assert found == {
        "Node.name": ("attribute", 2, ": str"),  # the class body's annotation, not __init__'s assignment
        "Node.config": ("attribute", 4, ": dict"),  # the first assignment, with its annotation
        "Node.a": ("attribute", 6, ""),
        "Node.b": ("attribute", 6, ""),
        "Node.rest": ("attribute", 6, ""),
    }
    kinds = {d.name: d.kind for d in summary.definitions}
    assert kinds["Node.path"] == "method"  # the body's def wins over ``self.path = None`` above it
    assert kinds["Node.later"] == "method"  # ``this.later`` is the same name: the def stays
    for name in ("inner_only", "not_self", "nested", "static_only", "class_only", "not_this"):
        assert f"Node.{name}" not in kinds


def test_class_bases_are_kept_as_written_when_they_are_dotted_names():
    summary = analyse(SourceFile("m", "/x/m.py", "m.py"), (
        b"import abc\nfrom typing import Generic\n\n"
        b"class A(abc.ABC, Generic[T], make_base(), metaclass=Meta):\n    class Inner(A):\n        pass\n"
    ))
    bases = {d.name: d.bases for d in summary.definitions}
    assert bases == {"A": ("abc.ABC", "Generic"), "A.Inner": ("A",)}
