"""The related-files cache: the saved ranking is reused only where its inputs are unchanged, gives
exactly what ranking everything gives, and is never trusted when damaged."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.keywords import keyword_groups
from sphinx_kwindex.project.related import CoChange, RelatedWeights
from sphinx_kwindex.pipeline import KEYWORD_PAGES, RANKING, _valid_rows, _valid_saved_ranking, project_fingerprint
from sphinx_kwindex.project.keywords import KeywordGroup
from sphinx_kwindex.store import Store

RELATED_NAME = RANKING.filename
KEYWORDS_NAME = KEYWORD_PAGES.filename


# The pipeline's reads and writes of these two store entries, one at a time.
def save_related(folder, fingerprint, state, info):
    Store(folder, info).write(RANKING, (fingerprint, state))


def load_related(folder):
    return Store(folder).read(RANKING, check=_valid_saved_ranking)


def save_keyword_groups(folder, fingerprint, groups, info):
    Store(folder, info).write(KEYWORD_PAGES, tuple(g.as_row() for g in groups), key=fingerprint)


def load_keyword_groups(folder, fingerprint):
    rows = Store(folder).read(KEYWORD_PAGES, key=fingerprint, check=_valid_rows)
    return None if rows is None else [KeywordGroup.from_row(row) for row in rows]

SOURCES = {
    "app.engine": "from app.helpers import retry\n\ndef run():\n    return retry()\n",
    "app.helpers": "def retry():\n    return 3\n",
    "app.cli": "from app.engine import run\n\ndef main():\n    run()\n",
}


def project(sources=SOURCES, **kwargs) -> ProjectIndex:
    summaries = [
        analyse(SourceFile(name, f"/x/{name}.py", name.replace(".", "/") + ".py", is_test=".test_" in name),
                text.encode())
        for name, text in sources.items()
    ]
    return ProjectIndex.from_summaries(Path("/x"), summaries, **kwargs)


def test_same_project_same_fingerprint_and_a_round_trip(tmp_path):
    index = project()
    assert project_fingerprint(index) == project_fingerprint(project())
    state, stale = index.rank_all()
    assert stale is None  # nothing to start from: everything ranked
    save_related(tmp_path, project_fingerprint(index), state, print)
    fingerprint, loaded = load_related(tmp_path)
    assert fingerprint == project_fingerprint(index)
    assert loaded.ranking == index.all_related() == state.ranking
    assert loaded.ranking["app.engine"][0].module in {"app.helpers", "app.cli"}


def test_keyword_groups_are_used_only_for_the_same_project(tmp_path):
    index = project()
    key = project_fingerprint(index)
    save_keyword_groups(tmp_path, key, keyword_groups(index), print)
    assert load_keyword_groups(tmp_path, key) == keyword_groups(index)
    assert load_keyword_groups(tmp_path, "another") is None
    (tmp_path / KEYWORDS_NAME).write_bytes(f"4:{key}\n".encode() + b"\x80\x04garbage")
    assert load_keyword_groups(tmp_path, key) is None
    (tmp_path / KEYWORDS_NAME).write_bytes(f"4:{key}\n".encode() + pickle.dumps([("a", "A", [("x", 1, "function", "m")])]))
    assert load_keyword_groups(tmp_path, key) is None  # well-formed, but not text


def test_any_change_gives_another_fingerprint():
    base = project_fingerprint(project())
    edited = dict(SOURCES, **{"app.helpers": SOURCES["app.helpers"] + "\nX = 1\n"})
    assert project_fingerprint(project(edited)) != base
    assert project_fingerprint(project(weights=RelatedWeights(identifiers=0.0))) != base
    assert project_fingerprint(project(related_limit=3)) != base


def test_an_edit_reranks_only_what_it_can_change():
    before = project()
    state, _ = before.rank_all()
    edited = dict(SOURCES, **{"app.cli": SOURCES["app.cli"] + "\ndef extra():\n    return 1\n"})
    after = project(edited)
    new_state, stale = after.rank_all(state)
    assert stale is not None and "app.cli" in stale and "app.helpers" not in stale
    assert new_state.ranking == project(edited).rank_all()[0].ranking


def test_other_weights_or_modules_rank_everything():
    state, _ = project().rank_all()
    assert project(weights=RelatedWeights(identifiers=0.0)).rank_all(state)[1] is None
    assert project(related_limit=3).rank_all(state)[1] is None
    assert project(dict(SOURCES, **{"app.new": "X = 1\n"})).rank_all(state)[1] is None


def test_a_history_with_other_per_file_counts_ranks_everything():
    """A commit leaving the history window may change only how often one file changed."""
    before = CoChange.from_commits([["app/cli.py"], ["app/engine.py", "app/cli.py"], ["app/helpers.py"]])
    after = CoChange.from_commits([["app/engine.py", "app/cli.py"], ["app/helpers.py"], ["app/engine.py"]])
    assert (before.commits, before.together) == (after.commits, after.together)
    assert before.fingerprint() != after.fingerprint()
    state, _ = project(cochange=before).rank_all()
    assert project(cochange=after).rank_all(state)[1] is None
    assert project_fingerprint(project(cochange=before)) != project_fingerprint(project(cochange=after))


def test_planted_states_with_wrong_content_are_not_used(tmp_path):
    import dataclasses

    from sphinx_kwindex.project.related import RelatedFile
    from sphinx_kwindex.project.related.incremental import RankState

    def planted(state) -> object:
        save_related(tmp_path, "key", state, print)
        return load_related(tmp_path)

    assert planted(RankState.__new__(RankState)) is None  # no fields at all
    state, _ = project().rank_all()
    state.inputs.imports["app.cli"] = {"app.nowhere": ()}
    assert planted(state) is None
    state, _ = project().rank_all()
    state.ranking["app.cli"] = (RelatedFile("app.gone", 0.5, ("x",)),)
    assert planted(state) is None
    state, _ = project().rank_all()
    entry = state.ranking["app.engine"][0]
    state.ranking["app.engine"] = (dataclasses.replace(entry, score="high"),)
    assert planted(state) is None
    state, _ = project().rank_all()
    assert planted(state) is not None  # and the untouched state is used


def test_damaged_or_foreign_cache_is_not_used(tmp_path):
    (tmp_path / RELATED_NAME).write_bytes(b"\x80\x04garbage")
    assert load_related(tmp_path) is None
    state, _ = project().rank_all()
    state.ranking["app.engine"] = ("not a RelatedFile",)
    save_related(tmp_path, "key", state, print)
    assert load_related(tmp_path) is None
    state, _ = project().rank_all()
    state.inputs.imports["app.engine"] = ["not", "a", "dict"]
    save_related(tmp_path, "key", state, print)
    assert load_related(tmp_path) is None
    (tmp_path / RELATED_NAME).write_bytes(pickle.dumps((2, "key", {}, None)))  # an older layout
    assert load_related(tmp_path) is None


def test_unwritable_folder_is_said_once_and_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    said = []
    save_related(blocker, "key", project().rank_all()[0], said.append)
    assert len(said) == 1 and "cannot write the related-files cache" in said[0]


def test_a_planted_pickle_cannot_run_code(tmp_path):
    class Planted:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "PWNED"),))

    store = Store(tmp_path)
    store.write(RANKING, None, payload=pickle.dumps(("key", Planted())))
    assert load_related(tmp_path) is None
    store.write(KEYWORD_PAGES, None, key="key", payload=pickle.dumps(Planted()))
    assert load_keyword_groups(tmp_path, "key") is None
    assert not (tmp_path / "PWNED").exists()


# -- incremental ranking equals ranking everything, for random projects and edits ----------------

MODULES = [f"pkg.{name}" for name in ("alpha", "beta", "gamma", "delta", "core", "core.sub", "test_alpha", "test_core")]
WORDS = ["render", "widget", "parse", "token", "cache", "engine", "retry", "tensor", "graph", "lower", "kernel"]
EXAMPLES = int(os.environ.get("KWINDEX_PROPERTY_EXAMPLES", "250")) // 2


@st.composite
def module_text(draw, module: str) -> str:
    lines = []
    for target in draw(st.lists(st.sampled_from(MODULES), max_size=3)):
        if target == module:
            continue
        names = draw(st.lists(st.sampled_from(WORDS), max_size=2, unique=True))
        lines.append(f"from {target} import {', '.join(names)}" if names else f"import {target}")
    for index in range(draw(st.integers(0, 4))):
        first, second = draw(st.sampled_from(WORDS)), draw(st.sampled_from(WORDS))
        lines.append(f"def {first}_{second}_{index}({second}):\n    return {first}_{second}")
    if draw(st.booleans()):
        lines.append(f"{draw(st.sampled_from(WORDS))} = 1")
    # Plain functions, and calls of other modules' (which resolve when the module defines one).
    for word in draw(st.lists(st.sampled_from(WORDS), max_size=3, unique=True)):
        lines.append(f"def {word}():\n    pass")
    for target, word in draw(st.lists(st.tuples(st.sampled_from(MODULES), st.sampled_from(WORDS)), max_size=3)):
        if target != module:
            lines.append(f"import {target}\n{target}.{word}()")
    return "\n".join(lines) + "\n"


@st.composite
def projects(draw) -> dict[str, str]:
    return {module: draw(module_text(module)) for module in MODULES}


PATHS = [module.replace(".", "/") + ".py" for module in MODULES]
HISTORIES = st.lists(st.lists(st.sampled_from(PATHS), min_size=2, max_size=4), max_size=12)


def indexed(sources: dict[str, str], cochange: CoChange | None, weights: RelatedWeights | None = None) -> ProjectIndex:
    summaries = [
        analyse(SourceFile(name, f"/x/{name}.py", name.replace(".", "/") + ".py", is_test=".test_" in name),
                text.encode())
        for name, text in sources.items()
    ]
    return ProjectIndex.from_summaries(Path("/x"), summaries, cochange=cochange, related_limit=4, weights=weights)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=projects(), history=HISTORIES, data=st.data())
def test_incremental_ranking_equals_ranking_everything(before, history, data):
    cochange = CoChange.from_commits(history) if history else None
    # Identifiers off too: rare words alone re-rank much of these small projects, hiding other links.
    weights = data.draw(st.sampled_from([RelatedWeights(), RelatedWeights(identifiers=0)]))
    state, _ = indexed(before, cochange, weights).rank_all()
    after = dict(before)
    for module in data.draw(st.lists(st.sampled_from(MODULES), min_size=1, max_size=2, unique=True)):
        after[module] = data.draw(module_text(module))
    incremental, stale = indexed(after, cochange, weights).rank_all(state)
    fresh, _ = indexed(after, cochange, weights).rank_all()
    assert incremental.ranking == fresh.ranking
    assert stale is not None
    assert incremental.inputs == fresh.inputs


def test_another_astroid_or_python_changes_the_code_digest(monkeypatch):
    """Summaries depend on the parser and interpreter, so everything keyed by the code digest does too."""
    import astroid

    from sphinx_kwindex import fingerprint

    fingerprint.code_digest.cache_clear()
    base = fingerprint.code_digest()
    monkeypatch.setattr(astroid, "__version__", "0.0.1")
    fingerprint.code_digest.cache_clear()
    assert fingerprint.code_digest() != base
    monkeypatch.undo()
    monkeypatch.setattr(fingerprint.sys, "version", "3.99.0 (other)")
    fingerprint.code_digest.cache_clear()
    assert fingerprint.code_digest() != base
    monkeypatch.undo()
    fingerprint.code_digest.cache_clear()
    assert fingerprint.code_digest() == base


def test_a_test_picking_another_module_by_name_reranks_that_module():
    """A test's imports break ties between the modules its name points to: a module can gain a test
    link while no import link of its own changes."""
    sources = {
        "pkg.one.alpha": "def run_alpha():\n    pass\n",
        "pkg.two.alpha": "def run_alpha():\n    pass\n",
        "pkg.helpers": "def helper():\n    pass\n",
        "tests.test_alpha": "from pkg.two.alpha import run_alpha\n",
    }
    before = project(sources)
    assert before.graph.tests_of("tests.test_alpha") == ("pkg.two.alpha",)
    state, _ = before.rank_all()
    edited = dict(sources, **{"tests.test_alpha": "from pkg.helpers import helper\n"})
    after, fresh = project(edited), project(edited)
    assert "pkg.one.alpha" in after.graph.tests_of("tests.test_alpha")
    new_state, stale = after.rank_all(state)
    assert "pkg.one.alpha" in stale
    assert new_state.ranking == fresh.rank_all()[0].ranking


def test_an_edit_changing_what_another_module_calls_reranks_it():
    """References follow classes' method resolution: ``self.method()`` in engine.py calls
    ``app.parent.Base.method``, a module engine.py does not import. Removing that method changes
    engine.py's use links while nothing engine.py imports, nor its text, changed (identifiers off:
    the removed word would re-rank engine.py on its own)."""
    weights = RelatedWeights(identifiers=0)
    sources = {
        "app.parent": "class Base:\n    def method(self):\n        pass\n\n    def other(self):\n        pass\n",
        "app.child": "from app.parent import Base\n\n\nclass Child(Base):\n    pass\n",
        "app.engine": (
            "from app.child import Child\n\n\nclass Runner(Child):\n"
            "    def go(self):\n        self.method()\n        self.other()\n"
        ),
        "app.unrelated": "def alone():\n    pass\n",
    }
    before = project(sources, weights=weights)
    assert before.ranker.usage.uses_of("app.engine")["app.parent"] == (2, 0)
    assert "app.parent" not in before.graph.imports_of("app.engine")
    state, _ = before.rank_all()
    edited = dict(sources, **{"app.parent": "class Base:\n    def other(self):\n        pass\n"})
    after = project(edited, weights=weights)
    assert after.ranker.usage.uses_of("app.engine")["app.parent"] == (1, 0)
    new_state, stale = after.rank_all(state)
    assert "app.engine" in stale and "app.unrelated" not in stale
    assert new_state.ranking == project(edited, weights=weights).rank_all()[0].ranking
    assert new_state.ranking["app.engine"] != state.ranking["app.engine"]


def test_an_edit_recounts_the_uses_of_only_the_modules_whose_references_changed(monkeypatch):
    from sphinx_kwindex.project.related import usage

    sources = {
        "app.parent": "class Base:\n    def method(self):\n        pass\n\n    def other(self):\n        pass\n",
        "app.child": "from app.parent import Base\n\n\nclass Child(Base):\n    pass\n",
        "app.engine": "from app.child import Child\n\n\nclass Runner(Child):\n    def go(self):\n        self.method()\n",
        "app.user": "from app.parent import Base\n\n\ndef make():\n    return Base()\n",
    }
    state, _ = project(sources).rank_all()
    edited = dict(sources, **{"app.engine": sources["app.engine"] + "        self.other()\n"})
    counted: list[str] = []
    count_uses = usage.count_uses
    monkeypatch.setattr(usage, "count_uses", lambda module, *rest: counted.append(module) or count_uses(module, *rest))
    new_state, _ = project(edited).rank_all(state)
    assert counted == ["app.engine"]
    assert new_state.inputs.uses["app.engine"]["app.parent"] == (2, 0)
    counted.clear()
    fresh, _ = project(edited).rank_all()
    assert len(counted) == len(sources)
    assert new_state == fresh


def test_switching_references_off_ranks_everything_without_uses():
    state, _ = project().rank_all()
    off = project(references=False)
    assert off.rank_all(state)[1] is None
    assert project_fingerprint(off) != project_fingerprint(project())
