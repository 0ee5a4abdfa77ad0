"""The pkg package: re-exports its API."""

from . import json
from .core import Widget as Widget
from .core import make
