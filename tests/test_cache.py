"""The analysis cache and pool: hits parse nothing, anything odd is ignored once and rebuilt."""

from __future__ import annotations

import dataclasses
import os
import pickle
import threading
import time
from pathlib import Path

import pytest

import sphinx_kwindex
from sphinx_kwindex import fingerprint
from sphinx_kwindex import analyse as analyse_module
from sphinx_kwindex.analyse import analyse_file
from sphinx_kwindex.find import find_sources
from sphinx_kwindex.model import NotableCall, SourceFile, UseRows
from sphinx_kwindex.runner import analyse_all
from sphinx_kwindex.fingerprint import content_digest
from sphinx_kwindex.runner import cache as cache_module
from sphinx_kwindex.runner import digests as digests_module
from sphinx_kwindex.runner.digests import source_digests
from sphinx_kwindex.runner.cache import ANALYSIS
from sphinx_kwindex import store as store_module
from sphinx_kwindex.store import STALE_TEMP_SECONDS, Store
from sphinx_kwindex.runner.pool import INLINE_BELOW

MODULES = {
    "pkg/__init__.py": '"""The package."""\nfrom .core import Widget\n__all__ = ["Widget"]\n',
    "pkg/core.py": (
        '"""Core widgets."""\nimport os\n\n\nclass Widget:\n    """A widget."""\n\n'
        "    def render(self, size: int = 1) -> str:\n        return os.sep * size\n"
    ),
    "pkg/util.py": "from pkg.core import Widget\n\n\ndef make_widget():\n    return Widget()\n",
    "pkg/broken.py": "def oops(:\n",
    "tests/test_core.py": "from pkg.core import Widget\n\n\ndef test_render():\n    assert Widget().render()\n",
}


@pytest.fixture
def project(tmp_path) -> list[SourceFile]:
    files = []
    for path, text in MODULES.items():
        abspath = tmp_path / "src" / path
        abspath.parent.mkdir(parents=True, exist_ok=True)
        abspath.write_text(text)
        name = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        files.append(SourceFile(name, str(abspath), path, is_package=path.endswith("__init__.py"),
                                is_test=path.startswith("tests/")))
    return files


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """Modules analysed (parsed) in this process, in order."""
    calls: list[str] = []
    real = analyse_module.analyse

    def counting(source, data):
        calls.append(source.module)
        return real(source, data)

    monkeypatch.setattr(analyse_module, "analyse", counting)  # analyse_file calls it, inline and in the pool
    return calls


class Messages(list):
    """The ``info`` callable; keeps messages about cache problems (not the hit/miss count)."""

    def __call__(self, message: str) -> None:
        if "modules from the analysis cache" not in message:
            self.append(message)


def build(files, cache_dir, jobs=1, messages=None):
    said = messages if messages is not None else Messages()
    return analyse_all(files, jobs=jobs, store=Store(cache_dir, said) if cache_dir is not None else None)


def cache_file(cache_dir: Path) -> Path:
    return cache_dir / ANALYSIS.filename


# -- hits and misses -----------------------------------------------------------


def test_no_change_build_parses_nothing(project, parsed, tmp_path):
    cache_dir = tmp_path / "cache"
    first = build(project, cache_dir)
    assert len(parsed) == len(project)
    parsed.clear()
    assert build(project, cache_dir) == first
    assert parsed == []


def test_results_are_those_of_analyse_file_in_input_order(project, tmp_path):
    cold = build(project, tmp_path / "cache")
    warm = build(project, tmp_path / "cache")
    expected = [analyse_file(source) for source in project]
    assert cold == warm == expected
    assert [summary.module for summary in warm] == [source.module for source in project]


def test_content_change_reanalyses_only_that_file(project, parsed, tmp_path):
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    parsed.clear()
    util = next(source for source in project if source.module == "pkg.util")
    Path(util.abspath).write_text("def make_widget():\n    return None\n\n\ndef extra():\n    pass\n")
    summaries = build(project, cache_dir)
    assert parsed == ["pkg.util"]
    assert "extra" in {definition.name for definition in summaries[project.index(util)].definitions}
    parsed.clear()
    build(project, cache_dir)
    assert parsed == []


def test_same_content_under_another_module_name_is_a_miss(project, parsed, tmp_path):
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    parsed.clear()
    renamed = [SourceFile("other." + s.module, s.abspath, s.path, s.is_package, s.is_test) for s in project]
    summaries = build(renamed, cache_dir)
    assert len(parsed) == len(project)
    assert [summary.module for summary in summaries] == [source.module for source in renamed]


def test_moved_checkout_hits_and_shows_the_new_paths(project, parsed, tmp_path):
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    moved_root = tmp_path / "moved"
    (tmp_path / "src").rename(moved_root)
    moved = [SourceFile(s.module, str(moved_root / s.path), s.path, s.is_package, s.is_test) for s in project]
    parsed.clear()
    summaries = build(moved, cache_dir)
    assert parsed == []
    assert [summary.source for summary in summaries] == moved


def test_unreadable_file_is_reported_not_cached(project, parsed, tmp_path):
    cache_dir = tmp_path / "cache"
    missing = SourceFile("pkg.gone", str(tmp_path / "src" / "pkg" / "gone.py"), "pkg/gone.py")
    summaries = build([*project, missing], cache_dir)
    assert summaries[-1].problems[0].subtype == "unreadable"
    assert build([*project, missing], cache_dir)[-1] == summaries[-1]


def test_removed_files_leave_the_cache(project, tmp_path):
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    build(project[:2], cache_dir)
    assert len(cache_module.AnalysisCache.load(Store(cache_dir)).entries) == 2


def test_no_cache_dir_writes_nothing(project, parsed, tmp_path):
    messages = Messages()
    assert build(project, None, messages=messages) == [analyse_file(source) for source in project]
    assert messages == []
    assert not list(tmp_path.rglob(ANALYSIS.filename))


# -- a cache that cannot be trusted ---------------------------------------------


def corrupt_with_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_a_payload_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))


def bare_pickle_of_garbage(path: Path) -> None:
    path.write_bytes(pickle.dumps({"not": "a cache"}))


def empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [corrupt_with_random_bytes, truncate, flip_a_payload_byte,
                                    bare_pickle_of_garbage, empty])
def test_damaged_cache_is_ignored_once_and_rebuilt(project, parsed, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    expected = build(project, cache_dir)
    damage(cache_file(cache_dir))
    parsed.clear()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == expected
    assert len(parsed) == len(project)
    assert len(messages) == 1 and "ignoring the analysis cache" in messages[0]
    parsed.clear()
    messages.clear()
    assert build(project, cache_dir, messages=messages) == expected
    assert parsed == [] and messages == []


def test_valid_checksum_but_wrong_content_is_ignored(project, parsed, tmp_path):
    """Even a well-formed file whose pickle holds something else is not trusted."""
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    Store(cache_dir).write(ANALYSIS, {("x",): "not a summary"})
    parsed.clear()
    messages = Messages()
    build(project, cache_dir, messages=messages)
    assert len(parsed) == len(project)
    assert len(messages) == 1 and "unexpected content" in messages[0]


def test_summaries_with_missing_or_mistyped_fields_are_analysed_again(project, parsed, tmp_path):
    import dataclasses

    cache_dir = tmp_path / "cache"
    expected = build(project, cache_dir)
    cache = cache_module.AnalysisCache.load(Store(cache_dir))
    keys = sorted(cache.entries)
    # A pickle of ``ModuleSummary.__new__(ModuleSummary)``: an instance with no fields set.
    module, name = b"sphinx_kwindex.model", b"ModuleSummary"
    fieldless = b"\x80\x04\x8c" + bytes([len(module)]) + module + b"\x8c" + bytes([len(name)]) + name + b"\x93)\x81."
    real = cache_module._decode_entry(keys[1], cache.entries[keys[1]])
    mistyped = dataclasses.replace(real, identifiers=5)
    wrong = dict(cache.entries)
    wrong[keys[0]] = fieldless
    wrong[keys[1]] = cache_module._encode_entry(mistyped)
    Store(cache_dir).write(ANALYSIS, wrong)
    parsed.clear()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == expected
    assert len(parsed) == 2 and len(messages) == 1 and "unexpected content" in messages[0]


def test_uses_stay_encoded_until_read_and_equal_the_analysed_ones(project, tmp_path):
    """A summary from the cache holds its uses encoded: only the summaries whose uses are read
    decode them, and what they decode to is what the analysis found."""
    cache_dir = tmp_path / "cache"
    fresh = build(project, cache_dir)
    cached = build(project, cache_dir)
    assert all(summary.uses.blob() is not None for summary in cached)
    core = next(i for i, summary in enumerate(cached) if summary.module == "pkg.core")
    assert [use.symbol for use in cached[core].uses] == [use.symbol for use in fresh[core].uses] != []
    assert cached[core].uses.blob() is None  # decoded once, then kept
    assert [summary.uses.blob() is not None for summary in cached] == [i != core for i in range(len(cached))]
    assert cached == fresh
    # Saved again (nothing changed) and read by a third build: the rows are those of the first.
    assert build(project, cache_dir) == fresh


def test_damaged_uses_are_analysed_again_once_and_the_next_build_analyses_everything(project, parsed, tmp_path):
    """Uses are checked when read: mistyped rows (the file's checksum held, so it was made so) are
    said once, their module is analysed again for them, and the cache is dropped."""
    cache_dir = tmp_path / "cache"
    expected = build(project, cache_dir)
    cache = cache_module.AnalysisCache.load(Store(cache_dir))
    key = next(key for key in cache.entries if key[1] == "pkg.util")
    real = cache_module._decode_entry(key, cache.entries[key])
    rows = real.uses.rows
    assert rows
    mistyped = dataclasses.replace(real, uses=UseRows(((rows[0][0], str(rows[0][1]), *rows[0][2:]), *rows[1:])))
    Store(cache_dir).write(ANALYSIS, {**cache.entries, key: cache_module._encode_entry(mistyped)})
    parsed.clear()
    messages = Messages()
    summaries = build(project, cache_dir, messages=messages)
    assert parsed == [] and messages == []  # nothing decoded the uses yet
    util = next(summary for summary in summaries if summary.module == "pkg.util")
    assert tuple(util.uses) == tuple(next(s for s in expected if s.module == "pkg.util").uses) != ()
    assert tuple(util.uses) == tuple(util.uses) and parsed == ["pkg.util"]  # analysed again once
    assert len(messages) == 1 and "damaged uses" in messages[0]
    assert not Store(cache_dir).path(ANALYSIS).exists()
    assert summaries == expected
    parsed.clear()
    assert build(project, cache_dir) == expected and len(parsed) == len(project)


def _mistype_definition_line(summary):
    return dataclasses.replace(summary, definitions=(
        dataclasses.replace(summary.definitions[0], line=str(summary.definitions[0].line)), *summary.definitions[1:]))


def _mistype_import_name(summary):
    return dataclasses.replace(summary, imports=(
        *summary.imports[:-1], dataclasses.replace(summary.imports[-1], names=(*summary.imports[-1].names, 7))))


def _wrong_part_class(summary):
    return dataclasses.replace(summary, definitions=(*summary.definitions, summary.imports[0]))


def _bool_for_a_line(summary):
    return dataclasses.replace(summary, notable_calls=(NotableCall("exec", "exec", True),))


@pytest.mark.parametrize("mistype", [_mistype_definition_line, _mistype_import_name, _wrong_part_class,
                                     _bool_for_a_line])
def test_a_part_with_a_mistyped_field_is_analysed_again(project, parsed, tmp_path, mistype):
    """Parts are checked in bulk: any one of them with a field of another type refuses the entry."""
    cache_dir = tmp_path / "cache"
    expected = build(project, cache_dir)
    cache = cache_module.AnalysisCache.load(Store(cache_dir))
    summaries = {key: cache_module._decode_entry(key, blob) for key, blob in sorted(cache.entries.items())}
    key = next(key for key, summary in summaries.items() if summary.definitions and summary.imports)
    entries = dict(cache.entries)
    entries[key] = cache_module._encode_entry(mistype(summaries[key]))
    Store(cache_dir).write(ANALYSIS, entries)
    parsed.clear()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == expected
    assert len(parsed) == 1 and len(messages) == 1 and "unexpected content" in messages[0]


def test_entries_holding_something_else_are_analysed_again(project, parsed, tmp_path):
    """Well-formed file and keys, but the pickles are not the summaries they claim to be."""
    cache_dir = tmp_path / "cache"
    expected = build(project, cache_dir)
    entries = cache_module.AnalysisCache.load(Store(cache_dir)).entries
    keys = sorted(entries)
    wrong = {keys[0]: pickle.dumps("not a summary"), keys[1]: entries[keys[2]], **{k: entries[k] for k in keys[2:]}}
    Store(cache_dir).write(ANALYSIS, wrong)
    parsed.clear()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == expected
    assert len(parsed) == 2
    assert len(messages) == 1 and "unexpected content" in messages[0]
    parsed.clear()
    assert build(project, cache_dir) == expected and parsed == []


@pytest.mark.parametrize("constant", ["sphinx_kwindex.__version__", "format", "analysis code", "astroid", "python"])
def test_cache_of_other_versions_is_ignored_once_and_rebuilt(project, parsed, tmp_path, monkeypatch, constant):
    cache_dir = tmp_path / "cache"
    expected = build(project, cache_dir)
    if constant == "sphinx_kwindex.__version__":
        monkeypatch.setattr(sphinx_kwindex, "__version__", "999.0")
    elif constant == "format":
        monkeypatch.setattr(store_module, "STORE_FORMAT", store_module.STORE_FORMAT + 1)
    elif constant == "analysis code":
        monkeypatch.setattr(cache_module, "ANALYSIS", cache_module.ANALYSIS.__class__(
            ANALYSIS.filename, ANALYSIS.title, ANALYSIS.loss, lambda: "edited analysis code"))
    else:
        monkeypatch.setitem(store_module.RUNTIME, constant, "0.0.1")
    parsed.clear()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == expected
    assert len(parsed) == len(project)
    assert len(messages) == 1 and "other versions" in messages[0]
    parsed.clear()
    assert build(project, cache_dir) == expected and parsed == []


def test_unwritable_cache_dir_is_reported_once_and_the_build_goes_on(project, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    cache_dir.chmod(0o500)
    try:
        probe = cache_dir / "probe"
        try:
            probe.write_bytes(b"")  # root ignores the mode: use a path that cannot be a folder instead
            probe.unlink()
            cache_dir.chmod(0o700)
            cache_dir = tmp_path / "a-file"
            cache_dir.write_bytes(b"")
        except PermissionError:
            pass
        messages = Messages()
        assert build(project, cache_dir, messages=messages) == [analyse_file(source) for source in project]
        assert len(messages) == 1 and "cannot write the analysis cache" in messages[0]
    finally:
        if cache_dir.is_dir():
            cache_dir.chmod(0o700)


def test_unreadable_cache_file_is_reported_once(project, tmp_path):
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    # A folder where the file should be: reading fails (as for a permission error), and so does writing.
    cache_file(cache_dir).unlink()
    cache_file(cache_dir).mkdir()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == [analyse_file(source) for source in project]
    assert len(messages) == 1 and "cannot read the analysis cache" in messages[0]


def test_write_is_atomic_and_old_temporary_files_are_removed(project, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    killed = cache_dir / ".kwindex-killed.tmp"  # a build killed while writing
    killed.write_bytes(b"partial")
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(killed, (old, old))
    running = cache_dir / ".kwindex-running.tmp"  # a concurrent build writing right now
    running.write_bytes(b"partial")
    build(project, cache_dir)
    assert sorted(path.name for path in cache_dir.iterdir()) == sorted([ANALYSIS.filename, running.name])


def test_failed_write_keeps_the_old_cache(project, parsed, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    build(project, cache_dir)
    before = cache_file(cache_dir).read_bytes()
    Path(project[2].abspath).write_text("x = 1\n")

    def killed(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "replace", killed)
    messages = Messages()
    build(project, cache_dir, messages=messages)
    assert cache_file(cache_dir).read_bytes() == before
    assert [path.name for path in cache_dir.iterdir()] == [ANALYSIS.filename]
    assert len(messages) == 1 and "No space left" in messages[0]


def test_concurrent_builds_sharing_a_cache_dir_leave_a_valid_cache(project, tmp_path):
    cache_dir = tmp_path / "cache"

    def builds(offset: int) -> None:
        for round_ in range(4):  # different file sets, so that every build writes
            build(project[(offset + round_) % 3:], cache_dir)

    threads = [threading.Thread(target=builds, args=(offset,)) for offset in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = Messages()
    assert build(project, cache_dir, messages=messages) == [analyse_file(source) for source in project]
    assert messages == []
    assert [path.name for path in cache_dir.iterdir()] == [ANALYSIS.filename]


# -- the pool ----------------------------------------------------------------------


def test_pool_gives_the_same_summaries_as_inline(project, tmp_path):
    many = project * 5  # enough work for several chunks
    inline = analyse_all(many, jobs=1, store=None)
    pooled = analyse_all(many, jobs=2, store=None)
    assert pooled == inline
    assert [summary.module for summary in pooled] == [source.module for source in many]


def test_pool_fills_and_then_uses_the_cache(project, parsed, tmp_path):
    cache_dir = tmp_path / "cache"
    many = project * 4  # at least INLINE_BELOW files: a pool is worth starting
    assert len(many) >= INLINE_BELOW
    pooled = build(many, cache_dir, jobs=2)
    assert parsed == []  # parsed in the workers, not here
    assert build(many, cache_dir, jobs=1) == pooled
    assert parsed == []


def test_a_few_files_are_analysed_inline_even_with_jobs(project, parsed, tmp_path):
    assert len(project) < INLINE_BELOW
    assert build(project, tmp_path / "cache", jobs=2) == build(project, None, jobs=1)
    assert parsed[: len(project)] == [source.module for source in project]  # here, not in a pool


def test_progress_wraps_the_new_summaries(project, tmp_path):
    seen = []

    def progress(items, count):
        seen.append(count)
        for item in items:
            seen.append(item.module)
            yield item

    cache_dir = tmp_path / "cache"
    for jobs in (1, 2):
        seen.clear()
        analyse_all(project, jobs=jobs, store=None, progress=progress)
        assert seen == [len(project), *(source.module for source in project)]
    analyse_all(project, jobs=1, store=Store(cache_dir))
    seen.clear()
    analyse_all(project, jobs=1, store=Store(cache_dir), progress=progress)
    assert seen == []  # nothing to analyse: no progress line


def test_astroid_trees_do_not_outlive_their_file(project):
    """Each tree is freed right after its file (memory stays flat however large the project)."""
    import gc

    from astroid import nodes

    def alive() -> int:
        return sum(isinstance(obj, nodes.Module) for obj in gc.get_objects())

    analyse_all(project, jobs=1, store=None)  # astroid's own modules (builtins...) exist from here on
    before = alive()
    analyse_all(project * 20, jobs=1, store=None)
    assert alive() == before


def _analyse_into(cache_dir: str, root: str) -> int:
    """One build's analysis step, in its own process."""
    from sphinx_kwindex.find import find_sources
    from sphinx_kwindex.runner import analyse_all

    files = find_sources([Path(root)]).files
    from sphinx_kwindex.store import Store

    return len(analyse_all(files, jobs=1, store=Store(Path(cache_dir))))


def test_two_processes_sharing_a_cache_folder_leave_a_usable_cache(tmp_path):
    import multiprocessing

    root = tmp_path / "src" / "pkg"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    for i in range(40):
        (root / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n" * 20)
    cache = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        counts = pool.starmap(_analyse_into, [(str(cache), str(root))] * 4)
    assert counts == [41] * 4
    said: list[str] = []
    files = find_sources([root]).files
    summaries = analyse_all(files, jobs=1, store=Store(cache, said.append))
    assert len(summaries) == 41
    assert said == ["kwindex: 41 of 41 modules from the analysis cache, 0 analysed"]


def test_a_planted_analysis_cache_cannot_run_code(tmp_path):
    class Planted:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "PWNED"),))

    with pytest.raises(pickle.UnpicklingError):
        store_module.loads(pickle.dumps({"entries": Planted()}))
    # A whole store file with a valid header and checksum around the planted payload.
    Store(tmp_path / "cache").write(ANALYSIS, None, payload=pickle.dumps({("k",): Planted()}))
    said = []
    assert Store(tmp_path / "cache", said.append).read(ANALYSIS) is None
    assert len(said) == 1 and "is not allowed" in said[0]
    assert not (tmp_path / "PWNED").exists()


# -- file digests ----------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Files read to be hashed, with every file settled at once (no clock-tick margin)."""
    read: list[str] = []
    real = digests_module.read_source

    def counting(source):
        read.append(source.module)
        return real(source)

    monkeypatch.setattr(digests_module, "read_source", counting)
    monkeypatch.setattr(fingerprint, "RECENT_SECONDS", 0.0)
    return read


def test_files_are_hashed_again_only_when_their_stamp_changes(project, reads, tmp_path):
    store = Store(tmp_path / "cache")
    expected = [content_digest(Path(source.abspath).read_bytes()) for source in project]
    assert source_digests(project, store) == expected and len(reads) == len(project)
    reads.clear()
    assert source_digests(project, store) == expected and reads == []
    core = Path(project[1].abspath)
    stat = core.stat()
    time.sleep(0.05)  # a clock tick, even where file times are coarse
    core.write_text(core.read_text().replace("Core widgets", "Core gadgets"))  # same size
    os.utime(core, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    again = source_digests(project, store)
    assert reads == ["pkg.core"]  # its change time gave it away
    assert again[1] == content_digest(core.read_bytes()) != expected[1]


def test_a_file_modified_just_now_is_always_read(project, tmp_path, monkeypatch):
    read: list[str] = []
    real = digests_module.read_source
    monkeypatch.setattr(digests_module, "read_source", lambda source: read.append(source.module) or real(source))
    monkeypatch.setattr(fingerprint, "RECENT_SECONDS", 3600.0)  # "just now": however slow the machine
    store = Store(tmp_path / "cache")
    first = source_digests(project, store)
    assert source_digests(project, store) == first
    assert read == [source.module for source in project] * 2  # every file was written within the margin
    (tmp_path / "src" / "pkg" / "util.py").unlink()
    assert source_digests(project, store)[2] is None  # unreadable
