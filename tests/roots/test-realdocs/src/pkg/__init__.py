"""The pkg package: re-exports its API."""

from . import json
from .core import Widget as Widget
from .core import make
from .json import TaggedSerializer  # re-exported by pkg.json in turn (pytest's pytest.Mark shape)
