"""The documentation lists what the code defines: every warning subtype is in the warnings table."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx_kwindex.model import Subtype

USAGE = Path(__file__).parent.parent / "docs" / "usage.rst"


def test_every_warning_subtype_is_in_the_table_and_nothing_else():
    table = USAGE.read_text(encoding="utf-8").split(".. list-table::", 1)[1].split("\n\n\n", 1)[0]
    listed = re.findall(r"^   \* - ``kwindex\.([a-z-]+)``", table, flags=re.MULTILINE)
    assert sorted(listed) == sorted(member.value for member in Subtype)
    assert len(listed) == len(set(listed))
