"""Source pages: each analysed module's code, highlighted, every resolved name a link (issue "Code navigation").

Built from the ``references`` root (one module per way a name resolves); what
each page links is written out below and checked as a reader's browser would
follow it: every ``href`` leads to a file, and its fragment to an id there.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from bs4 import BeautifulSoup
from conftest import build, build_failing_on, copy_root

from sphinx_kwindex.source import page as source_page
from sphinx_kwindex.source.lexer import TokenizeLexer
from sphinx_kwindex.source.page import link_spans, source_parts

#: (module, line, linked text) -> where the link leads (relative to ``_kwsource/``)
EXPECTED_LINKS = {
    ("refs.r_self", 1, "refs.base"): "../base.html#kwindex-refs.base",  # shown by .. kwindex:: refs.base
    ("refs.r_self", 1, "Base"): "refs.base.html#L4",
    ("refs.r_self", 4, "Base"): "refs.base.html#L4",
    ("refs.r_self", 6, "self.render"): "refs.base.html#L8",  # through the base class
    ("refs.r_self", 7, "super().render"): "refs.base.html#L8",
    ("refs.r_self", 8, "self.size"): "refs.base.html#L6",  # an attribute Base.__init__ sets
    ("refs.r_aliases", 6, "b.Base"): "refs.base.html#L4",  # import refs.base as b
    ("refs.r_aliases", 7, "bb.Base.render"): "refs.base.html#L8",  # from refs import base as bb
    ("refs.r_chain", 1, "refs.deep.mod"): "refs.deep.mod.html",  # no page documents it: its source
    ("refs.r_chain", 5, "refs.deep.mod.Thing"): "refs.deep.mod.html#L1",
    ("refs.r_chain", 5, "method"): "refs.deep.mod.html#L2",  # a method of what the call gives
    ("refs.r_typed_param", 6, "tw.line"): "refs.typed.html#L7",  # tw: Writer
    ("refs.r_typed_param", 12, "node.parent"): "refs.typed.html#L12",  # .missing: not linked
    ("refs.r_typed_attr", 18, "self.tw.line"): "refs.typed.html#L7",  # self.tw = tw, tw: Writer
    ("refs.r_typed_attr", 21, "self.writer.line"): "refs.typed.html#L7",  # a property returning a Writer
    ("refs.r_local", 8, "inner"): "#L5",  # the same page
    # the package binds the submodule's name to its function: the function, as Python finds it
    ("refs.r_shadow", 7, "run"): "refs.shadow.run.html#L1",
    ("refs.r_shadow", 8, "refs.shadow.run"): "refs.shadow.run.html#L1",
}
#: linked text that must stay plain (what cannot be known statically)
UNLINKED = {("refs.r_self", 8, "self.missing"), ("refs.r_untyped", 8, "value.line"),
            ("refs.r_untyped", 12, "chosen.walk"), ("refs.r_untyped", 29, "self.node.walk")}


def code_links(outdir: Path, module: str) -> dict[tuple[int, str], tuple[str, str]]:
    """(line, link text) -> (href, title) of every link in the code of ``module``'s source page."""
    soup = BeautifulSoup((outdir / "_kwsource" / f"{module}.html").read_text(), "html.parser")
    found = {}
    for anchor in soup.select("div.highlight pre a.kwindex-ref"):
        number = anchor.find_previous("span", class_="linenos")
        found[(int(number["id"][1:]), anchor.get_text())] = (anchor["href"], anchor.get("title", ""))
    return found


def dangling(outdir: Path, page: Path) -> list[str]:
    """The links of ``page`` that lead to no file, or to no such id in it."""
    soup = BeautifulSoup(page.read_text(), "html.parser")
    bad = []
    for anchor in soup.select("a[href]"):
        href = anchor["href"]
        if href.startswith(("http:", "https:", "mailto:")):
            continue
        url, fragment = urldefrag(urljoin(page.relative_to(outdir).as_posix(), href))
        target = outdir / url.lstrip("/") if url else page
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or fragment and f'id="{fragment}"' not in target.read_text():
            bad.append(href)
    return bad


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    srcdir = copy_root("references", tmp_path_factory.mktemp("source"))
    app, _ = build(srcdir)
    return app


def test_every_resolved_name_links_to_its_definition(built):
    assert built.warning.getvalue() == ""
    for (module, line, text), href in EXPECTED_LINKS.items():
        assert code_links(built.outdir, module).get((line, text), (None,))[0] == href, (module, line, text)
    for module, line, text in UNLINKED:
        assert not [key for key in code_links(built.outdir, module) if key[0] == line and text in key[1]]


def test_definitions_link_back_to_their_keyword_entry(built):
    links = code_links(built.outdir, "refs.base")
    href, title = links[(8, "render")]
    assert href.startswith("../base.html#")
    assert title == "Keyword entry: where it is used"
    target = BeautifulSoup((built.outdir / "base.html").read_text(), "html.parser").find(id=href.partition("#")[2])
    assert "render" in target.get_text() and "Used in 3 modules, 4 places" in target.get_text()


def test_keyword_line_numbers_lead_to_the_source_line(built):
    soup = BeautifulSoup((built.outdir / "base.html").read_text(), "html.parser")
    entry = next(li for li in soup.select("li[id]") if li.select_one(".kwindex-name").get_text() == "Base.render")
    assert entry.find("a", string="8")["href"] == "_kwsource/refs.base.html#L8"


def test_no_link_of_any_page_dangles(built):
    pages = sorted((built.outdir / "_kwsource").glob("*.html"))
    assert [page.name for page in pages] == sorted(f"{m}.html" for m in (
        "refs", "refs.base", "refs.deep", "refs.deep.mod", "refs.r_aliases", "refs.r_annotation", "refs.r_chain",
        "refs.r_class_attr", "refs.r_decorator", "refs.r_dynamic", "refs.r_local", "refs.r_reexport",
        "refs.r_relative", "refs.r_self", "refs.r_shadow", "refs.r_star", "refs.r_typed_attr", "refs.r_typed_local",
        "refs.r_typed_param", "refs.r_untyped", "refs.shadow", "refs.shadow.run", "refs.typed"))
    for page in [*pages, built.outdir / "index.html", built.outdir / "base.html"]:
        assert dangling(built.outdir, page) == [], page.name


def test_the_code_reads_as_the_file(built):
    soup = BeautifulSoup((built.outdir / "_kwsource" / "refs.r_self.html").read_text(), "html.parser")
    pre = soup.select_one("div.highlight pre")
    for number in pre.select("span.linenos"):
        number.decompose()
    source = built.srcdir / "src" / "refs" / "r_self.py"
    assert pre.get_text() == source.read_text()
    assert soup.select_one("span.nc").get_text() == "Sub"  # Pygments' classes: the theme's colours


def test_dirhtml_links_too(tmp_path):
    app, _ = build(copy_root("references", tmp_path), "dirhtml")
    assert app.warning.getvalue() == ""
    page = app.outdir / "_kwsource" / "refs.r_self" / "index.html"
    assert dangling(app.outdir, page) == []
    assert 'href="../refs.base/#L8"' in page.read_text()


def test_other_builders_and_viewcode_get_no_source_pages(tmp_path):
    app, _ = build(copy_root("references", tmp_path / "a"), "text")
    assert app.warning.getvalue() == ""
    assert not (app.outdir / "_kwsource").exists()
    app, _ = build(copy_root("viewcode", tmp_path / "b"))
    assert not (app.outdir / "_kwsource").exists()  # viewcode's pages are the source pages
    assert (app.outdir / "_modules" / "canary" / "engine.html").is_file()


def test_switched_off(tmp_path):
    srcdir = copy_root("references", tmp_path)
    app, _ = build(srcdir)
    assert (app.outdir / "_kwsource" / "refs.base.html").is_file()
    app, _ = build(srcdir, confoverrides={"kwindex_source_pages": False})
    assert app.warning.getvalue() == ""
    assert list((app.outdir / "_kwsource").glob("*.html")) == []  # the pages written before are gone
    assert "_kwsource" not in (app.outdir / "base.html").read_text()


def test_parallel_build_writes_the_same_pages(tmp_path):
    serial, _ = build(copy_root("references", tmp_path / "serial"))
    parallel, _ = build(copy_root("references", tmp_path / "parallel"), parallel=2,
                        confoverrides={"kwindex_jobs": 2})
    pages = sorted(p.name for p in (serial.outdir / "_kwsource").glob("*.html"))
    assert pages == sorted(p.name for p in (parallel.outdir / "_kwsource").glob("*.html"))
    for name in pages:
        assert (serial.outdir / "_kwsource" / name).read_text() == (parallel.outdir / "_kwsource" / name).read_text()


RENDERED_AHEAD = re.compile(r"kwindex: (\d+) source pages ready ahead of the writer")


def rendered_ahead(app) -> int | None:
    found = RENDERED_AHEAD.findall(app.status.getvalue())
    return int(found[0]) if found else None


def source_pages(app) -> dict[str, bytes]:
    return {page.name: page.read_bytes() for page in sorted((app.outdir / "_kwsource").glob("*.html"))}


def test_pages_rendered_ahead_of_the_writer_are_the_ones_it_renders(tmp_path, monkeypatch):
    """A serial build with a core to spare renders source pages in a background process while the
    documents are written; the pages are those of a build rendering them all at the end."""
    from sphinx_kwindex.glue import source_pages as glue_source_pages

    monkeypatch.setattr(glue_source_pages, "INLINE_BELOW", 1)  # the root has fewer modules than a pool takes
    handed = []
    results = glue_source_pages.RenderingAhead.results
    monkeypatch.setattr(glue_source_pages.RenderingAhead, "results",
                        lambda self, jobs: (handed.append(len(self._futures)), results(self, jobs))[1])
    ahead, _ = build(copy_root("references", tmp_path / "ahead"), verbosity=1, confoverrides={"kwindex_jobs": 2})
    at_the_end, _ = build(copy_root("references", tmp_path / "end"), verbosity=1, confoverrides={"kwindex_jobs": 1})
    assert ahead.warning.getvalue() == at_the_end.warning.getvalue() == ""
    pages = source_pages(ahead)
    assert len(pages) >= 20 and pages == source_pages(at_the_end)
    # Pages not started when the documents are written are rendered then: how many were rendered
    # ahead depends on the machine.
    assert 0 <= rendered_ahead(ahead) <= len(pages) and rendered_ahead(at_the_end) is None
    assert handed and handed[0] >= 1  # pages of the pool written: the first is handed to it at write-started


def test_only_a_few_pages_wait_in_the_pool_so_an_interrupted_build_ends_soon(tmp_path, monkeypatch):
    """The feeder keeps at most 2 x workers + 1 pages handed to the pool: a build interrupted
    while documents are written waits at exit for those few only, not for every source page."""
    import time

    from sphinx.testing.util import SphinxTestApp

    from sphinx_kwindex.glue import source_pages as glue_source_pages

    slow = source_page.source_parts

    def slowly(*args):
        time.sleep(0.2)
        return slow(*args)

    monkeypatch.setattr(glue_source_pages, "INLINE_BELOW", 1)
    monkeypatch.setattr(source_page, "source_parts", slowly)  # the workers are forked with it
    made = []
    start = glue_source_pages.RenderingAhead.__init__
    monkeypatch.setattr(glue_source_pages.RenderingAhead, "__init__",
                        lambda self, *args: (made.append(self), start(self, *args))[1])
    handed, not_done = [], []
    app = SphinxTestApp("html", srcdir=copy_root("references", tmp_path), confoverrides={"kwindex_jobs": 2})

    def count(app, doctree, docname):
        futures = list(made[0]._futures.values())
        handed.append(len(futures))
        not_done.append(sum(not future.done() for future in futures))

    app.connect("doctree-resolved", count)
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.warning.getvalue() == ""
    assert handed and max(not_done) <= 3 and handed[-1] < len(list((app.outdir / "_kwsource").glob("*.html")))


def test_nothing_is_rendered_ahead_of_a_parallel_writer(tmp_path, monkeypatch):
    from sphinx_kwindex.glue import source_pages as glue_source_pages

    monkeypatch.setattr(glue_source_pages, "INLINE_BELOW", 1)
    app, _ = build(copy_root("references", tmp_path), verbosity=1, parallel=2, confoverrides={"kwindex_jobs": 2})
    assert app.warning.getvalue() == "" and rendered_ahead(app) is None and source_pages(app)


def test_no_rendering_process_outlives_the_pages_or_a_failed_write(tmp_path, monkeypatch):
    """The processes end with the last source page, and when writing fails."""
    import multiprocessing

    from sphinx.testing.util import SphinxTestApp

    from sphinx_kwindex.glue import source_pages as glue_source_pages

    monkeypatch.setattr(glue_source_pages, "INLINE_BELOW", 1)
    alive_while_writing = []
    app = SphinxTestApp("html", srcdir=copy_root("references", tmp_path / "ok"), confoverrides={"kwindex_jobs": 2})
    app.connect("doctree-resolved", lambda app, doctree, docname: alive_while_writing.append(
        len(multiprocessing.active_children())))
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.warning.getvalue() == "" and source_pages(app)
    assert max(alive_while_writing) >= 1 and multiprocessing.active_children() == []

    build_failing_on("references", tmp_path / "failing", "base", kwindex_jobs=2)
    assert multiprocessing.active_children() == []


def test_rebuilds_write_exactly_the_pages_that_changed(tmp_path):
    srcdir = copy_root("references", tmp_path)
    app, _ = build(srcdir)
    folder = app.outdir / "_kwsource"

    def stamps():
        return {page.name: page.stat().st_mtime_ns for page in folder.glob("*.html")}

    before = stamps()
    again, _ = build(srcdir)
    assert stamps() == before  # nothing changed: nothing written
    assert re.search(r"source pages of \d+ modules, 0 written", again.status.getvalue())
    base = srcdir / "src" / "refs" / "base.py"
    base.write_text(base.read_text().replace('"""What the other modules use."""', '"""What the\nothers use."""'))
    (srcdir / "src" / "refs" / "r_star.py").unlink()
    build(srcdir)
    after = stamps()
    changed = {name for name in after if after[name] != before[name]}
    # base's lines moved: its page, and each page linking to one of its definitions' lines
    assert changed == {"refs.base.html", "refs.r_self.html", "refs.r_aliases.html", "refs.r_reexport.html",
                       "refs.r_relative.html", "refs.r_decorator.html", "refs.r_annotation.html",
                       "refs.r_dynamic.html", "refs.r_local.html", "refs.html"}
    assert "refs.r_star.html" not in after  # its module is gone: so is its page
    assert code_links(app.outdir, "refs.r_self")[(4, "Base")][0] == "refs.base.html#L5"


def test_a_page_is_made_again_when_what_its_names_resolve_to_changes_elsewhere(tmp_path):
    srcdir = copy_root("references", tmp_path)
    app, _ = build(srcdir)
    assert code_links(app.outdir, "refs.r_typed_attr")[(19, "self.made.line")][0] == "refs.typed.html#L7"
    # a module neither importing nor linked from r_typed_attr assigns Report.made's name on an object:
    # its type, inferred from Writer(), is no longer known
    dynamic = srcdir / "src" / "refs" / "r_dynamic.py"
    dynamic.write_text(dynamic.read_text() + "\n\ndef poke(report):\n    report.made = None\n")
    build(srcdir)
    links = code_links(app.outdir, "refs.r_typed_attr")
    assert (19, "self.made.line") not in links and links[(19, "self.made")][0] == "#L11"


# -- the pieces, without Sphinx --------------------------------------------------------------


@pytest.mark.parametrize("code", [
    "x = 1\r\ny = 2\r\n",  # Windows line ends
    "\ufeffimport os\n",  # a byte order mark
    "def f():\n\tif x:\n\t\treturn 'a'  # tabs\n",
    "s = '''open\n",  # an unterminated string: Pygments' own lexer takes the file
    "if x:\n  y\n z\n",  # a dedent that matches no indent
    "café = f'{x!r:>{w}}' + rb'\\x00'\n@deco.inner(1)\nclass A(B, metaclass=M): pass\n",
    "x = (1,\n     2) \\\n    + 3\nno_newline_at_end = 1",
])
def test_the_lexer_keeps_every_character(code):
    text = code.replace("\r\n", "\n")
    tokens = list(TokenizeLexer().get_tokens_unprocessed(text))
    assert "".join(value for _, _, value in tokens) == text
    assert [start for start, _, _ in tokens] == sorted(start for start, _, _ in tokens)


def test_the_lexer_tells_names_apart():
    code = "from a.b import c as d\n@deco\nclass K(Base):\n    def m(self):\n        return None and len\n"
    types = {value: str(ttype) for _, ttype, value in TokenizeLexer().get_tokens_unprocessed(code) if value.strip()}
    assert types["a"] == types["b"] == "Token.Name.Namespace"
    assert types["c"] == types["d"] == "Token.Name"
    assert types["deco"] == "Token.Name.Decorator"
    assert (types["K"], types["m"]) == ("Token.Name.Class", "Token.Name.Function")
    assert (types["self"], types["len"], types["None"]) == ("Token.Name.Builtin.Pseudo", "Token.Name.Builtin",
                                                           "Token.Keyword.Constant")
    assert types["and"] == "Token.Operator.Word"


def test_a_link_must_fall_on_token_boundaries():
    line = '<span class="n">alpha</span><span class="o">.</span><span class="n">beta</span>'
    assert link_spans(line, [(0, 10, "x.html", "")]) == f'<a class="kwindex-ref" href="x.html">{line}</a>'
    assert link_spans(line, [(1, 10, "x.html", "")]) == line  # inside a name: left out
    escaped = '<span class="s">&quot;&lt;&quot;</span> <span class="n">z</span>'
    assert '<a class="kwindex-ref" href="z"><span class="n">z</span></a>' in link_spans(escaped, [(4, 5, "z", "")])


def test_long_modules_continue_on_further_pages(tmp_path, monkeypatch):
    from sphinx.highlighting import PygmentsBridge

    monkeypatch.setattr(source_page, "LINES_PER_PAGE", 4)
    path = tmp_path / "m.py"
    path.write_text("".join(f"x{n} = {n}\n" for n in range(1, 11)))
    parts = source_parts(str(path), [(6, "use", 0, 0, "#L1", "")], PygmentsBridge("html").get_formatter(nowrap=True))
    assert len(parts) == 3
    assert 'id="L5"' in parts[1] and 'id="L8"' in parts[1] and 'id="L9"' not in parts[1]
    assert '<a class="kwindex-ref" href="#L1"><span class="n">x6</span></a>' in parts[1]  # line 6's link, on page 2
    assert "kwindex-ref" not in parts[0] + parts[2]
