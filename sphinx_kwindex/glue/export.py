"""``kwindex.json``: the machine-readable export (its contract: docs/json.rst)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from sphinx_kwindex.fingerprint import code_digest
from sphinx_kwindex.gc_pause import gc_paused
from sphinx_kwindex.pipeline import ProjectState
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.store import Entry, write_atomic

JSON_VERSION = 1
#: The references' file, beside ``kwindex.json``.
REFERENCES_FILE = "kwindex-references.json"
#: (project fingerprint, fingerprint of the references file) when the file was last written or found current.
REFERENCES_EXPORTED = Entry("kwindex-references-export.cache", "the record of the references export",
                            "the next build checks kwindex-references.json against the references again",
                            code_digest)


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
            {"module": entry.module, "path": index.modules[entry.module].path, "score": entry.score,
             "reasons": list(entry.reasons)}
            for entry in index.related(name)
        ],
    }


def export_fingerprint(modules: Iterable[str], domain, project_fingerprint: str) -> str:
    """Changes whenever the export's inputs may: the project (with its ``modules``), and which page
    shows which module."""
    hasher = hashlib.blake2b(project_fingerprint.encode(), digest_size=16)
    for name in modules:
        location = domain.module_location(name)
        hasher.update(f"{name}\0{location[0] if location else ''}\0".encode())
    return hasher.hexdigest()


def write_kwindex_json(outdir: Path, state: ProjectState, domain) -> bool:
    """Write ``outdir/kwindex.json`` atomically, unless it already holds the export of exactly these inputs.

    Compact, so the standard library's C encoder writes it (on PyTorch: 8.6 MB of
    module entries in 0.4 s). Nothing of it is kept between builds: a
    stored JSON fragment would be pasted into the file unchecked. Returns whether
    the file was written.
    """
    target = outdir / "kwindex.json"
    fingerprint = export_fingerprint(state.module_names(), domain, state.fingerprint)
    if _stored_fingerprint(target) == fingerprint:
        return False
    # json.dumps, not json.dump: only the one-shot encoder is the C one (4 s vs 0.5 s on PyTorch).
    # The collector paused: the data are freed in one go, and collections among a build's
    # millions of objects cost more than building them (on PyTorch 0.6 s against 0.1 s).
    with gc_paused():
        text = json.dumps(kwindex_data(state.index, domain, fingerprint), ensure_ascii=False, separators=(",", ":"))
    write_atomic(target, text + "\n")
    return True


def references_data(index: ProjectIndex, fingerprint: str = "") -> dict:
    """The references export: each analysed module's references to the project, sorted by name."""
    modules = {
        name: {"references": [{"scope": scope, "line": line, "target": target, "kind": kind}
                              for scope, line, target, kind in index.reference_rows(name)]}
        for name in index.modules
    }
    return {"version": JSON_VERSION, "fingerprint": fingerprint, "modules": modules}


def write_references_json(outdir: Path, state: ProjectState, enabled: bool = True) -> bool:
    """Write ``outdir/kwindex-references.json`` (beside ``kwindex.json``: on PyTorch the references
    alone are 40 MB), unless it already holds exactly these references: an edit that changes no
    module's references leaves it alone. Switched off (``kwindex_references``), the file an earlier
    build of ours wrote there is removed."""
    target = outdir / REFERENCES_FILE
    if not enabled:
        if _stored_fingerprint(target) is not None:
            target.unlink()
        return False
    stored = _stored_fingerprint(target)
    store = state.store
    # The file's fingerprint is its content's, known only once every module's references are: the
    # store says which project state it was last found current for, so a build of the same state
    # resolves nothing.
    if stored is not None and store is not None and store.read(REFERENCES_EXPORTED) == (state.fingerprint, stored):
        return False
    index = state.index
    fingerprint = hashlib.blake2b(f"references\0{code_digest()}\0{index.reference_digest()}".encode(),
                                  digest_size=16).hexdigest()
    written = stored != fingerprint
    if written:
        with gc_paused():
            text = json.dumps(references_data(index, fingerprint), ensure_ascii=False, separators=(",", ":"))
        write_atomic(target, text + "\n")
    if store is not None:
        store.write(REFERENCES_EXPORTED, (state.fingerprint, fingerprint))
    return written


def _stored_fingerprint(target: Path) -> str | None:
    try:
        with target.open("rb") as stream:
            head = stream.read(256)
    except OSError:
        return None
    match = re.search(rb'"fingerprint":"([0-9a-f]+)"', head)
    return match.group(1).decode() if match else None
