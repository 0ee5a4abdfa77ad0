"""The one on-disk store for what a build keeps for the next: versioned, checksummed, allow-listed.

Every cache is one file of the store folder (under the doctree folder, or
``kwindex_cache_dir``), laid out alike::

    sphinx-kwindex store\\n
    {"entry": ..., "format": ..., "sphinx_kwindex": ..., "version": ..., "key": ..., "astroid": ..., "python": ...}\\n
    <checksum of the payload>\\n
    <pickle payload>

The header is checked before anything is unpickled: another version of the
extension, astroid or Python, damage or truncation make a file be ignored
(said once, at info level) and rebuilt; a different ``key`` (another project
state) is simply a miss. Payloads are unpickled by an unpickler that can only
build our own data classes and plain containers, so a file planted in a shared
cache folder cannot run code. Files are written atomically, with the
permissions the user's umask gives.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sphinx_kwindex
from sphinx_kwindex.fingerprint import RUNTIME

#: Bump when the file layout above changes.
STORE_FORMAT = 1
_MAGIC = b"sphinx-kwindex store\n"
_TEMP_PREFIX = ".kwindex-"
_TEMP_SUFFIX = ".tmp"
#: A temporary file older than this is left over by a killed build (a write takes well under a second).
STALE_TEMP_SECONDS = 600

#: Classes a stored payload may hold, by module (containers, strings and numbers need none:
#: the pickle protocol writes them with opcodes of their own).
_ALLOWED = {
    "sphinx_kwindex.model": {
        "SourceFile", "Definition", "ImportedName", "Import", "NotableCall", "Use", "UseRows", "Problem", "ValueType",
        "ModuleSummary", "Subtype",
    },
    "sphinx_kwindex.pipeline": {"Outline"},
    "sphinx_kwindex.project.related.rank": {"RelatedFile"},
    "sphinx_kwindex.project.related.incremental": {"RankInputs", "RankState"},
}


@dataclass(frozen=True)
class Entry:
    """One kind of file in the store."""

    #: file name in the store folder
    filename: str
    #: what messages call it: "the analysis cache"
    title: str
    #: what is lost when it cannot be used, for messages: "the next build analyses every module again"
    loss: str
    #: the code version its content depends on (a digest from :mod:`sphinx_kwindex.fingerprint`)
    version: Callable[[], str]


class Store:
    """The store folder of one build; each problem with a file is said once through ``info``."""

    def __init__(self, folder: Path, info: Callable[[str], None] = lambda message: None) -> None:
        self.folder = Path(folder)
        self.info = info
        self._said: set[str] = set()

    def path(self, entry: Entry) -> Path:
        return self.folder / entry.filename

    def read(self, entry: Entry, *, key: str = "", check: Callable[[object], bool] | None = None) -> object | None:
        """The stored value, or None when there is none usable (never raises).

        ``key`` names the state the value was saved for: a file saved under another key is a
        quiet miss. ``check`` tests the unpickled value; a value it refuses is ignored (said once).
        """
        path = self.path(entry)
        try:
            blob = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None  # first build, or the folder is not there yet: nothing to say
        except OSError as exc:
            self.say(entry, f"kwindex: cannot read {entry.title} {path} ({exc.strerror or exc}); {entry.loss}")
            return None
        try:
            value = self._decode(entry, blob, key)
            if check is not None and not check(value):
                raise _Unusable("it is damaged (unexpected content)")
        except _Miss:
            return None
        except _Unusable as exc:
            self.say(entry, f"kwindex: ignoring {entry.title} {path}: {exc}; rebuilding it")
            return None
        except Exception:  # noqa: BLE001 - checking planted data can raise anything: not used
            self.say(entry, f"kwindex: ignoring {entry.title} {path}: it is damaged (unexpected content); "
                     "rebuilding it")
            return None
        return value

    def write(self, entry: Entry, value: object, *, key: str = "", payload: bytes | None = None) -> bool:
        """Replace the stored value atomically (``payload``: ``value`` pickled already); False if it cannot."""
        if payload is None:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        checksum = hashlib.blake2b(payload, digest_size=16).hexdigest()
        head = json.dumps(self._header(entry, key), sort_keys=True).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_stale_temps(self.folder)
            write_atomic(self.path(entry), b"".join((_MAGIC, head, b"\n", checksum.encode(), b"\n", payload)))
        except OSError as exc:
            self.say(entry, f"kwindex: cannot write {entry.title} {self.path(entry)} "
                     f"({exc.strerror or exc}); {entry.loss}")
            return False
        return True

    def checksum(self, entry: Entry) -> str | None:
        """The checksum line of the stored file (which changes whenever its content does), read
        without the payload; None when there is no file."""
        try:
            with self.path(entry).open("rb") as stream:
                if stream.readline() != _MAGIC:
                    return None
                stream.readline()  # the header
                return stream.readline().rstrip(b"\n").decode("ascii", "replace")
        except OSError:
            return None

    def say(self, entry: Entry, message: str) -> None:
        """``message`` through ``info``, once per file (a file that cannot be read is not written either)."""
        if entry.filename not in self._said:
            self._said.add(entry.filename)
            self.info(message)

    @staticmethod
    def _header(entry: Entry, key: str) -> dict[str, str | int]:
        return {"format": STORE_FORMAT, "entry": entry.filename, "sphinx_kwindex": sphinx_kwindex.__version__,
                "version": entry.version(), "key": key, **RUNTIME}

    def _decode(self, entry: Entry, blob: bytes, key: str) -> object:
        """Check magic, header and checksum before unpickling anything."""
        if not blob.startswith(_MAGIC):
            raise _Unusable("it is not a sphinx-kwindex store file")
        head, _, rest = blob[len(_MAGIC):].partition(b"\n")
        checksum, _, payload = rest.partition(b"\n")
        try:
            found = json.loads(head)
        except ValueError:
            raise _Unusable("it is damaged (unreadable header)") from None
        expected = self._header(entry, key)
        if not isinstance(found, dict):
            raise _Unusable("it is damaged (unreadable header)")
        differ = sorted(k for k in expected if k != "key" and found.get(k) != expected[k])
        if differ:
            raise _Unusable(f"it was made with other versions ({', '.join(differ)})")
        if found.get("key") != key:
            raise _Miss
        if hashlib.blake2b(payload, digest_size=16).hexdigest().encode() != checksum:
            raise _Unusable("it is damaged or truncated (checksum mismatch)")
        try:
            return loads(payload)
        except Exception as exc:  # noqa: BLE001 - unpickling bad data can raise anything
            raise _Unusable(f"it is damaged ({type(exc).__name__}: {str(exc)[:200]})") from None


class _Unusable(Exception):
    """The file exists but must not be used; the message says why."""


class _Miss(Exception):
    """The file holds a value saved for another project state."""


class _OurDataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a sphinx-kwindex store")


def valid_rows(rows: object, types: tuple[type, ...]) -> bool:
    """Stored rows: a tuple of tuples whose items have exactly ``types``, checked column by column, in C."""
    if type(rows) is not tuple:
        return False
    if not rows:
        return True
    if set(map(type, rows)) != {tuple}:
        return False
    columns = list(zip(*rows, strict=True))
    return len(columns) == len(types) and all(
        set(map(type, column)) == {kind} for column, kind in zip(columns, types, strict=True))


def loads(blob: bytes):
    """``pickle.loads`` for stored data; anything but our data raises ``UnpicklingError``."""
    return _OurDataOnly(io.BytesIO(blob)).load()


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write ``data`` beside ``target``, then rename it over ``target``; concurrent writers: the last wins.

    The file gets the permissions the user's umask gives (created 0o666 minus the umask, as
    ``open()`` does). A process killed mid-write leaves at most a temporary ``.kwindex-*.tmp``.
    """
    target = Path(target)
    while True:
        temp = target.parent / f"{_TEMP_PREFIX}{secrets.token_hex(8)}{_TEMP_SUFFIX}"
        try:
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_stale_temps(folder: Path) -> None:
    """Temporary files of builds killed while writing; young ones may belong to a running build."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if item.name.startswith(_TEMP_PREFIX) and item.name.endswith(_TEMP_SUFFIX):
                    try:
                        if item.stat().st_mtime < cutoff:
                            os.unlink(item.path)
                    except OSError:
                        pass
    except OSError:
        pass
