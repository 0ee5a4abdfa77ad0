"""Pictures through ``sphinx.ext.graphviz``: loaded only when pictures may be on, ``dot`` looked for
once, and the extension's ``graphviz`` node made from our DOT text (as its directive makes it), so
its writers do the work: SVG or PNG with an image map for HTML, PDF for LaTeX, the alt text for the
text and man builders. Its files are named by a hash of their content: a picture is drawn once and
kept in the output folder until it changes.
"""

from __future__ import annotations

import shutil
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sphinx.util import logging

from sphinx_kwindex.glue.warnings import warn
from sphinx_kwindex.model import Subtype

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
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
    node["options"] = _options(docname)
    node["alt"] = alt
    return node


def _options(docname: str) -> dict[str, str]:
    """The options of a picture's node: part of the name of its file (see :class:`DrawingAhead`)."""
    return {"docname": docname}


class Drawing(NamedTuple):
    """One picture as a page draws it: its DOT text on that page."""

    code: str
    docname: str


class DrawingAhead:
    """Draws the pictures of the pages about to be written in background threads, a few pictures
    ahead of the writer, so that ``dot`` runs on the cores a serial write leaves idle.

    It only warms the cache the Graphviz extension keeps in the output folder: each picture goes
    through the extension's own ``render_dot``, which names the file by the picture's content and
    options, exactly as the writer's visit of the node will; the writer then finds the file
    drawn. For a PNG, ``render_dot`` reads only ``builder`` of the translator it is given
    (:class:`_Translator`). A picture that fails here leaves what ``dot`` left, as a failure
    of the writer's own drawing does; the writer draws it again unless ``dot`` left a file,
    and reports what went wrong. A picture inside ``.. only::`` for another format is drawn
    all the same (the ``only`` nodes are resolved after the pictures are planned).

    The writer calls :meth:`ready` before its page's picture is visited: it waits for a drawing
    under way, takes over one not started, and keeps a few more queued. At most those few are
    drawn after an interruption; :meth:`close` drops the rest.
    """

    def __init__(self, builder: Builder, planned: Iterable[Drawing], workers: int) -> None:
        self._builder = builder
        #: drawings in the order pages are written, each once
        self._planned: deque[Drawing] = deque(dict.fromkeys(planned))
        self._taken: set[Drawing] = set()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="kwindex-dot")
        self._queued: dict[Drawing, Future] = {}
        self._depth = 2 * workers + 2
        self._lock = threading.Lock()
        #: pictures made ready here: drawn, or found drawn by an earlier build (the others were
        #: drawn by the writer)
        self.drawn = 0
        self._top_up()

    def ready(self, code: str, docname: str) -> None:
        """The picture is drawn, or left to the caller to draw: nothing here writes its file now."""
        drawing = Drawing(code, docname)
        future = self._queued.pop(drawing, None)
        if future is None:
            self._taken.add(drawing)  # not started: the writer draws it
        elif not future.cancel():
            future.result()
        self._top_up()

    def close(self) -> None:
        """Drop what is not started; wait for what is (no file is left half written)."""
        self._planned.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _top_up(self) -> None:
        self._queued = {drawing: future for drawing, future in self._queued.items() if not future.done()}
        while self._planned and len(self._queued) < self._depth:
            drawing = self._planned.popleft()
            if drawing not in self._taken:
                self._queued[drawing] = self._pool.submit(self._draw, drawing)

    def _draw(self, drawing: Drawing) -> None:
        from sphinx.ext.graphviz import render_dot

        try:
            render_dot(_Translator(self._builder), drawing.code, _options(drawing.docname), "png")
        except Exception:  # noqa: BLE001 (drawn again by the writer, which reports it)
            return
        with self._lock:
            self.drawn += 1


class _Translator(NamedTuple):
    """What ``sphinx.ext.graphviz.render_dot`` reads of the translator writing a page, for a PNG."""

    builder: Builder


def draws_ahead(builder: Builder, jobs: int) -> bool:
    """Whether pictures can be drawn ahead of a build's writer: PNG pictures (the Graphviz
    extension's default) for an HTML builder writing each page read on its own (not
    ``singlehtml``), serially (a parallel write draws them in its processes), with ``jobs``
    (``kwindex_jobs``) leaving a core for ``dot``. Not SVG: the extension rewrites an SVG's links
    for the page being written (``builder.imgpath``), known only while that page is written; an
    SVG also takes ``dot`` less than half the time of a PNG with its image map."""
    from sphinx.builders.singlehtml import SingleFileHTMLBuilder

    return (jobs > 1 and builder.format == "html" and not isinstance(builder, SingleFileHTMLBuilder)
            and not builder.parallel_ok and builder_draws(builder) and builder.config.graphviz_output_format == "png")
