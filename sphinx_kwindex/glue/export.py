"""``kwindex.json``: the machine-readable export (contract in DESIGN.md)."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path

from sphinx_kwindex.atomic import write_atomic
from sphinx_kwindex.code_version import code_digest
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.runner.safe_pickle import safe_loads

JSON_VERSION = 1
#: Each module's part of the last export, with what it was made from (in the cache folder).
EXPORT_CACHE = "kwindex-export.cache"
_PARTS_FORMAT = 1


def kwindex_data(index: ProjectIndex, domain, fingerprint: str = "") -> dict:
    """The export as plain data: every analysed module, sorted by name."""
    modules = {name: module_data(name, index, domain.module_location(name)) for name in index.modules}
    return {"version": JSON_VERSION, "fingerprint": fingerprint, "modules": modules}


def module_data(name: str, index: ProjectIndex, location: tuple[str, str] | None) -> dict:
    """One module's entry of the export."""
    summary = index.modules[name]
    keywords = [{"name": d.name, "kind": d.kind, "line": d.line} for d in summary.definitions]
    keywords += [{"name": i.name, "kind": "import", "line": i.line} for i in summary.imported_names]
    return {
        "path": summary.path,
        "is_package": summary.source.is_package,
        "is_test": summary.source.is_test,
        "docname": location[0] if location else None,
        "keywords": keywords,
        "imports": [{"module": i.module, "names": list(i.names), "line": i.line} for i in summary.imports],
        "related": [
            {
                "module": entry.module,
                "path": index.modules[entry.module].path,
                "score": entry.score,
                "reasons": list(entry.reasons),
            }
            for entry in index.related(name)
        ],
    }


def export_fingerprint(index: ProjectIndex, domain, project_fingerprint: str) -> str:
    """Changes whenever the export's content may: the project, and which page shows which module."""
    hasher = hashlib.blake2b(project_fingerprint.encode(), digest_size=16)
    for name in index.modules:
        location = domain.module_location(name)
        hasher.update(f"{name}\0{location[0] if location else ''}\0".encode())
    return hasher.hexdigest()


def write_kwindex_json(
    outdir: Path, index: ProjectIndex, domain, project_fingerprint: str, cache_dir: Path | None = None
) -> bool:
    """Write ``outdir/kwindex.json`` atomically, unless it already holds exactly this content.

    Compact, so the standard library's C encoder writes it (on PyTorch: 20 MB in
    a second instead of several). Each module's part is kept in ``cache_dir``
    with what it was made from, so a build after an edit encodes only the
    modules whose part changed (the text is what encoding everything at once
    gives). Returns whether the file was written.
    """
    target = outdir / "kwindex.json"
    fingerprint = export_fingerprint(index, domain, project_fingerprint)
    if _stored_fingerprint(target) == fingerprint:
        return False
    previous = _load_parts(cache_dir) if cache_dir is not None else {}
    parts: dict[str, tuple[str, str]] = {}
    for name in index.modules:
        location = domain.module_location(name)
        key = _part_key(name, index, location)
        old = previous.get(name)
        if old is not None and old[0] == key:
            parts[name] = old
        else:
            # json.dumps, not json.dump: only the one-shot encoder is the C one (4 s vs 0.5 s on PyTorch).
            parts[name] = (key, _dumps(module_data(name, index, location)))
    body = ",".join(f"{_dumps(name)}:{part}" for name, (_, part) in parts.items())
    head = _dumps({"version": JSON_VERSION, "fingerprint": fingerprint})[:-1]
    write_atomic(target, f'{head},"modules":{{{body}}}}}\n', suffix=".json")
    if cache_dir is not None and parts != previous:
        _save_parts(cache_dir, parts)
    return True


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _part_key(name: str, index: ProjectIndex, location: tuple[str, str] | None) -> str:
    """Changes whenever a module's part of the export may (its file, its page, its related files)."""
    summary = index.modules[name]
    parts = [summary.digest, summary.path, str(summary.source.is_package), str(summary.source.is_test),
             location[0] if location else ""]
    parts += [f"{e.module}:{index.modules[e.module].path}:{e.score}:{e.reasons}" for e in index.related(name)]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()


def _load_parts(cache_dir: Path) -> dict[str, tuple[str, str]]:
    try:
        form, code, parts = safe_loads((cache_dir / EXPORT_CACHE).read_bytes())
    except Exception:  # noqa: BLE001 (a damaged cache is simply not used)
        return {}
    if form != _PARTS_FORMAT or code != code_digest() or not isinstance(parts, dict):
        return {}
    valid = all(
        isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)
        for value in parts.values()
    )
    return parts if valid else {}


def _save_parts(cache_dir: Path, parts: dict[str, tuple[str, str]]) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        blob = pickle.dumps((_PARTS_FORMAT, code_digest(), parts), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(cache_dir / EXPORT_CACHE, blob, prefix=".kwindex-export-")
    except OSError:
        pass  # only a slower export next time; the caches' own messages say when the folder is unwritable


def _stored_fingerprint(target: Path) -> str | None:
    try:
        with target.open("rb") as stream:
            head = stream.read(256)
    except OSError:
        return None
    match = re.search(rb'"fingerprint":"([0-9a-f]+)"', head)
    return match.group(1).decode() if match else None
