"""Project-wide results from the last build (related files of every module, the project keyword
index's pages), reused while nothing in the project changed.

Ranking is global (shared identifiers are weighed across the whole project), so
the cache is all or nothing: its key is a fingerprint of every module's
content and path, the weights, the limit and the git co-change counts. Any
change re-ranks everything, so an incremental build shows exactly what a fresh
one would.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path

from sphinx_kwindex.atomic import write_atomic
from sphinx_kwindex.code_version import code_digest
from sphinx_kwindex.project import ProjectIndex
from sphinx_kwindex.project_keywords import KeywordGroup
from sphinx_kwindex.runner.safe_pickle import safe_loads
from sphinx_kwindex.related import RelatedFile

RELATED_NAME = "kwindex-related.cache"
_FORMAT = 2


def project_fingerprint(index: ProjectIndex) -> str:
    """Changes whenever any input of the related-files ranking (or the extension's code) changes."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{_FORMAT}\0{code_digest()}\0{index.weights!r}\0{index.related_limit}\0".encode())
    for name, summary in index.modules.items():
        hasher.update(f"{name}\0{summary.digest}\0{summary.path}\0{summary.source.is_test}\0".encode())
    cochange = index.cochange
    if cochange is not None:
        hasher.update(f"{cochange.commits}\0".encode())
        for path in sorted(cochange.together):
            hasher.update(f"{path}:{sorted(cochange.together[path].items())}\0".encode())
    return hasher.hexdigest()


def load_related(
    folder: Path, fingerprint: str
) -> tuple[dict[str, tuple[RelatedFile, ...]], list[KeywordGroup] | None] | None:
    """The cached (ranking, keyword index pages) for exactly this project state, or None."""
    try:
        blob = (folder / RELATED_NAME).read_bytes()
        form, key, data, groups = safe_loads(blob)
    except Exception:  # noqa: BLE001 (a damaged cache is simply not used)
        return None
    if form != _FORMAT or key != fingerprint or not isinstance(data, dict):
        return None
    if not all(isinstance(v, tuple) and all(isinstance(e, RelatedFile) for e in v) for v in data.values()):
        return None
    if groups is not None and not (isinstance(groups, list) and all(isinstance(g, KeywordGroup) for g in groups)):
        return None
    return data, groups


def save_related(
    folder: Path, fingerprint: str, data: dict, info: Callable[[str], None], groups: list[KeywordGroup] | None = None
) -> None:
    """Write atomically; a folder that cannot be written is said once and skipped."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        blob = pickle.dumps((_FORMAT, fingerprint, data, groups), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(folder / RELATED_NAME, blob, prefix=".kwindex-related-")
    except OSError as exc:
        info(f"kwindex: cannot write the related-files cache in {folder} ({exc.strerror or exc})")
