"""Project-wide results from the last build, kept for the next one.

* ``kwindex-related.cache``: the related files of every module with the inputs
  they were computed from (:class:`~sphinx_kwindex.related.incremental.RankState`)
  and the project fingerprint. Same fingerprint: used as it is. Another one: only
  the modules whose inputs changed are ranked again, which gives exactly what
  ranking everything would.
* ``kwindex-keywords.cache``: the project keyword index's pages, used only for
  exactly the same project (the fingerprint, on the file's first line, is
  checked before anything is unpickled).

A damaged, foreign or planted file is simply not used (see ``safe_pickle``).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path

from sphinx_kwindex.atomic import write_atomic
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.project_keywords import KeywordEntry, KeywordGroup
from sphinx_kwindex.related import RelatedFile
from sphinx_kwindex.related.incremental import RankInputs, RankState, project_frame
from sphinx_kwindex.runner.safe_pickle import safe_loads

RELATED_NAME = "kwindex-related.cache"
KEYWORDS_NAME = "kwindex-keywords.cache"
_FORMAT = 4


def project_fingerprint(index: ProjectIndex) -> str:
    """Changes whenever any input of the related-files ranking (or the extension's code) changes:
    the project-wide inputs, and every module's content."""
    frame = project_frame(index.modules, index.weights, index.related_limit, index.cochange)
    hasher = hashlib.blake2b(f"{_FORMAT}\0{frame}\0".encode(), digest_size=16)
    for name, summary in index.modules.items():
        hasher.update(f"{name}\0{summary.digest}\0".encode())
    return hasher.hexdigest()


def load_related(folder: Path) -> tuple[str, RankState] | None:
    """(fingerprint, ranking state) of the last build, or None when there is none usable."""
    try:
        form, fingerprint, state = safe_loads((folder / RELATED_NAME).read_bytes())
        usable = form == _FORMAT and isinstance(fingerprint, str) and _valid_state(state)
    except Exception:  # noqa: BLE001 (a damaged or planted cache is simply not used)
        return None
    return (fingerprint, state) if usable else None


def save_related(folder: Path, fingerprint: str, state: RankState, info: Callable[[str], None]) -> None:
    """Write atomically; a folder that cannot be written is said once and skipped."""
    _save(folder, RELATED_NAME, pickle.dumps((_FORMAT, fingerprint, state), protocol=pickle.HIGHEST_PROTOCOL), info)


def load_keyword_groups(folder: Path, fingerprint: str) -> list[KeywordGroup] | None:
    """The keyword index pages saved for exactly this project state, or None."""
    try:
        head, _, blob = (folder / KEYWORDS_NAME).read_bytes().partition(b"\n")
        if head != f"{_FORMAT}:{fingerprint}".encode():
            return None
        rows = safe_loads(blob)
        groups = [KeywordGroup(key, title, tuple(KeywordEntry(*entry) for entry in entries)) for key, title, entries in rows]
    except Exception:  # noqa: BLE001 (a damaged cache is simply not used)
        return None
    texts = (text for g in groups for text in (g.key, g.title, *(part for e in g.entries for part in (e.name, e.qualname, e.kind, e.module))))
    return groups if all(isinstance(text, str) for text in texts) else None


def save_keyword_groups(folder: Path, fingerprint: str, groups: list[KeywordGroup], info: Callable[[str], None]) -> None:
    # Plain tuples: pickled and loaded by C code alone (75,000 keywords on PyTorch: 0.5 s less each way).
    rows = [(g.key, g.title, [(e.name, e.qualname, e.kind, e.module) for e in g.entries]) for g in groups]
    blob = f"{_FORMAT}:{fingerprint}\n".encode() + pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    _save(folder, KEYWORDS_NAME, blob, info)


def _save(folder: Path, name: str, blob: bytes, info: Callable[[str], None]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / name, blob, prefix=".kwindex-related-")
    except OSError as exc:
        info(f"kwindex: cannot write the related-files cache in {folder} ({exc.strerror or exc})")


def _valid_state(state: object) -> bool:
    """Everything the next build reads from ``state`` is there, of the right type, and names known
    modules (a planted or damaged file may hold anything; this may raise, which means no)."""
    if not (isinstance(state, RankState) and isinstance(state.inputs, RankInputs) and isinstance(state.ranking, dict)):
        return False
    inputs = state.inputs
    modules = inputs.digests.keys()
    if not (isinstance(inputs.frame, str)
            and state.ranking.keys() == modules == inputs.imports.keys() == inputs.tests.keys()
            == inputs.partners.keys()):
        return False
    return (
        all(isinstance(v, str) for mapping in (inputs.digests, inputs.vectors) for v in mapping.values())
        and all(_imports(targets, modules) for targets in inputs.imports.values())
        and all(_test_links(links, modules) for links in inputs.tests.values())
        and all(_strings(words) for words in (*inputs.tops.values(), *inputs.postings.values()))
        and all(_strings(found) and set(found) <= modules for found in inputs.partners.values())
        and all(_entries(entries, modules) for entries in state.ranking.values())
    )


def _strings(values: object) -> bool:
    return isinstance(values, tuple) and all(isinstance(value, str) for value in values)


def _imports(targets: object, modules) -> bool:
    return isinstance(targets, dict) and all(t in modules and _strings(names) for t, names in targets.items())


def _test_links(links: object, modules) -> bool:
    return isinstance(links, tuple) and len(links) == 2 and all(
        isinstance(pair, tuple) and len(pair) == 2 and pair[0] in modules and isinstance(pair[1], float)
        for side in links for pair in side
    )


def _entries(entries: object, modules) -> bool:
    return isinstance(entries, tuple) and all(
        isinstance(e, RelatedFile) and e.module in modules and isinstance(e.score, float) and _strings(e.reasons)
        for e in entries
    )
