"""Views: what each section shows, and the digests that decide which pages are read again.

A page records the digest of the views it shows, and nothing else: these tests
show that no part of a view can change without changing the digest, and that
a page is re-read whenever a view it shows changes, however the view changed.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build, copy_root
from sphinx_kwindex import views
from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.model import ModuleSummary, SourceFile
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.keywords import keyword_groups

SOURCES = {
    "app": '"""The app."""\nfrom app.engine import run\n',
    "app.engine": '"""Engine."""\nimport os\nfrom app.helpers import retry\n\nclass Motor:\n    def spin(self):\n'
                  '        return retry()\n\ndef run():\n    return Motor()\n',
    "app.helpers": "def retry():\n    '''Retry.'''\n    return eval('3')\n",
    "app.test_engine": "from app.engine import run\n\ndef test_run():\n    run()\n",
}


def project() -> ProjectIndex:
    summaries = [
        analyse(SourceFile(name, f"/x/{name}.py", name.replace(".", "/") + ".py", is_package=name == "app",
                           is_test="test_" in name), text.encode())
        for name, text in SOURCES.items()
    ]
    return ProjectIndex.from_summaries(Path("/x"), summaries)


def every_view() -> list[views.View]:
    index = project()
    groups = tuple(keyword_groups(index))
    found = [views.section_view(index, section, module, keyword_index_label="label")
             for module in index.modules for section in views.SECTIONS]
    found += [views.keyword_front_view(groups, str), views.keyword_page_view(groups, groups[0].key, str)]
    return [view for view in found if view is not None]


def other_value(value: object) -> object:
    """A value of the same shape that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "!"
    if value is None:
        return "something"
    if isinstance(value, tuple):
        return value[:-1] if value else ("something",)
    if isinstance(value, ModuleSummary):  # another file content: another summary
        return dataclasses.replace(value, digest=other_value(value.digest), lines=other_value(value.lines))
    raise AssertionError(f"no other value for {value!r}")


def test_every_section_and_keyword_page_has_a_view():
    kinds = {type(view) for view in every_view()}
    assert kinds == {views.KeywordsView, views.FactsView, views.ContentsView, views.RelatedView,
                     views.KeywordFrontView, views.KeywordPageView}


def test_no_field_of_any_view_can_change_without_changing_its_digest():
    checked = 0
    for view in every_view():
        digest = views.digest_of((view,))
        for field in dataclasses.fields(view):
            changed = dataclasses.replace(view, **{field.name: other_value(getattr(view, field.name))})
            assert views.digest_of((changed,)) != digest, f"{type(view).__name__}.{field.name}"
            checked += 1
    assert checked > 40


def test_views_of_equal_content_have_equal_digests_whichever_objects_hold_it():
    """Summaries read back from the analysis cache share equal strings as one object; freshly
    analysed ones do not. Digests must not see the difference (pickle's memo would)."""
    index = project()
    cached = ProjectIndex.from_summaries(Path("/x"), pickle.loads(pickle.dumps(list(index.modules.values()))))
    for module in index.modules:
        for section in views.SECTIONS:
            fresh, again = (views.section_view(i, section, module) for i in (index, cached))
            assert (fresh is None) == (again is None)
            if fresh is not None:
                assert fresh == again and views.digest_of((fresh,)) == views.digest_of((again,))


def test_a_summary_is_digested_by_what_it_is_a_function_of():
    """A view holds a module's summary whole; its digest is the summary's identity (the file, its
    content digest, the analysis code), what the analysis cache also rests on."""
    summary = project().modules["app.engine"]
    digest = views.digest_of((summary,))
    for field in dataclasses.fields(SourceFile):
        source = dataclasses.replace(summary.source, **{field.name: other_value(getattr(summary.source, field.name))})
        assert views.digest_of((dataclasses.replace(summary, source=source),)) != digest, field.name
    assert views.digest_of((dataclasses.replace(summary, digest="other"),)) != digest
    # Same identity, same digest: however long the module, the digest costs the same.
    assert views.digest_of((dataclasses.replace(summary, definitions=summary.definitions * 100),)) == digest
    # A summary without a content digest (an unreadable file) is digested whole.
    unread = dataclasses.replace(summary, digest="")
    assert views.digest_of((dataclasses.replace(unread, doc="other"),)) != views.digest_of((unread,))


# -- pages are re-read when a view changes, with no second list to update ------------------


def page(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


def test_a_changed_view_rereads_the_pages_showing_it(tmp_path, monkeypatch):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    assert build(srcdir)[1] == []
    # Change what one kind of view holds, as a new feature would: nothing else is told.
    real = views.contents_view

    def with_a_note(index, name, *options):
        view = real(index, name, *options)
        return dataclasses.replace(view, children=tuple(
            dataclasses.replace(child, doc=(child.doc + " (noted)").strip()) for child in view.children
        ))

    monkeypatch.setattr(views, "contents_view", with_a_note)
    # Any change of the project makes every page's views be computed and compared (without the
    # record of module data, as after an upgrade; with it, only the pages an edit can reach:
    # see test_incremental_views); this one changes no package's contents (a variable is no
    # class or function).
    (srcdir / "_build" / "doctrees" / "kwindex-cache" / "kwindex-module-data.cache").unlink()
    leaf = srcdir / "src" / "gpkg" / "sub" / "leaf.py"
    leaf.write_text(leaf.read_text() + "\nLEAF_LIMIT = 3\n")
    app, read = build(srcdir)
    contents_pages = ["api/gpkg", "api/gpkg.sub", "api/tests", "api/tests.unit"]
    assert set(contents_pages) <= set(read)  # every page showing contents, for the changed view alone
    assert "api/gpkg.core" not in read and "api/tests.unit.test_core" not in read
    assert "(noted)" in page(app, "api/gpkg").select_one("section.kwindex-contents").get_text()


def test_a_build_with_no_change_computes_no_view(tmp_path, monkeypatch):
    """Views are a function of the project state: the same state (its fingerprint) needs none computed."""
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    computed = []
    real = views.section_view
    monkeypatch.setattr(views, "section_view", lambda *args, **kwargs: computed.append(args) or real(*args, **kwargs))
    assert build(srcdir)[1] == [] and computed == []
    (srcdir / "src" / "gpkg" / "core.py").write_text((srcdir / "src" / "gpkg" / "core.py").read_text() + "\nX = 1\n")
    assert "api/gpkg.core" in build(srcdir)[1] and computed  # another state: every page's views compared


def test_after_an_edit_that_rereads_nothing_a_build_with_no_change_computes_no_view(tmp_path, monkeypatch):
    """Sphinx saves its environment only when it reads a page: the check that found every view
    unchanged is kept in the store, so the next build need not repeat it."""
    srcdir = copy_root("basic", tmp_path)
    unshown = srcdir / "src" / "unshown.py"  # a module no page shows (its own page would be re-read)
    unshown.write_text('"""Shown nowhere."""\n')
    build(srcdir)
    unshown.write_text('"""Shown nowhere, still."""\n')
    assert build(srcdir)[1] == []  # another project state, the same views
    computed = []
    real = views.section_view
    monkeypatch.setattr(views, "section_view", lambda *args, **kwargs: computed.append(args) or real(*args, **kwargs))
    assert build(srcdir)[1] == [] and computed == []


def test_editing_a_childs_docstring_rereads_its_package_page(tmp_path):
    srcdir = copy_root("generate", tmp_path)
    build(srcdir)
    core = srcdir / "src" / "gpkg" / "core.py"
    text = core.read_text()
    assert text.startswith('"""')
    core.write_text('"""A new first line for the package page.\n\n' + text[3:])
    app, read = build(srcdir)
    assert "api/gpkg" in read and "api/gpkg.core" in read
    assert "A new first line for the package page." in page(app, "api/gpkg").select_one(
        "section.kwindex-contents").get_text()


@pytest.mark.parametrize("section", ["facts", "keywords", "related"])
def test_a_section_request_for_a_missing_module_has_no_view(section):
    assert views.section_view(project(), section, "app.nowhere") is None
