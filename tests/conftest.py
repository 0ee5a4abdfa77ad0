"""Sphinx's pytest fixtures (``app``, ``make_app``) over the projects in ``tests/roots``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ("sphinx.testing.fixtures",)

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


def copy_root(name: str, dest: Path) -> Path:
    """A private copy of ``tests/roots/test-<name>`` that a test may edit."""
    import shutil

    srcdir = dest / name
    shutil.copytree(ROOTS / f"test-{name}", srcdir)
    return srcdir


@pytest.fixture(scope="module")
def basic_html(tmp_path_factory):
    """The ``basic`` root built once to HTML, shared by the read-only tests of a module."""
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp("html", srcdir=copy_root("basic", tmp_path_factory.mktemp("basic")))
    try:
        app.build()
    finally:
        # Restores docutils' registries at once, so later apps in the module start clean.
        app.cleanup()
    return app


def search_index(app) -> dict:
    """The HTML build's search index (``searchindex.js``) as data."""
    import json

    text = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def pages_with(index: dict, word: str) -> set[int]:
    """The positions (in ``index["docnames"]``) of the pages the search finds for ``word`` (stemmed)."""
    found = index["terms"].get(word, [])
    return {found} if isinstance(found, int) else set(found)


def build_failing_on(root: str, dest: Path, docname: str, **confoverrides) -> None:
    """Build a copy of ``tests/roots/test-<root>`` to HTML, its writing failing on ``docname``; the
    failure ("writing failed") must come out of the build."""
    from sphinx.testing.util import SphinxTestApp

    def fail_on_the_page(app, doctree, name):
        if name == docname:
            raise RuntimeError("writing failed")

    app = SphinxTestApp("html", srcdir=copy_root(root, dest), confoverrides=confoverrides)
    app.connect("doctree-resolved", fail_on_the_page)
    try:
        with pytest.raises(Exception, match="writing failed"):
            app.build()
    finally:
        app.cleanup()


def build(srcdir: Path, builder: str = "html", **kwargs):
    """Build ``srcdir`` once (reusing its saved environment); return the app and the docnames read.

    Each build gets its own application, cleaned up at once, as consecutive
    ``sphinx-build`` runs would.
    """
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp(builder, srcdir=srcdir, **kwargs)
    read: list[str] = []
    app.connect("env-before-read-docs", lambda app, env, docnames: read.extend(docnames))
    try:
        app.build()
    finally:
        app.cleanup()
    return app, sorted(read)
