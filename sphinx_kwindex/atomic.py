"""Write a file so that readers (and concurrent builds) see the old content or the new, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes | str, *, prefix: str = ".kwindex-", suffix: str = ".tmp") -> None:
    """Write ``data`` beside ``target``, then rename it over ``target``; concurrent writers: the last wins.

    A process killed mid-write leaves at most a temporary file named ``prefix...suffix``.
    """
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
