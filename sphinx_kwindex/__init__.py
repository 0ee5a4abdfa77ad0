"""sphinx-kwindex: keyword indexes, related files and file facts for large Python code bases."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """Register config values, the directive, the domain and the event handlers."""
    from sphinx_kwindex.glue.config import CONFIG_VALUES
    from sphinx_kwindex.glue.directive import make_directive, make_keyword_index_directive
    from sphinx_kwindex.glue.domain import KwindexDomain
    from sphinx_kwindex.glue.expand import kwindex_body, make_post_transform, skip_node
    from sphinx_kwindex.glue.extension import INJECT_PRIORITY, QUIET_PRIORITY, KwindexExtension

    for name, default, rebuild, types in CONFIG_VALUES:
        app.add_config_value(name, default, rebuild, types=types)
    extension = KwindexExtension()
    app.add_domain(KwindexDomain)
    # Always replaced by the post-transform before writing; the visitors only guard against surprises.
    app.add_node(kwindex_body, **{fmt: (skip_node, None) for fmt in ("html", "latex", "text", "man", "texinfo")})
    app.add_post_transform(make_post_transform(extension))
    app.add_directive("kwindex", make_directive(extension))
    app.add_directive("kwindex-keywords", make_keyword_index_directive(extension))
    app.connect("builder-inited", _add_stylesheet)
    app.connect("build-finished", _copy_stylesheet)
    app.connect("config-inited", extension.config_inited)
    app.connect("builder-inited", extension.builder_inited)
    app.connect("env-get-outdated", extension.env_get_outdated)
    app.connect("doctree-read", extension.doctree_read, priority=INJECT_PRIORITY)
    app.connect("missing-reference", extension.missing_reference_quiet, priority=QUIET_PRIORITY)
    app.connect("build-finished", extension.build_finished)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


STYLESHEET = Path(__file__).parent / "static" / "kwindex.css"


def _add_stylesheet(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_css_file(STYLESHEET.name)


def _copy_stylesheet(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None and app.builder.format == "html":
        # Imported here: worker processes that import this package (spawn) need no Sphinx.
        from sphinx.util.fileutil import copy_asset_file

        copy_asset_file(STYLESHEET, Path(app.outdir) / "_static", force=True)
