"""A digest of this package's own source code and of what its analysis depends on.

Page digests, the related-files cache and ``kwindex.json`` include it, so what
an older (or locally edited) version of the extension, or another astroid or
Python, produced is never mistaken for current after an upgrade.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

import astroid

import sphinx_kwindex


@functools.cache
def code_digest() -> str:
    """This package's version and source, and the parser and interpreter its analysis depends on
    (a summary is a function of a file's bytes and all of these)."""
    runtime = f"{sphinx_kwindex.__version__}\0astroid {astroid.__version__}\0{sys.implementation.name} {sys.version}"
    hasher = hashlib.blake2b(runtime.encode(), digest_size=8)
    package = Path(sphinx_kwindex.__file__).parent
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()
