"""The project-wide keyword index: every definition, alphabetically, split into pages of bounded size.

No Sphinx here. A letter with more than ``max_entries`` keywords is split by
its first two letters into ranges ("Fa – Fo"), so no page grows without
bound on a PyTorch-sized project (75,000 definitions).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import groupby

from sphinx_kwindex.project import ProjectIndex

#: Keywords on one page of the project keyword index, at most (unless one name prefix has more).
MAX_ENTRIES = 1500


@dataclass(frozen=True, slots=True)
class KeywordEntry:
    """One definition in the project keyword index."""

    #: the last part of the qualified name: what a reader looks up
    name: str
    qualname: str
    kind: str
    module: str


@dataclass(frozen=True, slots=True)
class KeywordGroup:
    """One page of the project keyword index."""

    #: safe file-name part: ``a``, ``fa-fo``, ``symbols``
    key: str
    #: what the navigation shows: ``A``, ``Fa – Fo``
    title: str
    entries: tuple[KeywordEntry, ...]

    def digest(self) -> str:
        text = "\0".join(f"{e.name}:{e.qualname}:{e.kind}:{e.module}" for e in self.entries)
        return hashlib.blake2b(f"{self.key}\0{self.title}\0{text}".encode(), digest_size=12).hexdigest()


def sort_key(name: str) -> str:
    """Names sort and group by their first letter past leading underscores (``__init__`` under I)."""
    return name.lstrip("_").lower()


def _letter(name: str) -> str:
    first = sort_key(name)[:1]
    return first if first.isascii() and first.isalpha() else "symbols"


def keyword_groups(index: ProjectIndex, max_entries: int = MAX_ENTRIES) -> list[KeywordGroup]:
    """Every definition of the project (imports excluded) grouped into index pages."""
    entries = sorted(
        (
            KeywordEntry(definition.name.rpartition(".")[2], definition.name, definition.kind, summary.module)
            for summary in index.modules.values()
            for definition in summary.definitions
        ),
        key=lambda e: (sort_key(e.name), e.name, e.module, e.qualname),
    )
    groups: list[KeywordGroup] = []
    for letter, members in groupby(entries, key=lambda e: _letter(e.name)):
        members = list(members)
        title = "Symbols" if letter == "symbols" else letter.upper()
        if len(members) <= max_entries or letter == "symbols":
            groups.append(KeywordGroup(letter, title, tuple(members)))
            continue
        groups += _split(letter, members, max_entries)
    return groups


def _split(letter: str, members: list[KeywordEntry], max_entries: int) -> list[KeywordGroup]:
    """Consecutive two-letter prefixes merged into ranges of at most ``max_entries`` keywords."""
    by_prefix = [(prefix, list(group)) for prefix, group in groupby(members, key=lambda e: _prefix(e.name))]
    ranges: list[list[tuple[str, list[KeywordEntry]]]] = [[]]
    for prefix, group in by_prefix:
        size = sum(len(g) for _, g in ranges[-1])
        if ranges[-1] and size + len(group) > max_entries:
            ranges.append([])
        ranges[-1].append((prefix, group))
    groups = []
    for members_of in ranges:
        first, last = members_of[0][0], members_of[-1][0]
        key = first if first == last else f"{first}-{last}"
        title = first.capitalize() if first == last else f"{first.capitalize()} – {last.capitalize()}"
        groups.append(KeywordGroup(key, title, tuple(e for _, group in members_of for e in group)))
    return groups


def _prefix(name: str) -> str:
    prefix = sort_key(name)[:2]
    return prefix if prefix.isascii() and prefix.isalnum() else prefix[:1] + "_"
