"""Pictures: a module's neighbourhood and the imports among a package's members, drawn by Graphviz.

The ``pictures`` root is a small shop whose ``cart`` and ``pricing`` import each other.
"""

from __future__ import annotations

import gc
import re
import shutil
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import build, build_failing_on, copy_root
from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from sphinx_kwindex import pictures
from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.pictures import neighbourhood_picture, package_picture
from sphinx_kwindex.pipeline import ProjectSettings, build_project
from sphinx_kwindex.project.cycles import import_cycles
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.related.rank import reason_link
from sphinx_kwindex.render.pictures import alt_text, dot_source

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
XLINK = "{http://www.w3.org/1999/xlink}href"


def edges(picture) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.kind) for edge in picture.edges}


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> ProjectIndex:
    root = copy_root("pictures", tmp_path_factory.mktemp("shop"))
    return build_project(ProjectSettings(roots=(root / "src", root / "tests"), history_max_commits=0)).index


# -- what the pictures show -------------------------------------------------------------


def test_a_package_picture_draws_the_imports_among_its_members_and_marks_the_cycle(shop):
    picture = package_picture(shop, "shop")
    assert [(node.name, node.label, node.kind, node.in_cycle) for node in picture.nodes] == [
        ("shop.cart", ".cart", "module", True),
        ("shop.catalog", ".catalog", "package", False),
        ("shop.pricing", ".pricing", "module", True),
        ("shop.report", ".report", "module", False),
    ]
    # shop.report imports shop.catalog.items: a link to the subpackage shop.catalog
    assert [(e.source, e.target, e.weight, e.in_cycle) for e in picture.edges] == [
        ("shop.cart", "shop.pricing", 1, True),
        ("shop.catalog", "shop.pricing", 1, False),
        ("shop.pricing", "shop.cart", 1, True),
        ("shop.report", "shop.cart", 1, False),
        ("shop.report", "shop.catalog", 1, False),
    ]
    assert picture.cycles == (("shop.cart", "shop.pricing"),)
    assert (picture.members_left_out, picture.links_left_out) == (0, 0)
    alt = alt_text(picture)
    assert ".report imports .cart, .catalog" in alt and "Import cycles: shop.cart, shop.pricing." in alt
    dot = dot_source(picture, lambda module: None)
    assert re.search(r'"shop.cart" -> "shop.pricing" \[[^]]*color="#c62828"', dot)
    assert not re.search(r'"shop.report" -> "shop.cart" \[[^]]*#c62828', dot)
    assert "red: import cycle" in dot


def test_a_module_picture_draws_imports_importers_tests_and_related_files(shop):
    picture = neighbourhood_picture(shop, "shop.cart", shop.related("shop.cart"))
    assert [(node.name, node.label, node.kind) for node in picture.nodes] == [
        ("shop", "shop", "package"),
        ("shop.cart", "shop.cart", "centre"),
        ("shop.catalog.items", ".catalog.items", "module"),
        ("shop.pricing", ".pricing", "module"),
        ("shop.report", ".report", "module"),
        ("tests.test_cart", "tests.test_cart", "test"),
    ]
    assert edges(picture) == {
        ("shop.cart", "shop.pricing", "imports"),
        ("shop.pricing", "shop.cart", "imports"),
        ("shop.report", "shop.cart", "imports"),
        ("tests.test_cart", "shop.cart", "tests"),  # a test importing the module is drawn as its test
        ("shop.cart", "shop.catalog.items", "related"),  # shares identifiers
        ("shop.cart", "shop", "related"),  # same folder
    }
    assert alt_text(picture) == (
        "Neighbourhood of shop.cart: imports: shop.pricing; imported by: shop.pricing, shop.report; "
        "tested by: tests.test_cart; related otherwise: shop, shop.catalog.items."
    )


def test_a_test_module_points_at_what_it_tests(shop):
    picture = neighbourhood_picture(shop, "tests.test_cart", shop.related("tests.test_cart"))
    assert ("tests.test_cart", "shop.cart", "tests") in edges(picture)


def test_the_dot_text_is_the_same_for_the_same_picture_and_links_every_module(shop):
    picture = neighbourhood_picture(shop, "shop.cart", shop.related("shop.cart"))
    dot = dot_source(picture, lambda module: f"{module}.html#here")
    assert dot == dot_source(neighbourhood_picture(shop, "shop.cart", shop.related("shop.cart")),
                             lambda module: f"{module}.html#here")
    assert sorted(re.findall(r'URL="([^"]+)"', dot)) == sorted(f"{node.name}.html#here" for node in picture.nodes)
    assert dot.count('target="_top"') == len(picture.nodes)
    assert "tests (green, dashed)" in dot and "related otherwise" in dot


def test_a_name_is_quoted_for_dot():
    picture = pictures.Picture("package", 'we"ird', (pictures.PictureNode('a\\b"c', 'a\\b"c', "module"),), ())
    assert '"a\\\\b\\"c" [label="a\\\\b\\"c"' in dot_source(picture, lambda module: None)


# -- bounds --------------------------------------------------------------------------------


def index_of(sources: dict[str, str]) -> ProjectIndex:
    return ProjectIndex.from_summaries(Path("/x"), [
        analyse(SourceFile(name, f"/x/{name}.py", name.replace(".", "/") + ".py", is_package=name == "lib"),
                text.encode())
        for name, text in sources.items()
    ])


def test_a_hub_shows_how_many_import_it_not_hundreds_of_nodes():
    sources = {"lib": "", "lib.hub": "".join(f"import lib.dep{n}\n" for n in range(12))}
    sources |= {f"lib.dep{n}": "" for n in range(12)}
    sources |= {f"lib.user{n:03}": "import lib.hub\n" for n in range(320)}
    index = index_of(sources)
    picture = neighbourhood_picture(index, "lib.hub", index.related("lib.hub", 5))
    importers = [e.source for e in picture.edges if e.target == "lib.hub" and e.kind == "imports"]
    imports = [e.target for e in picture.edges if e.source == "lib.hub" and e.kind == "imports"]
    assert len(importers) == pictures.MAX_IMPORTERS + 1 and "+importers" in importers
    assert len(imports) == pictures.MAX_IMPORTS + 1 and "+imports" in imports
    more = picture.node("+importers")
    assert (more.kind, more.count, more.label) == ("more", 320 - pictures.MAX_IMPORTERS,
                                                   f"+{320 - pictures.MAX_IMPORTERS} more importers")
    assert picture.node("+imports").count == 12 - pictures.MAX_IMPORTS
    assert len(picture.nodes) <= 1 + pictures.MAX_IMPORTS + pictures.MAX_IMPORTERS + pictures.MAX_RELATED + 2
    assert f"{320 - pictures.MAX_IMPORTERS} more" in alt_text(picture)
    # the count node links nowhere
    assert 'URL="+importers' not in dot_source(picture, lambda module: module)


def test_a_big_package_draws_its_best_connected_members_and_heaviest_links():
    members = 45
    # each member imports the next three (a ring: one cycle of all of them)
    sources = {"lib": ""} | {
        f"lib.m{n:02}": "".join(f"import lib.m{(n + step) % members:02}\n" for step in (1, 2, 3))
        for n in range(members)
    }
    sources["lib.m00"] += "".join(f"import lib.m{n:02}\n" for n in range(4, members))  # a hub
    index = index_of(sources)
    picture = package_picture(index, "lib")
    drawn = [node for node in picture.nodes if node.kind != "more"]
    assert len(drawn) == pictures.MAX_MEMBERS and picture.node("lib.m00") is not None
    assert picture.members_left_out == members - pictures.MAX_MEMBERS
    assert picture.node("+members").label == f"+{members - pictures.MAX_MEMBERS} more"
    assert len(picture.edges) == pictures.MAX_MEMBER_LINKS
    assert picture.links_left_out == len({(s, t) for s in range(members) for t in range(members) if s != t and (
        (t - s) % members in (1, 2, 3) or s == 0)}) - pictures.MAX_MEMBER_LINKS
    assert picture.cycles == (tuple(f"lib.m{n:02}" for n in range(members)),)
    assert f"not drawn: {members - pictures.MAX_MEMBERS} members" in dot_source(picture, lambda module: None)


# -- cycles and reasons ----------------------------------------------------------------------


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


@given(st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), max_size=25))
def test_import_cycles_are_the_strongly_connected_components(pairs):
    graph: dict[str, set[str]] = {}
    for source, target in pairs:
        graph.setdefault(source, set()).add(target)
    reach = {node: reachable(graph, node) for node in "abcdefg"}
    expected = {tuple(sorted({node} | {other for other in reach[node] if node in reach[other]}))
                for node in "abcdefg"}
    assert import_cycles(graph) == tuple(sorted(c for c in expected if len(c) > 1))
    assert import_cycles(graph) == import_cycles({k: sorted(v, reverse=True) for k, v in reversed(graph.items())})


def test_import_cycles_of_a_deep_chain_need_no_recursion():
    chain = {f"m{n}": [f"m{n + 1}"] for n in range(5000)} | {"m5000": ["m0"]}
    assert len(import_cycles(chain)[0]) == 5001


@pytest.mark.parametrize(("reason", "link"), [
    ("imports 2 names from", ("imports", 1)),
    ("imports the module", ("imports", 1)),
    ("imported by (the module, 1 name)", ("imports", -1)),
    ("calls 3 functions of", ("uses", 1)),
    ("uses 1 name of", ("uses", 1)),
    ("called by (1 function), used by (2 other names)", ("uses", -1)),
    ("used by (1 name)", ("uses", -1)),
    ("tests this module", ("tests", -1)),
    ("tested by this module", ("tests", 1)),
    ("changed together in 3 of 9 commits", ("cochange", 0)),
    ("shares identifiers: price, cart", ("related", 0)),
    ("same folder", ("related", 0)),
])
def test_each_related_reason_is_drawn_as_its_link(reason, link):
    assert reason_link(reason) == link


# -- builds ------------------------------------------------------------------------------------


def page(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def assert_leads_to_a_page_showing_the_module(outdir: Path, base: Path, href: str) -> None:
    path, _, fragment = href.partition("#")
    target = (base / path).resolve()
    assert target.is_file() and target.is_relative_to(outdir.resolve()), href
    assert fragment and f'id="{fragment}"' in target.read_text(encoding="utf-8"), href


@pytest.fixture(scope="module")
def svg_build(tmp_path_factory):
    app, _ = build(copy_root("pictures", tmp_path_factory.mktemp("svg")),
                   confoverrides={"graphviz_output_format": "svg"})
    assert app.warning.getvalue() == ""
    return app


@needs_dot
def test_html_svg_pictures_link_every_node_to_a_page_showing_it(svg_build):
    outdir = Path(svg_build.outdir)
    pictures_on = [("api/shop.cart", ["neighbourhood"], [6]), ("api/shop", ["package", "neighbourhood"], [4, 4])]
    for docname, picture_kinds, nodes in pictures_on:
        objects = page(svg_build, docname).select("div.graphviz object")
        assert [o["class"][o["class"].index("kwindex-picture") + 1] for o in objects] == [
            f"kwindex-picture-{kind}" for kind in picture_kinds]
        for obj, count in zip(objects, nodes, strict=True):
            svg = (outdir / docname).parent / obj["data"]
            links = {a.get(XLINK) for a in ElementTree.parse(svg).iter("{http://www.w3.org/2000/svg}a")} - {None}
            assert len(links) == count  # a link on every module (edges have tooltips only)
            for href in links:
                assert_leads_to_a_page_showing_the_module(outdir, svg.parent, href)
    package = page(svg_build, "api/shop").select_one("section.kwindex-contents object")
    assert "Import cycles: shop.cart, shop.pricing" in package.get_text()  # the alt text, its fallback


@needs_dot
def test_html_png_pictures_have_image_maps_and_alt_text(tmp_path):
    app, _ = build(copy_root("pictures", tmp_path))
    assert app.warning.getvalue() == ""
    soup = page(app, "api/shop.cart")
    image = soup.select_one("img.kwindex-picture-neighbourhood")
    assert image["alt"].startswith("Neighbourhood of shop.cart: imports: shop.pricing")
    areas = soup.select(f"map[id='{image['usemap'][1:]}'] area")
    assert len(areas) == 6
    for area in areas:
        assert_leads_to_a_page_showing_the_module(Path(app.outdir), Path(app.outdir) / "api", area["href"])


@needs_dot
def test_latex_includes_the_pictures_as_pdf(tmp_path):
    app, _ = build(copy_root("pictures", tmp_path), "latex")
    assert app.warning.getvalue() == ""
    tex = (Path(app.outdir) / "pictures.tex").read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics\[\]\{(graphviz-[0-9a-f]+\.pdf)\}", tex)
    assert len(included) >= 8  # 7 modules' neighbourhoods and the package shop
    assert all((Path(app.outdir) / name).is_file() for name in included)


@pytest.mark.parametrize("builder", ["text", "man"])
def test_text_and_man_say_the_pictures_in_words(tmp_path, builder):
    app, _ = build(copy_root("pictures", tmp_path), builder)
    assert app.warning.getvalue() == ""
    if builder == "text":
        text = (Path(app.outdir) / "api" / "shop.txt").read_text(encoding="utf-8")
        assert "[graph: Imports among the members of shop:" in " ".join(text.split())


def test_missing_dot_when_pictures_were_asked_for_is_one_warning_and_pages_without_pictures(tmp_path):
    app, _ = build(copy_root("pictures", tmp_path),
                   confoverrides={"kwindex_pictures": True, "graphviz_dot": str(tmp_path / "no-such-dot")})
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == 1
    assert "no-such-dot" in warnings[0] and "apt install graphviz" in warnings[0]
    assert f"{tmp_path / 'pictures' / 'conf.py'}:" in warnings[0] and "WARNING: kwindex_pictures is True" in warnings[0]
    assert "[kwindex.no-dot]" in warnings[0]
    soup = page(app, "api/shop.cart")
    assert soup.select_one("section.kwindex-related li") is not None and not soup.select(".graphviz")
    assert not (Path(app.outdir) / "_images").exists()


def test_missing_dot_by_default_is_no_warning_and_no_pictures(tmp_path):
    app, _ = build(copy_root("pictures", tmp_path), confoverrides={"graphviz_dot": str(tmp_path / "no-such-dot")})
    assert app.warning.getvalue() == ""
    assert not page(app, "api/shop").select(".graphviz")


def test_pictures_off_loads_no_graphviz(tmp_path):
    app, _ = build(copy_root("pictures", tmp_path), confoverrides={"kwindex_pictures": False})
    assert "sphinx.ext.graphviz" not in app.extensions
    assert not page(app, "api/shop").select(".graphviz")


@pytest.mark.parametrize("value", ["yes", 1, "auto"])
def test_a_bad_pictures_value_is_a_config_error(make_app, tmp_path, value):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match=rf"kwindex_pictures must be True .* False .* or None .*not {value!r}"):
        make_app("html", srcdir=copy_root("pictures", tmp_path), confoverrides={"kwindex_pictures": value})


# -- incremental ---------------------------------------------------------------------------------


def reread_after(srcdir: Path, edit, **confoverrides) -> list[str]:
    build(srcdir, confoverrides=confoverrides)
    edit(srcdir)
    app, read = build(srcdir, confoverrides=confoverrides)
    assert app.warning.getvalue() == ""
    return read


def import_pricing_in_report(srcdir: Path) -> None:
    report = srcdir / "src" / "shop" / "report.py"
    report.write_text(report.read_text() + "\n\nfrom shop.pricing import DISCOUNT\n")


def add_a_function_to_cart(srcdir: Path) -> None:
    cart = srcdir / "src" / "shop" / "cart.py"
    cart.write_text(cart.read_text() + "\n\ndef empty():\n    return Cart()\n")


@needs_dot
def test_an_import_added_rereads_exactly_the_pages_whose_picture_changed(tmp_path):
    without = reread_after(copy_root("pictures", tmp_path / "off"), import_pricing_in_report, kwindex_pictures=False)
    with_pictures = reread_after(copy_root("pictures", tmp_path / "on"), import_pricing_in_report)
    # Both pages showing the contents of shop (its generated page and overview): the list does not
    # change, the picture gains report -> pricing.
    assert "overview" not in without and "api/shop" not in without
    assert with_pictures == sorted([*without, "api/shop", "overview"])
    assert {"api/shop.report", "api/shop.pricing"} <= set(with_pictures)


def import_items_in_stock(srcdir: Path) -> None:
    stock = srcdir / "src" / "shop" / "catalog" / "stock.py"
    stock.write_text(stock.read_text() + "\nfrom shop.catalog.items import Item\n")


@needs_dot
def test_an_import_inside_a_subpackage_rereads_no_page_of_the_package_above(tmp_path):
    without = reread_after(copy_root("pictures", tmp_path / "off"), import_items_in_stock, kwindex_pictures=False)
    with_pictures = reread_after(copy_root("pictures", tmp_path / "on"), import_items_in_stock)
    # shop.catalog's picture gains stock -> items; shop's does not change (both are inside shop.catalog)
    assert "api/shop.catalog" not in without
    assert with_pictures == sorted([*without, "api/shop.catalog"])
    assert "overview" not in with_pictures and "api/shop" not in with_pictures


@needs_dot
def test_a_picture_is_drawn_once_and_the_same_in_parallel(tmp_path):
    serial, _ = build(copy_root("pictures", tmp_path / "serial"), confoverrides={"graphviz_output_format": "svg"})
    parallel, _ = build(copy_root("pictures", tmp_path / "parallel"), parallel=2,
                        confoverrides={"graphviz_output_format": "svg"})
    assert parallel.warning.getvalue() == ""
    drawn = sorted(path.name for path in Path(serial.outdir, "_images").iterdir())
    assert drawn == sorted(path.name for path in Path(parallel.outdir, "_images").iterdir())
    for name in ["api/shop.html", "api/shop.cart.html", *(f"_images/{name}" for name in drawn)]:
        assert Path(serial.outdir, name).read_bytes() == Path(parallel.outdir, name).read_bytes(), name
    # Files are named by their content: a rebuild rewriting the module's page draws no picture again.
    before = {name: Path(serial.outdir, "_images", name).stat().st_mtime_ns for name in drawn}
    add_a_function_to_cart(Path(serial.srcdir))
    assert "api/shop.cart" in build(Path(serial.srcdir), confoverrides={"graphviz_output_format": "svg"})[1]
    assert {name: Path(serial.outdir, "_images", name).stat().st_mtime_ns for name in drawn} == before


# -- drawn ahead of the writer ------------------------------------------------------------

DRAWN_AHEAD = re.compile(r"kwindex: (\d+) pictures ready ahead of the writer")


def drawn_ahead(app) -> int | None:
    found = DRAWN_AHEAD.findall(app.status.getvalue())
    return int(found[0]) if found else None


def pictures_shown(app) -> set[str]:
    """The picture files the HTML pages show."""
    shown = set()
    for html in Path(app.outdir).rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        shown |= {Path(tag.get("src") or tag.get("data")).name for tag in soup.select("img.graphviz, object.graphviz")}
    return shown


@needs_dot
def test_pictures_drawn_ahead_of_the_writer_are_the_ones_it_draws(tmp_path):
    """A serial build with a core to spare draws every PNG picture in background threads before its
    page is written; the pages and pictures are those of a build drawing each one as its page is written."""
    conf, output = {}, "png"
    ahead, _ = build(copy_root("pictures", tmp_path / "ahead"), verbosity=1, confoverrides={**conf, "kwindex_jobs": 2})
    inline, _ = build(copy_root("pictures", tmp_path / "inline"), verbosity=1,
                      confoverrides={**conf, "kwindex_jobs": 1})
    assert ahead.warning.getvalue() == inline.warning.getvalue() == ""
    drawn = sorted(path.name for path in Path(ahead.outdir, "_images").iterdir() if path.suffix == f".{output}")
    assert drawn and set(drawn) == pictures_shown(ahead)  # nothing drawn that no page shows
    # The writer draws a picture itself when it reaches it before a thread took it up: how many
    # were drawn ahead depends on the machine, at least the first was.
    assert 1 <= drawn_ahead(ahead) <= len(drawn) and drawn_ahead(inline) is None
    assert drawn == sorted(path.name for path in Path(inline.outdir, "_images").iterdir() if path.suffix == f".{output}")
    for name in ["api/shop.html", "api/shop.cart.html", "overview.html", *(f"_images/{name}" for name in drawn)]:
        assert Path(ahead.outdir, name).read_bytes() == Path(inline.outdir, name).read_bytes(), name


@needs_dot
def test_a_rebuild_draws_ahead_only_the_pictures_of_the_pages_it_reads(tmp_path):
    srcdir = copy_root("pictures", tmp_path)
    build(srcdir, confoverrides={"kwindex_jobs": 2})
    import_pricing_in_report(srcdir)
    app, read = build(srcdir, verbosity=1, confoverrides={"kwindex_jobs": 2})
    assert app.warning.getvalue() == ""
    on_read_pages = set()
    for docname in read:
        soup = page(app, docname)
        on_read_pages |= {Path(tag["src"]).name for tag in soup.select("img.graphviz")}
    assert on_read_pages and 1 <= drawn_ahead(app) <= len(on_read_pages)
    assert pictures_shown(app) <= {path.name for path in Path(app.outdir, "_images").iterdir()}


@needs_dot
@pytest.mark.parametrize("how", [{"parallel": 2}, {"confoverrides": {"graphviz_output_format": "svg"}}],
                         ids=["parallel-writer", "svg"])
def test_nothing_is_drawn_ahead_of_a_parallel_writer_or_in_svg(tmp_path, how):
    """A parallel write draws pictures in its own processes; an SVG's links are made for the page
    being written, so it is drawn then."""
    how = dict(how)
    overrides = {"kwindex_jobs": 2, **how.pop("confoverrides", {})}
    app, _ = build(copy_root("pictures", tmp_path), verbosity=1, confoverrides=overrides, **how)
    assert app.warning.getvalue() == ""
    assert drawn_ahead(app) is None and pictures_shown(app)


def drawing_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("kwindex-dot")]


@needs_dot
def test_no_drawing_thread_outlives_the_pages_or_a_failed_write(tmp_path):
    """The threads are gone before the source pages' processes are forked (html-collect-pages),
    and when writing fails, with the collector's thresholds as they were."""
    from sphinx.testing.util import SphinxTestApp

    alive_when_collecting = []
    app = SphinxTestApp("html", srcdir=copy_root("pictures", tmp_path / "ok"), confoverrides={"kwindex_jobs": 2})
    app.connect("html-collect-pages", lambda app: alive_when_collecting.extend(drawing_threads()) or [], priority=900)
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.warning.getvalue() == "" and alive_when_collecting == [] and drawing_threads() == []

    threshold = gc.get_threshold()
    build_failing_on("pictures", tmp_path / "failing", "api/shop.pricing", kwindex_jobs=2)
    assert drawing_threads() == [] and gc.get_threshold() == threshold
