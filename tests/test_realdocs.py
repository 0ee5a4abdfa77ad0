"""Hand-written docs of the shapes real projects have (issue "Real projects' documentation").

The ``realdocs`` root copies them: flask's ``api.rst`` (several ``module``
directives with ``autoclass``/``autofunction`` and an ``automodule`` in one
page), click's ``currentmodule`` page (no module target at all), a package
re-exporting its API (documented under the package's name), a page switched
off, and generated pages beside all of them.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from conftest import build, copy_root


@pytest.fixture(scope="module")
def realdocs(tmp_path_factory):
    app, _ = build(copy_root("realdocs", tmp_path_factory.mktemp("realdocs")))
    return app


def page(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


def blocks(soup: BeautifulSoup) -> list[str]:
    """The modules of the injected blocks of a page, in page order."""
    return [block.select_one("code").get_text() for block in soup.select("div.kwindex-module .kwindex-keywords p.rubric")
            if block.get_text().startswith("Keyword index")]


def following_text(node) -> str:
    """The text of the next element sibling of ``node``."""
    sibling = node.find_next_sibling()
    return sibling.get_text(" ", strip=True) if sibling is not None else ""


def test_the_build_is_clean(realdocs):
    assert realdocs.warning.getvalue() == ""


def test_a_currentmodule_page_shows_the_module_defining_its_objects_after_them(realdocs):
    # `cli.Command` and `cli.run` are documented under the package re-exporting them: they are cli.core's.
    soup = page(realdocs, "cli")
    assert blocks(soup) == ["cli.core"]
    block = soup.select_one("div.kwindex-module")
    assert block.find_previous_sibling("dl")["class"][:2] == ["py", "function"]  # after `run`
    assert following_text(block) == "Closing words."


def test_each_module_of_a_page_is_labelled_and_follows_its_own_objects_in_page_order(realdocs):
    soup = page(realdocs, "api")
    assert blocks(soup) == ["pkg", "pkg.core", "pkg.json", "pkg.json.tag"]
    labels = [rubric.get_text(" ", strip=True) for rubric in soup.select("div.kwindex-module p.rubric")
              if rubric.find("code")]
    assert "Keyword index: pkg.json" in labels and "Related files: pkg.json" in labels
    by_module = {block.select_one("p.rubric code").get_text(): block for block in soup.select("div.kwindex-module")}
    # pkg (its target, none of its own objects): before the first subsection; pkg.core (Widget and
    # make, documented as pkg.Widget and pkg.make): after `make`, before the JSON section;
    # pkg.json: after `loads`, before its subsection; pkg.json.tag: after the automodule's
    # members, before the text that follows them.
    assert by_module["pkg"].find_next_sibling("section").select_one("h2").get_text().startswith("Application")
    assert by_module["pkg.core"].find_previous_sibling("dl").select_one("dt")["id"] == "pkg.make"
    assert by_module["pkg.json"].find_previous_sibling("dl").select_one("dt")["id"] == "pkg.json.loads"
    assert by_module["pkg.json.tag"].find_previous_sibling("dl").select_one("dt")["id"] == "pkg.json.tag.TaggedSerializer"
    assert following_text(by_module["pkg.json.tag"]) == "More about JSON."


def test_injected_blocks_leave_the_pages_table_of_contents_alone(realdocs):
    toc = realdocs.env.tocs["api"].astext()
    assert "Keyword index" not in toc and "Related files" not in toc
    assert "Tagged JSON" in toc


def test_what_the_page_documents_is_linked_not_repeated(realdocs):
    soup = page(realdocs, "api")
    entry = soup.select_one("li[id='in-kw-pkg.json.dumps']")
    assert entry.select_one("a")["href"] == "#pkg.json.dumps"
    assert "Serialize." not in entry.get_text()  # autodoc shows it just above


def test_re_exported_objects_link_to_their_documentation_under_the_package(realdocs):
    core = page(realdocs, "reference/pkg.core")
    links = {li["id"]: li.select_one("a")["href"] for li in core.select("li[id^='kw-']")}
    assert links["kw-pkg.core.Widget"] == "../api.html#pkg.Widget"
    assert links["kw-pkg.core.Widget.render"] == "../api.html#pkg.Widget.render"
    assert links["kw-pkg.core.make"] == "../api.html#pkg.make"
    cli = page(realdocs, "reference/cli.core")
    assert cli.select_one("li[id='kw-cli.core.Command'] a")["href"] == "../cli.html#cli.Command"
    # imports of a re-exported name link the same way
    pkg = page(realdocs, "reference/pkg")
    assert pkg.select_one("li[id='kwimport-pkg.Widget'] a")["href"] == "../api.html#pkg.Widget"
    # through a chain of packages (pkg <- pkg.json <- pkg.json.tag) to the defining module's documentation,
    # not to the import entry of the package in between
    chained = pkg.select_one("li[id='kwimport-pkg.TaggedSerializer'] a")["href"]
    assert chained == "../api.html#pkg.json.tag.TaggedSerializer"


def test_members_documented_only_under_a_subclass_link_there(realdocs):
    # flask documents Scaffold's methods as flask.Flask.* (:inherited-members:), never under Scaffold
    base = page(realdocs, "reference/pkg._base")
    links = {li["id"]: li.select_one("a")["href"] for li in base.select("li[id^='kw-']")}
    assert links["kw-pkg._base.Base.shared"] == "../api.html#pkg.Widget.shared"
    # Widget overrides render: Base.render is not what pkg.Widget.render documents
    assert "api.html" not in links["kw-pkg._base.Base.render"]
    assert "api.html" not in links["kw-pkg._base.Base"]  # the class itself is not documented


def test_public_names_are_listed_before_private_ones(realdocs):
    core = page(realdocs, "reference/pkg.core")
    names = [li["id"] for li in core.select("section.kwindex-keywords li[id^='kw-']")]
    functions = [name for name in names if name in ("kw-pkg.core.make", "kw-pkg.core.assemble",
                                                    "kw-pkg.core._private_helper")]
    assert functions == ["kw-pkg.core.assemble", "kw-pkg.core.make", "kw-pkg.core._private_helper"]


def test_summaries_are_first_sentences_without_markup(realdocs):
    text = page(realdocs, "reference/pkg.json.tag").select_one("section.kwindex-keywords").get_text(" ", strip=True)
    assert "Serializer that uses a tag system to compactly represent objects that are not JSON types." in text
    core = page(realdocs, "reference/pkg.core").select_one("section.kwindex-keywords").get_text(" ", strip=True)
    assert "Make a Widget." in core and ":class:" not in core


def test_a_page_can_switch_its_sections_off(realdocs):
    assert page(realdocs, "off").select_one(".kwindex") is None


def test_generated_module_pages_are_targets_of_py_mod_and_of_our_role(realdocs):
    links = {a.get_text(): a["href"] for a in page(realdocs, "index").select("p a.reference")}
    assert links["pkg.core"] == "reference/pkg.core.html#kwindex-pkg.core"
    assert links["pkg.json.tag"] == "api.html#in-kwindex-pkg.json.tag"


def test_dirhtml_keeps_the_users_page_of_the_generated_folders_name(tmp_path):
    srcdir = copy_root("realdocs", tmp_path)
    (srcdir / "reference.rst").write_text("Reference\n=========\n\nThe hand-written reference page.\n")
    # The generated root is put in a toctree by hand, under its name beside the user's page.
    (srcdir / "index.rst").write_text((srcdir / "index.rst").read_text().replace(
        "reference/index", "reference\n   reference/all-modules"))
    app, _ = build(srcdir, "dirhtml")
    assert app.warning.getvalue() == ""
    assert "The hand-written reference page." in (app.outdir / "reference" / "index.html").read_text()
    assert "modules, found under the configured source roots" in (
        app.outdir / "reference" / "all-modules" / "index.html").read_text()


def test_turning_generation_off_removes_the_generated_pages(tmp_path):
    srcdir = copy_root("realdocs", tmp_path)
    (srcdir / "reference" / "notes.txt").parent.mkdir()
    (srcdir / "reference" / "notes.txt").write_text("the user's file stays")
    build(srcdir)
    assert (srcdir / "reference" / "pkg.core.rst").is_file()
    (srcdir / "index.rst").write_text((srcdir / "index.rst").read_text().replace("   reference/index\n", ""))
    app, _ = build(srcdir, confoverrides={"kwindex_generate": ""})
    assert app.warning.getvalue() == ""
    assert sorted(path.name for path in (srcdir / "reference").iterdir()) == ["notes.txt"]
    assert "removed" in app.status.getvalue()


def test_a_build_that_shows_no_module_says_so_once_and_how_to_change_it(tmp_path):
    srcdir = copy_root("realdocs", tmp_path)
    app, _ = build(srcdir, confoverrides={"kwindex_generate": "", "kwindex_inject": False})
    status = app.status.getvalue()
    assert status.count("no page shows any of the 7 analysed modules") == 1
    assert "kwindex_inject is False" in status and ".. kwindex:: MODULE" in status
    shown, _ = build(copy_root("realdocs", tmp_path / "shown"))
    assert "no page shows any" not in shown.status.getvalue()


def test_one_page_of_everything_has_each_id_once(tmp_path):
    """singlehtml puts every page in one: a module with both a generated page and a block added
    to a page of the user's must not have its ids twice."""
    app, _ = build(copy_root("realdocs", tmp_path), "singlehtml")
    soup = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    # Ours (section ids made from titles are docutils' own: two pages titled "cli" share one).
    ids = [element["id"] for element in soup.find_all(id=True) if element["id"].startswith(("kw", "in-kw"))]
    assert [i for i in ids if i.startswith("in-kw-pkg.core")] and [i for i in ids if i.startswith("kw-pkg.core")]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_latex_of_part_of_the_pages_links_only_to_what_it_holds(tmp_path):
    # pytest's LaTeX document leaves pages out: links to them are plain text, never a crash (NoUri)
    srcdir = copy_root("realdocs", tmp_path)
    app, _ = build(srcdir, "latex", confoverrides={"latex_documents": [("cli", "cli.tex", "CLI", "Us", "howto")]})
    assert app.warning.getvalue() == ""
    tex = (app.outdir / "cli.tex").read_text()
    assert "Keyword index: \\sphinxstyleliteralintitle{\\sphinxupquote{cli.core}}" in tex
    assert "api" not in {line.partition(":")[0] for line in tex.split("\\hyperref[\\detokenize{")[1:]}
