"""Related files, pure layer: import graph, test links, identifiers, co-change, ranking."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest

from sphinx_kwindex.analyse import analyse_file
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.model import Reference
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.related import (
    CoChange,
    ProjectGraph,
    RelatedWeights,
    rank_related,
    read_cochange,
)
from sphinx_kwindex.project.related.identifiers import words_of
from sphinx_kwindex.project.related.rank import _used_by_reason, _uses_reason
from sphinx_kwindex.project.related.usage import UsageGraph, count_uses

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FILES = {
    "src/pkg/__init__.py": "from .core import Engine\n__all__ = ['Engine']\n",
    "src/pkg/core.py": (
        "from .util import log\n\n"
        "class Engine:\n"
        "    def autotune_choice(self, timings):\n"
        "        log(timings)\n"
        "        return self.benchmark_timings(timings)\n"
    ),
    "src/pkg/render.py": (
        "from pkg import Engine\n"
        "from . import widgets\n"
        "from .util import log\n\n"
        "def render(engine: Engine):\n"
        "    log(widgets.Widget)\n"
    ),
    "src/pkg/widgets.py": "from .util import log\n\nclass Widget:\n    pass\n",
    "src/pkg/tuning.py": (
        "from .util import log\n\n"
        "def autotune_timings(choice_timings, benchmark_timings):\n"
        "    log(choice_timings)\n"
        "    return autotune_choice_benchmark(benchmark_timings)\n"
    ),
    "src/pkg/util.py": "def log(*args):\n    print(*args)\n",
    "src/pkg/sub/__init__.py": "",
    "src/pkg/sub/parser.py": "from pkg.util import log\n\ndef parse(text):\n    log(text)\n",
    "tests/test_render.py": "def test_render():\n    assert True\n",
    "tests/test_core.py": "from pkg.core import Engine\n\ndef test_engine():\n    Engine()\n",
    "tests/sub/test_parsing.py": "from pkg.sub.parser import parse\n\ndef test_parse():\n    parse('x')\n",
}


def write_project(root: Path, files: dict[str, str] = FILES) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def summarise(root: Path) -> dict:
    found = find_sources([(root / "src").resolve(), (root / "tests").resolve()])
    return {source.module: analyse_file(source) for source in found.files}


@pytest.fixture
def project(tmp_path):
    summaries = summarise(write_project(tmp_path / "proj"))
    return summaries, ProjectGraph.build(summaries)


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"]
    return subprocess.run([*command, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str, changes: dict[str, str]) -> None:
    for path, text in changes.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


# -- import graph -------------------------------------------------------------


def test_imports_resolve_relative_submodule_and_reexport(project):
    _, graph = project
    # ``from pkg import Engine`` leads through pkg/__init__ (from .core import Engine) to pkg.core;
    # ``from . import widgets`` is the submodule pkg.widgets.
    assert graph.imports_of("pkg.render") == {"pkg.core": ("Engine",), "pkg.util": ("log",), "pkg.widgets": ()}
    assert graph.imports_of("pkg") == {"pkg.core": ("Engine",)}
    assert list(graph.imports_of("pkg.render")) == sorted(graph.imports_of("pkg.render"))


def test_imported_by_is_the_reverse(project):
    _, graph = project
    assert graph.imported_by("pkg.core") == {
        "pkg": ("Engine",),
        "pkg.render": ("Engine",),
        "tests.test_core": ("Engine",),
    }
    assert set(graph.imported_by("pkg.util")) == {"pkg.core", "pkg.render", "pkg.widgets", "pkg.tuning",
                                                  "pkg.sub.parser"}
    assert graph.imported_by("tests.test_core") == {}


def test_a_plain_import_in_a_tests_folder_finds_the_module_beside_it(tmp_path):
    """pytest (and a script run from there) puts a folder without __init__.py on sys.path: a plain
    ``import helpers`` in it imports the sibling ``tests/unit/helpers.py``, not a top-level module."""
    files = {
        "src/pkg/__init__.py": "",
        "src/pkg/helpers.py": "def make():\n    pass\n",
        "tests/unit/helpers.py": "def make():\n    pass\n",
        "tests/unit/test_a.py": "import helpers\nfrom helpers import make\nimport pkg.helpers\n",
        "tests/unit/test_b.py": "from conftest_data import VALUE\n",  # neither beside it nor in the project
    }
    summaries = summarise(write_project(tmp_path / "proj", files))
    graph = ProjectGraph.build(summaries)
    assert graph.imports_of("tests.unit.test_a") == {"pkg.helpers": (), "tests.unit.helpers": ("make",)}
    assert graph.imports_of("tests.unit.test_b") == {}
    assert graph.imported_by("tests.unit.helpers") == {"tests.unit.test_a": ("make",)}


# -- test links ---------------------------------------------------------------


def test_tests_linked_by_name_imports_and_mirrored_folders(project):
    _, graph = project
    assert graph.tests_of("tests.test_render") == ("pkg.render",)  # by name only, no import
    assert graph.tests_of("tests.test_core")[0] == "pkg.core"
    assert "pkg.sub.parser" in graph.tests_of("tests.sub.test_parsing")  # imports, folder mirrors pkg/sub
    assert graph.tested_by("pkg.core") == ("tests.test_core",)
    assert graph.tested_by("pkg.render") == ("tests.test_render",)
    assert graph.tests_of("pkg.core") == ()


def test_an_application_kept_as_a_fixture_under_tests_tests_nothing(tmp_path):
    """flask's tests/test_apps/cliapp imports flask: it is no test of it ("Tested by" stays the tests')."""
    files = {**FILES,
             "tests/test_apps/cliapp/__init__.py": "from pkg.core import Engine\napp = Engine()\n",
             "tests/test_apps/helpers_test_data.py": "from pkg.core import Engine\n\ndef test_engine_data():\n    Engine()\n"}
    summaries = summarise(write_project(tmp_path / "proj", files))
    graph = ProjectGraph.build(summaries)
    app = "tests.test_apps.cliapp"  # named under tests/, not a top-level package beside the API
    assert summaries[app].source.is_test
    assert app not in graph.tested_by("pkg.core") and graph.tests_of(app) == ()
    assert "tests.test_apps.helpers_test_data" in graph.tested_by("pkg.core")  # it defines a test


# -- identifiers --------------------------------------------------------------


def test_identifier_words_split_snake_and_camel_case():
    assert words_of("autotune_choice") == ("autotune", "choice")
    assert words_of("HTTPServerError") == ("http", "server", "error")
    assert words_of("self") == ()


# -- ranking ------------------------------------------------------------------


def reasons_of(ranked, module, other):
    return next(entry.reasons for entry in ranked[module] if entry.module == other)


def test_rank_related_reasons_and_shape(project):
    summaries, graph = project
    ranked = rank_related(summaries, graph, None, RelatedWeights(), limit=5)
    assert set(ranked) == set(summaries)
    for module, entries in ranked.items():
        assert len(entries) <= 5
        assert module not in [entry.module for entry in entries]
        scores = [entry.score for entry in entries]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= score <= 1 and round(score, 2) == score for score in scores)
        assert all(entry.reasons for entry in entries)
    assert "imports 1 name from" in reasons_of(ranked, "pkg.render", "pkg.core")
    assert "imported by (1 name)" in reasons_of(ranked, "pkg.core", "pkg.render")
    assert "tests this module" in reasons_of(ranked, "pkg.render", "tests.test_render")
    assert "tested by this module" in reasons_of(ranked, "tests.test_render", "pkg.render")
    assert any(r.startswith("shares identifiers: ") and "timings" in r for r in reasons_of(ranked, "pkg.tuning", "pkg.core"))
    # deterministic
    assert rank_related(summaries, graph, None, RelatedWeights(), limit=5) == ranked


def test_related_file_serialises_to_the_json_contract(project):
    summaries, graph = project
    entry = rank_related(summaries, graph, None, RelatedWeights())["pkg.render"][0]
    data = json.loads(json.dumps(asdict(entry)))
    assert set(data) == {"module", "score", "reasons"}
    assert isinstance(data["score"], float) and isinstance(data["reasons"], list)


def test_hub_weighs_little(tmp_path):
    files = {"src/app/__init__.py": "", "src/app/hub.py": "def helper():\n    pass\n",
             "src/app/special.py": "def special():\n    pass\n"}
    for i in range(12):
        files[f"src/app/m{i:02}.py"] = "from app.hub import helper\n"
    files["src/app/client.py"] = "from app.hub import helper\nfrom app.special import special\n"
    summaries = summarise(write_project(tmp_path / "hub", files | {"tests/test_nothing.py": ""}))
    graph = ProjectGraph.build(summaries)
    assert graph.specificity(graph.in_degree("app.hub")) < graph.specificity(graph.in_degree("app.special"))
    ranked = rank_related(summaries, graph, None, RelatedWeights(identifiers=0))
    names = [entry.module for entry in ranked["app.client"]]
    assert names.index("app.special") < names.index("app.hub")
    assert ranked["app.client"][0].module == "app.special"


def test_zero_weight_turns_a_signal_off(project):
    summaries, graph = project
    ranked = rank_related(summaries, graph, None, RelatedWeights(imports=0, tests=0, identifiers=0, folder=0))
    assert all(entries == () for entries in ranked.values())


def test_folder_is_only_a_tie_breaker(project):
    summaries, graph = project
    ranked = rank_related(summaries, graph, None, RelatedWeights())
    by_folder = [entry for entries in ranked.values() for entry in entries if "same folder" in entry.reasons]
    assert by_folder, "the project has modules found through their folder alone"
    for entry in by_folder:
        assert entry.reasons == ("same folder",)


# -- weights ------------------------------------------------------------------


def test_weights_from_mapping():
    weights = RelatedWeights.from_mapping({"cochange": 3, "folder": 0})
    assert weights.cochange == 3.0 and weights.folder == 0.0 and weights.imports == RelatedWeights().imports
    with pytest.raises(ValueError, match=r"unknown.*colour.*allowed: imports, uses, cochange, tests, identifiers, folder"):
        RelatedWeights.from_mapping({"colour": 1})
    with pytest.raises(ValueError, match="negative"):
        RelatedWeights.from_mapping({"imports": -1})
    with pytest.raises(ValueError, match="number"):
        RelatedWeights.from_mapping({"imports": "high"})


# -- git co-change ------------------------------------------------------------


@pytest.fixture
def repo(tmp_path):
    root = write_project(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    for i in range(3):
        commit(root, f"render and widgets {i}", {"src/pkg/render.py": FILES["src/pkg/render.py"] + f"# {i}\n",
                                                  "src/pkg/widgets.py": FILES["src/pkg/widgets.py"] + f"# {i}\n"})
    commit(root, "tuning alone", {"src/pkg/tuning.py": FILES["src/pkg/tuning.py"] + "# x\n"})
    many = {f"data/file{i}.txt": "x" for i in range(40)}
    commit(root, "mass change", many | {"src/pkg/tuning.py": "# mass\n", "src/pkg/util.py": "# mass\n"})
    return root


@needs_git
def test_read_cochange_counts_pairs_and_skips_large_commits(repo):
    summaries = summarise(repo)
    paths = [summary.path for summary in summaries.values()]
    cochange, reason = read_cochange(repo, paths)
    assert cochange is not None, reason
    # the first commit (all files) and three commits changing both
    assert cochange.partners("src/pkg/render.py")["src/pkg/widgets.py"] == 4
    assert cochange.commits_of("src/pkg/render.py") == 4
    # only the first commit links these two: the 42-file commit is skipped
    assert cochange.partners("src/pkg/tuning.py")["src/pkg/util.py"] == 1
    assert cochange.commits_of("src/pkg/tuning.py") == 2
    ranked = rank_related(summaries, ProjectGraph.build(summaries), cochange, RelatedWeights())
    assert "changed together in 4 of 4 commits" in reasons_of(ranked, "pkg.render", "pkg.widgets")
    assert ranked["pkg.render"][0].module == "pkg.widgets"


@needs_git
def test_read_cochange_bounded_by_max_commits(repo):
    cochange, _ = read_cochange(repo, ["src/pkg/render.py", "src/pkg/widgets.py"], max_commits=3)
    assert cochange.commits == 1  # of the last three: one skipped (too large), one touching neither
    assert cochange.partners("src/pkg/render.py") == {"src/pkg/widgets.py": 1}


@needs_git
def test_read_cochange_follows_renames(repo):
    git(repo, "mv", "src/pkg/widgets.py", "src/pkg/controls.py")
    git(repo, "commit", "-q", "-m", "rename")
    cochange, _ = read_cochange(repo, ["src/pkg/render.py", "src/pkg/controls.py"])
    assert cochange.partners("src/pkg/render.py") == {"src/pkg/controls.py": 4}


@needs_git
def test_shallow_clone_gives_no_history(repo, tmp_path):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    cochange, reason = read_cochange(shallow, ["src/pkg/render.py"])
    assert cochange is None and "shallow" in reason


def test_no_work_tree_gives_no_history(tmp_path):
    cochange, reason = read_cochange(write_project(tmp_path / "plain"), ["src/pkg/render.py"])
    assert cochange is None and "not in a git work tree" in reason


def test_missing_git_gives_no_history(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    cochange, reason = read_cochange(tmp_path, ["a.py"])
    assert cochange is None and "git is not installed" in reason


def test_cochange_from_commits():
    cochange = CoChange.from_commits([["a.py", "b.py"], ["a.py", "b.py", "c.py"], ["a.py"]])
    assert cochange.commits == 3
    assert cochange.commits_of("a.py") == 3
    assert cochange.partners("a.py") == {"b.py": 2, "c.py": 1}
    assert cochange.partners("zzz.py") == {}


def test_graph_pickles(project):
    import pickle

    _, graph = project
    again = pickle.loads(pickle.dumps(graph))
    assert again.imports_of("pkg.render") == graph.imports_of("pkg.render")
    assert again.tested_by("pkg.core") == graph.tested_by("pkg.core")


def test_neighbours_of_cochange_partners(project):
    summaries, graph = project
    paths = {module: summary.path for module, summary in summaries.items()}
    history = CoChange.from_commits([[paths["tests.sub.test_parsing"], paths["pkg.sub.parser"]]] * 2)
    only_history = RelatedWeights(imports=0, tests=0, identifiers=0, folder=0)
    ranked = rank_related(summaries, graph, history, only_history)
    names = [entry.module for entry in ranked["tests.sub.test_parsing"]]
    # the partner first; then what it imports (pkg.util), found through the partner's links only
    assert names[:2] == ["pkg.sub.parser", "pkg.util"]
    assert reasons_of(ranked, "tests.sub.test_parsing", "pkg.util") == (
        "linked by imports to pkg.sub.parser, which changed together with this module",
    )
    # a module with no history finds nothing through history signals
    assert ranked["pkg.render"] == ()
    # cochange weight 0 turns the history signals off too
    assert rank_related(summaries, graph, history, RelatedWeights(cochange=0, imports=0, tests=0, identifiers=0,
                                                                  folder=0))["tests.sub.test_parsing"] == ()


def test_activity_breaks_ties_towards_busier_files_and_adds_no_candidate(project):
    summaries, graph = project
    paths = {module: summary.path for module, summary in summaries.items()}
    core, render, widgets, tuning = (paths[m] for m in ("pkg.core", "pkg.render", "pkg.widgets", "pkg.tuning"))
    commits = [[core, render], [core, widgets]] + [[widgets, tuning]] * 4
    history = CoChange.from_commits(commits)
    weights = RelatedWeights(imports=0, tests=0, identifiers=0, folder=0)
    ranked = rank_related(summaries, graph, history, weights)
    # render and widgets each changed once with core; widgets changed more often, so it comes first
    assert [entry.module for entry in ranked["pkg.core"]][:2] == ["pkg.widgets", "pkg.render"]
    assert reasons_of(ranked, "pkg.core", "pkg.render") == ("changed together in 1 of 2 commits",)
    # busy pkg.tuning never changed with pkg.core and has no import link to its partners: not listed
    assert "pkg.tuning" not in [entry.module for entry in ranked["pkg.core"]]


def test_a_pair_seen_only_in_sweeping_commits_says_so_and_yields_to_stronger_reasons(project):
    summaries, graph = project
    paths = {module: summary.path for module, summary in summaries.items()}
    core, render, widgets = (paths[m] for m in ("pkg.core", "pkg.render", "pkg.widgets"))
    others = sorted(p for p in paths.values() if p not in (core, render, widgets))
    # flask.json.tag's shape: a file changed in a few focused commits and in repository-wide ones
    sweeping = [core, render, *others, *(f"src/extra{i}.py" for i in range(12))]
    history = CoChange.from_commits([[core, widgets], [core, widgets], sweeping, sweeping])
    assert history.smallest_commit(core, render) == len(sweeping)
    assert history.smallest_commit(core, widgets) == 2
    ranked = rank_related(summaries, graph, history, RelatedWeights(imports=0, tests=0, identifiers=0, folder=0))
    assert reasons_of(ranked, "pkg.core", "pkg.widgets") == ("changed together in 2 of 4 commits",)
    assert reasons_of(ranked, "pkg.core", "pkg.render") == (
        f"changed together in 2 of 4 commits, each touching {len(sweeping)} files or more",)
    # with the other signals on, a link by imports is the reason shown first, not the sweeping commits
    ranked = rank_related(summaries, graph, history, RelatedWeights())
    for entry in ranked["pkg.core"]:
        if any(reason.startswith(("imports", "imported by")) for reason in entry.reasons):
            assert not any("files or more" in reason for reason in entry.reasons), entry


# -- uses: definitions called and names used, from references ---------------


def use(target: str, kind: str = "call", line: int = 1) -> Reference:
    return Reference("f", line, target, kind)


def test_uses_count_distinct_definitions_called_and_other_names_used():
    called = [use("b.f"), use("b.f", line=2), use("b.g"), use("b.Cls"), use("b.Cls.__init__"), use("b.Cls.method")]
    named = [use("b.CONST", "read"), use("b.Base", "base"), use("b.deco", "decorator"), use("b.T", "annotation")]
    references = [
        *called,
        *named,
        use("b.g", "read"),  # called too: counted once, as a call
        use("b", "import"),  # imports are the imports signal's
        use("b.f", "import"),
        use("b", "read"),  # the module as a whole: no name of it
        use("b.sub.h"),
        use("a.own"),
        use("c.x", "read"),
    ]
    assert count_uses("a", references, {"a", "b", "b.sub", "c"}) == {"b": (4, 4), "b.sub": (1, 0), "c": (0, 1)}
    assert list(count_uses("a", references, {"a", "b", "b.sub", "c"})) == ["b", "b.sub", "c"]


def test_use_reasons_are_worded_both_ways():
    assert _uses_reason((12, 0)) == "calls 12 functions of"
    assert _uses_reason((1, 0)) == "calls 1 function of"
    assert _uses_reason((0, 5)) == "uses 5 names of"
    assert _uses_reason((12, 1)) == "calls 12 functions of, uses 1 other name of"
    assert _used_by_reason((12, 0)) == "called by (12 functions)"
    assert _used_by_reason((0, 1)) == "used by (1 name)"
    assert _used_by_reason((3, 2)) == "called by (3 functions), used by (2 other names)"


def usage_of(summaries) -> UsageGraph:
    index = ProjectIndex.from_summaries(Path("/x"), summaries.values())
    return UsageGraph.build(summaries, index.references)


def test_uses_follow_reexports_to_the_defining_module_both_ways(project):
    summaries, _ = project
    usage = usage_of(summaries)
    # render.py: ``log(widgets.Widget)`` calls pkg.util.log and reads pkg.widgets.Widget; ``engine: Engine``
    # (imported from the package) annotates with pkg.core.Engine.
    assert usage.uses_of("pkg.render") == {"pkg.core": (0, 1), "pkg.util": (1, 0), "pkg.widgets": (0, 1)}
    assert usage.used_by("pkg.util")["pkg.render"] == (1, 0)
    assert "pkg" not in usage.used_by("pkg.core")  # a re-export is an import, not a use


def test_calls_and_uses_are_reasons_on_both_lists(project):
    summaries, graph = project
    usage = usage_of(summaries)
    ranked = rank_related(summaries, graph, None, RelatedWeights(), usage=usage)
    assert "calls 1 function of" in reasons_of(ranked, "pkg.render", "pkg.util")
    assert "called by (1 function)" in reasons_of(ranked, "pkg.util", "pkg.render")
    assert "uses 1 name of" in reasons_of(ranked, "pkg.render", "pkg.widgets")
    assert "used by (1 name)" in reasons_of(ranked, "pkg.widgets", "pkg.render")
    assert rank_related(summaries, graph, None, RelatedWeights(), usage=usage_of(summaries)) == ranked
    without = rank_related(summaries, graph, None, RelatedWeights(uses=0), usage=usage)
    assert not any("calls" in r or "called by" in r for entries in without.values() for e in entries for r in e.reasons)


def test_more_calls_rank_higher_and_hubs_weigh_little(tmp_path):
    files = {"src/app/__init__.py": "", "src/app/hub.py": "def helper():\n    pass\n"}
    names = [f"step{i}" for i in range(6)]
    files["src/app/few.py"] = "def step0():\n    pass\n"
    files["src/app/many.py"] = "".join(f"def {name}():\n    pass\n\n" for name in names)
    for i in range(12):
        files[f"src/app/m{i:02}.py"] = "from app import hub\n\nhub.helper()\n"
    files["src/app/client.py"] = (
        "from app import few, hub, many\n\n"
        "def run():\n    hub.helper()\n    few.step0()\n" + "".join(f"    many.{name}()\n" for name in names)
    )
    summaries = summarise(write_project(tmp_path / "calls", files | {"tests/test_nothing.py": ""}))
    graph = ProjectGraph.build(summaries)
    usage = usage_of(summaries)
    assert usage.uses_of("app.client") == {"app.few": (1, 0), "app.hub": (1, 0), "app.many": (6, 0)}
    ranked = rank_related(summaries, graph, None, RelatedWeights(imports=0, identifiers=0, tests=0), usage=usage)
    assert [entry.module for entry in ranked["app.client"]][:3] == ["app.many", "app.few", "app.hub"]
    assert ranked["app.client"][0].reasons == ("calls 6 functions of",)
    assert reasons_of(ranked, "app.many", "app.client") == ("called by (6 functions)",)


def test_without_references_there_is_no_uses_signal(project):
    summaries, _ = project
    index = ProjectIndex.from_summaries(Path("/x"), summaries.values(), references=False)
    assert index.weights.uses == 0 and index.ranker.usage is None
    assert not any("calls" in r for e in index.related("pkg.render") for r in e.reasons)
    assert ProjectIndex.from_summaries(Path("/x"), summaries.values()).ranker.usage is not None
