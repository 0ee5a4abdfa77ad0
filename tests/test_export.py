"""``kwindex.json`` written from per-module parts is exactly the whole export encoded at once."""

from __future__ import annotations

import json
from pathlib import Path

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.glue.export import EXPORT_CACHE, export_fingerprint, kwindex_data, write_kwindex_json
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.project import ProjectIndex

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
    data = kwindex_data(index, domain, export_fingerprint(index, domain, fingerprint))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def test_parts_give_the_whole_export_fresh_and_after_changes(tmp_path):
    out, cache = tmp_path / "html", tmp_path / "cache"
    out.mkdir()
    index, domain = project(SOURCES), Pages({"app.engine": "api/engine"})
    assert write_kwindex_json(out, index, domain, "one", cache)
    assert (out / "kwindex.json").read_text() == whole(index, domain, "one")
    assert (cache / EXPORT_CACHE).exists()
    # An edit, a module moving to another page, a new module: parts reused where unchanged.
    edited = dict(SOURCES, **{"app.helpers": "def retry():\n    return 4\n\ndef again():\n    pass\n",
                              "app.new": "import app.cli\n"})
    index, domain = project(edited), Pages({"app.engine": "api/other", "app.cli": "api/cli"})
    assert write_kwindex_json(out, index, domain, "two", cache)
    assert (out / "kwindex.json").read_text() == whole(index, domain, "two")
    assert not write_kwindex_json(out, index, domain, "two", cache)  # same content: not written again


def test_a_damaged_parts_cache_is_not_used(tmp_path):
    out, cache = tmp_path / "html", tmp_path / "cache"
    out.mkdir()
    cache.mkdir()
    (cache / EXPORT_CACHE).write_bytes(b"\x80\x04garbage")
    index, domain = project(SOURCES), Pages({})
    assert write_kwindex_json(out, index, domain, "one", cache)
    assert (out / "kwindex.json").read_text() == whole(index, domain, "one")
