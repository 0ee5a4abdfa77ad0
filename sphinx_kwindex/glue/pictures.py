"""Pictures through ``sphinx.ext.graphviz``: loaded only when pictures may be on, ``dot`` looked for
once, and the extension's ``graphviz`` node made from our DOT text (as its directive makes it), so
its writers do the work: SVG or PNG with an image map for HTML, PDF for LaTeX, the alt text for the
text and man builders. Its files are named by a hash of their content: a picture is drawn once and
kept in the output folder until it changes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging

from sphinx_kwindex.glue.warnings import warn
from sphinx_kwindex.model import Subtype

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

GRAPHVIZ = "sphinx.ext.graphviz"
INSTALL = "install Graphviz (Debian, Ubuntu: apt install graphviz; macOS: brew install graphviz)"


def setup_pictures(app: Sphinx) -> None:
    """Load Sphinx's Graphviz extension unless pictures are switched off. Called from ``setup()``:
    extensions must be loaded before ``config-inited``, and by then ``conf.py`` was read, so
    ``kwindex_pictures`` is known (its value is checked at ``config-inited``)."""
    if app.config.kwindex_pictures is not False:
        app.setup_extension(GRAPHVIZ)


def pictures_on(app: Sphinx, config: Config, asked: bool | None) -> bool:
    """Whether pages get pictures: ``asked`` (``kwindex_pictures``: None is "when ``dot`` is found")
    and Graphviz's ``dot`` found. Missing, it is a warning when pictures were asked for with True,
    else a note. The answer becomes ``kwindex_pictures`` itself, so that installing Graphviz (or
    losing it) re-reads the pages, as any change of the value does."""
    on = asked is not False and GRAPHVIZ in app.extensions and _dot_found(config)
    if asked is not False and not on:
        program = getattr(config, "graphviz_dot", "dot")
        why = (f"Graphviz's dot program {program!r} (graphviz_dot) was not found" if GRAPHVIZ in app.extensions
               else f"{GRAPHVIZ} was not loaded (kwindex_pictures was False when the extension was set up)")
        if asked:
            conf = Path(app.confdir) / "conf.py"
            # "path:" is Sphinx's form of a location without a line (a bare path would be read as a docname)
            warn(f"kwindex_pictures is True, but {why}: pages are built without pictures; {INSTALL}",
                 Subtype.NO_DOT, f"{conf}:" if conf.is_file() else None)
        else:
            logger.info("kwindex: no pictures: %s; %s for them", why, INSTALL)
    config.kwindex_pictures = on
    return on


def _dot_found(config: Config) -> bool:
    program = config.graphviz_dot
    return isinstance(program, str) and bool(program) and shutil.which(program) is not None


def builder_draws(builder) -> bool:
    """Whether pictures go into this builder's output. Not into an EPUB with PNG pictures: the
    Graphviz extension writes each PNG's image map beside it, which EPUB builders refuse with a
    warning per file (``-W`` would fail); SVG pictures are fine there."""
    return not builder.name.startswith("epub") or builder.config.graphviz_output_format == "svg"


def graphviz_node(code: str, alt: str, docname: str) -> nodes.Element:
    """The node ``.. graphviz::`` makes for ``code`` on page ``docname``, with its alt text."""
    from sphinx.ext.graphviz import graphviz

    node = graphviz()
    node["code"] = code
    node["options"] = {"docname": docname}
    node["alt"] = alt
    return node
