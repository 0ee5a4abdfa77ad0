"""Check that every internal link of an HTML build resolves: the file exists and holds the anchor.

Sphinx's ``linkcheck`` builder checks external URLs; this checks the internal
ones of a finished HTML build (relative ``href``s with or without ``#anchor``),
fast enough for a PyTorch-sized build, with plain regular expressions.

    python benchmarks/check_links.py /tmp/torch-docs/_build/html

Prints the number of pages, links and anchors checked, the largest pages, and
every broken link (exit status 1 if there is one).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag

_ID = re.compile(rb'\sid="([^"]*)"')
_HREF = re.compile(rb'<a\s[^>]*?href="([^"]*)"')
_EXTERNAL = ("http:", "https:", "mailto:", "ftp:", "javascript:", "data:")


def check(outdir: Path) -> int:
    pages = sorted(p for p in outdir.rglob("*.html") if ".doctrees" not in p.parts)
    ids: dict[Path, set[str]] = {}
    links: list[tuple[Path, str]] = []
    for page in pages:
        raw = page.read_bytes()
        ids[page.resolve()] = {html.unescape(m.decode()) for m in _ID.findall(raw)}
        links += [(page, html.unescape(m.decode())) for m in _HREF.findall(raw)]
    broken = []
    checked = 0
    for page, href in links:
        if not href or href.startswith(_EXTERNAL):
            continue
        target, fragment = urldefrag(href)
        path = (page.parent / unquote(target)).resolve() if target else page.resolve()
        if path.is_dir():
            path = path / "index.html"
        checked += 1
        if path.suffix == ".html":
            if path not in ids:
                broken.append((page, href, "no such page"))
            elif fragment and unquote(fragment) not in ids[path]:
                broken.append((page, href, "no such anchor"))
        elif not path.exists():
            broken.append((page, href, "no such file"))
    sizes = sorted(((p.stat().st_size, p) for p in pages), reverse=True)
    total = sum(size for size, _ in sizes)
    print(f"{len(pages)} pages, {total / 1e6:.1f} MB of HTML; {checked} internal links checked; {len(broken)} broken")
    for size, page in sizes[:5]:
        print(f"  {size / 1e6:6.2f} MB  {page.relative_to(outdir)}")
    for page, href, why in broken[:50]:
        print(f"BROKEN {page.relative_to(outdir)} -> {href} ({why})")
    return 1 if broken else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="the HTML output folder")
    sys.exit(check(parser.parse_args().outdir))


if __name__ == "__main__":
    main()
