"""Source pages: every analysed module's code, highlighted by Sphinx's Pygments, names linked.

Written for the HTML builders (``html``, ``dirhtml``) through ``html-collect-pages``,
as ``sphinx.ext.viewcode`` writes its pages, into ``_kwsource/`` of the output
folder: one page per module (``_kwsource/pkg.mod``), continued on
``pkg.mod-2``... past :data:`~sphinx_kwindex.source.page.LINES_PER_PAGE` lines.
Nothing is imported: the file our analysis found is read.

A page is written when what it shows changed: its digest (the file, its links,
the theme settings) is kept in the store with the list of pages written, so a
rebuild where nothing changed writes none, and pages of modules that are gone
are removed (they are ours). A project that loads ``sphinx.ext.viewcode`` keeps
viewcode's pages (fed from our analysis, see :mod:`~sphinx_kwindex.glue.viewcode`)
and gets none of these: two source pages per module would only confuse.
"""

from __future__ import annotations

import hashlib
import html
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging
from sphinx.util.display import status_iterator

from sphinx_kwindex.fingerprint import code_digest
from sphinx_kwindex.glue.viewcode import VIEWCODE
from sphinx_kwindex.runner.pool import INLINE_BELOW, pool_context, pool_map, start_worker
from sphinx_kwindex.source.page import LINES_PER_PAGE, Request, pack_requests, part_count, part_of, render_task
from sphinx_kwindex.source.plan import Destination, SourcePlan, source_plan
from sphinx_kwindex.store import Entry

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from sphinx_kwindex.glue.events import Kwindex

logger = logging.getLogger(__name__)

#: The output folder of source pages.
FOLDER = "_kwsource"
#: The builders source pages are written for (the others have no separate pages, or no links).
BUILDERS = ("html", "dirhtml")
#: {"style": what all pages depend on, "state": the project's fingerprint, "modules": {module: ((file
#: digest, docs digest), modules its page depends on, page digest)}} of the pages written, kept per
#: builder and output folder
SOURCE_PAGES = Entry("kwindex-source-pages.cache", "the record of source pages",
                     "the next build writes every source page again", code_digest)


def pagename(module: str, part: int = 0) -> str:
    """``_kwsource/pkg.mod`` (``-2``, ``-3``... for the pages continuing a long module)."""
    return f"{FOLDER}/{module}" if part == 0 else f"{FOLDER}/{module}-{part + 1}"


def active(app: Sphinx, kwindex: Kwindex) -> bool:
    """Whether this build writes source pages (see the module docstring)."""
    return (kwindex.settings.source_pages and app.builder.name in BUILDERS
            and VIEWCODE not in app.extensions and bool(kwindex.state.outline.modules))


def line_uris(app: Sphinx, fromdocname: str, module: str) -> Callable[[str, int], str]:
    """(path, line) -> the URL of ``line`` (0: the top) of ``module``'s source page, from page
    ``fromdocname`` (a page lists hundreds of lines of a module: each page part's URL made once)."""
    parts: dict[int, str] = {}

    def line_uri(path: str, line: int) -> str:
        part = part_of(line)
        if part not in parts:
            parts[part] = app.builder.get_relative_uri(fromdocname, pagename(module, part))
        return f"{parts[part]}#L{line}" if line > 0 else parts[part]

    return line_uri


@dataclass
class Planned:
    """The source pages a build writes, decided before any is rendered (see :func:`plan_pages`)."""

    outdir: Path
    record_key: str
    recorded: dict | None
    style: str
    state: str
    before: dict[str, tuple]
    #: the record after this build: {module: (key, modules its page depends on, page digest)}
    after: dict[str, tuple]
    #: the plan (without its links) of each module whose pages are written
    tasks: list[SourcePlan]
    urls: _Urls
    #: what the renderer is given for each task: (file, its link requests pickled, formatter)
    work: list[tuple[str, bytes, object]]


def plan_pages(app: Sphinx, kwindex: Kwindex) -> Planned | None:
    """The source pages to write, or None when there is nothing to decide: not an HTML builder,
    source pages switched off (their removal is :func:`collect_pages`'s), or every page current.

    Only modules a change may reach are planned again: those whose file, place in the docs or
    references changed (what a name resolves to may change through any module: a base class's
    base, a value's type), and those whose page links to, or whose code imports, such a module.
    Of those, only pages whose digest changed are written.
    """
    if app.builder.name not in BUILDERS or not active(app, kwindex):
        return None
    outdir, record_key, recorded = _record(app, kwindex)
    style = _style_digest(app)
    before: dict[str, tuple] = recorded["modules"] if recorded and recorded["style"] == style else {}
    state = kwindex.state.fingerprint
    outline = kwindex.state.outline.modules
    if (before and recorded.get("state") == state and not kwindex.docs_read and set(before) == {m for m, _ in outline}
            and all(_written(app, outdir, pagename(module, part)) for module, lines in outline
                    for part in range(part_count(lines)))):
        # The project is as the pages were made from, and no page was read (where the docs show
        # each module is as it was): every source page is current.
        logger.info("kwindex: source pages of %d modules, 0 written", len(before))
        return None
    index = kwindex.index
    keys = _module_keys(app, index)
    changed = {m for m, key in keys.items() if before.get(m, (None,))[0] != key} | (set(before) - set(keys))
    urls = _Urls(app, kwindex)
    after: dict[str, tuple] = {}
    tasks = []
    work = []
    for module, key in keys.items():
        entry = before.get(module)
        names = [pagename(module, part) for part in range(part_count(index.modules[module].lines))]
        if (module not in changed and entry is not None and not changed.intersection(entry[1])
                and all(_written(app, outdir, name) for name in names)):
            after[module] = entry
            continue
        plan = source_plan(index, module)
        requests = urls.requests(plan)
        digest = hashlib.blake2b(repr((plan.path, plan.digest, plan.lines, requests)).encode(),
                                 digest_size=16).hexdigest()
        depends = {link[4][1] for link in plan.links if link[4][0] != "keyword"}
        depends.update(index.graph.imports_of(module))
        depends.discard(module)
        after[module] = (key, tuple(sorted(depends)), digest)
        if entry is None or entry[2] != digest or not all(_written(app, outdir, name) for name in names):
            tasks.append(replace(plan, links=()))
            work.append((plan.abspath, pack_requests(requests)))
    formatter = app.builder.highlighter.get_formatter(nowrap=True) if work else None
    return Planned(outdir, record_key, recorded, style, state, before, after, tasks, urls,
                   [(path, requests, formatter) for path, requests in work])


class RenderingAhead:
    """Renders the source pages a build will write in background processes while its documents
    are written, so that highlighting (on PyTorch, two minutes of one core) runs on the cores a
    serial write leaves idle. Made at ``write-started`` (:func:`render_ahead`), taken by
    :func:`collect_pages`: what is rendered is used, what is not is rendered then by the whole
    pool. Pages wait compressed (PyTorch's source pages are 268 MB of HTML), and are let go
    once written. A few pages are rendered then, inline, as without it.

    The pool starts with its first task, before any thread of ours runs in the build (the
    pictures drawn ahead start after it); a feeder thread keeps a few tasks in its queue, so an
    interrupted build waits for those few only, and ends the pool when every task is done.
    :meth:`close` stops the feeder and waits for the tasks taken up.
    """

    def __init__(self, planned: Planned | None, workers: int) -> None:
        #: the pages planned at ``write-started`` (None: none to write)
        self.planned = planned
        work = planned.work if planned is not None else []
        self._pool: ProcessPoolExecutor | None = None
        #: position in the work -> its future, for the tasks handed to the pool
        self._futures: dict[int, Future] = {}
        self._stop = threading.Event()
        self._feeder: threading.Thread | None = None
        if workers > 0 and len(work) >= INLINE_BELOW:
            self._pool = ProcessPoolExecutor(workers, mp_context=pool_context(), initializer=start_worker)
            self._futures[0] = self._pool.submit(_render_packed, work[0])  # forks the pool, here
            self._feeder = threading.Thread(target=self._feed, args=(work, 2 * workers + 1),
                                             name="kwindex-source-feeder", daemon=True)
            self._feeder.start()

    def _feed(self, work: list, depth: int) -> None:
        pool = self._pool
        waiting = set(self._futures.values())
        try:
            for position in range(1, len(work)):
                while len(waiting) >= depth and not self._stop.is_set():
                    waiting = wait(waiting, timeout=0.5, return_when=FIRST_COMPLETED).not_done
                if self._stop.is_set():
                    return
                future = pool.submit(_render_packed, work[position])
                self._futures[position] = future
                waiting.add(future)
            while waiting and not self._stop.is_set():
                waiting = wait(waiting, timeout=0.5).not_done
            if not waiting:  # all done: the processes go (idle, they would copy what the build touches)
                pool.shutdown(wait=True)
        except RuntimeError:  # the interpreter is exiting (an interrupted build): submit no more
            return

    def results(self, jobs: int) -> Iterator[list[str]]:
        """Each task's page parts, in order: rendered ahead, or (not taken up) now, by a pool of
        ``jobs`` processes."""
        self.close()  # the feeder stops; what was handed to the pool is done
        work = self.planned.work if self.planned is not None else []
        futures, self._futures = self._futures, {}
        done = {position: future for position, future in futures.items() if not future.cancelled()}
        rest = pool_map(render_task, [task for position, task in enumerate(work) if position not in done], jobs=jobs)
        try:
            for position in range(len(work)):
                future = done.pop(position, None)
                if future is None:
                    yield next(rest)
                else:
                    yield [zlib.decompress(part).decode() for part in future.result()]
        finally:
            rest.close()
            if self.planned is not None:
                self.planned.work = []

    @property
    def rendered(self) -> int:
        """Tasks rendered ahead so far."""
        return sum(future.done() and not future.cancelled() for future in list(self._futures.values()))

    def close(self) -> None:
        """Stop handing tasks to the pool; wait for those handed (no process is left)."""
        self._stop.set()
        if self._feeder is not None:
            self._feeder.join()
            self._feeder = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def render_ahead(app: Sphinx, kwindex: Kwindex) -> RenderingAhead | None:
    """At ``write-started``: plan the source pages and start rendering them, when the write is
    serial (a parallel one keeps every core busy) and ``kwindex_jobs`` leaves a core; None when
    :func:`collect_pages` is to do it all."""
    if kwindex.settings.jobs <= 1 or app.builder.parallel_ok or not active(app, kwindex):
        return None
    return RenderingAhead(plan_pages(app, kwindex), kwindex.settings.jobs - 1)


def collect_pages(app: Sphinx, kwindex: Kwindex, ahead: RenderingAhead | None = None) -> Iterator[tuple[str, dict, str]]:
    """``html-collect-pages``: (pagename, context, template) of each source page to write (planned
    and partly rendered already when ``ahead`` is given)."""
    if app.builder.name not in BUILDERS:
        return
    if not active(app, kwindex):
        outdir, record_key, recorded = _record(app, kwindex)
        if recorded and recorded["modules"]:  # switched off since: the pages we wrote go
            for module in recorded["modules"]:
                _remove_pages(app, outdir, module)
            kwindex.state.store.write(SOURCE_PAGES, {"style": "", "state": "", "modules": {}}, key=record_key)
        return
    planned = ahead.planned if ahead is not None else plan_pages(app, kwindex)
    if planned is None:
        return
    outdir, before, after, tasks = planned.outdir, planned.before, planned.after, planned.tasks
    for module in sorted(set(before) - set(after)):
        _remove_pages(app, outdir, module)
    for plan in tasks:  # a module grown shorter leaves pages past its last
        _remove_pages(app, outdir, plan.module, part_count(plan.lines))
    if tasks:
        jobs = kwindex.settings.jobs
        results = ahead.results(jobs) if ahead is not None else pool_map(render_task, planned.work, jobs=jobs)
        for plan, parts in status_iterator(
            zip(tasks, results), "kwindex: writing source pages... ", "darkgreen", len(tasks), app.verbosity,
            stringify_func=lambda item: item[0].module,
        ):
            for part, code in enumerate(parts):
                yield pagename(plan.module, part), _context(plan, part, len(parts), code, planned.urls), "page.html"
    logger.info("kwindex: source pages of %d modules, %d written", len(after), len(tasks))
    store, recorded, style, state = kwindex.state.store, planned.recorded, planned.style, planned.state
    if store is not None and (after != before or recorded is None or recorded["style"] != style
                              or recorded.get("state") != state):
        store.write(SOURCE_PAGES, {"style": style, "state": state, "modules": after}, key=planned.record_key)


def _record(app: Sphinx, kwindex: Kwindex) -> tuple[Path, str, dict | None]:
    """(output folder, key of its record, the record of the source pages written there, if any)."""
    outdir = Path(app.outdir)
    store = kwindex.state.store
    record_key = f"{app.builder.name}:{outdir.resolve()}"
    recorded = store.read(SOURCE_PAGES, key=record_key, check=_valid_record) if store is not None else None
    return outdir, record_key, recorded


def _render_packed(work: tuple[str, bytes, object]) -> list[bytes]:
    """A worker's task when rendering ahead: the page parts, compressed to wait in the build."""
    return [zlib.compress(part.encode(), 1) for part in render_task(work)]


def _written(app: Sphinx, outdir: Path, name: str) -> bool:
    return (outdir / app.builder.get_outfilename(name)).is_file()


def _remove_pages(app: Sphinx, outdir: Path, module: str, first: int = 0) -> None:
    """Remove the source pages of ours showing ``module`` from page part ``first`` on."""
    part = first
    while (path := outdir / app.builder.get_outfilename(pagename(module, part))).is_file():
        path.unlink()
        part += 1


def _module_keys(app: Sphinx, index) -> dict[str, tuple[str, str, str]]:
    """{module: (digest of its file, digest of where the docs show it and its keywords, digest of
    its references)}: what its uses resolve to may change with any module (a value's type, an
    attribute name assigned elsewhere), and its references say so."""
    shown = app.env.domains["kwindex"].locations_by_module()
    python = app.env.domains["py"].modules
    keys = {}
    for module, summary in index.modules.items():
        entry = python.get(module)
        where = (shown.get(module), (entry.docname, entry.node_id) if entry is not None else None)
        keys[module] = (summary.digest, hashlib.blake2b(repr(where).encode(), digest_size=8).hexdigest(),
                        index.module_reference_digest(module))
    return keys


class _Urls:
    """Destinations of a plan as URLs relative to the source folder (each computed once)."""

    def __init__(self, app: Sphinx, kwindex: Kwindex) -> None:
        self.app = app
        self.kwindex = kwindex
        self.here = pagename("x")  # every source page is in the same folder: the same relative URLs
        self._pages: dict[str, str] = {}
        self._modules: dict[str, str] = {}

    def page(self, name: str, anchor: str = "") -> str:
        if name not in self._pages:
            self._pages[name] = self.app.builder.get_relative_uri(self.here, name)
        return f"{self._pages[name]}#{anchor}" if anchor else self._pages[name]

    def module(self, module: str) -> str:
        """The module's documentation (its ``py:module`` entry, else the page showing its
        sections), else the top of its source page."""
        if module not in self._modules:
            entry = self.app.env.domains["py"].modules.get(module)
            location = (entry.docname, entry.node_id) if entry is not None else \
                self.app.env.domains["kwindex"].module_location(module)
            self._modules[module] = self.page(*location) if location else self.page(pagename(module))
        return self._modules[module]

    def resolve(self, destination: Destination, module: str, part: int) -> str | None:
        what = destination[0]
        if what == "source":
            target, line = destination[1], destination[2]
            target_part = part_of(line)
            if target == module and target_part == part:
                return f"#L{line}"
            return self.page(pagename(target, target_part), f"L{line}")
        if what == "module":
            return self.module(destination[1])
        location = self.kwindex_location(destination[1], destination[2])
        return self.page(location[0], location[1]) if location else None

    def kwindex_location(self, module: str, qualname: str) -> tuple[str, str] | None:
        location = self.app.env.domains["kwindex"].keyword_location(module, qualname)
        return location[:2] if location else None

    def requests(self, plan: SourcePlan) -> tuple[Request, ...]:
        """The plan's links with URLs (a link to a line of the same page part is ``#L12``)."""
        found = []
        for line, how, key, drop, destination, title in plan.links:
            href = self.resolve(destination, plan.module, part_of(line))
            if href is not None:
                found.append((line, how, key, drop, href, title))
        return tuple(found)


def _context(plan: SourcePlan, part: int, parts: int, code: str, urls: _Urls) -> dict:
    """The template context of one page: a title, a line of facts and links, the code."""
    module = html.escape(plan.module)
    first = part * LINES_PER_PAGE + 1
    last = min(plan.lines, (part + 1) * LINES_PER_PAGE)
    facts = [f"<code>{html.escape(plan.path)}</code>", f"{plan.lines:,} lines"]
    if parts > 1:
        pieces = [f"lines {first:,}–{last:,}"] + [
            f'<a href="{html.escape(urls.page(pagename(plan.module, other)))}">{other + 1}</a>' if other != part
            else f"<strong>{other + 1}</strong>" for other in range(parts)]
        facts.append("page " + " ".join(pieces))
    facts.append(f'<a href="{html.escape(urls.module(plan.module))}">documentation</a>')
    title = f"Source of {plan.module}"
    body = (f'<h1>Source of <code class="docutils literal notranslate">{module}</code></h1>\n'
            f'<p class="kwindex-source-facts">{" · ".join(facts)}</p>\n{code}\n')
    return {"title": title, "body": body, "parents": []}


def _style_digest(app: Sphinx) -> str:
    """What the HTML of every page depends on beyond its own content: the settings that change
    all HTML output (Sphinx rewrites every page when they change), the builder, this code."""
    values = []
    for option in app.config:
        if option.rebuild == "html" or option.name.startswith(("html_", "pygments")):
            text = repr(option.value)
            if " at 0x" not in text:  # an object's repr names its address: not a setting's content
                values.append((option.name, text))
    return repr((app.builder.name, code_digest(), sorted(values)))


def _valid_record(value: object) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("style"), str) and isinstance(value.get("modules"), dict)
            and all(isinstance(module, str) and isinstance(entry, tuple) and len(entry) == 3
                    and isinstance(entry[1], tuple) and isinstance(entry[2], str)
                    for module, entry in value["modules"].items()))
