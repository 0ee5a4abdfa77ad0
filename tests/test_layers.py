"""The layer contracts in pyproject.toml hold, and fail when a layer is broken (import-linter)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).parent.parent


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
               "--config", str(ROOT / "pyproject.toml"), "--no-cache"]
    return subprocess.run(command, cwd=package_parent, env=env, capture_output=True, text=True)


def test_the_layers_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("find.py", "import sphinx.util\n", "Nothing but the glue imports Sphinx"),
    ("project/index.py", "import sphinx_kwindex.render\n", "Stages are layers"),
    ("analyse.py", "from docutils import nodes as _nodes\n", "Only render and the glue build docutils nodes"),
])
def test_a_broken_layer_fails_the_check(tmp_path, module, line, broken):
    shutil.copytree(ROOT / "sphinx_kwindex", tmp_path / "sphinx_kwindex",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "sphinx_kwindex" / module
    text = target.read_text()
    head, _, rest = text.partition("from __future__ import annotations\n")
    target.write_text(f"{head}from __future__ import annotations\n{line}{rest}")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    assert f"{broken}" in done.stdout and "BROKEN" in done.stdout
