"""Stage 4, render: a view -> docutils nodes, with a fake linker (no Sphinx application)."""

from __future__ import annotations

import dataclasses

import pytest
from docutils import nodes

from sphinx_kwindex.model import Definition, ImportedName, ModuleSummary, Problem, SourceFile, Subtype
from sphinx_kwindex.project.keywords import KeywordEntry
from sphinx_kwindex.project.related import RelatedFile
from sphinx_kwindex.render import RenderContext, render
from sphinx_kwindex.views import (
    ContentsEntry,
    ContentsView,
    FactsView,
    KeywordFrontView,
    KeywordPageLink,
    KeywordPageView,
    KeywordsView,
    RelatedView,
)


class FakeLinker:
    """Wraps each link target in a reference whose refuri says what was linked, and how."""

    def _ref(self, uri: str, contnode: nodes.Node) -> nodes.Node:
        return nodes.reference("", "", contnode, refuri=uri)

    def module(self, module, contnode):
        return self._ref(f"module:{module}", contnode)

    def __init__(self, here=()):
        #: names documented on the page being written
        self.here = set(here)

    def keyword(self, module, qualname, names, contnode):
        return self._ref(f"keyword:{module}:{qualname}", contnode)

    def definition(self, module, qualname, names, anchor, url, contnode):
        return self._ref(f"definition:{'|'.join(names)}#{anchor}", contnode)

    def imported(self, target, is_module, project_target, names, contnode):
        return self._ref(f"imported:{target}:{project_target}:{'|'.join(names)}", contnode)

    def documented_here(self, names):
        return bool(self.here & set(names))

    def page(self, docname, contnode):
        return self._ref(f"page:{docname}", contnode)

    def label(self, label, contnode):
        return self._ref(f"label:{label}", contnode)


def context(source_url=None, here=()) -> RenderContext:
    return RenderContext("here", FakeLinker(here), lambda prefix, name: f"{prefix}-{name}",
                         source_url or (lambda path, line: None))


def text_of(result: list[nodes.Node]) -> str:
    return " ".join(node.astext() for node in result)


def links_of(result: list[nodes.Node]) -> list[str]:
    return [ref["refuri"] for node in result for ref in node.findall(nodes.reference)]


KEYWORDS = KeywordsView(
    ModuleSummary(
        SourceFile("pkg.mod", "/abs/pkg/mod.py", "pkg/mod.py"), "digest", lines=40,
        definitions=(Definition("make", "function", 20, "(n: int = 1) -> Widget", ""),
                     Definition("Widget", "class", 3, "(Base)", "A widget."),
                     Definition("LIMIT", "variable", 1, "", "")),  # a kind not shown: counted, not listed
        imported_names=(ImportedName("np", "numpy", 2, is_module=True), ImportedName("Base", "pkg.base.Base", 1)),
    ),
    kinds=("class", "function", "method", "import"),
    import_targets=(None, ("pkg.base", "Base")),
)


def test_keywords_show_counts_groups_signatures_and_link_each_entry():
    result = render(KEYWORDS, context())
    text = text_of(result)
    assert "pkg/mod.py: 40 lines; 1 class, 1 function, 1 variable, 2 imports." in text
    assert "Classes (1)" in text and "Functions (1)" in text and "Imports (2)" in text and "Variables" not in text
    assert "Widget(Base), line 3 — A widget." in text
    assert "np → numpy, line 2" in text
    assert links_of(result) == [
        "definition:pkg.mod.Widget#kw-Widget", "definition:pkg.mod.make#kw-make",
        "imported:pkg.base.Base:('pkg.base', 'Base'):pkg.base.Base", "imported:numpy:None:",
    ]
    ids = [item["ids"] for node in result for item in node.findall(nodes.list_item)]
    assert ids == [["kw-Widget"], ["kw-make"], ["kwimport-Base"], ["kwimport-np"]]


def test_keywords_try_the_names_packages_re_export_them_under():
    view = dataclasses.replace(KEYWORDS, public_names=(("pkg", "x", ("never",)),
                                                       ("pkg.base", "Base", ("pkg.Base",)),
                                                       ("pkg.mod", "Widget", ("pkg.Widget", "pkg.sub.Widget"))))
    assert view.documented_names("pkg.mod", "Widget.render") == (
        "pkg.mod.Widget.render", "pkg.Widget.render", "pkg.sub.Widget.render")
    links = links_of(render(view, context()))
    assert "definition:pkg.mod.Widget|pkg.Widget|pkg.sub.Widget#kw-Widget" in links
    assert "imported:pkg.base.Base:('pkg.base', 'Base'):pkg.base.Base|pkg.Base" in links


def test_what_the_page_documents_already_is_linked_not_repeated():
    text = text_of(render(KEYWORDS, context(here={"pkg.mod.Widget"})))
    assert "Widget, line 3" in text and "A widget." not in text and "(Base)" not in text
    assert "make(n: int = 1) -> Widget, line 20" in text  # not on this page: shown in full


def test_public_names_come_before_private_ones():
    view = dataclasses.replace(KEYWORDS, summary=dataclasses.replace(KEYWORDS.summary, definitions=(
        Definition("_cache", "function", 1), Definition("Zeta", "function", 2), Definition("alpha", "function", 3),
        Definition("Zeta._hidden", "function", 4), Definition("Zeta.__init__", "function", 5))))
    assert [d.name for d in dict(view.groups())["function"]] == [
        "alpha", "Zeta", "Zeta.__init__", "_cache", "Zeta._hidden"]


def test_keywords_of_a_file_that_could_not_be_analysed_say_why():
    summary = ModuleSummary.failed(SourceFile("pkg.bad", "/abs/pkg/bad.py", "pkg/bad.py"),
                                   Problem(Subtype.SYNTAX_ERROR, "cannot parse: invalid syntax"), "digest", lines=2)
    view = KeywordsView(summary, ("class",), ())
    assert text_of(render(view, context())) == (
        "pkg/bad.py could not be analysed (cannot parse: invalid syntax); it has no keywords here."
    )


def test_source_urls_link_paths_and_lines():
    result = render(KEYWORDS, context(lambda path, line: f"https://src/{path}#L{line}"))
    assert "https://src/pkg/mod.py#L0" in links_of(result) and "https://src/pkg/mod.py#L20" in links_of(result)


FACTS = FactsView(
    module="pkg.mod", path="pkg/mod.py", doc="Widgets.", kind="module", lines=40, size=1200, failure=None,
    defines="1 class, 1 function", depends_project=("pkg.base",), depends_stdlib=("os",),
    depends_third_party=("numpy",), notable_calls="dynamic code: eval (line 9)", test_command=None,
    parent="pkg", keyword_index_label="kwindex-keywords",
)


def test_facts_list_what_a_reviewer_wants_to_know():
    result = render(FACTS, context())
    fields = {field[0].astext(): field[1].astext() for field in result[0].findall(nodes.field)}
    assert fields == {
        "Path": "pkg/mod.py", "Summary": "Widgets.", "Kind": "module", "Size": "40 lines, 1,200 bytes",
        "Defines": "1 class, 1 function", "Depends on (project)": "pkg.base",
        "Depends on (standard library)": "os", "Depends on (third party)": "numpy",
        "Notable calls": "dynamic code: eval (line 9)", "See also": "package pkg, project keyword index",
    }
    assert links_of(result) == ["module:pkg.base", "module:pkg", "label:kwindex-keywords"]


def test_contents_list_children_with_counts_and_summaries():
    view = ContentsView("pkg", (ContentsEntry("pkg.mod", None, False, 1, 2, "Widgets."),
                                ContentsEntry("pkg.tests", folder_modules=3)))
    result = render(view, context())
    items = [item.astext() for item in result[0].findall(nodes.list_item)]
    assert items == ["pkg.mod — 1 class, 2 functions — Widgets.", "pkg.tests — folder, 3 modules"]
    assert render(ContentsView("pkg", ()), context())[0].astext() == "No modules."


def test_related_files_rank_with_reasons_then_link_lists():
    view = RelatedView("pkg.mod", (RelatedFile("pkg.base", 0.87, ("imports 1 name from", "same folder")),),
                       (("pkg.base", ("Base",)),), (), "Tested by", ("tests.test_mod",), None)
    result = render(view, context())
    text = text_of(result)
    assert "pkg.base: imports 1 name from; same folder" in text and "0.87" not in text  # the order tells
    assert "Imports (1) pkg.base: Base" in text and "Imported by (0) None in the project." in text
    assert "Tested by (1) tests.test_mod" in text
    assert all("no-search" in node["classes"] for node in result)


def test_keyword_index_pages_navigate_and_link_each_definition():
    pages = (KeywordPageLink("a", "A", "api/keywords/a", 0), KeywordPageLink("b", "B", "api/keywords/b", 0))
    entries = (KeywordEntry("apply", "apply", "function", "pkg.mod"),
               KeywordEntry("area", "Widget.area", "method", "pkg.mod"),
               KeywordEntry("area", "Shape.area", "method", "pkg.shapes"))
    result = render(KeywordPageView("a", pages, entries), context())
    assert result[0].astext() == "A · B" and links_of([result[0]]) == ["page:api/keywords/b"]
    text = result[1].astext()
    assert "apply — function apply in pkg.mod" in text and "area — 2 definitions" in text
    assert links_of([result[1]]) == ["keyword:pkg.mod:apply", "keyword:pkg.mod:Widget.area",
                                     "keyword:pkg.shapes:Shape.area"]
    front = render(KeywordFrontView((KeywordPageLink("a", "A", "api/keywords/a", 2),)), context())
    assert "2 definitions of the project" in text_of(front) and "A: 2 keywords" in text_of(front)


def test_anything_but_a_view_is_refused():
    with pytest.raises(TypeError, match="no renderer"):
        render(object(), context())
