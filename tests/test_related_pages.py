"""Related files as a reader sees them: ranked with reasons, imports, tested by, git history."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from conftest import build, copy_root


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def with_history(srcdir):
    """A small git history: cli.py and report.py are added together, then change together twice."""
    git(srcdir, "init", "-q")
    git(srcdir, "config", "user.email", "dev@example.invalid")
    git(srcdir, "config", "user.name", "dev")
    git(srcdir, "add", "-A")
    git(srcdir, "commit", "-qm", "start")
    for round_ in (1, 2):
        for name in ("cli.py", "report.py"):
            with open(srcdir / "src" / "app" / name, "a") as stream:
                stream.write(f"\n# change {round_}\n")
        git(srcdir, "commit", "-qam", f"change {round_}")
    return srcdir


def related_section(app, heading: str) -> BeautifulSoup:
    soup = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    for section in soup.select("section"):
        if section.find(["h2"]) and section.find("h2").get_text(strip=True).rstrip("¶") == heading:
            return section.select_one("section.kwindex-related")
    raise AssertionError(f"no section {heading!r}")


def entries(section) -> dict[str, str]:
    return {
        li.select_one("code").get_text(): li.get_text(" ", strip=True)
        for li in section.select("ol.kwindex-related-files > li")
    }


@pytest.fixture(scope="module")
def with_git(tmp_path_factory):
    app, _ = build(with_history(copy_root("related", tmp_path_factory.mktemp("git"))))
    return app


def test_ranked_with_import_reasons_and_links(with_git):
    engine = entries(related_section(with_git, "Engine"))
    assert list(engine)[0] == "app.helpers"
    assert {"app.cli", "tests.test_engine"} <= set(engine)
    assert "imports 2 names from" in engine["app.helpers"]
    assert "imported by" in engine["app.cli"]
    assert "app.engine" not in engine  # never the module itself
    links = {a.get_text(): a["href"] for a in related_section(with_git, "Engine").select("ol a[href]")}
    # Modules shown on a page link to their keyword index; app.helpers is shown nowhere: plain text.
    assert links == {"app.cli": "#kwindex-app.cli", "tests.test_engine": "#kwindex-tests.test_engine"}


def test_imports_imported_by_and_tested_by_lists(with_git):
    section = related_section(with_git, "Engine")
    text = section.get_text(" ", strip=True)
    assert "Imports (1) app.helpers : backoff_schedule, retry_budget" in text
    assert "Imported by (2) app.cli : Engine tests.test_engine : Engine" in text
    assert "Tested by (1) tests.test_engine" in text


def test_a_test_module_lists_what_it_tests_and_how_to_run_it(with_git):
    text = related_section(with_git, "Engine tests").get_text(" ", strip=True)
    assert "Tests (1) app.engine" in text
    assert "Run it with pytest tests/test_engine.py ." in text


def test_changed_together_from_git_history(with_git):
    cli = entries(related_section(with_git, "Command line"))
    assert "changed together in 3 of 3 commits" in cli["app.report"]
    assert "related files use 3 commits of git history" in with_git.status.getvalue()


def test_kwindex_json_related_contract(with_git):
    data = json.loads((with_git.outdir / "kwindex.json").read_text())
    related = data["modules"]["app.cli"]["related"]
    assert related, "app.cli has related files"
    first = related[0]
    assert set(first) == {"module", "path", "score", "reasons"}
    assert [r["score"] for r in related] == sorted((r["score"] for r in related), reverse=True)
    report = next(r for r in related if r["module"] == "app.report")
    assert report["path"] == "src/app/report.py"
    assert any(reason.startswith("changed together in 3 of 3 commits") for reason in report["reasons"])
    assert all(r["module"] != "app.cli" for r in related)


def test_without_git_the_signal_is_skipped_and_said_once(tmp_path):
    app, _ = build(copy_root("related", tmp_path))
    status = re.sub(r"\x1b\[[0-9;]*m", "", app.status.getvalue())
    assert status.count("related files do not use change history") == 1
    assert app.warning.getvalue() == ""
    assert "changed together" not in (app.outdir / "index.html").read_text()


def test_a_shallow_clone_skips_history(tmp_path):
    origin = with_history(copy_root("related", tmp_path / "origin"))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    app, _ = build(clone)
    assert "shallow clone, so related files do not use change history" in app.status.getvalue()
    assert "changed together" not in (app.outdir / "index.html").read_text()


def test_related_limit_option_and_config(tmp_path):
    srcdir = copy_root("related", tmp_path)
    index = srcdir / "index.rst"
    index.write_text(index.read_text().replace(":sections: related", ":sections: related\n   :related-limit: 1", 1))
    app, _ = build(srcdir)
    assert len(entries(related_section(app, "Engine"))) == 1
    assert len(entries(related_section(app, "Command line"))) > 1


def test_calls_and_uses_counted_from_references_read_both_ways(tmp_path):
    """checkout.py imports pricing once, then calls four of its definitions (Basket with its
    __init__ counts once) and reads a constant; ledger.py imports a name and only mentions it."""
    app, _ = build(copy_root("related-uses", tmp_path))
    checkout = entries(related_section(app, "Checkout"))
    assert "calls 4 functions of, uses 1 other name of" in checkout["shop.pricing"]
    pricing = entries(related_section(app, "Pricing"))
    assert "called by (4 functions), used by (1 other name)" in pricing["shop.checkout"]
    assert "used by (1 name)" in pricing["shop.ledger"]
    assert next(iter(pricing)) == "shop.checkout"  # four calls outweigh one name
    data = json.loads((app.outdir / "kwindex.json").read_text())
    reasons = next(r["reasons"] for r in data["modules"]["shop.checkout"]["related"] if r["module"] == "shop.pricing")
    assert "calls 4 functions of, uses 1 other name of" in reasons
