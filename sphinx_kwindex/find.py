"""Find the Python modules under the configured source roots and name them.

Naming (``kwindex_paths`` in docs/configuration.rst) follows Python's imports:
a file inside a package is named from the top-most enclosing package (walk up
while ``__init__.py`` exists), so ``["../src"]`` and ``["../src/torch"]`` both
give ``torch._inductor.ir``. Any other file is named by its path from the
folder Python would import it from:

* a root that Python puts on ``sys.path`` names its top-level modules from
  itself (``src/six.py`` is ``six``, CPython's ``Lib/os.py`` is ``os``);
* a test or script folder keeps unique names from the root's parent
  (``tests/unit/test_x.py`` under root ``tests`` is ``tests.unit.test_x``).

Which one a root is, is guessed (:func:`is_sys_path_root`) unless the user says.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_kwindex.model import Problem, SourceFile, Subtype

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
        if os.path.exists(folder / ".git"):  # unlike Path.exists, never raises (e.g. EACCES)
            return folder
    return Path(os.path.commonpath([_import_parent(root) for root in roots]))


def _import_parent(root: Path) -> Path:
    """The folder a root's modules are named from: above its top-most package."""
    folder = root
    while os.path.isfile(folder / "__init__.py") and folder.parent != folder:
        folder = folder.parent
    return folder if folder != root else root.parent


#: Folder names that are on ``sys.path`` in the layouts users have (``src/`` layouts, CPython's ``Lib/``).
_SYS_PATH_NAMES = frozenset({"src", "lib", "Lib"})


def is_sys_path_root(root: Path) -> bool:
    """Whether Python imports the top-level modules of ``root`` (not itself a package) as
    top-level modules: a folder named like ``src`` or holding a package, unless its name says
    it holds tests (test folders are put on ``sys.path`` one by one: their names stay unique)."""
    if is_test_path(f"{root.name}/x.py") or os.path.isfile(root / "__init__.py"):
        return False
    if root.name in _SYS_PATH_NAMES:
        return True
    try:
        with os.scandir(root) as entries:
            return any(entry.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(entry.path, "__init__.py"))
                       for entry in entries if not entry.name.startswith("."))
    except OSError:
        return False


def is_test_path(path: str) -> bool:
    """Test modules by the conventions pytest and unittest users follow (``path`` is relative to
    the project root): ``test_*.py``, ``*_test.py``, ``conftest.py``, anything under a ``test`` or
    ``tests`` folder, or under a top-level ``testing`` folder (pytest's own layout)."""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    return (
        stem.startswith("test_")
        or stem.endswith("_test")
        or stem == "conftest"
        or any(part in ("test", "tests") for part in parts[:-1])
        or (len(parts) > 1 and parts[0] == "testing")
    )


def find_sources(roots: list[Path], exclude: list[str] = (), skip: list[Path] = (),
                 sys_path: dict[Path, bool] | None = None) -> FoundSources:
    """Walk ``roots`` (absolute, resolved) and return the modules in a stable order.

    ``sys_path`` says for some roots whether Python puts them on ``sys.path``
    (their top-level modules are named from them); the others are guessed by
    :func:`is_sys_path_root`.

    ``exclude`` holds glob patterns matched against each file's POSIX path
    relative to the project root (``*`` also matches ``/``); ``skip`` holds
    folders never entered (the Sphinx source, build and output folders).

    Hostile trees (issue 6): nothing found here is opened beyond ``stat``.
    Hidden files and folders are skipped like caches. Folder symlinks are
    never followed (so symlink loops cannot loop); one leading outside the
    roots is reported, one inside is silent since its target is walked
    anyway. File symlinks are indexed when they lead into a root. A folder
    that cannot be listed gives one ``unreadable`` problem; a folder whose
    name makes its modules unimportable gives one ``bad-module-name`` problem
    for all of them. A folder reached twice through overlapping roots is
    walked once. Of two files with one module name the first root wins, except that
    a package wins over a same-named module beside it, as in Python.
    """
    found = FoundSources(project_root_of(roots))
    naming = {root: (sys_path or {}).get(root) for root in roots}
    name_from = {root: root if (is_sys_path_root(root) if naming[root] is None else naming[root]) else root.parent
                 for root in roots}
    skipped = {os.path.normcase(str(folder)) for folder in skip}
    real_roots = [os.path.realpath(root) for root in roots]
    package_dirs: dict[str, bool] = {}
    #: module name -> index of its file in ``found.files``
    seen: dict[str, int] = {}
    #: folders walked already (roots may overlap: ``["src", "src/pkg"]``)
    walked: set[str] = set()
    #: unimportable folder -> [index of its problem in ``found.problems``, modules skipped]
    bad_dirs: dict[str, list[int]] = {}
    #: folder with files of unimportable names -> [index of its problem, files skipped]
    bad_files: dict[str, list[int]] = {}

    def is_package_dir(folder: str) -> bool:
        if folder not in package_dirs:
            package_dirs[folder] = os.path.isfile(os.path.join(folder, "__init__.py")) or os.path.isfile(
                os.path.join(folder, "__init__.pyi")
            )
        return package_dirs[folder]

    for root in roots:
        if not os.path.isdir(root):  # unlike Path.is_dir, never raises (e.g. EACCES)
            continue
        for folder, dirnames, filenames in os.walk(root, onerror=lambda exc: _unreadable(found, exc)):
            if folder in walked:  # overlapping roots: the first root names its modules
                dirnames[:] = []
                continue
            walked.add(folder)
            dirnames[:] = sorted(
                name
                for name in dirnames
                if not name.startswith(".")
                and name not in _SKIPPED_DIR_NAMES
                and not name.endswith(".egg-info")
                and os.path.normcase(os.path.join(folder, name)) not in skipped
                and not os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))
            )
            # Only folders that would be searched: a linked ``.venv`` or build folder says nothing.
            for name in dirnames:
                _check_folder_link(found, os.path.join(folder, name), real_roots)
            names = set(filenames)
            for filename in sorted(names):
                stem, suffix = os.path.splitext(filename)
                if suffix not in _SUFFIXES or (suffix == ".pyi" and stem + ".py" in names):
                    continue
                if filename.startswith("."):  # editor files such as emacs' ``.#mod.py`` lock links
                    continue
                abspath = os.path.join(folder, filename)
                path = os.path.relpath(abspath, found.project_root).replace(os.sep, "/")
                if any(fnmatch.fnmatchcase(path, pattern) for pattern in exclude):
                    continue
                source = _source_file(
                    found, name_from[root], folder, stem, suffix, abspath, path, is_package_dir, real_roots,
                    bad_dirs, bad_files,
                )
                if source is None:
                    continue
                if source.module in seen:
                    _duplicate(found, seen, source)
                    continue
                seen[source.module] = len(found.files)
                found.files.append(source)
    for index, count in bad_dirs.values():
        where, problem = found.problems[index]
        message = f"{problem.message}; {count} module{'s' if count != 1 else ''} under it skipped"
        found.problems[index] = (where, Problem(problem.subtype, message, problem.line))
    for index, count in bad_files.values():
        where, problem = found.problems[index]
        others = f" (and {count - 1} more file{'s' if count != 2 else ''} of this folder)" if count > 1 else ""
        found.problems[index] = (where, Problem(problem.subtype, f"{problem.message}{others}; skipped", problem.line))
    return found


def _inside_tests(top: str, name_from: Path) -> bool:
    """Whether the folder above a top-most package is a test folder below where its root names from."""
    relative = os.path.relpath(top, name_from).replace(os.sep, "/")
    return relative != "." and not relative.startswith("..") and is_test_path(f"{relative}/x.py")


def _duplicate(found: FoundSources, seen: dict[str, int], source: SourceFile) -> None:
    """Report the copy of a module that Python would not import."""
    index = seen[source.module]
    first = found.files[index]
    # ``mod/__init__.py`` beside ``mod.py``: Python imports the package.
    if source.is_package and not first.is_package and _package_dir_of(source) == os.path.splitext(first.abspath)[0]:
        found.files[index], first, source = source, source, first
        message = f"module {source.module!r} is also the package at {first.path}, which Python imports; this file is ignored"
    else:
        message = f"module {source.module!r} is also found at {first.path}; this copy is ignored"
    found.problems.append((_display(source.abspath), Problem(Subtype.DUPLICATE_MODULE, message)))


def _package_dir_of(source: SourceFile) -> str:
    return os.path.dirname(source.abspath)


def _unreadable(found: FoundSources, exc: OSError) -> None:
    where = _display(exc.filename or "")
    found.problems.append((where, Problem(Subtype.UNREADABLE, f"cannot list folder: {exc.strerror or exc}")))


def _check_folder_link(found: FoundSources, folder: str, real_roots: list[str]) -> None:
    """Folder symlinks are not followed; say so when that leaves modules out."""
    if not os.path.islink(folder):
        return
    target = os.path.realpath(folder)
    if not any(target == r or target.startswith(r + os.sep) for r in real_roots):
        message = "symbolic link to a folder outside the source roots; not followed (add its target to kwindex_paths)"
        found.problems.append((_display(folder), Problem(Subtype.SYMLINK_OUTSIDE, message)))


def _display(path: str) -> str:
    """``path`` as printable text: bytes that are not UTF-8 shown as ``\\xe9``.

    POSIX file names are bytes; Python decodes undecodable ones to lone
    surrogates, which a UTF-8 log or page cannot hold.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _say_once(found: FoundSources, counts: dict[str, list[int]], key: str, where: str, message: str) -> None:
    """A ``bad-module-name`` problem for the first file under ``key``; later ones are only counted."""
    if key in counts:
        counts[key][1] += 1
    else:
        counts[key] = [len(found.problems), 1]
        found.problems.append((_display(where), Problem(Subtype.BAD_MODULE_NAME, message)))


def _source_file(
    found, name_from, folder, stem, suffix, abspath, path, is_package_dir, real_roots, bad_dirs, bad_files
) -> SourceFile | None:
    if os.path.islink(abspath):
        target = os.path.realpath(abspath)
        if not os.path.isfile(target):
            found.problems.append((_display(abspath), Problem(Subtype.BROKEN_SYMLINK, "symbolic link leads nowhere; skipped")))
            return None
        if not any(target == r or target.startswith(r + os.sep) for r in real_roots):
            message = "symbolic link leads outside the source roots; skipped"
            found.problems.append((_display(abspath), Problem(Subtype.SYMLINK_OUTSIDE, message)))
            return None
    # The module's top folder: the top-most enclosing package, else where the root names from.
    top = folder
    while is_package_dir(top) and os.path.dirname(top) != top:
        top = os.path.dirname(top)
    if top == folder or _inside_tests(top, name_from):
        # A package inside a test folder (a fixture app such as ``tests/test_apps/cliapp``) keeps
        # the test folder's unique names, like the test modules beside it.
        top = str(name_from)
    relative = os.path.relpath(os.path.join(folder, stem), top).replace(os.sep, "/")
    parts = relative.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    # Non-ASCII identifiers (``café``) are importable and kept; ``my-script``,
    # ``a.b`` and names with bytes that are not UTF-8 are not.
    bad = next((i for i, part in enumerate(parts) if not part.isidentifier()), None)
    if bad is not None and (bad < len(parts) - 1 or is_package):
        # A folder's name: one problem for the folder, counting its modules.
        bad_dir = os.path.join(top, *parts[: bad + 1])
        _say_once(found, bad_dirs, bad_dir, bad_dir, f"folder '{_display(parts[bad])}' is not an importable package name")
        return None
    if not parts or bad is not None:
        # One problem per folder: a package of data modules (``tables/v10-0-0.py``, loaded through
        # importlib) must not give a hundred warnings.
        name = f"{_display(parts[-1] if parts else stem)}{suffix}"
        _say_once(found, bad_files, folder, abspath, f"'{name}' is not an importable module name")
        return None
    if path != _display(path):
        # A folder above the top package with a name that is not UTF-8: the
        # module name is fine but its path cannot be published.
        message = f"path '{_display(path)}' is not valid UTF-8; file skipped"
        found.problems.append((_display(abspath), Problem(Subtype.BAD_MODULE_NAME, message)))
        return None
    return SourceFile(
        module=".".join(parts),
        abspath=abspath,
        path=path,
        is_package=is_package,
        is_test=is_test_path(path),
        is_stub=suffix == ".pyi",
    )
