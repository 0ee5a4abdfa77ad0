"""The end of a sphinx-build process: the interpreter's last collections skip what is alive then."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import build, copy_root
from sphinx.testing.util import SphinxTestApp
from sphinx_kwindex import gc_pause


def test_the_last_collections_are_skipped_once_per_process(monkeypatch):
    registered = []
    monkeypatch.setattr(gc_pause.atexit, "register", registered.append)
    monkeypatch.setattr(gc_pause, "_EXIT_REGISTERED", False)
    gc_pause.skip_collections_at_exit()
    gc_pause.skip_collections_at_exit()
    assert registered == [gc_pause.gc.freeze]


def test_a_sphinx_build_process_ends_with_everything_written(tmp_path):
    """Nothing a build writes depends on those collections: a whole process leaves its output,
    export and caches complete, and a second process finds nothing to do."""
    srcdir = copy_root("generate", tmp_path)
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-d", str(tmp_path / "doctrees"),
               str(srcdir), str(tmp_path / "html")]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    data = json.loads((tmp_path / "html" / "kwindex.json").read_text())
    assert "gpkg.core" in data["modules"] and (tmp_path / "html" / "api" / "gpkg.core.html").is_file()
    again = subprocess.run([*command[:3], "-b", "html", "-d", str(tmp_path / "doctrees"), str(srcdir),
                            str(tmp_path / "html")], capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "0 added, 0 changed, 0 removed" in again.stdout


@pytest.mark.parametrize(("found", "writing"), [
    ((900, 11, 12), (gc_pause.WRITING_THRESHOLD, 11, gc_pause.WRITING_FULL_EVERY)),
    ((9000, 11, 120), (9000, 11, 120)),  # higher thresholds are kept
    ((0, 11, 12), (0, 11, 12)),  # automatic collection off stays off
])
def test_pages_are_written_with_fewer_collections_and_the_thresholds_come_back(tmp_path, found, writing):
    """While pages are written, young collections run every WRITING_THRESHOLD allocations at most,
    and full ones after WRITING_FULL_EVERY middle ones; the build ends with the thresholds it found."""
    seen = []
    before = gc_pause.gc.get_threshold()
    try:
        gc_pause.gc.set_threshold(*found)
        srcdir = copy_root("generate", tmp_path)
        app = SphinxTestApp("html", srcdir=srcdir)
        app.connect("doctree-resolved", lambda app, doctree, docname: seen.append(gc_pause.gc.get_threshold()))
        try:
            app.build()
        finally:
            app.cleanup()
        assert seen and set(seen) == {writing}
        assert gc_pause.gc.get_threshold() == found
        assert build(srcdir)[0].warning.getvalue() == ""  # an application of its own, no page read
        assert gc_pause.gc.get_threshold() == found
    finally:
        gc_pause.gc.set_threshold(*before)
