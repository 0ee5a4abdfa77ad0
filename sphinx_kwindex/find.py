"""Find the Python modules under the configured source roots and name them.

Naming (DESIGN.md): a file inside a package is named from the top-most
enclosing package (walk up while ``__init__.py`` exists), so ``["../src"]`` and
``["../src/torch"]`` both give ``torch._inductor.ir``; any other file is named
by its path from the configured root's parent (``tests/unit/test_x.py`` under
root ``tests`` is ``tests.unit.test_x``).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_kwindex.model import Problem, SourceFile

#: Folders never searched: caches, virtual environments, tool state.
_SKIPPED_DIR_NAMES = frozenset({"__pycache__", "node_modules", "site-packages"})
_SUFFIXES = (".py", ".pyi")


@dataclass
class FoundSources:
    """What :func:`find_sources` found: files to analyse and problems to report."""

    project_root: Path
    files: list[SourceFile] = field(default_factory=list)
    #: (absolute path, problem) pairs, in discovery order
    problems: list[tuple[str, Problem]] = field(default_factory=list)


def project_root_of(roots: list[Path]) -> Path:
    """The top of the git work tree holding the first root, else the common parent of
    the roots (a root inside a package counts from its top-most package)."""
    for folder in (roots[0], *roots[0].parents):
        if (folder / ".git").exists():
            return folder
    return Path(os.path.commonpath([_import_parent(root) for root in roots]))


def _import_parent(root: Path) -> Path:
    """The folder a root's modules are named from: above its top-most package."""
    folder = root
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder if folder != root else root.parent


def is_test_path(path: str) -> bool:
    """Test modules by the conventions pytest and unittest users follow."""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    return (
        stem.startswith("test_")
        or stem.endswith("_test")
        or stem == "conftest"
        or any(part in ("test", "tests") for part in parts[:-1])
    )


def find_sources(roots: list[Path], exclude: list[str] = (), skip: list[Path] = ()) -> FoundSources:
    """Walk ``roots`` (absolute, resolved) and return the modules in a stable order.

    ``exclude`` holds glob patterns matched against each file's POSIX path
    relative to the project root (``*`` also matches ``/``); ``skip`` holds
    folders never entered (the Sphinx source, build and output folders).
    """
    found = FoundSources(project_root_of(roots))
    skipped = {os.path.normcase(str(folder)) for folder in skip}
    real_roots = [os.path.realpath(root) for root in roots]
    package_dirs: dict[str, bool] = {}
    seen: dict[str, str] = {}

    def is_package_dir(folder: str) -> bool:
        if folder not in package_dirs:
            package_dirs[folder] = os.path.isfile(os.path.join(folder, "__init__.py")) or os.path.isfile(
                os.path.join(folder, "__init__.pyi")
            )
        return package_dirs[folder]

    for root in roots:
        if not root.is_dir():
            continue
        for folder, dirnames, filenames in os.walk(root, onerror=lambda exc: _unreadable(found, exc)):
            dirnames[:] = sorted(
                name
                for name in dirnames
                if not name.startswith(".")
                and name not in _SKIPPED_DIR_NAMES
                and not name.endswith(".egg-info")
                and os.path.normcase(os.path.join(folder, name)) not in skipped
                and not os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))
            )
            names = set(filenames)
            for filename in sorted(names):
                stem, suffix = os.path.splitext(filename)
                if suffix not in _SUFFIXES or (suffix == ".pyi" and stem + ".py" in names):
                    continue
                abspath = os.path.join(folder, filename)
                path = os.path.relpath(abspath, found.project_root).replace(os.sep, "/")
                if any(fnmatch.fnmatchcase(path, pattern) for pattern in exclude):
                    continue
                source = _source_file(found, root, folder, stem, suffix, abspath, path, is_package_dir, real_roots)
                if source is None:
                    continue
                if source.module in seen:
                    message = f"module {source.module!r} is also found at {seen[source.module]}; this copy is ignored"
                    found.problems.append((abspath, Problem("duplicate-module", message)))
                    continue
                seen[source.module] = source.path
                found.files.append(source)
    return found


def _unreadable(found: FoundSources, exc: OSError) -> None:
    found.problems.append((exc.filename or "", Problem("unreadable", f"cannot list folder: {exc.strerror}")))


def _source_file(found, root, folder, stem, suffix, abspath, path, is_package_dir, real_roots) -> SourceFile | None:
    if os.path.islink(abspath):
        target = os.path.realpath(abspath)
        if not os.path.isfile(target):
            found.problems.append((abspath, Problem("broken-symlink", "symbolic link leads nowhere; skipped")))
            return None
        if not any(target == r or target.startswith(r + os.sep) for r in real_roots):
            message = "symbolic link leads outside the source roots; skipped"
            found.problems.append((abspath, Problem("symlink-outside", message)))
            return None
    # The module's top folder: the top-most enclosing package, else the root's parent.
    top = folder
    while is_package_dir(top) and os.path.dirname(top) != top:
        top = os.path.dirname(top)
    if top == folder:
        top = str(root.parent)
    relative = os.path.relpath(os.path.join(folder, stem), top).replace(os.sep, "/")
    parts = relative.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        message = f"{'/'.join(parts) or stem!r} is not an importable module name; file skipped"
        found.problems.append((abspath, Problem("bad-module-name", message)))
        return None
    return SourceFile(
        module=".".join(parts),
        abspath=abspath,
        path=path,
        is_package=is_package,
        is_test=is_test_path(path),
        is_stub=suffix == ".pyi",
    )
