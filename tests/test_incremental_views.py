"""Only pages showing a module whose module data changed are compared, and that re-reads the same
pages as comparing every page's views does (``views.module_data`` and ``views.section_reads``).

Each edit is made to two copies of a project built alike: one rebuilt as ``sphinx-build`` does,
one rebuilt comparing every page. Both must re-read the same pages, and the rebuilt pages must be
those a fresh build of the edited project makes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sphinx_kwindex.glue import events

from conftest import build, copy_root
from test_references import EDITS as REFERENCE_EDITS

GENERATE = {"kwindex_generate": "api", "kwindex_generate_toctree": True}

#: name -> (root, file under its source folder, text replaced (None: appended), new text)
EDITS = {
    **{f"references: {name}": ("references", f"refs/{path}", old, new)
       for name, (path, old, new) in REFERENCE_EDITS.items()},
    "pictures: an import added in a subpackage": (
        "pictures", "shop/catalog/stock.py", None, "\nfrom shop.catalog.items import Item\n"),
    "pictures: an import added across packages": (
        "pictures", "shop/report.py", None, "\n\nfrom shop.pricing import DISCOUNT\n"),
    "pictures: a function a test calls": ("pictures", "shop/cart.py", None, "\n\ndef empty():\n    return Cart()\n"),
    "pictures: a package's docstring": ("pictures", "shop/catalog/__init__.py", None, '\n"""Not the docstring."""\n'),
    # a new page of the project keyword index: every page's navigation names it
    "pictures: a keyword under a new letter": ("pictures", "shop/report.py", None, "\n\ndef zone():\n    pass\n"),
    "pictures: a keyword under a letter in use": ("pictures", "shop/report.py", None, "\n\ndef total_two():\n    pass\n"),
}


def _edit(srcdir: Path, path: str, old: str | None, new: str) -> None:
    target = srcdir / "src" / path
    text = target.read_text()
    assert old is None or old in text
    target.write_text(text + new if old is None else text.replace(old, new))


def _pages(srcdir: Path, outdir: Path | None = None) -> dict[str, str]:
    """Every generated page's HTML, with the folder the project was built in left out."""
    outdir = outdir or srcdir / "_build" / "html"
    return {str(path.relative_to(outdir)): re.sub(re.escape(str(srcdir)), "ROOT", path.read_text(encoding="utf-8"))
            for path in sorted((outdir / "api").rglob("*.html"))}


#: Two edits of the pictures root: a package's docstring, and a comment in another module.
DOCSTRING = ("shop/catalog/__init__.py", None, '\n"""Not the docstring."""\n')
COMMENT = ("shop/pricing.py", None, "\n# a comment\n")


def _fresh(tmp_path: Path, *edits) -> dict[str, str]:
    """The generated pages of a fresh build of the pictures root with ``edits`` made."""
    fresh = copy_root("pictures", tmp_path / "fresh")
    for edit in edits:
        _edit(fresh, *edit)
    build(fresh, confoverrides=GENERATE)
    return _pages(fresh)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_comparing_only_pages_whose_modules_changed_rereads_what_comparing_all_does(tmp_path, monkeypatch, edit):
    root, path, old, new = EDITS[edit]
    pruned = copy_root(root, tmp_path / "pruned")
    every = copy_root(root, tmp_path / "every")
    for srcdir in (pruned, every):
        build(srcdir, confoverrides=GENERATE)
        _edit(srcdir, path, old, new)
    compared: list[str] = []
    may_differ = events.Kwindex._may_differ

    def counted(self, modules, key, request):
        answer = may_differ(self, modules, key, request)
        if answer:
            compared.append(key)
        return answer

    monkeypatch.setattr(events.Kwindex, "_may_differ", counted)
    app, read = build(pruned, confoverrides=GENERATE)
    assert app.warning.getvalue() == ""
    shown = app.env.domains["kwindex"].shown()
    monkeypatch.setattr(events.Kwindex, "_may_differ", lambda self, modules, key, request: True)
    _, read_comparing_all = build(every, confoverrides=GENERATE)
    assert read == read_comparing_all
    # Fewer views were compared than pages show (the edit does not reach every module).
    assert 0 < len(compared) < sum(map(len, shown.values()))
    fresh = copy_root(root, tmp_path / "fresh")
    _edit(fresh, path, old, new)
    build(fresh, confoverrides=GENERATE)
    assert _pages(pruned) == _pages(fresh)


def test_without_the_record_of_module_data_every_page_is_compared(tmp_path, monkeypatch):
    srcdir = copy_root("pictures", tmp_path)
    build(srcdir, confoverrides=GENERATE)
    record = srcdir / "_build" / "doctrees" / "kwindex-cache" / events.MODULE_DATA.filename
    assert record.is_file()
    record.write_bytes(b"damaged")
    _edit(srcdir, "shop/report.py", None, "\n\nfrom shop.pricing import DISCOUNT\n")
    asked: list[set[str] | None] = []
    may_differ = events.Kwindex._may_differ
    monkeypatch.setattr(events.Kwindex, "_may_differ",
                        lambda self, modules, key, request: asked.append(modules) or may_differ(self, modules, key, request))
    app, read = build(srcdir, confoverrides=GENERATE)
    assert asked and all(modules is None for modules in asked)
    assert "api/shop.report" in read and "api/shop.pricing" in read
    assert "ignoring the record of module data" in app.status.getvalue()
    assert record.read_bytes() != b"damaged"


def test_a_build_interrupted_after_reading_leaves_no_page_stale(tmp_path):
    """Ctrl-C (or a kill) once Sphinx saved its environment: the pages show what they read, not
    what an earlier check recorded."""
    from sphinx.testing.util import SphinxTestApp

    srcdir = copy_root("pictures", tmp_path / "project")
    package = srcdir / "src" / DOCSTRING[0]
    original = package.read_text()
    build(srcdir, confoverrides=GENERATE)
    _edit(srcdir, *DOCSTRING)
    assert "api/shop.catalog" in build(srcdir, confoverrides=GENERATE)[1]
    package.write_text(original)  # back as it was, and the build is interrupted as it ends
    app = SphinxTestApp("html", srcdir=srcdir, confoverrides=GENERATE)

    def interrupt(app, exception):
        raise KeyboardInterrupt

    app.connect("build-finished", interrupt, priority=100)
    try:
        with pytest.raises(KeyboardInterrupt):
            app.build()
    finally:
        app.cleanup()
    _edit(srcdir, *DOCSTRING)  # as the last complete build had it: its checks say nothing now
    app, read = build(srcdir, confoverrides=GENERATE)
    assert "api/shop.catalog" in read
    assert _pages(srcdir) == _fresh(tmp_path, DOCSTRING)


def test_environments_sharing_one_store_leave_no_page_stale(tmp_path):
    """Two doctree folders (html and another builder, say) with one ``kwindex_cache_dir``: what
    one environment checked says nothing of the other's pages."""
    srcdir = copy_root("pictures", tmp_path / "project")
    conf = dict(GENERATE, kwindex_cache_dir=str(tmp_path / "shared"))
    one, two = tmp_path / "one", tmp_path / "two"
    build(srcdir, builddir=one, confoverrides=conf)
    build(srcdir, builddir=two, confoverrides=conf)
    _edit(srcdir, *DOCSTRING)
    build(srcdir, builddir=one, confoverrides=conf)
    _, read = build(srcdir, builddir=two, confoverrides=conf)  # the state one just checked
    assert "api/shop.catalog" in read
    _edit(srcdir, *COMMENT)
    build(srcdir, builddir=one, confoverrides=conf)
    _, read = build(srcdir, builddir=two, confoverrides=conf)
    assert "api/shop.pricing" in read
    assert _pages(srcdir, two / "html") == _fresh(tmp_path, DOCSTRING, COMMENT)
