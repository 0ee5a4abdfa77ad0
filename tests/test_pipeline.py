"""Stages 1-3 as one call, with no Sphinx: find -> analyse -> project index -> rank, and what is kept."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from sphinx_kwindex.model import Subtype
from sphinx_kwindex import pipeline
from sphinx_kwindex.pipeline import ProjectSettings, SourcesChanged, build_project, save_project
from sphinx_kwindex.runner import ANALYSIS

FILES = {
    "pkg/__init__.py": '"""The package."""\nfrom pkg.core import Widget\n',
    "pkg/core.py": '"""Core."""\n\nclass Widget:\n    def render(self):\n        return 1\n',
    "pkg/util.py": "from pkg.core import Widget\n\ndef make_widget():\n    return Widget()\n",
    "pkg/broken.py": "def oops(:\n",
    "tests/test_core.py": "from pkg.core import Widget\n\ndef test_render():\n    Widget().render()\n",
}


@pytest.fixture
def settings(tmp_path) -> ProjectSettings:
    for path, text in FILES.items():
        (tmp_path / "repo" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "repo" / path).write_text(text)
    roots = ((tmp_path / "repo" / "pkg").resolve(), (tmp_path / "repo" / "tests").resolve())
    return ProjectSettings(roots, cache_dir=tmp_path / "store", keyword_pages=True)


def test_a_project_state_from_folders_alone(settings):
    said: list[str] = []
    state = build_project(settings, info=said.append)
    index = state.index
    assert list(index.modules) == ["pkg", "pkg.broken", "pkg.core", "pkg.util", "tests.test_core"]
    assert index.graph.imports_of("pkg.util") == {"pkg.core": ("Widget",)}
    assert index.graph.tested_by("pkg.core") == ("tests.test_core",)
    assert [entry.module for entry in index.related("pkg.core")][:1] in (["pkg.util"], ["tests.test_core"])
    assert [(Path(path).name, problem.subtype) for path, problem in state.problems()] == [
        ("broken.py", Subtype.SYNTAX_ERROR)
    ]
    names = {entry.qualname for group in state.groups for entry in group.entries}
    assert {"Widget", "Widget.render", "make_widget", "test_render"} <= names and "oops" not in names
    assert any("0 of 5 modules from the analysis cache" in message for message in said)


def test_the_next_run_reuses_what_was_kept(settings):
    first = build_project(settings)
    save_project(first)
    said: list[str] = []
    again = build_project(settings, info=said.append)
    assert again.fingerprint == first.fingerprint
    assert again.index.all_related() == first.index.all_related()
    assert again.groups == first.groups
    assert any("5 of 5 modules from the analysis cache" in message for message in said)
    assert not any("ranked again" in message for message in said)  # the kept ranking, as it was
    assert again.rank_state is None and not again.groups_computed  # nothing new to keep


def test_an_unchanged_project_is_decoded_only_when_read(settings):
    first = build_project(settings)
    save_project(first)
    said: list[str] = []
    again = build_project(settings, info=said.append)
    assert not again.loaded
    assert again.fingerprint == first.fingerprint
    assert again.module_names() == list(first.index.modules)
    assert list(again.problems()) == list(first.problems())
    assert not any("analysis cache" in message for message in said)  # no summary decoded yet
    assert again.index.all_related() == first.index.all_related()
    assert again.groups == first.groups
    assert again.loaded and any("5 of 5 modules from the analysis cache" in message for message in said)


CHANGES = {
    "an edit": lambda s: (s.roots[0] / "util.py").write_text("def other():\n    pass\n") and s,
    "a new file": lambda s: (s.roots[0] / "extra.py").write_text("X = 1\n") and s,
    "a removed file": lambda s: (s.roots[0] / "util.py").unlink() or s,
    "a fixed file": lambda s: (s.roots[0] / "broken.py").write_text("def oops():\n    pass\n") and s,
    "the related limit": lambda s: replace(s, related_limit=3),
    "the keyword pages": lambda s: replace(s, keyword_pages=False),
    "an exclusion": lambda s: replace(s, exclude=("pkg/util.py",)),
    # a folder whose name makes its modules unimportable: a problem of finding files, no new file
    "a skipped folder": lambda s: (s.roots[0] / "not-a-package").mkdir() or (
        s.roots[0] / "not-a-package" / "x.py").write_text("X = 1\n") and s,
    # the history changes, the files do not: co-change counts change the related files
    "a commit": lambda s: _commit_and_revert(s.roots[0].parent, "pkg/core.py", "pkg/util.py") or s,
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


def _commit_and_revert(repo: Path, *paths: str) -> None:
    """Two commits changing ``paths`` together, the second restoring them as they were."""
    before = {path: (repo / path).read_text() for path in paths}
    for path in paths:
        (repo / path).write_text(before[path] + "\n# changed together\n")
    _git(repo, "commit", "-q", "-am", "together")
    for path in paths:
        (repo / path).write_text(before[path])
    _git(repo, "commit", "-q", "-am", "back")


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_of_inputs_builds_the_state_anew(settings, change):
    repo = settings.roots[0].parent
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    save_project(build_project(settings))
    assert not build_project(settings).loaded  # unchanged: deferred
    changed = CHANGES[change](settings)
    state = build_project(changed)
    assert state.loaded
    fresh = build_project(replace(changed, cache_dir=None))
    assert state.fingerprint == fresh.fingerprint and state.module_names() == fresh.module_names()
    assert list(state.problems()) == list(fresh.problems())
    assert state.index.all_related() == fresh.index.all_related() and state.groups == fresh.groups


def test_a_deferred_state_needs_the_analysis_cache_it_was_kept_with(settings, tmp_path):
    save_project(build_project(settings))
    (tmp_path / "store" / ANALYSIS.filename).unlink()  # lost (cleaned, damaged, another project's)
    assert build_project(settings).loaded


def test_a_file_changed_while_a_deferred_state_waits_is_never_shown(settings, tmp_path):
    """The analysis cache lost meanwhile and a file edited: loading stops the build rather than
    show the edit under the fingerprint of the content the build started with."""
    save_project(build_project(settings))
    state = build_project(settings)
    assert not state.loaded
    (tmp_path / "store" / ANALYSIS.filename).unlink()
    (settings.roots[0] / "util.py").write_text("CHANGED = 1\n")
    with pytest.raises(SourcesChanged, match="util.py changed while sphinx-build was running"):
        state.load()


def test_no_outline_is_kept_when_a_file_changed_during_the_build(settings, tmp_path, monkeypatch):
    """Hashed before the edit, analysed after it: the state is of the new content, so an outline
    kept under the old digests would, once the edit is undone, pass the new content for the old."""
    real = pipeline.source_digests
    monkeypatch.setattr(pipeline, "source_digests",
                        lambda files, store: ["0" * 32 if f.module == "pkg.util" else d
                                              for f, d in zip(files, real(files, store))])
    state = build_project(settings)
    assert state.outline_key is None
    save_project(state)
    assert not (tmp_path / "store" / pipeline.OUTLINE.filename).exists()


def test_an_edit_reranks_only_what_it_can_change(settings):
    save_project(build_project(settings))
    util = settings.roots[0] / "util.py"
    util.write_text(util.read_text() + "\n\ndef make_two():\n    return make_widget(), make_widget()\n")
    said: list[str] = []
    edited = build_project(settings, info=said.append)
    assert edited.reranked is not None and "pkg.util" in edited.reranked
    assert any("4 of 5 modules from the analysis cache, 1 analysed" in message for message in said)


def test_without_a_store_nothing_is_written(settings, tmp_path):
    state = build_project(ProjectSettings(settings.roots, cache_dir=None))
    save_project(state)
    assert not (tmp_path / "store").exists()
    assert state.groups == ()  # keyword pages only when asked for


def test_the_pipeline_runs_without_sphinx(settings):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from sphinx_kwindex.pipeline import ProjectSettings, build_project
        state = build_project(ProjectSettings(tuple(Path(r) for r in {[str(r) for r in settings.roots]!r}), jobs=1))
        assert len(state.index.modules) == 5
        from sphinx_kwindex import views
        assert views.section_view(state.index, "related", "pkg.core") is not None
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("sphinx", "docutils")))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
