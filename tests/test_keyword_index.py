"""The keyword index as a reader sees it: the directive, injection, links, and every builder."""

from __future__ import annotations

import json

import pytest
import sphinx
from bs4 import BeautifulSoup

from conftest import build, copy_root, pages_with, search_index
from sphinx_kwindex.views import is_private


def html(app, page: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def entries(soup: BeautifulSoup) -> dict[str, tuple[str, list[str]]]:
    """{anchor id: (entry text, link targets of the keyword's line)} for every keyword shown in the page
    (what uses it, under it, has links of its own)."""
    return {
        li["id"]: (li.get_text(" ", strip=True), [a.get("href") for a in li.select_one("p").select("a")])
        for li in soup.select(".kwindex li[id]")  # sections (directive), blocks (added to a page)
    }


@pytest.fixture
def built(basic_html):
    return basic_html


def test_builds_without_warnings(built):
    assert built.warning.getvalue() == ""


def test_every_definition_listed_once_with_its_line(built):
    shown = entries(html(built, "rst_page"))
    names = {text.split(" ")[0]: text for text in (t for t, _ in shown.values())}
    expected = {
        "Shape": 20,
        "Shape.area": 25,
        "Shape.Style": 29,
        "Shape.Style.apply": 32,
        "Circle": 36,
        "Circle.__init__": 39,
        "Circle.scale": 43,  # three overloads: one keyword at the first `def` (not the decorator)
        "Circle.area": 51,
        "register_shapes": 55,
        "register_shapes.<locals>._circle": 58,
        "register_shapes.<locals>._Adapter": 61,
        "register_shapes.<locals>._Adapter.adapt": 62,
        "register_shapes.<locals>._posix_only": 67,
        "Shape.sides": 23,
        "DEFAULT_RADIUS": 16,
        "KNOWN": 17,
    }
    for name, line in expected.items():
        assert f", line {line}" in names[name], names[name]
    texts = [t for t, _ in shown.values()]
    assert sum(t.startswith("Circle.scale ") for t in texts) == 1
    # Nothing from comments, strings or docstrings, and no Python keywords.
    assert not any(t.split(" ")[0] in {"class", "for", "self", "that", "to", "alert"} for t in texts)


def test_grouped_by_kind_and_sorted(built):
    section = html(built, "rst_page").select_one("section.kwindex")
    rubrics = [r.get_text() for r in section.select("p.rubric")]
    assert rubrics == [
        "Classes (4)",
        "Functions (3)",
        "Methods (6)",
        "Attributes (2)",  # a class attribute and one assigned to self in __init__
        "Variables and constants (3)",
        "Imports (7)",
    ]
    classes = [li.get_text(" ", strip=True).split(" ")[0].split("(")[0] for li in section.select("ul")[0].select("li")]
    assert classes == sorted(classes, key=lambda name: (is_private(name), name.lower()))  # public names first
    assert is_private(classes[-1]) and not is_private(classes[0])


def test_signature_line_and_docstring_shown(built):
    text = entries(html(built, "rst_page"))["kw-demo.shapes.Shape.Style.apply"][0]
    assert "(self, colour: str = 'red') -> None" in text and "line 32" in text
    assert "Base of all shapes." in entries(html(built, "rst_page"))["kw-demo.shapes.Shape"][0]


@pytest.mark.skipif(sphinx.version_info < (8, 1), reason="Sphinx skips 'no-search' elements from 8.1 on")
def test_search_finds_names_and_docstrings_not_signatures_or_related_files(built):
    index = search_index(built)
    page = index["docnames"].index("rst_page")
    # What the page defines and says is searchable ...
    assert page in pages_with(index, "register_shap") or page in pages_with(index, "register_shapes")
    assert page in pages_with(index, "base")  # "Base of all shapes." (a docstring's first line)
    # ... the parameter only the signature of register_shapes names is not ("registry" -> "registri"),
    # nor the reasons of the related files.
    assert page not in pages_with(index, "registri") and page not in pages_with(index, "registry")
    assert page not in pages_with(index, "imported")


def test_links_go_to_documentation_or_own_anchor_never_page_top(built):
    util = entries(html(built, "automod"))  # added to a page of autodoc's: ids of their own ("in-")
    # documented by autodoc -> its autodoc entry; its line number -> that line of the source page
    assert util["in-kw-demo.util.area"][1] == ["#demo.util.area", "_kwsource/demo.util.html#L6"]
    # not documented -> its own anchor on this page
    assert util["in-kw-demo.util.undocumented"][1][0] == "#in-kw-demo.util.undocumented"
    shapes = entries(html(built, "rst_page"))
    assert shapes["kw-demo.shapes.register_shapes.-locals-._circle"][1][0] == (
        "#kw-demo.shapes.register_shapes.-locals-._circle"
    )
    hrefs = [href for _, links in shapes.values() for href in links]
    assert all("#" in href for href in hrefs)


def test_imports_link_to_project_module_or_intersphinx(built):
    shapes = entries(html(built, "rst_page"))
    assert shapes["kwimport-demo.shapes.util"][1] == ["automod.html#module-demo.util", "_kwsource/demo.shapes.html#L8"]
    assert shapes["kwimport-demo.shapes.compute_area"][1][0] == "automod.html#demo.util.area"
    assert shapes["kwimport-demo.shapes.Any"][1][0] == "https://docs.python.org/3/library/typing.html#typing.Any"
    # outside the project and not in any inventory: plain text, no warning (the line: our source page)
    assert shapes["kwimport-demo.shapes.np"][1] == ["_kwsource/demo.shapes.html#L12"]
    assert "np → numpy , line 12" in shapes["kwimport-demo.shapes.np"][0]


def test_post_transforms_meet_the_sections_links_as_any_others(tmp_path):
    """The sections are rendered before Sphinx's post-transforms (and other extensions'), which
    then treat their links as any: linkcheck collects them, ``latex_show_urls`` footnotes them.
    (Rendered after them, a faster build lost both.)"""
    srcdir = copy_root("basic", tmp_path)
    app, _ = build(srcdir, "linkcheck", confoverrides={"linkcheck_ignore": [".*"]})  # no network
    checked = [json.loads(line) for line in (app.outdir / "output.json").read_text().splitlines()]
    any_uri = "https://docs.python.org/3/library/typing.html#typing.Any"  # an import, through intersphinx
    assert any(entry["uri"] == any_uri and entry["filename"] == "myst_page.md" for entry in checked)
    app, _ = build(srcdir, "latex", confoverrides={"latex_show_urls": "footnote"})
    tex = (app.outdir / "demo.tex").read_text()
    link = tex.index(r"\sphinxhref{https://docs.python.org/3/library/typing.html\#typing.Any}")
    assert tex[link:].split("\n", 2)[1].startswith(r"\begin{footnote}")


def test_docstrings_are_text_not_markup(built):
    soup = html(built, "rst_page")
    entry = soup.select_one("li#kw-demo\\.shapes\\.Shape\\.Style")
    assert 'Nested <script>alert("style")</script> style.' in entry.get_text()
    assert not soup.select("script[src=''], section script") and "&lt;script&gt;" in str(entry)


def test_myst_and_rst_give_the_same_index(built):
    rst = html(built, "rst_page").select_one("section.kwindex")
    myst = html(built, "myst_page").select_one("section.kwindex")
    assert rst is not None and myst is not None
    assert str(rst) == str(myst)
    # what it shows includes who uses each keyword, and line numbers leading to the source page
    assert "Used in 1 module, 4 places: demo.shapes:" in myst.get_text(" ", strip=True)
    assert myst.select_one("a[href^='_kwsource/demo.shapes.html#L']") is not None


def test_injected_into_automodule_and_py_module_pages_and_their_toc(built):
    automod = html(built, "automod")
    block = automod.select_one("div.kwindex-module")
    assert block.select_one("p.rubric").get_text(" ", strip=True) == "Keyword index: demo.util"
    assert block.select_one("[id='in-kwindex-demo.util']") is not None
    pymod = entries(html(built, "pymod"))
    assert "in-kw-demo.__all__" in pymod
    assert "in-kwimport-demo.Circle" in pymod
    # labelled blocks, not sections: the page's table of contents stays the author's
    assert "Keyword index" not in built.env.tocs["automod"].astext()
    assert automod.select_one(".sphinxsidebar a[href='#in-kwindex-demo.util']") is None


def test_kwindex_json_follows_the_contract(built):
    data = json.loads((built.outdir / "kwindex.json").read_text())
    assert data["version"] == 1
    assert sorted(data["modules"]) == ["demo", "demo.shapes", "demo.util"]
    shapes = data["modules"]["demo.shapes"]
    assert shapes["path"] == "src/demo/shapes.py"
    assert shapes["is_package"] is False and shapes["is_test"] is False
    assert shapes["docname"] in {"myst_page", "rst_page"}
    assert {"name": "Circle.scale", "kind": "method", "line": 43} in shapes["keywords"]
    assert {"name": "register_shapes.<locals>._circle", "kind": "function", "line": 58} in shapes["keywords"]
    assert {"name": "Any", "kind": "import", "line": 6} in shapes["keywords"]
    assert {"module": "demo.util", "names": ["area"], "line": 9} in shapes["imports"]
    assert {"module": "demo", "names": ["util"], "line": 8} in shapes["imports"]
    assert data["modules"]["demo"]["is_package"] is True
    assert data["modules"]["demo"]["docname"] == "pymod"
    assert "/tmp" not in json.dumps(data) and str(built.srcdir) not in json.dumps(data)


@pytest.mark.parametrize("builder", ["text", "latex", "man", "singlehtml", "dirhtml", "epub"])
def test_every_builder_succeeds(make_app, tmp_path, builder):
    app = make_app(builder, srcdir=copy_root("basic", tmp_path))
    app.build()
    assert app.warning.getvalue() == ""
    output = {
        "text": "rst_page.txt",
        "latex": "demo.tex",
        "man": "demo.1",
        "singlehtml": "index.html",
        "dirhtml": "rst_page/index.html",
        "epub": "rst_page.xhtml",
    }[builder]
    text = (app.outdir / output).read_text()
    # Every builder's reader sees the section and a local definition (escaped as that format needs).
    assert "Keyword index" in text
    assert "_circle" in text and "locals" in text
    if builder == "text":
        assert '"register_shapes.<locals>._circle"(radius), line 58' in text


def test_kwindex_json_is_rewritten_only_when_its_content_changes(tmp_path):
    from conftest import build

    srcdir = copy_root("basic", tmp_path)
    first, _ = build(srcdir)
    target = first.outdir / "kwindex.json"
    stamp = target.stat().st_mtime_ns
    fingerprint = json.loads(target.read_text())["fingerprint"]
    build(srcdir)
    assert target.stat().st_mtime_ns == stamp
    shapes = srcdir / "src" / "demo" / "shapes.py"
    shapes.write_text(shapes.read_text() + "\n\ndef added_later():\n    pass\n")
    build(srcdir)
    data = json.loads(target.read_text())
    assert data["fingerprint"] != fingerprint
    assert {"name": "added_later", "kind": "function", "line": 74} in data["modules"]["demo.shapes"]["keywords"]
