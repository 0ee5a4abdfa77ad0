"""``kwindex.json``: the machine-readable export (contract in DESIGN.md)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from sphinx_kwindex.project import ProjectIndex

JSON_VERSION = 1


def kwindex_data(index: ProjectIndex, domain) -> dict:
    """The export as plain data: every analysed module, sorted by name."""
    modules = {}
    for name, summary in index.modules.items():
        location = domain.module_location(name)
        keywords = [{"name": d.name, "kind": d.kind, "line": d.line} for d in summary.definitions]
        keywords += [{"name": i.name, "kind": "import", "line": i.line} for i in summary.imported_names]
        modules[name] = {
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
    return {"version": JSON_VERSION, "modules": modules}


def write_kwindex_json(outdir: Path, index: ProjectIndex, domain) -> Path:
    """Write ``outdir/kwindex.json`` atomically (readers never see half a file)."""
    target = outdir / "kwindex.json"
    data = kwindex_data(index, domain)
    fd, tmp = tempfile.mkstemp(dir=outdir, prefix=".kwindex-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1, sort_keys=False)
            stream.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
