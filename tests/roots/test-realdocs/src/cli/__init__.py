"""A command line toolkit, documented with currentmodule only (click's shape)."""

from .core import Command as Command
from .core import run as run
