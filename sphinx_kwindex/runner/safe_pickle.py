"""Load our caches with an unpickler that can build only our own data classes and plain containers.

A cache folder may be shared (``kwindex_cache_dir`` kept by CI between runs);
a file planted there must not be able to run code when a build loads it.
"""

from __future__ import annotations

import io
import pickle

#: Classes a cache may hold, by module.
_ALLOWED = {
    "sphinx_kwindex.model": {
        "SourceFile", "Definition", "ImportedName", "Import", "NotableCall", "Problem", "ModuleSummary",
    },
    "sphinx_kwindex.related.rank": {"RelatedFile"},
    "sphinx_kwindex.related.incremental": {"RankInputs", "RankState"},
    "sphinx_kwindex.project_keywords": {"KeywordEntry", "KeywordGroup"},
    "builtins": {"tuple", "list", "dict", "set", "frozenset", "str", "bytes", "int", "float", "bool"},
    "copyreg": {"_reconstructor"},
}


class _OurDataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a sphinx-kwindex cache")


def safe_loads(blob: bytes):
    """``pickle.loads`` for our caches; anything but our data raises ``UnpicklingError``."""
    return _OurDataOnly(io.BytesIO(blob)).load()
