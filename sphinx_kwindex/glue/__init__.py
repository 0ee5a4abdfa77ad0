"""Stage 5, the Sphinx glue: the only layer that imports Sphinx.

``config`` validates the ``kwindex_*`` values; ``events`` holds the state and
the event handlers; ``sections`` places sections when pages are read and
renders them when pages are written (with ``links``); ``directive`` and
``domain`` are what pages use; ``generate`` writes the generated pages;
``export`` writes ``kwindex.json``; ``warnings`` says what went wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx_kwindex.glue.config import CONFIG_VALUES
from sphinx_kwindex.glue.directive import make_directive, make_keyword_index_directive
from sphinx_kwindex.glue.domain import KwindexDomain
from sphinx_kwindex.glue.events import INJECT_PRIORITY, QUIET_PRIORITY, Kwindex
from sphinx_kwindex.glue.pictures import setup_pictures
from sphinx_kwindex.glue.sections import kwindex_body, make_post_transform, skip_node

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup_extension(app: Sphinx, version: str) -> ExtensionMetadata:
    """Register config values, the domain, the node, the directives and the event handlers."""
    for name, default, rebuild, types in CONFIG_VALUES:
        app.add_config_value(name, default, rebuild, types=types)
    setup_pictures(app)
    kwindex = Kwindex()
    app.add_domain(KwindexDomain)
    # Always replaced by the post-transform before writing; the visitors only guard against surprises.
    app.add_node(kwindex_body, **{fmt: (skip_node, None) for fmt in ("html", "latex", "text", "man", "texinfo")})
    app.add_post_transform(make_post_transform(kwindex))
    app.add_directive("kwindex", make_directive(kwindex))
    app.add_directive("kwindex-keywords", make_keyword_index_directive(kwindex))
    app.connect("config-inited", kwindex.config_inited)
    app.connect("builder-inited", kwindex.builder_inited)
    app.connect("env-get-outdated", kwindex.env_get_outdated)
    app.connect("env-before-read-docs", kwindex.env_before_read_docs)
    app.connect("doctree-read", kwindex.doctree_read, priority=INJECT_PRIORITY)
    app.connect("missing-reference", kwindex.missing_reference, priority=QUIET_PRIORITY)
    app.connect("write-started", kwindex.write_started)
    app.connect("html-collect-pages", kwindex.html_collect_pages)
    app.connect("build-finished", kwindex.build_finished)
    return {
        "version": version,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
