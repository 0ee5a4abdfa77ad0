"""Link test modules to the modules they test: by name, by mirrored folders, by imports.

``test_foo.py`` / ``foo_test.py`` name ``foo.py``; a test under ``tests/foo/``
mirrors ``pkg/foo.py``; an import of a module few tests import is a link too.
"""

from __future__ import annotations

from collections.abc import Mapping

from sphinx_kwindex.model import ModuleSummary
from sphinx_kwindex.project.related.weights import specificity

#: Strength of each kind of link, 0..1.
NAMED = 1.0
NAMED_PREFIX = 0.7
MIRRORED_FOLDER = 0.5
IMPORTED = 0.6

#: Folder names that only say "tests live here" and are ignored when mirroring.
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "unit", "unittests", "integration", "src", "lib"})
#: A stem shared by more candidates than this, after disambiguation, links to none of them.
_MAX_AMBIGUOUS = 3
#: A test's import link weaker than this (a module most tests import) is no link.
_MIN_IMPORT_LINK = 0.15


def link_tests(
    summaries: Mapping[str, ModuleSummary], imports: Mapping[str, Mapping[str, tuple[str, ...]]]
) -> dict[str, dict[str, float]]:
    """For every test module: {tested project module: strength in 0..1}."""
    tests = sorted(module for module, summary in summaries.items() if runs_tests(summary))
    by_stem: dict[str, list[str]] = {}
    for module, summary in summaries.items():
        if not is_test(summary):
            by_stem.setdefault(_plain(module.rpartition(".")[2]), []).append(module)
    importers: dict[str, int] = {}
    for test in tests:
        for target in imports.get(test, ()):
            importers[target] = importers.get(target, 0) + 1
    links: dict[str, dict[str, float]] = {}
    for test in tests:
        summary = summaries[test]
        imported = imports.get(test, {})
        found: dict[str, float] = {}
        folders = [_plain(part) for part in summary.path.split("/")[:-1] if part.lower() not in _TEST_FOLDERS]
        for stem, strength in _stems(summary.path.rsplit("/", 1)[-1].rsplit(".", 1)[0], folders):
            for module in _pick(by_stem.get(stem, ()), summaries, folders, imported):
                found[module] = max(found.get(module, 0.0), strength)
        for target in imported:
            if target in summaries and not is_test(summaries[target]):
                strength = IMPORTED * specificity(importers[target], len(tests))
                if strength >= _MIN_IMPORT_LINK:
                    found[target] = min(1.0, max(found.get(target, 0.0), strength) + (0.2 if target in found else 0))
        found.pop(test, None)
        if found:
            links[test] = found
    return links


def is_test(summary: ModuleSummary) -> bool:
    """A test module, as :func:`sphinx_kwindex.find.is_test_path` decided when finding it."""
    return summary.source.is_test


def runs_tests(summary: ModuleSummary) -> bool:
    """A test module that tests something: named like a test (``test_x.py``, ``x_test.py``,
    ``conftest.py``) or defining a ``test_*`` function or a ``Test*`` class. An application
    kept under ``tests/`` as a fixture (flask's ``tests/test_apps/cliapp``) tests nothing."""
    if not summary.source.is_test:
        return False
    stem = summary.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem.startswith("test_") or stem.endswith("_test") or stem == "conftest":
        return True
    return any((d.kind == "function" and d.name.startswith("test")) or (d.kind == "class" and d.name.startswith("Test"))
               for d in summary.definitions if "." not in d.name)


def _plain(name: str) -> str:
    return name.strip("_").lower()


def _stems(stem: str, folders: list[str]) -> list[tuple[str, float]]:
    """Names of the modules a test file's name and folders point to, with strengths."""
    stem = _plain(stem)
    if stem == "conftest":
        return [(folder, MIRRORED_FOLDER) for folder in folders[-1:]]
    for prefix in ("test_", "tests_"):
        if stem.startswith(prefix):
            stem = stem[len(prefix) :]
    if stem.endswith("_test"):
        stem = stem[: -len("_test")]
    stems = [(stem, NAMED)] if stem and stem != "test" else []
    words = stem.split("_")
    stems += [("_".join(words[:n]), NAMED_PREFIX) for n in range(len(words) - 1, 0, -1)]
    stems += [(folder, MIRRORED_FOLDER) for folder in folders[-2:]]
    return stems


def _pick(
    candidates: list[str], summaries: Mapping[str, ModuleSummary], folders: list[str], imported: Mapping
) -> list[str]:
    """The candidates of one stem whose folders best mirror the test's folders."""
    if len(candidates) <= 1:
        return list(candidates)
    wanted = set(folders)

    def fit(module: str) -> tuple[int, int]:
        parts = {_plain(part) for part in summaries[module].path.split("/")[:-1]}
        return (len(parts & wanted), module in imported)

    best = max(fit(module) for module in candidates)
    chosen = [module for module in candidates if fit(module) == best]
    return chosen if len(chosen) <= _MAX_AMBIGUOUS else []
