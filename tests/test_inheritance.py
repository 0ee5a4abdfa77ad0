"""Which project classes inherit which members, statically (stage 3: no Sphinx, nothing imported)."""

from __future__ import annotations

from pathlib import Path

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.inheritance import inheritors


def project(files: dict[str, str]) -> ProjectIndex:
    summaries = []
    for name, text in files.items():
        is_package = name.endswith(".__init__")
        module = name.removesuffix(".__init__")
        path = name.replace(".", "/") + ".py"
        summaries.append(analyse(SourceFile(module, f"/p/{path}", path, is_package=is_package), text.encode()))
    return ProjectIndex.from_summaries(Path("/p"), summaries)


def found(index: ProjectIndex) -> dict:
    return inheritors(index.hierarchy())


def test_subclasses_through_modules_and_re_exports_nearest_first_with_what_each_overrides():
    # flask's shape: Scaffold <- App (sansio) <- Flask, re-exported by the package
    index = project({
        "pkg.__init__": "from pkg.app import Flask\n",
        "pkg.scaffold": "class Scaffold:\n    def route(self): pass\n    def add_url_rule(self): pass\n"
                        "    def __init__(self):\n        self.name = 1\n",
        "pkg.sansio": "from pkg import scaffold\n\nclass App(scaffold.Scaffold):\n    def add_url_rule(self): pass\n",
        "pkg.app": "from .sansio import App\n\nclass Flask(App):\n    def __init__(self):\n        self.cli = 1\n",
    })
    assert found(index)[("pkg.scaffold", "Scaffold")] == (
        (("pkg.sansio", "App"), ("add_url_rule",)),
        (("pkg.app", "Flask"), ("__init__", "add_url_rule")),
    )
    assert found(index)[("pkg.sansio", "App")] == ((("pkg.app", "Flask"), ()),)
    # with the names the subclass may be documented under: its own and the package's
    assert index.subclass_names("pkg.scaffold", "Scaffold")[1] == (
        ("pkg.app.Flask", "pkg.Flask"), ("__init__", "add_url_rule"))


def test_the_method_resolution_order_decides_which_class_a_member_comes_from():
    # diamond: D(B, C), C overrides A.m; Python's C3 order is D, B, C, A: D.m is C's
    index = project({"m": "class A:\n    def m(self): pass\n\nclass B(A): pass\n\n"
                          "class C(A):\n    def m(self): pass\n\nclass D(B, C): pass\n"})
    assert dict(found(index)[("m", "A")])[("m", "D")] == ("m",)
    assert dict(found(index)[("m", "C")])[("m", "D")] == ()


def test_an_unknown_base_before_the_class_hides_what_it_might_define():
    index = project({"m": "import enum\nfrom typing import Generic\n\nclass A:\n    def m(self): pass\n\n"
                          "class Hidden(enum.Enum, A): pass\n\nclass Clear(Generic[int], A, object): pass\n\n"
                          "class After(A, enum.Enum): pass\n"})
    subclasses = {klass for klass, _ in found(index)[("m", "A")]}
    assert subclasses == {("m", "Clear"), ("m", "After")}  # typing.Generic and object hide nothing


def test_broken_hierarchies_give_nothing_and_never_fail():
    index = project({
        "m": "class A(B): pass\n\nclass B(A): pass\n\n"  # a cycle (only a broken project has one)
             "class X: pass\n\nclass Y(X): pass\n\nclass Z(X, Y): pass\n\n"  # no consistent order
             "class W(make_base()): pass\n",  # a base that is no name
    })
    result = found(index)
    assert ("m", "A") not in result and ("m", "B") not in result
    assert dict(result[("m", "X")]) == {("m", "Y"): ()}  # Y's order is fine; Z has none
