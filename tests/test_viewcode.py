"""``sphinx.ext.viewcode`` gets its source pages from our analysis, never by importing the project."""

from __future__ import annotations

import sys

import pytest
from bs4 import BeautifulSoup
from conftest import build, copy_root


@pytest.fixture(autouse=True)
def forget_canary():
    """An import of the canary by one test must not hide another's (``sys.modules`` caches it)."""
    yield
    for name in [name for name in sys.modules if name == "canary" or name.startswith("canary.")]:
        del sys.modules[name]


def source_links(app, docname: str) -> dict[str, str]:
    """Object id -> the href of its [source] link."""
    soup = BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")
    return {dt["id"]: dt.select_one("a .viewcode-link").parent["href"]
            for dt in soup.select("dt[id]") if dt.select_one(".viewcode-link")}


@pytest.mark.parametrize("parallel", [1, 2])
def test_source_links_without_importing_the_package(tmp_path, parallel):
    srcdir = copy_root("viewcode", tmp_path)
    app, _ = build(srcdir, parallel=parallel)
    assert not (srcdir / "src" / "canary" / "IMPORTED").exists()
    assert app.warning.getvalue() == ""
    links = source_links(app, "index")
    assert links["canary.engine.Engine"] == "_modules/canary/engine.html#Engine"
    assert links["canary.engine.Engine.start"] == "_modules/canary/engine.html#Engine.start"
    assert links["canary.engine.run"] == "_modules/canary/engine.html#run"
    # documented under the package that re-exports it: followed to its module statically
    assert links["canary.helper"] == "_modules/canary/tools.html#helper"
    # every page, read in a worker process too (seven pages: Sphinx reads them in parallel)
    for number in range(1, 7):
        page_html = (app.outdir / f"page{number}.html").read_text()
        assert "_modules/canary/tools.html#helper" in page_html
    page = BeautifulSoup((app.outdir / "_modules/canary/engine.html").read_text(), "html.parser")
    assert "def start(self):" in page.get_text()
    assert page.select_one("div.viewcode-block#Engine") is not None


def test_the_canary_works_viewcode_alone_imports_the_package(tmp_path):
    srcdir = copy_root("viewcode", tmp_path)
    build(srcdir, confoverrides={"extensions": ["sphinx.ext.viewcode"]})
    assert (srcdir / "src" / "canary" / "IMPORTED").exists()
