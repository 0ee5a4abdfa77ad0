"""The project keyword index: alphabetical, complete, and split into pages of bounded size."""

from __future__ import annotations

from pathlib import Path

from sphinx_kwindex.analyse import analyse
from sphinx_kwindex.glue.generate import plan_pages
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.keywords import keyword_groups


def project(files: dict[str, str]) -> ProjectIndex:
    summaries = [analyse(SourceFile(name, f"/p/{name}.py", f"{name}.py"), text.encode()) for name, text in files.items()]
    return ProjectIndex.from_summaries(Path("/p"), summaries)


def test_letters_ignore_leading_underscores_and_every_definition_is_listed_once():
    index = project({"m": "class Alpha:\n    def __init__(self): pass\n\ndef _beta(): pass\n\ndef beta(): pass\n"})
    groups = keyword_groups(index)
    assert [(g.title, [e.qualname for e in g.entries]) for g in groups] == [
        ("A", ["Alpha"]),
        ("B", ["_beta", "beta"]),
        ("I", ["Alpha.__init__"]),
    ]


def test_names_outside_a_to_z_make_one_symbols_page():
    """Digits sort before "a" and non-ASCII letters after "z": still one page, one key (two made
    Sphinx warn toc.duplicate_entry and fail -W builds)."""
    index = project({"m": "def _2d(): pass\n\ndef alpha(): pass\n\ndef été(): pass\n\ndef zeta(): pass\n"})
    groups = keyword_groups(index)
    assert [(g.key, [e.qualname for e in g.entries]) for g in groups] == [
        ("a", ["alpha"]), ("z", ["zeta"]), ("symbols", ["_2d", "été"]),
    ]


def test_big_letters_split_by_prefix_and_huge_names_into_parts():
    classes = "".join(f"class C{i}:\n    def __init__(self): pass\n" for i in range(7))
    functions = "".join(f"def get_{name}(): pass\n" for name in ["a", "b", "c", "x", "y", "z", "zz"])
    groups = keyword_groups(project({"m": classes + functions}), max_entries=3)
    entries = [e.qualname for g in groups for e in g.entries]
    assert len(entries) == len(set(entries)) == 21  # nothing dropped, nothing twice
    assert all(len(g.entries) <= 3 for g in groups)
    titles = [g.title for g in groups]
    assert "__init__ (1 of 3)" in titles and "__init__ (3 of 3)" in titles
    assert any(title.startswith("Get_") for title in titles)
    assert len({g.key for g in groups}) == len(groups)
    assert all(g.key.replace("_", "").replace("-", "").isalnum() for g in groups)


def test_generated_titles_are_escaped_rst():
    groups = keyword_groups(project({"m": "".join(f"def c_{i}(): pass\ndef c{i}(): pass\n" for i in range(4))}), 2)
    pages = plan_pages(project({"m": "def f(): pass\n"}), groups, "API")
    titles = [text.splitlines()[2] for path, text in pages.items() if path.startswith("keywords/c")]
    assert titles and all("_" not in title.replace("\\_", "") for title in titles)


def test_usage_counts_are_those_of_the_keyword_entries():
    """The project keyword index counts places and modules as a module page's "Used in" does."""
    import random

    from sphinx_kwindex.views import usage_counts, usage_of

    rng = random.Random(1)
    for _ in range(300):
        places = tuple((rng.choice("abc"), rng.choice(["", "f", "g"]), rng.randint(1, 5), rng.choice(["call", "read"]))
                       for _ in range(rng.randint(0, 12)))
        assert usage_counts(places) == usage_of("a", places)[:2]
