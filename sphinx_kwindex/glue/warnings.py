"""Every warning the extension gives: type ``kwindex``, a subtype, a location."""

from __future__ import annotations

from sphinx.util import logging

from sphinx_kwindex.model import WARNING_TYPE, Subtype

logger = logging.getLogger("sphinx_kwindex")


def warn(message: str, subtype: Subtype, location) -> None:
    """One located warning (``location``: ``"path:line"``, a docname, a node, or None for the build)."""
    logger.warning("%s", message, type=WARNING_TYPE, subtype=str(subtype), location=location)
