"""Stage 2, analyse: one Python file -> a :class:`~sphinx_kwindex.model.ModuleSummary`.

A pure function of the file's bytes and its module name: no Sphinx, nothing
imported or executed, and the astroid tree is freed before returning, so
this runs in worker processes and its results can be cached by content hash.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import inspect
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Iterable, Iterator

import astroid
from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.exceptions import AstroidSyntaxError

from sphinx_kwindex.fingerprint import content_digest
from sphinx_kwindex.model import (
    Definition,
    Import,
    ImportedName,
    ModuleSummary,
    NotableCall,
    Problem,
    SourceFile,
    Subtype,
)
from sphinx_kwindex.uses import absolute_module, dotted_name, first_parameter, uses_of

#: Statements whose bodies still belong to the enclosing scope.
_BLOCKS = (
    nodes.If,
    nodes.Try,
    nodes.TryStar,
    nodes.With,
    nodes.For,
    nodes.While,
    nodes.Match,
)
_FUNCTIONS = (nodes.FunctionDef, nodes.AsyncFunctionDef)
_ASSIGNED = ("variable", "attribute")
#: Nodes that open a scope of their own: a ``self`` inside them is not the method's.
_NEW_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)

#: Calls reported as file facts, by the absolute name they resolve to.
_NOTABLE = {
    "eval": "dynamic code",
    "exec": "dynamic code",
    "compile": "dynamic code",
    "pickle.load": "deserialisation",
    "pickle.loads": "deserialisation",
    "pickle.Unpickler": "deserialisation",
    "marshal.load": "deserialisation",
    "marshal.loads": "deserialisation",
    "os.system": "shell command",
    "os.popen": "shell command",
    "yaml.unsafe_load": "unsafe YAML load",
    "threading.Thread": "threads",
    "concurrent.futures.ThreadPoolExecutor": "threads",
    "concurrent.futures.ProcessPoolExecutor": "process pool",
    "multiprocessing.Pool": "process pool",
    "multiprocessing.Process": "process pool",
}
#: Files larger than this are not parsed (``too-large``): astroid needs about 130
#: bytes of memory and 1 to 4 s per MB of source, so a 10 MB generated table
#: would cost over a GB. PyTorch's largest file is 1.4 MB.
MAX_SOURCE_BYTES = 4 * 1024 * 1024

#: Syntax the running Python may not know yet: (needs version, pattern of the
#: line the parser stopped at, what it is). Only a hint added to the message.
_NEWER_SYNTAX = (
    ((3, 12), re.compile(r"\s*type\s+[^\W\d]\w*\s*[\[=]"), "a 'type' alias statement (PEP 695)"),
    ((3, 12), re.compile(r"\s*(?:async\s+)?def\s+[^\W\d]\w*\s*\["), "a generic function 'def f[T]' (PEP 695)"),
    ((3, 12), re.compile(r"\s*class\s+[^\W\d]\w*\s*\["), "a generic class 'class C[T]' (PEP 695)"),
)
#: Parser messages for nesting beyond CPython's fixed limits (``too-complex``).
_PARSER_LIMITS = (
    "too many nested parentheses",
    "too many levels of indentation",
    "too many statically nested blocks",
    "too many nested f-strings",
    "too complex",
)
#: Parser messages that usually mean Python 2 code.
_PYTHON2_MESSAGES = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
    "multiple exception types must be parenthesized",
    "leading zeros in decimal integer literals",
)

#: A PEP 263 coding cookie on one of the first two lines.
_COOKIE = re.compile(rb"[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")

_SUBPROCESS = {"subprocess." + n for n in ("run", "call", "check_call", "check_output", "Popen")}
_YAML_SAFE_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")


def analyse_file(source: SourceFile) -> ModuleSummary:
    """Read and analyse ``source``; an unreadable file gives a summary with a problem."""
    try:
        with open(source.abspath, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        return ModuleSummary.failed(source, Problem(Subtype.UNREADABLE, f"cannot read file: {exc.strerror or exc}"))
    return analyse(source, data)


def analyse(source: SourceFile, data: bytes) -> ModuleSummary:
    """Analyse a module's source bytes; never raises for bad input.

    Every failure becomes one :class:`Problem` (subtypes ``too-large``,
    ``encoding``, ``syntax-error``, ``too-complex``, ``analysis-error``) in a
    summary with ``parse_failed`` set; the caller goes on with other files.
    The file's astroid tree is freed before this returns.
    """
    digest = content_digest(data)
    if len(data) > MAX_SOURCE_BYTES:
        message = (
            f"file is {len(data) / 1e6:.1f} MB, larger than the {MAX_SOURCE_BYTES / 1e6:.1f} MB analysed "
            "(generated?); not indexed; exclude it with kwindex_exclude"
        )
        return ModuleSummary.failed(source, Problem(Subtype.TOO_LARGE, message), digest, size=len(data),
                                    lines=len(data.splitlines()))
    try:
        text = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return ModuleSummary.failed(source, _encoding_problem(data, exc), digest, size=len(data))
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    with _tree_freed_when_done():
        try:
            return _analyse_text(source, text, digest, size=len(data), lines=lines)
        except Exception as exc:  # noqa: BLE001 - a bug in the analysis must cost one file, not the build
            problem = Problem(Subtype.ANALYSIS_ERROR, f"analysis failed: {type(exc).__name__}: {exc}")
            return ModuleSummary.failed(source, problem, digest, size=len(data), lines=lines)


def _analyse_text(source: SourceFile, text: str, digest: str, *, size: int, lines: int) -> ModuleSummary:
    def failed(problem: Problem) -> ModuleSummary:
        return ModuleSummary.failed(source, problem, digest, size=size, lines=lines)

    try:
        tree = _parse(text, source.module)
    except AstroidSyntaxError as exc:
        return failed(_syntax_problem(exc.error, text))
    except (RecursionError, MemoryError):
        # Deep nesting (e.g. a 100 000-term ``a + b + ...``) overflows astroid's
        # recursive tree builder. Unwinding the exception restores the stack;
        # the recursion limit itself is never touched.
        return failed(Problem(Subtype.TOO_COMPLEX, "nesting too deep to parse"))
    except Exception as exc:  # noqa: BLE001 - an astroid bug must cost one file, not the build
        return failed(Problem(Subtype.ANALYSIS_ERROR,
                              f"cannot analyse: astroid failed with {type(exc).__name__}: {exc}"))
    try:
        return _summarise(tree, source, {"source": source, "digest": digest, "size": size, "lines": lines})
    except (RecursionError, MemoryError):
        return failed(Problem(Subtype.TOO_COMPLEX, "nesting too deep to analyse"))
    except Exception as exc:  # noqa: BLE001 - as above
        return failed(Problem(Subtype.ANALYSIS_ERROR, f"cannot analyse: {type(exc).__name__}: {exc}"))


#: astroid node classes whose shared ``special_attributes`` model remembers the last node built.
_MODELLED = (nodes.Module, nodes.ClassDef, nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Lambda)


@contextlib.contextmanager
def _tree_freed_when_done() -> Iterator[None]:
    """Free the file's astroid tree in one young collection once the analysis is done.

    A tree is up to ~100 000 objects in reference cycles (parent links). Left to
    the collector, it runs every 700 allocations and promotes the tree through all
    generations before a full collection frees it: 45 % of analysis time on torch.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # ``ClassDef(...)`` stores itself in the class-wide model (``_instance``): that one old
        # object would keep the whole new tree alive through the young collection.
        for node_class in _MODELLED:
            node_class.special_attributes(None)
        gc.collect(0)
        if enabled:
            gc.enable()


def _line_of(data: bytes | str, offset: int) -> int:
    """The 1-based line holding ``offset``, counting ``\\n``, ``\\r\\n`` and lone ``\\r`` ends."""
    newline, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
    head = data[:offset]
    return head.count(newline) + head.count(cr) - head.count(cr + newline) + 1


def _encoding_problem(data: bytes, exc: Exception) -> Problem:
    """One clear ``encoding`` problem, located at the cookie or the first bad byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Problem(Subtype.ENCODING, "the file is UTF-16 (or UTF-32); Python source must be UTF-8 or declare "
                       "an ASCII-compatible encoding", 1)
    detail = str(exc)
    head = data.split(b"\n", 2)[:2]
    cookie_line = next((n for n, raw in enumerate(head, 1) if _COOKIE.match(raw)), 0)
    if detail.startswith("unknown encoding") or isinstance(exc, LookupError):
        return Problem(Subtype.ENCODING, f"cannot decode source: {detail} (coding cookie)", cookie_line)
    if detail.startswith("encoding problem"):
        return Problem(Subtype.ENCODING, "the file starts with a UTF-8 byte order mark but its coding cookie "
                       "names another encoding", cookie_line or 1)
    # A byte the encoding cannot decode: tokenize stops at the first two lines
    # with "invalid or missing encoding declaration"; find the byte ourselves.
    encoding = "utf-8"
    if cookie_line:
        encoding = _COOKIE.match(head[cookie_line - 1]).group(1).decode("ascii", "replace")
    bad = exc if isinstance(exc, UnicodeDecodeError) else None
    if bad is None:
        try:
            data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as again:
            bad = again if isinstance(again, UnicodeDecodeError) else None
    if bad is None:
        return Problem(Subtype.ENCODING, f"cannot decode source: {detail}", cookie_line)
    byte = bad.object[bad.start]
    hint = "" if cookie_line else "; save it as UTF-8 or declare its encoding, e.g. '# -*- coding: latin-1 -*-'"
    return Problem(Subtype.ENCODING, f"cannot decode source as {encoding}: byte 0x{byte:02x} is invalid{hint}",
                   _line_of(data, bad.start))


def _syntax_problem(error: Exception | None, text: str) -> Problem:
    """A ``syntax-error`` problem, with a hint when the cause is likely newer or Python 2 syntax."""
    line = getattr(error, "lineno", None) or 0
    detail = getattr(error, "msg", None) or str(error)
    if isinstance(error, (MemoryError, RecursionError)) or detail.startswith(_PARSER_LIMITS):
        # CPython's parser has fixed limits (200 nested brackets, 100 indent
        # levels) and reports a deeper stack as MemoryError; astroid wraps both.
        return Problem(Subtype.TOO_COMPLEX, f"cannot parse: {detail or 'nesting too deep'} (a limit of Python's parser)", line)
    if "null bytes" in detail and "\0" in text:
        line = _line_of(text, text.index("\0"))
        return Problem(Subtype.SYNTAX_ERROR, "cannot parse: the file contains a NUL byte (binary or UTF-16 file?)", line)
    message = f"cannot parse: {detail}"
    running = sys.version_info[:2]
    source_line = text.split("\n", line)[line - 1] if 0 < line <= text.count("\n") + 1 else ""
    for needs, pattern, what in _NEWER_SYNTAX:
        if running < needs and pattern.match(source_line):
            version = f"{needs[0]}.{needs[1]}"
            running_version = f"{running[0]}.{running[1]}"
            message += f" (this is {what}: it needs Python {version}+, the build runs {running_version})"
            break
    else:
        if detail.startswith("f-string") and running < (3, 12):
            message += " (Python 3.12+ accepts more f-strings, PEP 701: it may need a newer Python)"
        elif detail.startswith(_PYTHON2_MESSAGES):
            message += " (Python 2 code?)"
    return Problem(Subtype.SYNTAX_ERROR, message, line)


def _decode(data: bytes) -> str:
    """Decode as Python does: BOM or coding cookie, else UTF-8; normalise line ends."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse(text: str, modname: str) -> nodes.Module:
    # Only the tree building step of astroid: its post-build step resolves
    # ``import *`` by reading other modules from disk and caches every module
    # in the global manager, which makes memory grow with the corpus. We need
    # neither: cross-module questions are answered by the project index.
    builder = AstroidBuilder(astroid.MANAGER, apply_transforms=False)
    # The compiler's SyntaxWarning and DeprecationWarning ("invalid escape
    # sequence") concern the analysed code, not this build: keep them off stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module, _ = builder._data_build(text, modname, None)
    return module


def _def_line(node: nodes.NodeNG) -> int:
    """The line of the ``def``/``class`` keyword; astroid's ``lineno`` is the first decorator's."""
    position = getattr(node, "position", None)
    return (position.lineno if position is not None else node.lineno) or 0


def _first_line(node: nodes.NodeNG) -> str:
    doc = getattr(node, "doc_node", None)
    if doc is None or not isinstance(doc.value, str):
        return ""
    return summary_of(doc.value)


#: A role with its target (``:class:`~pkg.Group```, ``:func:`name <target>```): shown as its text.
_ROLE = re.compile(r":(?:[\w.+-]+:)*[\w+-]+:`(?:~?([^`<]*?)\s*<[^`>]*>|~?([^`]*))`")
_LITERAL = re.compile(r"``([^`]+)``|`([^`]+)`_{0,2}")
#: Where a first sentence ends: a full stop, ``!`` or ``?`` followed by white space (not ``e.g.``).
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.!?](?=\s|$)")
#: Longest summary kept whole (a sentence that runs on is cut at a word with an ellipsis).
MAX_SUMMARY = 300


def summary_of(docstring: str) -> str:
    """The first sentence of a docstring's first paragraph, as a reader sees it: lines joined,
    roles and literals shown as their text, never directive markup (``.. deprecated:: 8.2``)
    or field lists (``:param x:``)."""
    lines: list[str] = []
    #: indentation of the directive or field whose body is being skipped
    skipping: int | None = None
    for raw in inspect.cleandoc(docstring).splitlines():
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if skipping is not None and (not line or indent > skipping):
            continue
        skipping = None
        if not line:
            if lines:
                break
            continue
        if line.startswith(("..", ":")) and not _ROLE.match(line) or line.startswith(">>>"):
            if lines:
                break
            skipping = indent
            continue
        lines.append(line)
    text = " ".join(lines)
    text = _ROLE.sub(lambda match: _last_part(match.group(1) if match.group(1) is not None else match.group(2),
                                              match.group(0)), text)
    text = _LITERAL.sub(lambda match: match.group(1) or match.group(2), text)
    end = _SENTENCE_END.search(text)
    if end is not None:
        text = text[: end.end()]
    if len(text) > MAX_SUMMARY:
        text = text[: MAX_SUMMARY].rsplit(" ", 1)[0] + " …"
    return text


def _last_part(target: str, whole: str) -> str:
    """``~pkg.mod.Group`` shows ``Group``; a title given (``name <target>``) shows the title."""
    if "<" in whole or not whole.split("`", 1)[1].startswith("~"):
        return target.strip()
    return target.strip().rpartition(".")[2]


class _Collector:
    """Walks statement bodies, tracking the scope each definition lives in."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.package = source.module if source.is_package else source.module.rpartition(".")[0]
        self.definitions: dict[str, Definition] = {}
        self.imported: dict[str, ImportedName] = {}
        self.imports: list[Import] = []
        self.problems: list[Problem] = []
        self.all_names: tuple[str, ...] | None = None
        self.has_main_block = False

    # -- scopes ------------------------------------------------------------

    def body(self, statements: Iterable[nodes.NodeNG], prefix: str, scope: str) -> None:
        for node in statements:
            if isinstance(node, nodes.ClassDef):
                self.define(prefix + node.name, "class", node, _class_signature(node), _bases(node))
                self.body(node.body, f"{prefix}{node.name}.", "class")
                self.instance_attributes(node, f"{prefix}{node.name}.")
            elif isinstance(node, _FUNCTIONS):
                kind = "method" if scope == "class" else "function"
                self.define(prefix + node.name, kind, node, _function_signature(node))
                self.body(node.body, f"{prefix}{node.name}.<locals>.", "function")
            elif isinstance(node, (nodes.Assign, nodes.AnnAssign)):
                if scope != "function":
                    self.assignment(node, prefix, "variable" if scope == "module" else "attribute")
            elif isinstance(node, nodes.TypeAlias):  # ``type X = ...`` (Python 3.12+)
                if scope != "function":
                    self.define(prefix + node.name.name, "variable" if scope == "module" else "attribute", node)
            elif isinstance(node, (nodes.Import, nodes.ImportFrom)):
                self.import_(node, is_local=scope != "module")
            elif isinstance(node, _BLOCKS):
                if scope == "module" and isinstance(node, nodes.If) and _is_main_test(node.test):
                    self.has_main_block = True
                for block in _blocks_of(node):
                    self.body(block, prefix, scope)

    def define(self, name: str, kind: str, node: nodes.NodeNG, signature: str = "", bases: tuple[str, ...] = ()) -> None:
        # A name defined twice (overloads, version branches) is one keyword at its first line;
        # a class or def still wins over a plain assignment of the same name (``x = None``).
        known = self.definitions.get(name)
        if known is None or (known.kind in _ASSIGNED and kind not in _ASSIGNED):
            self.definitions[name] = Definition(name, kind, _def_line(node), signature, _first_line(node), bases)

    def instance_attributes(self, klass: nodes.ClassDef, prefix: str) -> None:
        """Attributes the class's methods assign to ``self`` (``self.config = ...``), after its body:
        a name the body defines keeps that definition, else the first assignment in source order wins."""
        for method in _methods(klass.body):
            this = first_parameter(method, class_methods=False)
            if this is None:
                continue
            for target in method.nodes_of_class(nodes.AssignAttr, skip_klass=_NEW_SCOPES):
                if isinstance(target.expr, nodes.Name) and target.expr.name == this:
                    statement = target.statement()
                    signature = ""
                    if isinstance(statement, nodes.AnnAssign) and statement.target is target:
                        signature = f": {statement.annotation.as_string()}"
                    self.define(prefix + target.attrname, "attribute", target, signature)

    def assignment(self, node: nodes.Assign | nodes.AnnAssign, prefix: str, kind: str) -> None:
        targets = node.targets if isinstance(node, nodes.Assign) else [node.target]
        signature = f": {node.annotation.as_string()}" if isinstance(node, nodes.AnnAssign) else ""
        for target in targets:
            for name_node in _assigned_names(target):
                self.define(prefix + name_node.name, kind, node, signature)
                if not prefix and name_node.name == "__all__" and node.value is not None:
                    self.all_names = _string_sequence(node.value)

    # -- imports -----------------------------------------------------------

    def import_(self, node: nodes.Import | nodes.ImportFrom, is_local: bool) -> None:
        line = node.lineno or 0
        if isinstance(node, nodes.Import):
            for name, alias in node.names:
                self.imports.append(Import(name, (), line, is_local))
                bound = alias or name
                self.bind(ImportedName(bound, name, line, is_module=True, is_local=is_local))
            return
        module = self.resolve_relative(node.modname, node.level or 0)
        if module is None:
            dots = "." * (node.level or 0)
            self.problems.append(
                Problem(Subtype.BAD_IMPORT, f"relative import '{dots}{node.modname}' goes above the top-level package", line)
            )
            return
        names = tuple(name for name, _ in node.names)
        self.imports.append(Import(module, names, line, is_local))
        for name, alias in node.names:
            if name != "*":
                target = f"{module}.{name}" if module else name
                self.bind(ImportedName(alias or name, target, line, is_local=is_local))

    def bind(self, imported: ImportedName) -> None:
        # One keyword per bound name, at its first import (local imports included).
        self.imported.setdefault(imported.name, imported)

    def resolve_relative(self, modname: str, level: int) -> str | None:
        return absolute_module(modname, level, self.package)


def _blocks_of(node: nodes.NodeNG) -> Iterator[list[nodes.NodeNG]]:
    if isinstance(node, nodes.Match):
        for case in node.cases:
            yield case.body
        return
    # In source order (the first definition of a name wins): try, except, else, finally.
    yield getattr(node, "body", None) or []
    for handler in getattr(node, "handlers", None) or []:
        yield handler.body
    for attr in ("orelse", "finalbody"):
        yield getattr(node, attr, None) or []


def _methods(statements: Iterable[nodes.NodeNG]) -> Iterator[nodes.FunctionDef]:
    """The functions of a class body, in source order, through ``if``/``try``/... blocks."""
    for node in statements:
        if isinstance(node, _FUNCTIONS):
            yield node
        elif isinstance(node, _BLOCKS):
            for block in _blocks_of(node):
                yield from _methods(block)


def _assigned_names(target: nodes.NodeNG) -> Iterator[nodes.AssignName]:
    if isinstance(target, nodes.AssignName):
        yield target
    elif isinstance(target, (nodes.Tuple, nodes.List)):
        for element in target.elts:
            yield from _assigned_names(element)
    elif isinstance(target, nodes.Starred):
        yield from _assigned_names(target.value)


def _string_sequence(value: nodes.NodeNG) -> tuple[str, ...] | None:
    if isinstance(value, (nodes.List, nodes.Tuple)) and all(
        isinstance(e, nodes.Const) and isinstance(e.value, str) for e in value.elts
    ):
        return tuple(e.value for e in value.elts)
    return None


def _is_main_test(test: nodes.NodeNG) -> bool:
    return (
        isinstance(test, nodes.Compare)
        and isinstance(test.left, nodes.Name)
        and test.left.name == "__name__"
        and len(test.ops) == 1
        and isinstance(test.ops[0][1], nodes.Const)
        and test.ops[0][1].value == "__main__"
    )


def _function_signature(node: nodes.FunctionDef) -> str:
    signature = f"({node.args.as_string()})"
    if node.returns is not None:
        signature += f" -> {node.returns.as_string()}"
    return signature


def _class_signature(node: nodes.ClassDef) -> str:
    parts = [base.as_string() for base in node.bases]
    parts += [keyword.as_string() for keyword in node.keywords or ()]
    return f"({', '.join(parts)})" if parts else ""


def _bases(node: nodes.ClassDef) -> tuple[str, ...]:
    """The dotted names of a class's bases (``Generic[T]``: ``Generic``); calls and the like are left out."""
    found = []
    for base in node.bases:
        dotted = dotted_name(base.value if isinstance(base, nodes.Subscript) else base)
        if dotted:
            found.append(dotted)
    return tuple(found)


def _scan_expressions(tree: nodes.Module, collector: _Collector) -> tuple[tuple[str, ...], tuple[NotableCall, ...]]:
    """Identifier names used anywhere, and the notable calls, in one walk."""
    aliases = {imp.name: imp.target for imp in collector.imported.values()}
    identifiers: set[str] = set()
    calls: list[NotableCall] = []
    for node in tree.nodes_of_class((nodes.Name, nodes.AssignName, nodes.Attribute, nodes.AssignAttr, nodes.Call)):
        if isinstance(node, (nodes.Name, nodes.AssignName)):
            identifiers.add(node.name)
        elif isinstance(node, (nodes.Attribute, nodes.AssignAttr)):
            identifiers.add(node.attrname)
        else:
            call = _notable_call(node, aliases)
            if call is not None:
                calls.append(call)
    for definition in collector.definitions.values():
        identifiers.add(definition.name.rpartition(".")[2])
    return tuple(sorted(identifiers)), tuple(calls)


def _notable_call(node: nodes.Call, aliases: dict[str, str]) -> NotableCall | None:
    written = dotted_name(node.func)
    if not written:
        return None
    head, _, rest = written.partition(".")
    resolved = aliases.get(head, head) + (f".{rest}" if rest else "")
    keywords = {kw.arg: kw.value for kw in node.keywords or () if kw.arg}
    kind = _NOTABLE.get(resolved)
    if resolved in _SUBPROCESS:
        shell = keywords.get("shell")
        if isinstance(shell, nodes.Const) and shell.value:
            kind = "shell command"
    elif resolved == "yaml.load":
        loader = keywords.get("Loader")
        if loader is None and len(node.args) > 1:
            loader = node.args[1]
        loader_name = dotted_name(loader) if loader is not None else None
        if not loader_name or not loader_name.endswith(_YAML_SAFE_LOADERS):
            kind = "unsafe YAML load"
    if kind is None:
        return None
    return NotableCall(kind, written, node.lineno or 0)


def _summarise(tree: nodes.Module, source: SourceFile, base: dict) -> ModuleSummary:
    collector = _Collector(source)
    collector.body(tree.body, "", "module")
    identifiers, calls = _scan_expressions(tree, collector)
    definitions = tuple(sorted(collector.definitions.values(), key=lambda d: (d.line, d.name)))
    imported = tuple(sorted(collector.imported.values(), key=lambda i: (i.line, i.name)))
    uses, value_types = uses_of(tree, source.module, collector.package)
    return ModuleSummary(
        **base,
        doc=_first_line(tree),
        definitions=definitions,
        imported_names=imported,
        imports=tuple(collector.imports),
        all_names=collector.all_names,
        identifiers=identifiers,
        has_main_block=collector.has_main_block,
        notable_calls=calls,
        uses=uses,
        value_types=value_types,
        problems=tuple(collector.problems),
    )
