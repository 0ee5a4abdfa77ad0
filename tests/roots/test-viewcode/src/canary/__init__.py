"""Importing this package leaves a file behind: the build must never do it."""

from pathlib import Path

Path(__file__).with_name("IMPORTED").write_text("canary was imported\n")

from canary.engine import Engine, run  # noqa: E402
from canary.tools import helper  # noqa: E402
