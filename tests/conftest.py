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
