"""``kwindex.json``: the whole export, written only when its inputs change, readable by others."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.glue.export import export_fingerprint, kwindex_data, write_kwindex_json
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.pipeline import ProjectState
from sphinx_kwindex.project.index import ProjectIndex

SOURCES = {
    "app.engine": "from app.helpers import retry\n\ndef run():\n    '''Run «it».'''\n    return retry()\n",
    "app.helpers": "def retry():\n    return 3\n",
    "app.cli": "from app.engine import run\n\ndef main():\n    run()\n",
}


class Pages:
    """The kwindex domain's one question the export asks: which page shows a module."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages

    def module_location(self, module: str):
        return (self.pages[module], f"kwindex-{module}") if module in self.pages else None


def project(sources) -> ProjectIndex:
    summaries = [
        analyse(SourceFile(name, f"/x/{name}.py", name.replace(".", "/") + ".py"), text.encode())
        for name, text in sources.items()
    ]
    return ProjectIndex.from_summaries(Path("/x"), summaries)


def whole(index, domain, fingerprint: str) -> str:
    data = kwindex_data(index, domain, export_fingerprint(index.modules, domain, fingerprint))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def state_of(index: ProjectIndex, fingerprint: str) -> ProjectState:
    return ProjectState(index, (), fingerprint)


def test_the_export_is_written_once_per_content_and_readable_by_others(tmp_path):
    out = tmp_path / "html"
    out.mkdir()
    index, domain = project(SOURCES), Pages({"app.engine": "api/engine"})
    assert write_kwindex_json(out, state_of(index, "one"), domain)
    assert (out / "kwindex.json").read_text() == whole(index, domain, "one")
    assert not write_kwindex_json(out, state_of(index, "one"), domain)  # same inputs: not written again
    # A module moving to another page changes the export, though the project did not change.
    moved = Pages({"app.engine": "api/other"})
    assert write_kwindex_json(out, state_of(index, "one"), moved)
    assert json.loads((out / "kwindex.json").read_text())["modules"]["app.engine"]["docname"] == "api/other"
    # Created as open() would create it: the umask decides (a web server may read it).
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((out / "kwindex.json").stat().st_mode) == 0o666 & ~umask
