"""A digest of this package's own source code.

Page digests, the related-files cache and ``kwindex.json`` include it, so what
an older (or locally edited) version of the extension rendered is never
mistaken for current after an upgrade.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import sphinx_kwindex


@functools.cache
def code_digest() -> str:
    hasher = hashlib.blake2b(sphinx_kwindex.__version__.encode(), digest_size=8)
    package = Path(sphinx_kwindex.__file__).parent
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()
