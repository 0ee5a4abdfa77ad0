"""Stage 1, find: the naming rules of DESIGN.md on the layouts users have (no Sphinx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sphinx_kwindex.find import find_sources, is_test_path, project_root_of


def tree(root: Path, *paths: str) -> Path:
    """Empty Python files at ``paths`` (POSIX, relative to ``root``)."""
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")
    return root


def names(*roots: Path, **kwargs) -> dict[str, str]:
    """{module name: project-relative path} of what ``find_sources`` finds under ``roots``."""
    found = find_sources([root.resolve() for root in roots], **kwargs)
    return {source.module: source.path for source in found.files}


def test_a_package_file_is_named_from_its_top_most_package_whatever_the_root(tmp_path):
    tree(tmp_path, "src/torch/__init__.py", "src/torch/_inductor/__init__.py", "src/torch/_inductor/ir.py")
    from_src = names(tmp_path / "src")
    from_package = names(tmp_path / "src" / "torch")
    from_subpackage = names(tmp_path / "src" / "torch" / "_inductor")
    assert from_src["torch._inductor.ir"] == "src/torch/_inductor/ir.py"
    assert set(from_src) == set(from_package) == {"torch", "torch._inductor", "torch._inductor.ir"}
    assert set(from_subpackage) == {"torch._inductor", "torch._inductor.ir"}


def test_the_walk_up_stops_where_init_files_stop(tmp_path):
    # outer/ has no __init__.py: inner is the top-most package, outer is no part of the name.
    tree(tmp_path, "outer/inner/__init__.py", "outer/inner/mod.py")
    assert set(names(tmp_path / "outer" / "inner")) == {"inner", "inner.mod"}
    assert set(names(tmp_path / "outer")) == {"inner", "inner.mod"}


def test_a_test_folder_without_init_keeps_names_from_the_roots_parent(tmp_path):
    tree(tmp_path, "tests/unit/test_x.py", "tests/conftest.py", "tests/helpers.py")
    assert names(tmp_path / "tests") == {
        "tests.conftest": "tests/conftest.py",
        "tests.helpers": "tests/helpers.py",
        "tests.unit.test_x": "tests/unit/test_x.py",
    }


def test_src_layout_with_packages_and_tests_beside_it(tmp_path):
    tree(tmp_path, "src/pkg/__init__.py", "src/pkg/core.py", "tests/test_core.py")
    found = names(tmp_path / "src", tmp_path / "tests")
    assert found == {"pkg": "src/pkg/__init__.py", "pkg.core": "src/pkg/core.py",
                     "tests.test_core": "tests/test_core.py"}


def test_a_fixture_package_in_a_test_folder_keeps_the_test_folders_names(tmp_path):
    # flask's tests/test_apps/cliapp: a package its tests import by putting test_apps on sys.path;
    # in the project it belongs under tests, not beside the project's own top-level packages.
    tree(tmp_path, "src/flask/__init__.py", "tests/test_cli.py", "tests/test_apps/cliapp/__init__.py",
         "tests/test_apps/cliapp/app.py", "tests/test_apps/helloworld/hello.py")
    found = names(tmp_path / "src", tmp_path / "tests")
    assert {name.partition(".")[0] for name in found} == {"flask", "tests"}
    assert found["tests.test_apps.cliapp.app"] == "tests/test_apps/cliapp/app.py"
    assert found["tests.test_apps.cliapp"] == "tests/test_apps/cliapp/__init__.py"
    assert "tests.test_apps.helloworld.hello" in found


def test_a_top_level_module_under_src_is_named_as_python_imports_it(tmp_path):
    tree(tmp_path, "src/six.py")
    assert names(tmp_path / "src") == {"six": "src/six.py"}


def test_a_folder_holding_packages_is_on_sys_path_and_names_its_modules_from_itself(tmp_path):
    # CPython's Lib/ (by its name), and any folder beside its packages: python -m puts it on sys.path.
    tree(tmp_path, "Lib/os.py", "Lib/json/__init__.py", "Lib/json/decoder.py",
         "repo/app/__init__.py", "repo/setup.py", "repo/tools/gen.py")
    assert names(tmp_path / "Lib") == {"os": "Lib/os.py", "json": "Lib/json/__init__.py",
                                       "json.decoder": "Lib/json/decoder.py"}
    assert set(names(tmp_path / "repo")) == {"app", "setup", "tools.gen"}


def test_the_user_says_which_roots_are_on_sys_path(tmp_path):
    tree(tmp_path, "src/six.py", "scripts/run.py", "tests/helpers.py")
    root = (tmp_path / "src").resolve()
    assert names(tmp_path / "src", sys_path={root: False}) == {"src.six": "src/six.py"}
    assert names(tmp_path / "scripts") == {"scripts.run": "scripts/run.py"}  # guessed: no package in it
    assert names(tmp_path / "scripts", sys_path={(tmp_path / "scripts").resolve(): True}) == {"run": "scripts/run.py"}
    assert names(tmp_path / "tests", sys_path={(tmp_path / "tests").resolve(): True}) == {"helpers": "tests/helpers.py"}


def test_namespace_packages_are_folders_of_the_name(tmp_path):
    # ns/ has no __init__.py and holds a package: it is a sys.path folder; its sub-folder
    # without __init__.py is a namespace package (PEP 420).
    tree(tmp_path, "ns/plugin/__init__.py", "ns/plugin/api.py", "ns/loose.py", "ns/space/part.py")
    assert set(names(tmp_path / "ns")) == {"plugin", "plugin.api", "loose", "space.part"}


def test_nested_roots_name_each_file_once_by_the_first_root(tmp_path):
    tree(tmp_path, "src/pkg/__init__.py", "src/pkg/sub/__init__.py", "src/pkg/sub/mod.py")
    found = find_sources([(tmp_path / "src").resolve(), (tmp_path / "src" / "pkg" / "sub").resolve()])
    assert [source.module for source in found.files] == ["pkg", "pkg.sub", "pkg.sub.mod"]
    assert found.problems == []


def test_stub_only_modules_are_found_and_a_stub_beside_its_module_is_not(tmp_path):
    tree(tmp_path, "pkg/__init__.py", "pkg/fast.pyi", "pkg/slow.py", "pkg/slow.pyi")
    found = find_sources([(tmp_path / "pkg").resolve()])
    by_name = {source.module: source for source in found.files}
    assert set(by_name) == {"pkg", "pkg.fast", "pkg.slow"}
    assert by_name["pkg.fast"].is_stub and not by_name["pkg.slow"].is_stub


def test_exclude_patterns_and_skipped_folders(tmp_path):
    tree(tmp_path, "pkg/__init__.py", "pkg/gen/table.py", "pkg/keep.py", "pkg/docs/_build/x.py")
    found = names(tmp_path / "pkg", exclude=["pkg/gen/*"], skip=[(tmp_path / "pkg" / "docs").resolve()])
    assert set(found) == {"pkg", "pkg.keep"}


def test_the_project_root_is_the_git_work_tree_else_the_common_parent(tmp_path):
    tree(tmp_path, "repo/src/pkg/__init__.py", "repo/tests/test_a.py")
    roots = [(tmp_path / "repo" / "src" / "pkg").resolve(), (tmp_path / "repo" / "tests").resolve()]
    assert project_root_of(roots) == (tmp_path / "repo").resolve()
    (tmp_path / "repo" / ".git").mkdir()
    assert project_root_of([roots[0]]) == (tmp_path / "repo").resolve()


@pytest.mark.parametrize(("path", "is_test"), [
    ("pkg/test_core.py", True), ("pkg/core_test.py", True), ("conftest.py", True),
    ("tests/helpers.py", True), ("pkg/test/data.py", True), ("testing/util.py", True),
    ("pkg/core.py", False), ("pkg/testing/util.py", False), ("pkg/contest.py", False),
])
def test_test_modules_by_pytest_conventions(path, is_test):
    assert is_test_path(path) is is_test
