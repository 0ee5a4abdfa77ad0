"""Whole-project pages: generated module, package and folder pages, file facts, the project keyword index."""

from __future__ import annotations

import json
import os

import pytest
from bs4 import BeautifulSoup

from sphinx_kwindex import fingerprint
from sphinx_kwindex.glue import generate

from conftest import build, copy_root


def page(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


def facts(app, docname: str) -> dict[str, str]:
    soup = page(app, docname)
    names = [dt.get_text(strip=True).rstrip(":") for dt in soup.select("section.kwindex-facts dl dt")]
    values = [dd.get_text(" ", strip=True) for dd in soup.select("section.kwindex-facts dl dd")]
    return dict(zip(names, values))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    app, read = build(copy_root("generate", tmp_path_factory.mktemp("generate")))
    assert app.warning.getvalue() == ""
    return app


def test_a_page_for_every_module_package_and_folder(generated):
    api = generated.srcdir / "api"
    assert sorted(p.name for p in api.glob("*.rst")) == [
        "gpkg.core.rst", "gpkg.rst", "gpkg.sub.leaf.rst", "gpkg.sub.rst", "index.rst",
        "tests.rst", "tests.unit.rst", "tests.unit.test_core.rst",
    ]
    for name in ["gpkg", "gpkg.core", "gpkg.sub", "gpkg.sub.leaf", "tests", "tests.unit", "tests.unit.test_core"]:
        title = page(generated, f"api/{name}").select_one("h1").get_text(strip=True).rstrip("¶")
        assert title == name


def test_pages_are_small_stubs_and_navigation_is_a_tree(generated):
    stub = (generated.srcdir / "api" / "gpkg.rst").read_text()
    assert ".. kwindex:: gpkg" in stub and "gpkg.core" in stub and "gpkg.sub.leaf" not in stub
    # The root document's toctree leads to the API root, which leads to the top packages only.
    root = page(generated, "index")
    assert root.select_one(".toctree-wrapper a[href='api/index.html']") is not None
    api_root = [a.get_text() for a in page(generated, "api/index").select("div.body .toctree-wrapper > ul > li > a")]
    assert api_root == ["gpkg", "tests", "Project keyword index"]


def test_package_page_lists_its_contents_with_summaries_and_counts(generated):
    contents = page(generated, "api/gpkg").select_one("section.kwindex-contents").get_text(" ", strip=True)
    assert "gpkg.core — 1 class, 6 functions — Core, with calls a reviewer wants to know about." in contents
    assert "gpkg.sub — package, 0 classes, 0 functions — Sub-package." in contents
    folder = page(generated, "api/tests").select_one("section.kwindex-contents").get_text(" ", strip=True)
    assert "tests.unit — folder, 1 module" in folder


def test_file_facts(generated):
    core = facts(generated, "api/gpkg.core")
    assert core["Path"] == "src/gpkg/core.py"
    assert core["Kind"] == "module"
    assert core["Size"].startswith("44 lines, ")
    assert core["Defines"] == "1 class, 6 functions, 1 method"
    assert core["Depends on (standard library)"] == "concurrent , pickle , subprocess , threading"
    assert core["Depends on (third party)"] == "yaml"
    leaf = facts(generated, "api/gpkg.sub.leaf")
    assert leaf["Kind"] == "module, runnable as a script (has an if __name__ == '__main__' block)"
    assert leaf["Depends on (project)"] == "gpkg.core"
    assert leaf["See also"].startswith("package gpkg.sub , project keyword index")
    test = facts(generated, "api/tests.unit.test_core")
    assert test["Kind"] == "test module"
    assert test["Run the tests"] == "pytest tests/unit/test_core.py"


def test_notable_calls_are_facts_with_lines(generated):
    calls = facts(generated, "api/gpkg.core")["Notable calls"]
    assert "dynamic code: eval (line 12)" in calls
    assert "shell command: subprocess.run (line 16)" in calls
    assert "line 20" not in calls  # subprocess without a shell is no notable call
    assert "deserialisation: pickle.loads (line 26)" in calls
    assert "unsafe YAML load: yaml.load (line 25)" in calls
    assert "line 31" not in calls  # yaml.load with SafeLoader is fine
    assert "threads: threading.Thread (line 35)" in calls
    assert "process pool: ProcessPoolExecutor (line 36)" in calls


def test_project_keyword_index(generated):
    front = page(generated, "api/keywords/index")
    assert "10 definitions of the project" in front.select_one("div.body").get_text(" ", strip=True)
    letters = [a.get_text() for a in front.select("p.kwindex-letters a")]
    assert letters == ["A", "B", "L", "N", "R", "S", "T", "W"]
    r_page = page(generated, "api/keywords/r")
    text = r_page.select_one("div.body").get_text(" ", strip=True)
    assert "render — method Widget.render in gpkg.core" in text
    assert "run_user_code — function run_user_code in gpkg.core" in text
    links = [a["href"] for a in r_page.select("ul.kwindex-project-keywords a")]
    assert "../gpkg.core.html#kw-gpkg.core.Widget.render" in links
    assert r_page.select_one("a[href='../gpkg.core.html#kw-gpkg.core.Widget.render']").get_text() == "render"
    assert all("#" in link for link in links)  # to the keyword's entry, never a page top
    # :ref:`kwindex-keywords` resolves (no warning, see the fixture) to the front page
    assert page(generated, "index").select_one("a[href='api/keywords/index.html#kwindex-keywords']") is not None


def test_a_second_build_writes_and_reads_nothing(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    mtimes = {p: p.stat().st_mtime_ns for p in (srcdir / "api").rglob("*.rst")}
    app, read = build(srcdir)
    assert read == []
    assert {p: p.stat().st_mtime_ns for p in (srcdir / "api").rglob("*.rst")} == mtimes
    assert "(0 written, 0 removed)" in app.status.getvalue()


def test_removed_module_page_is_deleted_and_its_package_updated(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    (srcdir / "src" / "gpkg" / "sub" / "leaf.py").unlink()
    app, read = build(srcdir)
    assert app.warning.getvalue() == ""
    assert not (srcdir / "api" / "gpkg.sub.leaf.rst").exists()
    assert "api/gpkg.sub.leaf" not in app.env.found_docs
    assert "api/gpkg.sub" in read
    assert "gpkg.sub.leaf" not in page(app, "api/gpkg.sub").select_one("div.body").get_text()
    assert "gpkg.sub.leaf" not in json.loads((app.outdir / "kwindex.json").read_text())["modules"]


def test_added_module_gets_a_page_and_appears_everywhere(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    (srcdir / "src" / "gpkg" / "extra.py").write_text(
        '"""Added later."""\n\nfrom gpkg.core import shell\n\n\ndef zeta():\n    return shell("ls")\n')
    app, read = build(srcdir)
    assert app.warning.getvalue() == ""
    # the keyword page of ``shell`` is read again: the project index counts its new use
    assert {"api/gpkg.extra", "api/gpkg", "api/keywords/z", "api/keywords/s", "api/keywords/index"} <= set(read)
    assert "gpkg.extra — 0 classes, 1 function — Added later." in page(app, "api/gpkg").get_text(" ", strip=True)
    assert "zeta — function zeta in gpkg.extra" in page(app, "api/keywords/z").get_text(" ", strip=True)
    assert ("shell — function shell in gpkg.core; used in 1 module, 1 place"
            in page(app, "api/keywords/s").get_text(" ", strip=True))


def test_files_the_extension_did_not_write_are_never_touched(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    (srcdir / "api").mkdir()
    (srcdir / "api" / "gpkg.core.rst").write_text("Mine\n====\n\nA page of my own.\n")
    (srcdir / "api" / "notes.rst").write_text(":orphan:\n\nNotes\n=====\n")
    app, _ = build(srcdir, confoverrides={"show_warning_types": True})
    assert (srcdir / "api" / "gpkg.core.rst").read_text().startswith("Mine")
    assert "kwindex_generate: gpkg.core.rst was not written by sphinx-kwindex" in app.warning.getvalue()
    assert "[kwindex.generate-conflict]" in app.warning.getvalue()
    (srcdir / "src" / "gpkg" / "sub" / "leaf.py").unlink()
    build(srcdir)
    assert (srcdir / "api" / "notes.rst").exists() and (srcdir / "api" / "gpkg.core.rst").exists()


def test_the_docs_are_never_indexed(tmp_path):
    """Sources at the repository root, docs (with generated pages and build output) below it."""
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text('"""Pkg."""\n')
    (project / "pkg" / "mod.py").write_text("def f():\n    pass\n")
    docs = project / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\nkwindex_paths = [".."]\nkwindex_generate = "api"\n'
        "kwindex_generate_toctree = True\n"
    )
    (docs / "index.rst").write_text("Docs\n====\n")
    (docs / "helper.py").write_text("def in_the_docs():\n    pass\n")
    build(docs)
    app, _ = build(docs)  # second build: generated pages and build output exist now
    modules = json.loads((app.outdir / "kwindex.json").read_text())["modules"]
    assert sorted(modules) == ["pkg", "pkg.mod"]
    assert app.warning.getvalue() == ""


@pytest.mark.parametrize(
    "value", ["../outside", "/abs", "_private", ".hidden", 42],
)
def test_bad_generate_folder_is_a_config_error(make_app, tmp_path, value):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="kwindex_generate must be a folder name relative to the Sphinx source"):
        make_app("html", srcdir=copy_root("generate", tmp_path), confoverrides={"kwindex_generate": value})
    assert not os.path.exists(tmp_path / "outside")


def test_a_lost_manifest_does_not_turn_generated_pages_into_conflicts(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    (srcdir / "api" / ".kwindex-manifest.json").unlink()
    (srcdir / "src" / "gpkg" / "extra.py").write_text("def zeta():\n    pass\n")
    app, _ = build(srcdir)
    assert app.warning.getvalue() == ""
    assert (srcdir / "api" / "gpkg.extra.rst").exists()


def test_an_unchanged_project_rebuilds_what_was_deleted_without_decoding_it(tmp_path):
    """A no-change build plans the generated pages from the store; a page or output deleted since is
    made again, equal to what it was (the project is decoded only when a page needs it)."""
    srcdir = copy_root("generate", tmp_path)
    first, _ = build(srcdir)
    outputs = ["api/gpkg.core.html", "api/keywords/r.html", "kwindex.json", "_kwsource/gpkg.core.html"]
    before = {name: (first.outdir / name).read_text() for name in outputs}
    generated = (srcdir / "api" / "gpkg.core.rst").read_text()
    second, read = build(srcdir)
    assert read == [] and "from the analysis cache" not in second.status.getvalue()
    (srcdir / "api" / "gpkg.core.rst").unlink()
    for name in outputs:
        (first.outdir / name).unlink()
    third, read = build(srcdir)
    assert third.warning.getvalue() == ""
    assert read == ["api/gpkg.core"]
    assert (srcdir / "api" / "gpkg.core.rst").read_text() == generated
    assert {name: (third.outdir / name).read_text() for name in outputs} == before


def test_a_new_title_reaches_the_root_page_of_an_unchanged_project(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    app, _ = build(srcdir, confoverrides={"kwindex_generate_title": "Code map"})
    assert app.warning.getvalue() == ""
    assert "as the last build analysed them" in app.status.getvalue()  # the plan is another one
    assert page(app, "api/index").select_one("h1").get_text(strip=True).rstrip("¶") == "Code map"


def test_a_module_named_index_does_not_replace_the_root_page(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    (srcdir / "src" / "index").mkdir()
    (srcdir / "src" / "index" / "__init__.py").write_text('"""A package unluckily named index."""\n')
    app, _ = build(srcdir)
    assert app.warning.getvalue() == ""
    assert page(app, "api/index").select_one("h1").get_text(strip=True).rstrip("¶") == "API reference"
    assert page(app, "api/index-module").select_one("h1").get_text(strip=True).rstrip("¶") == "index"


def test_a_name_defined_several_times_lists_each_definition(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    (srcdir / "src" / "gpkg" / "again.py").write_text("class Again:\n    def render(self):\n        pass\n")
    app, _ = build(srcdir)
    item = next(li for li in page(app, "api/keywords/r").select("ul.kwindex-project-keywords > li")
                if li.p.get_text(" ", strip=True).startswith("render"))
    assert item.p.get_text(" ", strip=True) == "render — 2 definitions"
    rows = {li.get_text(" ", strip=True): li.a["href"] for li in item.select("ul li")}
    assert rows == {
        "Again.render — method in gpkg.again": "../gpkg.again.html#kw-gpkg.again.Again.render",
        # the root's test calls Widget().render()
        "Widget.render — method in gpkg.core; used in 1 module, 1 place": "../gpkg.core.html#kw-gpkg.core.Widget.render",
    }


def test_a_second_build_by_the_same_application_keeps_its_pages_until_a_new_build(tmp_path):
    """Sphinx lists source files before a build's first event, so pages added or removed by a later
    build of the same application could not be read or purged in it: that build keeps the last
    build's project and says so; the next sphinx-build shows the change, with no warning either way."""
    from sphinx.testing.util import SphinxTestApp

    srcdir = copy_root("generate", tmp_path)
    app = SphinxTestApp("html", srcdir=srcdir)
    try:
        app.build()
        (srcdir / "src" / "gpkg" / "brandnew.py").write_text('"""Brand new."""\n\ndef fresh():\n    pass\n')
        (srcdir / "src" / "gpkg" / "sub" / "leaf.py").unlink()
        app.build()
    finally:
        app.cleanup()
    assert app.warning.getvalue() == ""
    assert "a new sphinx-build shows them" in app.status.getvalue()
    assert "api/gpkg.sub.leaf" in app.env.found_docs and not (app.outdir / "api" / "gpkg.brandnew.html").exists()
    again, _ = build(srcdir)
    assert again.warning.getvalue() == ""
    assert page(again, "api/gpkg.brandnew").select_one("li[id='kw-gpkg.brandnew.fresh']") is not None
    contents = page(again, "api/gpkg").select_one("section.kwindex-contents").get_text(" ", strip=True)
    assert "gpkg.brandnew" in contents
    assert "api/gpkg.sub.leaf" not in again.env.found_docs


def test_module_names_are_titles_as_they_are_spelt(tmp_path):
    """Titles are plain text: rST markup characters in module names (``__main__``, ``x_``) stay literal."""
    srcdir = copy_root("generate", tmp_path)
    for name in ("__main__.py", "ref_.py", "star_2.py"):
        (srcdir / "src" / "gpkg" / name).write_text("X = 1\n")
    app, _ = build(srcdir)
    assert app.warning.getvalue() == ""
    for module in ("gpkg.__main__", "gpkg.ref_", "gpkg.star_2"):
        assert page(app, f"api/{module}").select_one("h1").get_text(strip=True).rstrip("¶") == module


def test_keyword_pages_stay_out_of_the_search_index_module_pages_do_not(generated):
    # Sphinx leaves the words of a page with ``:nosearch:`` metadata out of its search index.
    assert "nosearch" in generated.env.metadata["api/keywords/r"]
    assert "nosearch" not in generated.env.metadata["api/keywords/index"]
    assert "nosearch" not in generated.env.metadata["api/gpkg.core"]


def test_every_setting_that_changes_what_pages_show_rereads_every_page():
    """Views are compared only when the project's fingerprint changes (see glue/events.py): that
    is sound because Sphinx re-reads every page when an ``env`` setting changes."""
    from sphinx_kwindex.glue.config import CONFIG_VALUES

    not_shown = {"kwindex_jobs", "kwindex_cache_dir"}  # how the build runs, not what it shows
    assert {name for name, _, rebuild, _ in CONFIG_VALUES if rebuild == ""} == not_shown
    # Links are made when pages are written: a setting changing only links rewrites every page.
    assert {name for name, _, rebuild, _ in CONFIG_VALUES if rebuild == "html"} == {"kwindex_source_pages"}


def test_a_generated_page_is_read_again_only_when_its_stamp_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(fingerprint, "RECENT_SECONDS", 0.0)  # every file settled at once
    read: list[str] = []
    real = generate._read
    monkeypatch.setattr(generate, "_read", lambda path: read.append(path.name) or real(path))
    folder = tmp_path / "api"
    pages = {"index.rst": f"{generate.MARKER}\nA\n", "a.rst": f"{generate.MARKER}\nB\n"}
    assert generate.sync_pages(folder, pages).written == ["a.rst", "index.rst"]
    assert generate.sync_pages(folder, pages).written == []  # reads the pages written since it began
    read.clear()
    assert generate.sync_pages(folder, pages).written == []
    assert read == [generate.MANIFEST]  # to see that it holds what it should; no page
    (folder / "a.rst").write_text(f"{generate.MARKER}\nEdited\n")
    assert generate.sync_pages(folder, pages).written == ["a.rst"]
    assert (folder / "a.rst").read_text() == pages["a.rst"]
    replanned = {**pages, "index.rst": f"{generate.MARKER}\nC\n"}
    assert generate.sync_pages(folder, replanned).written == ["index.rst"]
    assert (folder / "index.rst").read_text() == replanned["index.rst"]
