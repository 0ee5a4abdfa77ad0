"""The related-files cache: reused only for exactly the same project, never trusted when damaged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.project_keywords import keyword_groups
from sphinx_kwindex.related import RelatedWeights
from sphinx_kwindex.runner.related_cache import RELATED_NAME, load_related, project_fingerprint, save_related

SOURCES = {
    "app.engine": "from app.helpers import retry\n\ndef run():\n    return retry()\n",
    "app.helpers": "def retry():\n    return 3\n",
    "app.cli": "from app.engine import run\n\ndef main():\n    run()\n",
}


def project(sources=SOURCES, **kwargs) -> ProjectIndex:
    summaries = [
        analyse(SourceFile(name, f"/x/{name}.py", name.replace(".", "/") + ".py"), text.encode())
        for name, text in sources.items()
    ]
    return ProjectIndex.from_summaries(Path("/x"), summaries, **kwargs)


def test_same_project_same_fingerprint_and_a_round_trip(tmp_path):
    index = project()
    assert project_fingerprint(index) == project_fingerprint(project())
    save_related(tmp_path, project_fingerprint(index), index.all_related(), print)
    loaded, groups = load_related(tmp_path, project_fingerprint(index))
    assert loaded == index.all_related() and groups is None
    assert loaded["app.engine"][0].module in {"app.helpers", "app.cli"}
    save_related(tmp_path, project_fingerprint(index), index.all_related(), print, keyword_groups(index))
    assert load_related(tmp_path, project_fingerprint(index))[1] == keyword_groups(index)


def test_any_change_gives_another_fingerprint(tmp_path):
    base = project_fingerprint(project())
    edited = dict(SOURCES, **{"app.helpers": SOURCES["app.helpers"] + "\nX = 1\n"})
    assert project_fingerprint(project(edited)) != base
    assert project_fingerprint(project(weights=RelatedWeights(identifiers=0.0))) != base
    assert project_fingerprint(project(related_limit=3)) != base
    index = project()
    save_related(tmp_path, base, index.all_related(), print)
    assert load_related(tmp_path, project_fingerprint(project(edited))) is None


def test_damaged_or_foreign_cache_is_not_used(tmp_path):
    index = project()
    key = project_fingerprint(index)
    (tmp_path / RELATED_NAME).write_bytes(b"\x80\x04garbage")
    assert load_related(tmp_path, key) is None
    save_related(tmp_path, key, {"app.engine": ("not a RelatedFile",)}, print)
    assert load_related(tmp_path, key) is None


def test_seeded_ranking_is_what_related_returns(tmp_path):
    index = project()
    ranking = {name: tuple(dataclasses.replace(e, score=0.5) for e in entries)
               for name, entries in project().all_related().items()}
    index.seed_related(ranking)
    assert index.related("app.engine") == ranking["app.engine"]


def test_unwritable_folder_is_said_once_and_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    said = []
    save_related(blocker, "key", {}, said.append)
    assert len(said) == 1 and "cannot write the related-files cache" in said[0]


def test_a_planted_pickle_cannot_run_code(tmp_path):
    import os
    import pickle

    class Planted:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "PWNED"),))

    key = project_fingerprint(project())
    (tmp_path / RELATED_NAME).write_bytes(pickle.dumps((2, key, Planted(), None)))
    assert load_related(tmp_path, key) is None
    assert not (tmp_path / "PWNED").exists()
