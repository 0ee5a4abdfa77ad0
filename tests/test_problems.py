"""Bad input warns with type ``kwindex``, a subtype and a location; bad config fails clearly."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sphinx.errors import ConfigError

from conftest import copy_root


def warnings_of(app) -> list[str]:
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture
def problems(make_app, tmp_path):
    app = make_app("html", srcdir=copy_root("problems", tmp_path), confoverrides={"show_warning_types": True})
    app.build()
    return app


def test_each_problem_is_one_located_warning(problems):
    src = problems.srcdir
    assert warnings_of(problems) == [
        f"{src / 'src' / 'pkg' / 'broken.py'}:3: WARNING: cannot parse: invalid syntax [kwindex.syntax-error]",
        f"{src / 'index.rst'}:4: WARNING: kwindex directive: bad :kinds: value 'class, nonsense': "
        "unknown kind(s) 'nonsense'; allowed: class, function, method, attribute, variable, import; "
        "using the default [kwindex.bad-option]",
        f"{src / 'index.rst'}:7: WARNING: kwindex directive: unknown module 'pkg.missing' "
        "(not found under kwindex_paths) [kwindex.unknown-module]",
    ]


def test_the_page_goes_on_with_a_visible_note(problems):
    soup = BeautifulSoup((problems.outdir / "index.html").read_text(), "html.parser")
    body = soup.select_one("div.body").get_text(" ", strip=True)
    assert "no module pkg.missing was found under kwindex_paths" in body
    assert "fine ()" in body  # pkg.good still indexed, with the default kinds
    assert "could not be analysed ( cannot parse: invalid syntax )" in body
    assert "After the bad directives, the page goes on." in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kwindex_paths": 42}, ("kwindex_paths must be a list of source folders relative to conf.py, each a "
                                 "string or a dict {'path': '../src', 'sys_path': True}")),
        ({"kwindex_paths": [{"path": "src", "sys_path": "yes"}]}, "allowed keys: 'path' (a string) and 'sys_path'"),
        ({"kwindex_paths": [{"folder": "src"}]}, "is not a source folder entry"),
        ({"kwindex_paths": ["no-such-folder"]}, "kwindex_paths: 'no-such-folder' is not a folder"),
        ({"kwindex_exclude": 5}, "kwindex_exclude must be a list of glob patterns"),
        ({"kwindex_inject": 3}, "kwindex_inject must be True or False, not 3"),
        ({"kwindex_source_url": "https://x/{file}#L{line}"}, "kwindex_source_url uses unknown field(s) file"),
        ({"kwindex_source_url": "https://x/#L{line}"}, "must contain {path}"),
        ({"kwindex_source_url": "https://x/{path:d}"}, "cannot be filled in"),
        ({"kwindex_jobs": 0}, "kwindex_jobs must be a whole number >= 1"),
        ({"kwindex_source_pages": ["yes"]}, "kwindex_source_pages must be True or False, not ['yes']"),
        ({"kwindex_related_weights": {"imports": 1, "stars": 2}}, "unknown related-files signal(s): stars"),
        ({"kwindex_related_limit": -1}, "kwindex_related_limit must be a whole number >= 0"),
        ({"kwindex_sections": ["keywords", "toc"]}, "unknown section(s) 'toc'"),
        ({"kwindex_kinds": ["klass"]}, "kwindex_kinds: unknown kind(s) 'klass'; allowed: class, function"),
    ],
)
def test_bad_config_names_the_value_and_what_is_allowed(make_app, tmp_path, overrides, message):
    with pytest.raises(ConfigError) as failure:
        make_app("html", srcdir=copy_root("problems", tmp_path), confoverrides=overrides)
    assert message in str(failure.value)


def test_missing_or_extra_directive_arguments_are_located_errors_and_the_build_goes_on(make_app, tmp_path):
    srcdir = copy_root("problems", tmp_path)
    (srcdir / "index.rst").write_text(
        "Misuse\n======\n\n.. kwindex::\n\n.. kwindex:: pkg.good pkg.broken\n\n.. kwindex:: pkg.good\n"
    )
    app = make_app("html", srcdir=srcdir)
    app.build()
    warnings = warnings_of(app)
    assert any(f"{srcdir / 'index.rst'}:4: ERROR: Error in \"kwindex\" directive:" in w for w in warnings)
    assert any(f"{srcdir / 'index.rst'}:6: ERROR: Error in \"kwindex\" directive:" in w for w in warnings)
    assert "1 argument(s) required, 0 supplied" in app.warning.getvalue()
    assert "maximum 1 argument(s) allowed, 2 supplied" in app.warning.getvalue()
    body = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser").select_one("div.body")
    assert "fine ()" in body.get_text(" ", strip=True)  # the good directive still shows its index
