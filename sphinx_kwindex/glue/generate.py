"""Generated pages for a whole project: a stub per module, package and folder, and the project
keyword index, written at ``builder-inited`` under ``kwindex_generate``.

Pages are small rST stubs (a title, one directive that builds nodes directly,
a hidden toctree of children), so docutils' rST parser does little work and
navigation is a tree that mirrors the packages. A file is written only when its
content changes, so Sphinx re-reads only what changed; files are tracked in a
manifest, and only files this extension wrote are ever replaced or deleted.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.project_keywords import KeywordGroup

MANIFEST = ".kwindex-manifest.json"
MODULE_SECTIONS = "facts, keywords, related"
PACKAGE_SECTIONS = "facts, contents, keywords, related"
KEYWORDS_FOLDER = "keywords"
#: The label of the project keyword index, for ``:ref:`kwindex-keywords```.
KEYWORD_INDEX_LABEL = "kwindex-keywords"


@dataclass
class SyncReport:
    """What :func:`sync_pages` did."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: planned pages not written because a file the extension did not write is in the way
    conflicts: list[str] = field(default_factory=list)
    #: pages next to an added or removed page in reading order (their previous/next links change)
    neighbours: list[str] = field(default_factory=list)


def plan_pages(index: ProjectIndex, groups: list[KeywordGroup], title: str) -> dict[str, str]:
    """{path relative to the generated folder: rST text} for the whole project."""
    pages = {"index.rst": _root_page(index, title)}
    for name in _all_names(index):
        children = index.children(name)
        if index.is_folder(name):
            sections = "contents"
        else:
            sections = PACKAGE_SECTIONS if children else MODULE_SECTIONS
        pages[f"{name}.rst"] = _page(f"``{name}``", f".. kwindex:: {name}\n   :sections: {sections}\n", children)
    keyword_pages = [group.key for group in groups]  # relative to keywords/index
    pages[f"{KEYWORDS_FOLDER}/index.rst"] = (
        f".. _{KEYWORD_INDEX_LABEL}:\n\n" + _page("Project keyword index", ".. kwindex-keywords::\n", [], keyword_pages)
    )
    for group in groups:
        pages[f"{KEYWORDS_FOLDER}/{group.key}.rst"] = _page(
            f"Keywords: {_rst_text(group.title)}", f".. kwindex-keywords:: {group.key}\n", []
        )
    return pages


def page_order(index: ProjectIndex, groups: list[KeywordGroup]) -> list[str]:
    """The generated pages in the order a reader pages through them (depth first through the toctrees)."""
    return (
        ["index.rst"]
        + [f"{name}.rst" for name in _all_names(index)]
        + [f"{KEYWORDS_FOLDER}/index.rst"]
        + [f"{KEYWORDS_FOLDER}/{group.key}.rst" for group in groups]
    )


def module_docname(folder: str, name: str) -> str:
    return f"{folder}/{name}"


def keyword_docname(folder: str, key: str) -> str:
    return f"{folder}/{KEYWORDS_FOLDER}/{key}"


def _all_names(index: ProjectIndex) -> list[str]:
    names: list[str] = []
    stack = list(reversed(index.children("")))
    while stack:
        name = stack.pop()
        names.append(name)
        stack.extend(reversed(index.children(name)))
    return names


def _root_page(index: ProjectIndex, title: str) -> str:
    top = index.children("")
    body = (
        f"{len(index.modules)} modules, found under the configured source roots and analysed statically.\n"
        f"Every name they define is in the :ref:`project keyword index <{KEYWORD_INDEX_LABEL}>`.\n"
    )
    return _page(title, body, [], [*top, f"{KEYWORDS_FOLDER}/index"], hidden=False)


def _rst_text(text: str) -> str:
    """``text`` as literal rST inline text (``C_`` would otherwise be a reference)."""
    return "".join("\\" + char if char in "\\`*_|[]<>:" else char for char in text)


def _page(title: str, body: str, children: list[str], extra: list[str] = (), hidden: bool = True) -> str:
    lines = [title, "=" * max(len(title), 3), "", body]
    entries = [*children, *extra]
    if entries:
        lines += [".. toctree::", "   :hidden:" if hidden else "   :maxdepth: 1", ""]
        lines += [f"   {entry}" for entry in entries]
        lines.append("")
    return "\n".join(lines)


def sync_pages(folder: Path, pages: dict[str, str], order: list[str] = ()) -> SyncReport:
    """Make ``folder`` hold exactly ``pages`` among the files this extension wrote there.

    Unchanged files are left alone (their modification time too); files listed
    in the manifest but no longer planned are deleted; a planned file that
    exists but is not in the manifest belongs to the user and is not touched.
    ``order`` is the reading order of the pages, kept in the manifest to find
    the neighbours of added and removed pages.
    """
    report = SyncReport()
    folder.mkdir(parents=True, exist_ok=True)
    ours, old_order = _read_manifest(folder)
    for relpath in sorted(pages):
        target = folder / relpath
        if target.exists() and relpath not in ours:
            report.conflicts.append(relpath)
            continue
        text = pages[relpath]
        if target.is_file() and _read(target) == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, text)
        report.written.append(relpath)
    for relpath in sorted(ours - set(pages)):
        target = folder / relpath
        if target.is_file():
            target.unlink()
            report.removed.append(relpath)
    order = list(order) or sorted(pages)
    if old_order:
        report.neighbours = sorted(
            _neighbours(order, set(order) - set(old_order)) | _neighbours(old_order, set(old_order) - set(order))
        )
    files = sorted(set(pages) - set(report.conflicts))
    manifest = {"files": files, "order": order}
    _write_atomic(folder / MANIFEST, json.dumps(manifest, indent=0) + "\n")
    return report


def _neighbours(order: list[str], changed: set[str]) -> set[str]:
    around = set()
    for position, page in enumerate(order):
        if page in changed:
            around.update(order[max(0, position - 1) : position + 2])
    return around - changed


def _read_manifest(folder: Path) -> tuple[set[str], list[str]]:
    """The files this extension wrote into ``folder``, and their reading order at the time."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set(), []
    names = manifest.get("files") if isinstance(manifest, dict) else None
    order = manifest.get("order") if isinstance(manifest, dict) else None
    if not isinstance(names, list):
        return set(), []
    # Only plain relative paths inside the folder: a tampered manifest must not delete elsewhere.
    files = {n for n in names if isinstance(n, str) and n.endswith(".rst") and ".." not in Path(n).parts
             and not Path(n).is_absolute()}
    order = [n for n in order if isinstance(n, str)] if isinstance(order, list) else []
    return files, order


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomic(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".kwindex-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
