"""The project-wide keyword index: every definition, alphabetically, split into pages of bounded size.

No Sphinx here. A letter with more than ``max_entries`` keywords is split by
its first two letters into ranges ("Fa – Fo"), so no page grows without
bound on a PyTorch-sized project (75,000 definitions).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sphinx_kwindex.project.index import ProjectIndex

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

    def as_row(self) -> tuple[str, str, tuple[tuple[str, str, str, str], ...]]:
        """Plain tuples, pickled and loaded by C code alone (75,000 keywords on PyTorch: 0.5 s less each way)."""
        return self.key, self.title, tuple((e.name, e.qualname, e.kind, e.module) for e in self.entries)

    @classmethod
    def from_row(cls, row: object) -> KeywordGroup:
        """The group :meth:`as_row` gave; ValueError for anything else (a stored row may hold anything)."""
        key, title, entries = row  # type: ignore[misc]
        group = cls(key, title, tuple(KeywordEntry(*entry) for entry in entries))
        texts = (group.key, group.title, *(part for e in group.entries for part in (e.name, e.qualname, e.kind, e.module)))
        if not all(isinstance(text, str) for text in texts):
            raise ValueError("a keyword group holds something other than text")
        return group


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
        # Names under "Symbols" (digits, non-ASCII letters) sort apart from A-Z, so they make one page
        # (sorted among the letters they would fall on both sides: two pages of one key).
        key=lambda e: (_letter(e.name) == "symbols", sort_key(e.name), e.name, e.module, e.qualname),
    )
    groups: list[KeywordGroup] = []
    for letter, members in groupby(entries, key=lambda e: _letter(e.name)):
        members = list(members)
        title = "Symbols" if letter == "symbols" else letter.upper()
        if len(members) <= max_entries:
            groups.append(KeywordGroup(_safe_key(letter), title, tuple(members)))
        else:
            groups += _merge(_buckets(members, 2, max_entries), max_entries)
    return groups


def _buckets(members: list[KeywordEntry], length: int, max_entries: int) -> list[tuple[str, list[KeywordEntry]]]:
    """Split by name prefixes of growing length until each bucket fits; one name that does not fit
    on a page (``__init__`` is defined thousands of times in PyTorch) is cut into numbered parts."""
    buckets: list[tuple[str, list[KeywordEntry]]] = []
    for prefix, group in groupby(members, key=lambda e: sort_key(e.name)[:length]):
        group = list(group)
        if len(group) <= max_entries:
            buckets.append((prefix, group))
        elif len({e.name for e in group}) > 1 and any(len(sort_key(e.name)) > length for e in group):
            buckets += _buckets(group, length + 1, max_entries)
        else:
            parts = range(0, len(group), max_entries)
            buckets += [(f"{group[0].name} ({i + 1} of {len(parts)})", group[start:start + max_entries])
                        for i, start in enumerate(parts)]
    return buckets


def _merge(buckets: list[tuple[str, list[KeywordEntry]]], max_entries: int) -> list[KeywordGroup]:
    """Consecutive buckets merged into pages of at most ``max_entries`` keywords ("Fa – Fo")."""
    pages: list[list[tuple[str, list[KeywordEntry]]]] = [[]]
    for bucket in buckets:
        if pages[-1] and sum(len(g) for _, g in pages[-1]) + len(bucket[1]) > max_entries:
            pages.append([])
        pages[-1].append(bucket)
    groups = []
    for page in pages:
        first, last = page[0][0], page[-1][0]
        title = _label(first) if first == last else f"{_label(first)} – {_label(last)}"
        groups.append(KeywordGroup(_safe_key(first if first == last else f"{first}-{last}"), title,
                                   tuple(e for _, group in page for e in group)))
    return groups


def _label(bucket: str) -> str:
    """A prefix reads capitalised (``Ge``); a whole name in parts keeps its spelling (``__init__ (1 of 2)``)."""
    return bucket if "(" in bucket else bucket.capitalize()


def _safe_key(text: str) -> str:
    """A file-name part from a title: ASCII letters, digits and ``_``; anything else spelt out."""
    out = []
    for char in text.lstrip("_").replace(" of ", "-of-").replace(" (", "-").replace(")", ""):
        if (char.isascii() and char.isalnum()) or char in "_-":
            out.append(char)
        else:
            out.append(f"u{ord(char):x}")
    key = "".join(out)
    return f"{key}-names" if key == "index" else key  # keywords/index is the index's front page
