"""Git co-change: which files were changed in the same commits, read in one ``git log`` pass.

No git, no work tree or a shallow clone gives no history and a one-line reason;
nothing here ever fails a build.
"""

from __future__ import annotations

import codecs
import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: A ``git log`` taking longer than this is given up (seconds).
_TIMEOUT = 300
_MARK = "\x1e"


@dataclass(frozen=True)
class CoChange:
    """Commits per path and commits shared by each pair of paths (POSIX, project-relative)."""

    #: number of commits read (after skipping large ones)
    commits: int
    #: path -> commits touching it
    per_path: Mapping[str, int] = field(default_factory=dict)
    #: path -> {other path: commits touching both}
    together: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: path -> {other path: files touched by the smallest commit touching both}
    smallest: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def commits_of(self, path: str) -> int:
        return self.per_path.get(path, 0)

    def partners(self, path: str) -> Mapping[str, int]:
        """Paths changed in the same commits as ``path``, with how many commits."""
        return self.together.get(path, {})

    def smallest_commit(self, path: str, other: str) -> int:
        """Files touched by the smallest commit that touched both (0 when none did): a pair seen only
        in repository-wide commits ("Add type hints") is weak evidence, and a reader should know."""
        return self.smallest.get(path, {}).get(other, 0)

    def fingerprint(self) -> str:
        """Changes whenever any count changes (caches keyed by the history use it)."""
        hasher = hashlib.blake2b(f"{self.commits}\0".encode(), digest_size=16)
        hasher.update(f"{sorted(self.per_path.items())}\0".encode())
        for path in sorted(self.together):
            hasher.update(f"{path}:{sorted(self.together[path].items())}\0".encode())
            hasher.update(f"{sorted(self.smallest.get(path, {}).items())}\0".encode())
        return hasher.hexdigest()

    @classmethod
    def from_commits(cls, commits: Iterable[Iterable[str]]) -> CoChange:
        """Count a sequence of commits, each given as the paths it touches."""
        per_path: dict[str, int] = {}
        together: dict[str, dict[str, int]] = {}
        smallest: dict[str, dict[str, int]] = {}
        count = 0
        for files in commits:
            files = sorted(set(files))
            count += 1
            size = len(files)
            for path in files:
                per_path[path] = per_path.get(path, 0) + 1
                partners = together.setdefault(path, {})
                sizes = smallest.setdefault(path, {})
                for other in files:
                    if other != path:
                        partners[other] = partners.get(other, 0) + 1
                        if size < sizes.get(other, size + 1):
                            sizes[other] = size
        return cls(count, per_path, together, smallest)


#: Commits of history read by default: on pytest, flask and requests 3000 rank better than 1000
#: (benchmarks/related_replay.py), and ``git log`` over them takes a fraction of a second.
DEFAULT_MAX_COMMITS = 3000


def read_cochange(
    project_root: Path, paths: Iterable[str], max_commits: int = DEFAULT_MAX_COMMITS, max_files_per_commit: int = 30
) -> tuple[CoChange | None, str]:
    """Co-change of ``paths`` over the last ``max_commits`` non-merge commits, following renames.

    Commits touching more than ``max_files_per_commit`` files (mass reformatting,
    releases) say nothing about which files belong together and are skipped.
    Returns ``(None, reason)`` when history cannot be read.
    """
    wanted = frozenset(paths)
    root = Path(project_root)
    try:
        top = _git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--show-prefix")
    except FileNotFoundError:
        return None, "git is not installed, so related files do not use change history"
    except (OSError, subprocess.SubprocessError):
        return None, f"{root} is not in a git work tree, so related files do not use change history"
    lines = top.splitlines()
    if len(lines) < 2 or lines[0] != "true":
        return None, f"{root} is not in a git work tree, so related files do not use change history"
    if lines[1] == "true":
        return None, "the git repository is a shallow clone, so related files do not use change history"
    prefix = lines[2] if len(lines) > 2 else ""
    try:
        log = _git(
            root, "-c", "core.quotepath=off", "log", "--no-merges", "-M", "--name-status",
            f"--max-count={int(max_commits)}", f"--format={_MARK}%H", "--", ".",
        )
    except (OSError, subprocess.SubprocessError):
        return None, "git log failed, so related files do not use change history"
    commits = _commits(log, prefix, wanted, max_files_per_commit)
    cochange = CoChange.from_commits(commits)
    if not cochange.commits:
        return None, "the git history has no usable commits, so related files do not use change history"
    return cochange, f"related files use {cochange.commits} commits of git history"


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8",
        errors="replace", timeout=_TIMEOUT, check=True,
    )
    return result.stdout


def _commits(log: str, prefix: str, wanted: frozenset[str], max_files: int) -> list[list[str]]:
    """Each commit's wanted paths, under their newest names (the log runs newest first)."""
    renamed: dict[str, str] = {}
    commits = []
    for block in log.split(_MARK)[1:]:
        touched: list[str] = []
        renames: list[tuple[str, str]] = []
        for line in block.splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) < 2:
                continue
            status, *names = fields
            names = [_relative(_unquote(name), prefix) for name in names]
            if status.startswith(("R", "C")) and len(names) == 2:
                if status.startswith("R"):
                    renames.append((names[0], names[1]))
                touched.append(names[1])
            else:
                touched.append(names[-1])
        current = [renamed.get(path, path) for path in touched if path is not None]
        for old, new in renames:
            if old is not None and new is not None:
                renamed[old] = renamed.get(new, new)
        if len(touched) > max_files:
            continue
        files = [path for path in current if path in wanted]
        if files:
            commits.append(files)
    return commits


def _relative(path: str, prefix: str) -> str | None:
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None


def _unquote(path: str) -> str:
    """A path as git quotes it (C-style escapes, octal for bytes), back to text; never raises."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        try:
            # On bytes, so escaped UTF-8 bytes and unescaped non-Latin-1 text both survive.
            return codecs.escape_decode(path[1:-1].encode("utf-8"))[0].decode("utf-8", "replace")
        except ValueError:
            return path[1:-1]
    return path
