"""Every warning the extension gives: type ``kwindex``, a subtype, a location."""

from __future__ import annotations

from enum import StrEnum

from sphinx.util import logging

from sphinx_kwindex.model import WARNING_TYPE, Subtype

logger = logging.getLogger("sphinx_kwindex")


class GlueSubtype(StrEnum):
    """Subtypes of warnings only the Sphinx glue gives (the stages' are :class:`~sphinx_kwindex.model.Subtype`)."""

    #: ``kwindex_pictures = True`` and Graphviz's ``dot`` is missing
    NO_DOT = "no-dot"


def warn(message: str, subtype: Subtype | GlueSubtype, location) -> None:
    """One located warning (``location``: ``"path:line"``, a docname, a node, or None for the build)."""
    logger.warning("%s", message, type=WARNING_TYPE, subtype=str(subtype), location=location)
