"""Properties of whole builds: incremental equals fresh for random edit sequences; -j N equals serial."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import build, copy_root

EXAMPLES = int(os.environ.get("KWINDEX_BUILD_EXAMPLES", "4"))

NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta", "render", "__init__", "_private"])
MODULES = st.sampled_from(["gpkg.extra", "gpkg.sub.more", "gpkg.core", "gpkg.sub.leaf", "tests.unit.test_more"])
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("define"), MODULES, NAMES),
        st.tuples(st.just("remove"), MODULES, st.just("")),
        st.tuples(st.just("document"), MODULES, NAMES),
        st.tuples(st.just("import"), MODULES, MODULES),
    ),
    min_size=1,
    max_size=4,
)


def module_file(srcdir: Path, module: str) -> Path:
    parts = module.split(".")
    base = srcdir / ("tests" if parts[0] == "tests" else "src")
    return base.joinpath(*parts[1:] if parts[0] == "tests" else parts).with_suffix(".py")


def apply(srcdir: Path, operation: tuple[str, str, str]) -> None:
    """One edit of the project: add a definition, remove a module, change a docstring, add an import."""
    kind, module, value = operation
    path = module_file(srcdir, module)
    if kind == "remove":
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else ""
    if kind == "define":
        text += f"\n\ndef {value}(x):\n    return x\n"
    elif kind == "document":
        text = f'"""{value} docs."""\n' + text
    else:
        text = f"import {value}\n" + text
    path.write_text(text)


def outputs(app) -> dict[str, str]:
    """What a reader sees: the page of every document, and the JSON export.

    (Sphinx never deletes the output of a removed document; such stale files are
    not part of the site, so only pages of existing documents are compared.)
    """
    outdir = Path(app.outdir)
    pages = {f"{docname}.html" for docname in app.env.found_docs} | {"kwindex.json"}
    return {page: (outdir / page).read_text() for page in sorted(pages)}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(OPERATIONS, min_size=1, max_size=3))
def test_incremental_build_equals_fresh_build(tmp_path_factory, steps):
    work = tmp_path_factory.mktemp("incremental")
    srcdir = copy_root("generate", work)
    build(srcdir)
    for operations in steps:
        for operation in operations:
            apply(srcdir, operation)
        incremental, _ = build(srcdir)
    fresh_dir = work / "fresh"
    shutil.copytree(srcdir, fresh_dir, ignore=shutil.ignore_patterns("_build", "api"))
    fresh, _ = build(fresh_dir)
    assert outputs(incremental) == outputs(fresh)
    generated = {p.name: p.read_text() for p in (srcdir / "api").rglob("*.rst")}
    assert generated == {p.name: p.read_text() for p in (fresh_dir / "api").rglob("*.rst")}


@pytest.mark.parametrize("jobs", [2, 4])
def test_parallel_builds_equal_serial(tmp_path, jobs):
    serial, _ = build(copy_root("generate", tmp_path / "serial"))
    parallel, _ = build(copy_root("generate", tmp_path / f"j{jobs}"), parallel=jobs)
    assert parallel.warning.getvalue() == ""
    assert outputs(parallel) == outputs(serial)
