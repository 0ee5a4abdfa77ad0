"""References: what each module's code uses of the project, resolved statically (issue "Code navigation").

The ``references`` root has one module per rule; the references each must give
are written out below. Nothing is imported or run.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import sphinx
from bs4 import BeautifulSoup
from conftest import ROOTS, build, copy_root, pages_with, search_index

from sphinx_kwindex.analyse import analyse, analyse_file
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.project.index import ProjectIndex

EXPECTED = {
    "refs.r_local": {  # local defs resolve; parameters and locals shadow module names
        ("", 1, "refs.base.Base", "import"),
        ("outer", 8, "refs.r_local.outer.<locals>.inner", "call"),
    },
    "refs.r_aliases": {  # import a.b as c; from a import b as c
        ("", 1, "refs.base", "import"),
        ("", 2, "refs.base", "import"),
        ("use", 6, "refs.base.Base", "call"),
        ("use", 6, "refs.base.Base.__init__", "call"),  # calling a class runs its __init__
        ("use", 7, "refs.base.Base.render", "read"),
    },
    "refs.r_relative": {("", 1, "refs.base.Mixin", "import"), ("Both", 4, "refs.base.Mixin", "base")},
    "refs.r_reexport": {  # through the package's re-export to the defining module
        ("", 1, "refs.base.Base", "import"),
        ("", 3, "refs.base.Base", "read"),
    },
    "refs.r_star": {("", 1, "refs.base", "import"), ("use", 5, "refs.base.LIMIT", "read")},  # len: a builtin
    "refs.r_chain": {  # attribute chains through modules; a method of what calling a class gives
        ("", 1, "refs.deep.mod", "import"),
        ("use", 5, "refs.deep.mod.Thing", "call"),
        ("use", 5, "refs.deep.mod.Thing.method", "call"),
    },
    "refs.r_self": {  # self.x and super() through the bases; self.missing gives nothing
        ("", 1, "refs.base.Base", "import"),
        ("Sub", 4, "refs.base.Base", "base"),
        ("Sub.go", 6, "refs.base.Base.render", "call"),
        ("Sub.go", 7, "refs.base.Base.render", "call"),
        ("Sub.go", 8, "refs.base.Base.size", "read"),  # assigned to self in Base.__init__
    },
    "refs.r_decorator": {("", 1, "refs.base.deco", "import"), ("decorated", 4, "refs.base.deco", "decorator")},
    "refs.r_annotation": {  # annotations, strings too, are the function's uses
        ("", 1, "refs.base.Base", "import"),
        ("", 1, "refs.base.Mixin", "import"),
        ("typed", 4, "refs.base.Base", "annotation"),
        ("typed", 4, "refs.base.Mixin", "annotation"),
    },
    "refs.r_class_attr": {("Config.show", 5, "refs.r_class_attr.Config.debug", "read")},
    "refs.r_shadow": {  # the package binds run to its submodule run's function: pkg.run is the function
        ("", 1, "refs.shadow", "import"),
        ("", 2, "refs.shadow.run", "import"),  # import pkg.run: the module
        ("", 3, "refs.shadow.run.run", "import"),  # from pkg import run: what the package binds
        ("use", 7, "refs.shadow.run.run", "call"),
        ("use", 8, "refs.shadow.run.run", "call"),
    },
    "refs.r_dynamic": {  # getattr, values passed around: nothing guessed; a local made by Base() is one
        ("", 1, "refs.base.Base", "import"),
        ("dynamic", 6, "refs.base.Base", "call"),
        ("dynamic", 6, "refs.base.Base.__init__", "call"),
        ("dynamic", 7, "refs.base.Base.render", "call"),
    },
    "refs.r_typed_param": {  # annotated parameters: a class, Optional[...], a string "X | None"
        ("", 2, "refs.typed.Node", "import"),
        ("", 2, "refs.typed.Writer", "import"),
        ("show", 5, "refs.typed.Node", "annotation"),
        ("show", 5, "refs.typed.Writer", "annotation"),
        ("show", 6, "refs.typed.Writer.line", "call"),
        ("show", 7, "refs.typed.Node.walk", "call"),
        ("show", 8, "refs.typed.Node.parent", "read"),
        ("partial", 11, "refs.typed.Node", "annotation"),
        ("partial", 12, "refs.typed.Node.parent", "read"),  # Node has no missing: a read of parent
    },
    "refs.r_typed_local": {  # locals made by a class, by a function annotated to return one, annotated
        ("", 1, "refs.typed.Writer", "import"),
        ("", 1, "refs.typed.make_writer", "import"),
        ("write", 5, "refs.typed.Writer", "call"),
        ("write", 6, "refs.typed.Writer.line", "call"),
        ("write", 7, "refs.typed.make_writer", "call"),
        ("write", 8, "refs.typed.Writer.line", "call"),
        ("write", 9, "refs.r_typed_local.pick", "call"),
        ("write", 9, "refs.typed.Writer", "annotation"),
        ("write", 10, "refs.typed.Writer.line", "call"),
        ("write", 11, "refs.typed.make_writer", "call"),
        ("write", 11, "refs.typed.Writer.line", "call"),  # a method of a call's result
    },
    "refs.r_typed_attr": {  # attributes: set from an annotated parameter, from a class, annotated in the
        ("", 1, "refs.typed.Node", "import"),  # class body; a property's return; a module variable
        ("", 1, "refs.typed.Writer", "import"),
        ("", 3, "refs.typed.Writer", "call"),
        ("Report", 7, "refs.typed.Node", "annotation"),
        ("Report.__init__", 9, "refs.typed.Writer", "annotation"),
        ("Report.__init__", 11, "refs.typed.Writer", "call"),
        ("Report.writer", 14, "refs.typed.Writer", "annotation"),
        ("Report.writer", 15, "refs.r_typed_attr.Report.tw", "read"),
        ("Report.show", 18, "refs.typed.Writer.line", "call"),
        ("Report.show", 19, "refs.typed.Writer.line", "call"),
        ("Report.show", 20, "refs.typed.Node.walk", "call"),
        ("Report.show", 21, "refs.typed.Writer.line", "call"),
        ("Report.show", 22, "refs.typed.Writer.line", "call"),
    },
    "refs.r_untyped": {  # no one class: a conditional value, two classes, the class itself, a loop
        ("", 3, "refs.typed.Node", "import"),  # variable, a container, a Union, a coroutine function's
        ("", 3, "refs.typed.Writer", "import"),  # call, an attribute set from itself: no member found
        ("", 3, "refs.typed.amake", "import"),
        ("guess", 6, "refs.typed.Node", "annotation"),
        ("guess", 6, "refs.typed.Writer", "annotation"),
        ("guess", 7, "refs.typed.Writer", "call"),
        ("guess", 9, "refs.typed.Writer", "call"),
        ("guess", 11, "refs.typed.Node", "call"),
        ("guess", 13, "refs.typed.Writer", "read"),
        ("guess", 18, "refs.typed.amake", "call"),
        ("Chain.__init__", 24, "refs.typed.Node", "annotation"),
        ("Chain.up", 28, "refs.r_untyped.Chain.node", "read"),
        ("Chain.up", 29, "refs.r_untyped.Chain.node", "read"),
    },
}


@pytest.fixture(scope="module")
def index() -> ProjectIndex:
    found = find_sources([(ROOTS / "test-references" / "src").resolve()])
    return ProjectIndex.from_summaries(found.project_root, map(analyse_file, found.files))


def test_the_users_of_each_module_are_the_same_from_the_use_counts_and_from_the_places():
    """Module data digest "where the project uses this module" by its users' references
    (``ProjectIndex.users``): the ranker's use counts and the places themselves give the same users."""
    found = find_sources([(ROOTS / "test-references" / "src").resolve()])
    summaries = list(map(analyse_file, found.files))
    from_places = ProjectIndex.from_summaries(found.project_root, summaries)
    from_counts = ProjectIndex.from_summaries(found.project_root, summaries)
    assert from_counts.ranker.usage is not None and from_places._ranker is None
    users = from_places.users()
    assert from_counts.users() == users
    assert from_places._ranker is None  # asking did not build a ranker
    assert users == {module: tuple(sorted({place[0] for places in from_places.used_by(module).values()
                                           for place in places} - {module}))
                     for module in from_places.modules if users.get(module)}
    assert sum(map(len, users.values())) >= 10


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_each_rule_gives_exactly_its_references(index, module):
    references = index.references(module)
    assert {(r.scope, r.line, r.target, r.kind) for r in references} == EXPECTED[module]
    assert list(references) == sorted(references, key=lambda r: (r.line, r.target, r.scope, r.kind))


def uses(code: str, module: str = "pkg.mod") -> set[tuple[str, int, str, str]]:
    source = SourceFile(module, f"/x/{module.replace('.', '/')}.py", f"{module.replace('.', '/')}.py")
    summary = analyse(source, textwrap.dedent(code).encode())
    return {(u.scope, u.line, u.symbol, u.kind) for u in summary.uses}


def test_python_scoping_decides_what_a_name_means():
    found = uses('''\
        from other import thing, value
        x = 1

        class C:
            value = 2
            def method(self):
                return value, [thing for thing in range(3)], (lambda thing: thing)(1)

        def g():
            global x
            x = 2
            def h():
                nonlocal_name = 1
                return x
            return h

        def walrus():
            [y := 1 for _ in range(2)]
            return y
        ''')
    assert found == {
        ("", 1, "other.thing", "import"),
        ("", 1, "other.value", "import"),
        ("C.method", 7, "other.value", "read"),  # the class body's value is not in the method's scope
        ("g.<locals>.h", 14, ".x", "read"),  # global x: the module's
        ("g", 15, ".g.<locals>.h", "read"),
    }  # the comprehension's and lambda's thing are their own; y is walrus's local of walrus()


def test_self_rebound_in_a_method_says_nothing_of_its_class():
    assert uses('''\
        class C:
            def m(self, other):
                self = other
                return self.x
            def n(self):
                return self.y
        ''') == {("C.n", 6, "@C:y", "read")}


def test_a_name_bound_two_ways_gives_nothing():
    assert uses('''\
        try:
            from fast import thing
        except ImportError:
            def thing():
                pass
        thing()
        ''') == {("", 2, "fast.thing", "import")}


def test_the_project_json_holds_every_modules_references_serial_and_parallel(tmp_path, index):
    outputs = []
    for parallel in (1, 2):
        srcdir = copy_root("references", tmp_path / f"j{parallel}")
        app, _ = build(srcdir, parallel=parallel)
        assert app.warning.getvalue() == ""
        outputs.append((app.outdir / "kwindex-references.json").read_text())
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["version"] == 1 and data["fingerprint"]
    for module, expected in EXPECTED.items():
        got = {(r["scope"], r["line"], r["target"], r["kind"]) for r in data["modules"][module]["references"]}
        assert got == expected
    assert set(data["modules"]) == set(index.modules)


def test_the_references_file_is_rewritten_only_when_references_change(tmp_path):
    srcdir = copy_root("references", tmp_path)
    app, _ = build(srcdir)
    target = Path(app.outdir) / "kwindex-references.json"
    first = target.stat().st_mtime_ns
    build(srcdir)
    assert target.stat().st_mtime_ns == first
    leaf = srcdir / "src" / "refs" / "r_dynamic.py"  # an edit that changes no module's references
    leaf.write_text(leaf.read_text() + "\n\nLATER = 1\n")
    build(srcdir)
    assert target.stat().st_mtime_ns == first
    module = srcdir / "src" / "refs" / "r_chain.py"
    module.write_text(module.read_text() + "\n\ndef more():\n    return refs.deep.mod.Thing\n")
    build(srcdir)
    data = json.loads(target.read_text())
    assert ("more", 9, "refs.deep.mod.Thing", "read") in {
        (r["scope"], r["line"], r["target"], r["kind"]) for r in data["modules"]["refs.r_chain"]["references"]}


# -- referenced by -----------------------------------------------------------------------------


def used_by_text(app, docname: str, entry_id: str) -> str:
    soup = BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")
    paragraph = soup.find("li", id=entry_id).select_one("p.kwindex-used-by")
    return paragraph.get_text(" ", strip=True) if paragraph is not None else ""


def test_each_keyword_says_where_it_is_used(tmp_path):
    app, _ = build(copy_root("references", tmp_path))
    soup = BeautifulSoup((app.outdir / "base.html").read_text(), "html.parser")
    render = soup.find("li", id="kw-refs.base.Base.render").select_one("p.kwindex-used-by")
    assert " ".join(render.get_text().split()) == (
        "Used in 3 modules, 4 places: refs.r_aliases: use (read, line 7); refs.r_dynamic: dynamic (call, line 7); "
        "refs.r_self: Sub.go (call, lines 6, 7).")
    # a using function links to its entry where a page shows its module (refs.r_self: the index page)
    links = {a.get_text(): a["href"] for a in render.select("a")}
    assert links["Sub.go"] == "index.html#kw-refs.r_self.Sub.go"
    base = used_by_text(app, "base", "kw-refs.base.Base")
    assert base.startswith("Used in 5 modules, 5 places:") and "Sub (base, line 4)" in base
    assert "typed (annotation, line 4)" in base and "module level (read, line 3)" in base
    assert used_by_text(app, "base", "kw-refs.base.Mixin.helper") == ""  # nobody calls it


@pytest.mark.skipif(sphinx.version_info < (8, 1), reason="Sphinx skips 'no-search' elements from 8.1 on")
def test_where_a_name_is_used_is_not_searched_on_its_page(tmp_path):
    """The using functions belong to other modules: a search for them finds their own pages, not
    every page listing them under "Used in"."""
    app, _ = build(copy_root("references", tmp_path))
    index = search_index(app)
    base, index_page = index["docnames"].index("base"), index["docnames"].index("index")
    assert "refs.r_dynamic: dynamic (call, line 7)" in used_by_text(app, "base", "kw-refs.base.Base.render")
    assert base not in pages_with(index, "dynam")  # "dynamic", stemmed: only "Used in" names it on base
    assert base in pages_with(index, "render")  # the page's own keywords are searched
    assert index_page in pages_with(index, "go")  # Sub.go, on the page showing refs.r_self


def test_long_lists_are_bounded_and_counted(tmp_path):
    srcdir = copy_root("references", tmp_path)
    calls = "".join(f"\n\ndef caller_{i}():\n    return deco(None)\n" for i in range(8))
    (srcdir / "src" / "refs" / "many.py").write_text("from refs.base import deco\n" + calls)
    app, _ = build(srcdir)
    text = used_by_text(app, "base", "kw-refs.base.deco")
    assert text.startswith("Used in 2 modules, 9 places: refs.many: caller_0 (call, line 5)")
    assert text.endswith("; and 4 more places.")


def test_an_edit_re_reads_exactly_the_pages_whose_referenced_by_changed(tmp_path):
    srcdir = copy_root("references", tmp_path)
    build(srcdir)
    dynamic = srcdir / "src" / "refs" / "r_dynamic.py"  # shown on no page
    dynamic.write_text(dynamic.read_text() + "\n\ndef more():\n    return Base().render()\n")
    app, read = build(srcdir)
    assert read == ["base"]  # Base, Base.__init__ and Base.render are used once more
    assert "r_dynamic: dynamic (call, line 6), more (call, line 12)" in used_by_text(app, "base", "kw-refs.base.Base")
    _, read = build(srcdir)
    assert read == []


def test_switched_off_there_is_no_used_in_and_no_references_file(tmp_path):
    srcdir = copy_root("references", tmp_path)
    app, _ = build(srcdir)
    target = Path(app.outdir) / "kwindex-references.json"
    assert target.exists() and used_by_text(app, "base", "kw-refs.base.Base")
    app, read = build(srcdir, confoverrides={"kwindex_references": False})
    assert "base" in read  # a config value that changes what pages show re-reads them
    assert used_by_text(app, "base", "kw-refs.base.Base") == ""
    assert not target.exists()  # ours, from the build before: removed
    assert app.warning.getvalue() == ""


def test_a_bad_switch_is_a_clear_error(tmp_path):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match=r"kwindex_references must be True or False, not \['no'\]"):
        build(copy_root("references", tmp_path), confoverrides={"kwindex_references": ["no"]})


# -- references kept between builds ----------------------------------------------------------


def project_index(root: Path) -> ProjectIndex:
    found = find_sources([root])
    return ProjectIndex.from_summaries(found.project_root, map(analyse_file, found.files))


#: Edits of one file each: (file, text replaced, replacement) and the modules whose references change.
EDITS = {
    "a leaf": ("r_dynamic.py", None, "\n\ndef more():\n    return 1\n"),
    "a member an inheritor uses": ("base.py", "self.size = 1", "self.other = 1"),
    "a method a subclass calls": ("base.py", "def render(self):", "def draw(self):"),
    "a base of an inheritor's base": ("base.py", "class Base:", "class Base(Mixin):"),
    "a re-export": ("__init__.py", "from refs.base import Base", "from refs.base import Mixin as Base"),
    "a name a star import binds": ("base.py", "LIMIT = 3", "LIMITS = 3"),
    "a class in a chain": ("deep/mod.py", "class Thing:", "class Thing(dict):"),
    "a return annotation": ("typed.py", "def make_writer() -> Writer:", "def make_writer() -> Node:"),
    "an attribute's annotation": ("typed.py", "parent: Node | None = None", "parent: Writer | None = None"),
    "a method of a typed value": ("typed.py", "def line(self):", "def lines(self):"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_references_kept_from_the_last_build_are_those_resolving_everything_gives(tmp_path, edit):
    from sphinx_kwindex.project.references import update_references

    root = copy_root("references", tmp_path) / "src"
    before, _ = update_references(project_index(root))
    name, old, new = EDITS[edit]
    path = root / "refs" / name
    text = path.read_text()
    assert old is None or old in text
    path.write_text(text + new if old is None else text.replace(old, new))
    index = project_index(root)
    kept, resolved = update_references(index, before)
    fresh, everything = update_references(project_index(root))
    assert everything is None
    assert {m: e[2:] for m, e in kept.references.items()} == {m: e[2:] for m, e in fresh.references.items()}
    assert kept == fresh
    assert resolved is not None and len(resolved) < len(index.modules)
    if edit == "a leaf":
        assert resolved == {"refs.r_dynamic"}


def test_stored_references_are_checked_before_use(tmp_path):
    import pickle

    from sphinx_kwindex.project.references import ReferenceState, update_references
    from sphinx_kwindex.store import loads

    state, _ = update_references(project_index(copy_root("references", tmp_path) / "src"))
    stored = state.stored()
    assert ReferenceState.from_stored(loads(pickle.dumps(stored))) == state
    names, interfaces, entries = stored
    module = "refs.r_self"
    key, read, blob, digest = entries[module]
    assert loads(blob)

    def entry(rows) -> tuple:
        return names, interfaces, {**entries, module: (key, read, pickle.dumps(rows), digest)}

    planted = [
        entry((("Sub.go", "6", "refs.base.Base.render", "call"),)),  # a line as text
        entry((("Sub.go", 6, "refs.base.Base.render"),)),  # a field short
        entry(("Sub.go",)),
        entry([]),
        (names, interfaces, {**entries, module: (key, read, b"not a pickle", digest)}),
        (names, {**interfaces, module: ("key", "digest")}, entries),
        (names, interfaces),
    ]
    assert [ReferenceState.from_stored(value) for value in planted] == [None] * len(planted)


#: Shapes where a value's class is not the one its code first states: nothing may be said of
#: ``x.m()`` (the control, first, must give Foo.m, so the check can fail).
VALUE_SHAPES = {
    "control: a local made by a class": "x = Foo()\nx.m()\n",
    "a nested function rebinds it (nonlocal)": (
        "def f():\n    x = Foo()\n    def g():\n        nonlocal x\n        x = Bar()\n    g()\n    x.m()\n"),
    "a function rebinds it (global)": "x = Foo()\ndef k():\n    global x\n    x = Bar()\nx.m()\n",
    "a module-level loop rebinds it": "x = Foo()\nfor x in [Bar()]:\n    pass\nx.m()\n",
    "a nested function sets the attribute": (
        "class D:\n    def __init__(self):\n        self.x = Foo()\n    def later(self):\n"
        "        def cb():\n            self.x = Bar()\n        cb()\n        self.x.m()\n"),
    "the attribute set by unpacking": (
        "class D:\n    def __init__(self):\n        self.x = Foo()\n    def later(self):\n"
        "        self.x, _ = Bar(), 1\n        self.x.m()\n"),
    "the attribute set through another name": (
        "class D:\n    def __init__(self):\n        self.x = Foo()\n    def later(self):\n        self.x.m()\n"
        "d = D()\nd.x = Bar()\n"),
    "the attribute set in another module": (
        "class D:\n    def __init__(self):\n        self.x = Foo()\n    def later(self):\n        self.x.m()\n"),
    "an enum member": "import enum\nclass Mode(enum.Enum):\n    x = Foo()\nMode.x.m()\n",
    "a class attribute an instance attribute hides": (
        "class Base:\n    def __init__(self):\n        self.x = Bar()\nclass D(Base):\n    x = Foo()\n"
        "    def later(self):\n        self.x.m()\n"),
    "a return annotation behind an unknown decorator": (
        "from functools import wraps\ndef wrap(f):\n    return f\n@wrap\ndef make() -> Foo:\n    return Foo()\n"
        "x = make()\nx.m()\n"),
}


@pytest.mark.parametrize("shape", list(VALUE_SHAPES))
def test_a_value_rebound_or_set_elsewhere_gives_no_member(tmp_path, shape):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "types.py").write_text("class Foo:\n    def m(self):\n        pass\n\n\nclass Bar:\n    def m(self):\n"
                                      "        pass\n")
    (package / "shape.py").write_text("from pkg.types import Foo, Bar\n" + VALUE_SHAPES[shape])
    (package / "poke.py").write_text("def poke(d):\n    d.x = 1\n" if "another module" in shape else "")
    members = {r.target for r in project_index(tmp_path).references("pkg.shape")} & {
        "pkg.types.Foo.m", "pkg.types.Bar.m"}
    assert members == ({"pkg.types.Foo.m"} if shape.startswith("control") else set())


def test_an_annotation_of_a_thousand_names_does_not_fail_its_file():
    source = SourceFile("pkg.mod", "/x/pkg/mod.py", "pkg/mod.py")
    code = "class A:\n    pass\n\n\ndef f(x: '" + " | ".join(["A"] * 1000) + "'):\n    return x\n"
    summary = analyse(source, code.encode())
    assert not summary.parse_failed and [d.name for d in summary.definitions] == ["A", "f"]


def test_an_attribute_name_newly_assigned_elsewhere_resolves_everything_again(tmp_path):
    from sphinx_kwindex.project.references import update_references

    root = copy_root("references", tmp_path) / "src"
    before, _ = update_references(project_index(root))
    assert ("Report.show", 19, "refs.typed.Writer.line", "call") in before.references["refs.r_typed_attr"][2]
    dynamic = root / "refs" / "r_dynamic.py"  # Report.made's type was inferred from Writer()
    dynamic.write_text(dynamic.read_text() + "\n\ndef poke(report):\n    report.made = None\n")
    kept, resolved = update_references(project_index(root), before)
    assert resolved is None  # which names are assigned on other objects decides value types anywhere
    assert ("Report.show", 19, "refs.typed.Writer.line", "call") not in kept.references["refs.r_typed_attr"][2]
    assert kept == update_references(project_index(root))[0]
