"""A module's source as HTML: highlighted, one anchor per line, names linked (pure; no Sphinx).

What links where is decided in the main process (:mod:`~sphinx_kwindex.source.plan`)
and given here as :data:`Request` tuples, so the slow part (lexing and
formatting the code) can run in worker processes. The code is highlighted by
the Pygments formatter the build uses (Sphinx's); each output line is then
split into its spans and the spans a link covers are wrapped in ``<a>``. A
link whose text is not where the analysis says (a chain spread over lines, a
token boundary the lexer drew elsewhere) is left out, never misplaced.
"""

from __future__ import annotations

import html
import pickle
import re
import tokenize
from collections.abc import Sequence
from pathlib import Path

from pygments import highlight

from sphinx_kwindex.source.lexer import TokenizeLexer

#: Most lines a source page shows; longer modules continue on further pages (``module-2``, ...),
#: so no page grows past a few megabytes (torch's longest module has 25,000 lines).
LINES_PER_PAGE = 5000

#: (line, how, key, drop, href, title). ``how``: ``use`` (key: the column where the name or
#: chain starts; the chain's last ``drop`` names are not part of the link), ``import`` (key: the
#: dotted name an import statement names), ``from`` (the module of ``from ... import``), ``def``
#: (key: the name a definition binds on its line).
Request = tuple[int, str, object, int, str, str]

_NAME = r"[^\W\d]\w*"
_CHAIN = re.compile(rf"(?:super\s*\(\s*\)|{_NAME})(?:\s*\.\s*{_NAME})*")
_NAMES = re.compile(_NAME)
_FROM = re.compile(rf"\bfrom\s+(\.*\s*(?:{_NAME}(?:\s*\.\s*{_NAME})*)?)\s+import\b")
_ITEM = re.compile(r'(<span class="[^"]*">)([^<]*)(</span>)|([^<]+)')
#: Lines an import statement may take for its names to be looked for
_STATEMENT_LINES = 200


def part_count(lines: int) -> int:
    return max(1, -(-lines // LINES_PER_PAGE))


def part_of(line: int) -> int:
    """The page (0, 1, ...) showing ``line``."""
    return max(0, line - 1) // LINES_PER_PAGE


def read_source(path: str | Path) -> str:
    """The file's text as Python reads it (its declared encoding; undecodable bytes replaced)."""
    data = Path(path).read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
    except SyntaxError:
        encoding = "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def source_parts(path: str, requests: Sequence[Request], formatter) -> list[str]:
    """The highlighted code of the file at ``path``, one HTML ``<pre>`` block per page part."""
    try:
        text = read_source(path)
    except OSError:
        text = ""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    highlighted = highlight(text, TokenizeLexer(), formatter).split("\n") if text else []
    by_line: dict[int, list[tuple[int, int, str, str]]] = {}
    for request in requests:
        for line, start, end in _spans(request, lines):
            by_line.setdefault(line, []).append((start, end, request[4], request[5]))
    width = len(str(len(lines)))
    parts = []
    for part in range(part_count(len(lines))):
        out = []
        for number in range(part * LINES_PER_PAGE + 1, min(len(lines), (part + 1) * LINES_PER_PAGE) + 1):
            code = highlighted[number - 1] if number - 1 < len(highlighted) else ""
            if number in by_line:
                code = link_spans(code, by_line[number])
            out.append(f'<span class="linenos" id="L{number}">{number:>{width}}</span>{code}')
        parts.append('<div class="highlight-python notranslate"><div class="highlight"><pre>'
                     + "\n".join(out) + "\n</pre></div></div>")
    return parts


def _spans(request: Request, lines: list[str]) -> list[tuple[int, int, int]]:
    """(line, start column, end column) of the text a request links, or nothing."""
    line, how, key, drop = request[:4]
    if not 0 < line <= len(lines):
        return []
    text = lines[line - 1]
    if how == "use":
        match = _CHAIN.match(text, key) if isinstance(key, int) and key >= 0 else None
        if match is None:
            return []
        names = list(_NAMES.finditer(text, match.start(), match.end()))
        keep = len(names) - drop
        return [(line, match.start(), names[keep - 1].end())] if keep > 0 else []
    if how == "from":
        match = _FROM.search(text)
        return [(line, match.start(1), match.end(1))] if match and match.group(1).strip() else []
    if how == "def":
        match = re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text)
        return [(line, match.start(), match.end())] if match else []
    if how == "import":
        return _import_span(line, str(key), lines)
    return []


def _import_span(line: int, dotted: str, lines: list[str]) -> list[tuple[int, int, int]]:
    """Where an import statement starting on ``line`` names ``dotted`` (in full after ``import``,
    else its last name): the statement may go on over lines in parentheses or after ``\\``."""
    parts = dotted.split(".")
    whole = re.compile(r"(?<![\w.])" + r"\s*\.\s*".join(map(re.escape, parts)) + r"(?![\w])")
    last = re.compile(rf"(?<![\w.]){re.escape(parts[-1])}(?!\w)")
    depth = 0
    for number in range(line, min(len(lines), line + _STATEMENT_LINES) + 1):
        text = lines[number - 1]
        code = text.split("#", 1)[0]
        begin = 0
        if number == line:
            keyword = re.search(r"\bimport\b", code)
            if keyword is None:
                return []
            begin = keyword.end()
        for pattern in (whole, last):
            match = pattern.search(code, begin)
            if match is not None:
                return [(number, match.start(), match.end())]
        depth += code.count("(") - code.count(")")
        if depth <= 0 and not code.rstrip().endswith("\\"):
            return []
    return []


def link_spans(code: str, spans: list[tuple[int, int, str, str]]) -> str:
    """Wrap the spans of one highlighted line that cover columns start..end in links.

    A link must start and end on span boundaries of the formatter's output; one that
    does not, or overlaps an earlier one, is left out.
    """
    items = []  # (start column, end column, html)
    column = 0
    for match in _ITEM.finditer(code):
        content = match.group(2) if match.group(1) is not None else match.group(4)
        length = len(html.unescape(content)) if "&" in content else len(content)
        items.append((column, column + length, match.group(0)))
        column += length
    starts = {start: i for i, (start, _, _) in enumerate(items)}
    ends = {end: i for i, (_, end, _) in enumerate(items) if end > items[i][0]}
    opening: dict[int, str] = {}
    closing: set[int] = set()
    taken = -1
    for start, end, href, title in sorted(spans):
        first, last = starts.get(start), ends.get(end)
        if first is None or last is None or first <= taken or last < first:
            continue
        title_attr = f' title="{html.escape(title)}"' if title else ""
        opening[first] = f'<a class="kwindex-ref" href="{html.escape(href)}"{title_attr}>'
        closing.add(last)
        taken = last
    if not opening:
        return code
    return "".join(opening.get(i, "") + item + ("</a>" if i in closing else "") for i, (_, _, item) in enumerate(items))


def render_task(task: tuple[str, bytes, object]) -> list[str]:
    """A worker's task: (file, its link requests pickled, the HTML formatter) -> its page parts.

    The requests wait pickled (:func:`pack_requests`): a build plans every page before rendering
    any, and on PyTorch the request tuples held meanwhile were walked by every full collection
    while documents were written (the peak: 1,279 MB held as tuples, 1,165 MB pickled, one run
    each)."""
    path, requests, formatter = task
    return source_parts(path, pickle.loads(requests), formatter)  # noqa: S301 - made by pack_requests in this build


def pack_requests(requests: Sequence[Request]) -> bytes:
    """The requests of one page as :func:`render_task` takes them."""
    return pickle.dumps(tuple(requests), protocol=pickle.HIGHEST_PROTOCOL)
