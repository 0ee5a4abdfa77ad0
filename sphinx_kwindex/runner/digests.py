"""Content digests of the source files, as the analysis cache keys them.

A file is read and hashed only when its stamp (:func:`~sphinx_kwindex.fingerprint.file_stamp`:
size, inode, times) changed since the last build: on PyTorch, reading and hashing 2,320 files
took 0.2 s of every build, their ``stat`` takes a hundredth of that. A file modified in the last
:data:`~sphinx_kwindex.fingerprint.RECENT_SECONDS` is always read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sphinx_kwindex.fingerprint import content_digest, file_stamp, is_settled, settled_before
from sphinx_kwindex.model import SourceFile
from sphinx_kwindex.store import Entry, Store

#: {absolute path: (modification time ns, change time ns, size, inode, content digest)}
FILE_DIGESTS = Entry("kwindex-file-digests.cache", "the record of file digests",
                     "the next build reads every file to hash it", lambda: "1")


def source_digests(files: Sequence[SourceFile], store: Store | None = None) -> list[str | None]:
    """The content digest of each file (None: unreadable); ``store`` keeps them by file stamp."""
    recorded = (store.read(FILE_DIGESTS, check=_valid) if store is not None else None) or {}
    before = settled_before()
    digests: list[str | None] = []
    kept: dict[str, tuple] = {}
    for source in files:
        try:
            status = os.stat(source.abspath)
        except OSError:
            digests.append(None)
            continue
        stamp = file_stamp(status)
        entry = recorded.get(source.abspath)
        if entry is not None and entry[:4] == stamp:
            digest: str | None = entry[4]
        else:
            data = read_source(source)
            digest = content_digest(data) if data is not None else None
        digests.append(digest)
        if digest is not None and is_settled(status, before):
            kept[source.abspath] = (*stamp, digest)
    if store is not None and kept != recorded:
        store.write(FILE_DIGESTS, kept)
    return digests


def read_source(source: SourceFile) -> bytes | None:
    try:
        with open(source.abspath, "rb") as stream:
            return stream.read()
    except OSError:
        return None  # analysed (and reported) as unreadable, never cached


def _valid(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(path, str) and type(entry) is tuple and len(entry) == 5
        and all(type(part) is int for part in entry[:4]) and type(entry[4]) is str
        for path, entry in value.items())
