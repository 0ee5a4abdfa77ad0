"""``kwindex.json``: the machine-readable export (contract in DESIGN.md)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from sphinx_kwindex.fingerprint import code_digest
from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.pipeline import ProjectSettings, ProjectState, open_store
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.runner.cache import entry_key
from sphinx_kwindex.store import Entry, write_atomic

JSON_VERSION = 1
#: Each module's summary part of the export, by the summary it was made from.
EXPORT_PARTS = Entry("kwindex-export.cache", "the kwindex.json cache", "the next build encodes every module again",
                     code_digest)


def kwindex_data(index: ProjectIndex, domain, fingerprint: str = "") -> dict:
    """The export as plain data: every analysed module, sorted by name."""
    modules = {name: module_data(name, index, domain.module_location(name)) for name in index.modules}
    return {"version": JSON_VERSION, "fingerprint": fingerprint, "modules": modules}


def module_data(name: str, index: ProjectIndex, location: tuple[str, str] | None) -> dict:
    """One module's entry of the export."""
    head, middle = _summary_data(index.modules[name])
    return {**head, "docname": location[0] if location else None, **middle, "related": _related_data(name, index)}


def _summary_data(summary: ModuleSummary) -> tuple[dict, dict]:
    """What a module's entry takes from its summary alone: the members before ``docname``, and
    those between it and ``related``."""
    keywords = [{"name": d.name, "kind": d.kind, "line": d.line} for d in summary.definitions]
    keywords += [{"name": i.name, "kind": "import", "line": i.line} for i in summary.imported_names]
    head = {"path": summary.path, "is_package": summary.source.is_package, "is_test": summary.source.is_test}
    imports = [{"module": i.module, "names": list(i.names), "line": i.line} for i in summary.imports]
    return head, {"keywords": keywords, "imports": imports}


def _related_data(name: str, index: ProjectIndex) -> list[dict]:
    return [
        {"module": entry.module, "path": index.modules[entry.module].path, "score": entry.score,
         "reasons": list(entry.reasons)}
        for entry in index.related(name)
    ]


def export_fingerprint(index: ProjectIndex, domain, project_fingerprint: str) -> str:
    """Changes whenever the export's inputs may: the project, and which page shows which module."""
    hasher = hashlib.blake2b(project_fingerprint.encode(), digest_size=16)
    for name in index.modules:
        location = domain.module_location(name)
        hasher.update(f"{name}\0{location[0] if location else ''}\0".encode())
    return hasher.hexdigest()


def write_kwindex_json(outdir: Path, state: ProjectState, domain, settings: ProjectSettings | None = None,
                       info: Callable[[str], None] = lambda message: None) -> bool:
    """Write ``outdir/kwindex.json`` atomically, unless it already holds the export of exactly these inputs.

    Compact, so the standard library's C encoder writes it. The part of each module's
    entry that is a function of its summary alone (path, keywords, imports) is kept in
    the store keyed by the summary, so an edit encodes one module's part again, not
    2320 (the text is what encoding everything at once gives). Returns whether the
    file was written.
    """
    target = outdir / "kwindex.json"
    fingerprint = export_fingerprint(state.index, domain, state.fingerprint)
    if _stored_fingerprint(target) == fingerprint:
        return False
    store = open_store(settings, info) if settings is not None else None
    stored = store.read(EXPORT_PARTS, check=_valid_parts) if store is not None else None
    previous: dict = stored if stored is not None else {}
    parts: dict[tuple, tuple[str, str]] = {}
    body = []
    for name, summary in state.index.modules.items():
        key = entry_key(summary.source, summary.digest)
        part = parts[key] = previous.get(key) or _summary_part(summary)
        location = domain.module_location(name)
        related = _related_data(name, state.index)
        body.append(f"{_dumps(name)}:{{{part[0]},\"docname\":{_dumps(location[0] if location else None)},"
                    f"{part[1]},\"related\":{_dumps(related)}}}")
    head = _dumps({"version": JSON_VERSION, "fingerprint": fingerprint})[:-1]
    write_atomic(target, f'{head},"modules":{{{",".join(body)}}}}}\n')
    if store is not None and parts.keys() != previous.keys():
        store.write(EXPORT_PARTS, parts)
    return True


def _summary_part(summary: ModuleSummary) -> tuple[str, str]:
    """:func:`_summary_data` as JSON members."""
    head, middle = _summary_data(summary)
    return _dumps(head)[1:-1], _dumps(middle)[1:-1]


def _valid_parts(parts: object) -> bool:
    return isinstance(parts, dict) and all(
        isinstance(value, tuple) and len(value) == 2 and all(isinstance(text, str) for text in value)
        for value in parts.values()
    )


def _dumps(value) -> str:
    # json.dumps, not json.dump: only the one-shot encoder is the C one (4 s vs 0.5 s on PyTorch).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stored_fingerprint(target: Path) -> str | None:
    try:
        with target.open("rb") as stream:
            head = stream.read(256)
    except OSError:
        return None
    match = re.search(rb'"fingerprint":"([0-9a-f]+)"', head)
    return match.group(1).decode() if match else None
