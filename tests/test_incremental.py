"""Incremental and parallel builds: exactly the right pages re-read, and the same output."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from sphinx_kwindex.glue.events import STYLESHEET
from sphinx_kwindex.runner.pool import INLINE_BELOW

from conftest import build, copy_root


def reread(srcdir: Path) -> list[str]:
    app, read = build(srcdir)
    assert app.warning.getvalue() == ""
    return read


def test_no_change_rebuild_reads_nothing(tmp_path):
    srcdir = copy_root("basic", tmp_path)
    assert reread(srcdir) == ["automod", "index", "myst_page", "pymod", "rst_page"]
    assert reread(srcdir) == []


def test_editing_a_module_rereads_exactly_the_pages_that_show_it(tmp_path):
    srcdir = copy_root("basic", tmp_path)
    reread(srcdir)
    shapes = srcdir / "src" / "demo" / "shapes.py"
    shapes.write_text(shapes.read_text() + "\n\ndef added_later():\n    pass\n")
    assert reread(srcdir) == ["myst_page", "rst_page"]
    package = srcdir / "src" / "demo" / "__init__.py"
    package.write_text(package.read_text() + "\nVERSION = '2'\n")
    assert reread(srcdir) == ["pymod"]


def test_a_second_build_by_the_same_application_sees_the_edit(tmp_path):
    """A later build by the same application (no builder-inited) indexes the project again."""
    from sphinx.testing.util import SphinxTestApp

    srcdir = copy_root("basic", tmp_path)
    app = SphinxTestApp("html", srcdir=srcdir)
    try:
        app.build()
        shapes = srcdir / "src" / "demo" / "shapes.py"
        shapes.write_text(shapes.read_text() + "\n\ndef added_later():\n    pass\n")
        app.build()
    finally:
        app.cleanup()
    assert app.warning.getvalue() == ""
    page = (app.outdir / "rst_page.html").read_text(encoding="utf-8")
    assert 'id="kw-demo.shapes.added_later"' in page and 'id="kw-demo.shapes.Circle"' in page
    exported = json.loads((app.outdir / "kwindex.json").read_text())["modules"]["demo.shapes"]["keywords"]
    assert {"name": "added_later", "kind": "function", "line": 74} in exported


def test_touching_without_changing_rereads_nothing(tmp_path):
    srcdir = copy_root("basic", tmp_path)
    reread(srcdir)
    shapes = srcdir / "src" / "demo" / "shapes.py"
    later = shapes.stat().st_mtime + 10
    os.utime(shapes, (later, later))
    assert reread(srcdir) == []


def test_a_module_appearing_rereads_the_page_that_asked_for_it(tmp_path):
    srcdir = copy_root("problems", tmp_path)
    build(srcdir)
    (srcdir / "src" / "pkg" / "missing.py").write_text("def now_here():\n    pass\n")
    app, read = build(srcdir)
    assert read == ["index"]
    assert "now_here" in (app.outdir / "index.html").read_text()


def test_parallel_output_equals_serial(tmp_path):
    serial, _ = build(copy_root("basic", tmp_path / "serial"))
    parallel, _ = build(copy_root("basic", tmp_path / "parallel"), parallel=2)
    assert parallel.warning.getvalue() == ""
    pages = sorted(p.relative_to(serial.outdir) for p in Path(serial.outdir).glob("*.html"))
    assert len(pages) >= 5
    for page in [*pages, Path("kwindex.json")]:
        assert (serial.outdir / page).read_text() == (parallel.outdir / page).read_text(), page


def test_an_unchanged_project_re_read_in_parallel_is_loaded_once(tmp_path):
    """A setting that re-reads every page (not one of the project's): the project, unchanged, is
    loaded once before the readers start, and the pages are those of a serial build."""
    epilog = {"rst_epilog": ".. |kw| replace:: kwindex"}
    pages = {}
    for name, parallel in (("serial", 0), ("parallel", 2)):
        srcdir = copy_root("generate", tmp_path / name)
        build(srcdir, parallel=parallel)
        app, read = build(srcdir, parallel=parallel, confoverrides=epilog)
        assert app.warning.getvalue() == "" and len(read) > 5
        assert app.status.getvalue().count("modules from the analysis cache") == 1
        pages[name] = {str(p.relative_to(app.outdir)): p.read_text() for p in sorted(app.outdir.rglob("*.html"))}
    assert pages["parallel"] == pages["serial"]


def test_process_pool_on_or_off_gives_the_same_pages(tmp_path):
    def many_modules(srcdir):
        # Enough modules that a pool starts (fewer are analysed inline whatever kwindex_jobs says).
        for n in range(INLINE_BELOW + 4):
            (srcdir / "src" / "demo" / f"extra{n}.py").write_text(f"from demo.shapes import Circle\n\nX{n} = Circle\n")
        return srcdir

    inline, _ = build(many_modules(copy_root("basic", tmp_path / "inline")), confoverrides={"kwindex_jobs": 1})
    pooled, _ = build(many_modules(copy_root("basic", tmp_path / "pooled")), confoverrides={"kwindex_jobs": 2})
    exported = json.loads((pooled.outdir / "kwindex.json").read_text())["modules"]
    assert len(exported) >= INLINE_BELOW + 4
    for page in ["rst_page.html", "automod.html", "pymod.html", "kwindex.json"]:
        assert (inline.outdir / page).read_text() == (pooled.outdir / page).read_text(), page


def test_a_no_change_build_parses_nothing_and_the_cache_can_live_elsewhere(tmp_path):
    srcdir = copy_root("basic", tmp_path / "docs")
    cache = tmp_path / "ci-cache"
    overrides = {"kwindex_cache_dir": str(cache)}
    first, _ = build(srcdir, confoverrides=overrides)
    assert "0 of 3 modules from the analysis cache, 3 analysed" in first.status.getvalue()
    assert any(cache.iterdir())
    second, _ = build(srcdir, confoverrides=overrides)
    assert "3 modules under" in second.status.getvalue()
    assert "as the last build analysed them" in second.status.getvalue()
    assert "from the analysis cache" not in second.status.getvalue()  # not a summary decoded


def test_a_py_module_page_is_reread_when_its_module_appears(tmp_path):
    srcdir = copy_root("basic", tmp_path)
    (srcdir / "later.rst").write_text("Later\n=====\n\n.. py:module:: demo.later\n\nNot written yet.\n")
    (srcdir / "index.rst").write_text((srcdir / "index.rst").read_text() + "\n.. toctree::\n\n   later\n")
    reread(srcdir)
    (srcdir / "src" / "demo" / "later.py").write_text("def arrived():\n    pass\n")
    assert "later" in reread(srcdir)
    assert 'id="in-kw-demo.later.arrived"' in (srcdir / "_build" / "html" / "later.html").read_text()


def test_the_stylesheet_is_linked_with_its_checksum_from_the_first_build(tmp_path):
    """Sphinx copies it with the static files before writing pages: a page written by the first
    build links it as one written by a later build does."""
    srcdir = copy_root("basic", tmp_path)
    first, _ = build(srcdir)
    link = re.search(r'href="_static/kwindex\.css\?v=[0-9a-f]{8}"', (first.outdir / "rst_page.html").read_text())
    assert link is not None
    assert (first.outdir / "_static" / "kwindex.css").read_bytes() == STYLESHEET.read_bytes()
    (first.outdir / "rst_page.html").unlink()
    again, read = build(srcdir)
    assert read == [] and link.group(0) in (again.outdir / "rst_page.html").read_text()
    # The environment was saved with the stylesheet's folder among the static paths, as this build
    # has it: not said to have changed (Sphinx's test application changes html_theme itself).
    assert "html_static_path" not in again.status.getvalue()
