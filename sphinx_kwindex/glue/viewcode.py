"""``sphinx.ext.viewcode`` without importing the project: its two events answered from the analysis.

viewcode finds a module's source with ``importlib`` (which runs the package's
``__init__``) and follows an object documented under a re-exporting package
(``click.Command``) by importing it. For the modules we analysed, we answer
both events instead: the source is read from the file our analysis found
(Sphinx's own :class:`~sphinx.pycode.ModuleAnalyzer` finds the tags, as
viewcode would), and the defining module comes from the project index. Other
modules are left to viewcode.
"""

from __future__ import annotations

from collections.abc import Callable

from sphinx.application import Sphinx
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

# At run time, not only for type checkers: the documentation's signatures name them.
from sphinx_kwindex.project.index import ProjectIndex

#: The extension whose events these are.
VIEWCODE = "sphinx.ext.viewcode"


def connect(app: Sphinx, index: Callable[[], ProjectIndex]) -> None:
    """Answer viewcode's events when the project uses it (connecting to them otherwise is an error)."""
    if VIEWCODE not in app.extensions:
        return
    app.connect("viewcode-find-source", lambda app, modname: find_source(index(), modname))
    app.connect("viewcode-follow-imported",
                lambda app, modname, attribute: follow_imported(index(), modname, attribute))


def find_source(index: ProjectIndex, modname: str) -> tuple[str, dict[str, tuple[str, int, int]]] | None:
    """(source, tags) of an analysed module, read from its file; None for other modules.

    A file Sphinx's parser cannot read gives no tags (our analysis warned about it
    already); None would make viewcode import the module instead.
    """
    summary = index.get(modname)
    if summary is None or summary.source.is_stub:
        return None
    try:
        analyzer = ModuleAnalyzer.for_file(summary.source.abspath, modname)
        analyzer.find_tags()
    except PycodeError:
        return "", {}
    return analyzer.code, analyzer.tags


def follow_imported(index: ProjectIndex, modname: str, attribute: str) -> str | None:
    """The analysed module defining ``modname.attribute`` (``click.core`` for ``click`` /
    ``Command.invoke``); None when ``modname`` is not analysed."""
    if modname is None or modname not in index:
        return None
    target = index.defined_target(f"{modname}.{attribute}")
    return target[0] if target is not None else modname
