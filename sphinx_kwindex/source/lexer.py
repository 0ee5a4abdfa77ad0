"""A Pygments lexer for Python built on the standard library's :mod:`tokenize`.

Source pages highlight every analysed module. Pygments' own ``PythonLexer``
tries its rules one regular expression at a time and takes 130 s for the
1.2 M lines of torch on this machine; :mod:`tokenize` reads the same files in
29 s (``benchmarks/source_pages.py``). This lexer turns :mod:`tokenize`'s
tokens into Pygments token types, so Sphinx's HTML formatter and the theme's
Pygments style do the rest exactly as for any code block. A file
:mod:`tokenize` rejects (bad indentation, an unclosed bracket) is left to
Pygments' ``PythonLexer``.
"""

from __future__ import annotations

import builtins
import io
import keyword
import tokenize
from collections.abc import Iterator

from pygments.lexer import Lexer
from pygments.lexers.python import PythonLexer
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation, String, Text, _TokenType

_CONSTANTS = frozenset({"True", "False", "None"})
_WORD_OPERATORS = frozenset({"and", "or", "not", "in", "is"})
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
_EXCEPTIONS = frozenset(
    name for name in _BUILTINS if isinstance(getattr(builtins, name), type) and issubclass(getattr(builtins, name), BaseException)
)
_PSEUDO = frozenset({"self", "cls"})
_KEYWORDS = frozenset(keyword.kwlist)
#: the type of a name that is no keyword, in no def, class, import or decorator, after no dot
_NAME_TYPES = {**dict.fromkeys(_BUILTINS, Name.Builtin), **dict.fromkeys(_EXCEPTIONS, Name.Exception),
               **dict.fromkeys(_PSEUDO, Name.Builtin.Pseudo)}
_PUNCTUATION = frozenset("()[]{},:;")
#: tokens whose text the gaps between tokens already cover
_SKIPPED = frozenset({tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})


class TokenizeLexer(Lexer):
    """Python, tokenized by :mod:`tokenize` (see the module docstring)."""

    name = "Python (tokenize)"
    aliases = ("kwindex-python",)

    def __init__(self, **options) -> None:
        # Lines must stay where they are: source pages anchor every line.
        options.setdefault("stripnl", False)
        options.setdefault("ensurenl", False)
        super().__init__(**options)

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError):
            yield from PythonLexer(**self.options).get_tokens_unprocessed(text)
            return
        starts = [0]
        position = text.find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = text.find("\n", position + 1)
        starts.append(len(text))
        yield from _typed(tokens, text, starts)


def _typed(tokens: list[tokenize.TokenInfo], text: str, starts: list[int]) -> Iterator[tuple[int, _TokenType, str]]:
    """(offset, Pygments type, text) for every character of ``text``, gaps as whitespace."""
    NAME, OP, STRING, NEWLINE, NL, COMMENT = (tokenize.NAME, tokenize.OP, tokenize.STRING, tokenize.NEWLINE,
                                              tokenize.NL, tokenize.COMMENT)
    size = len(text)
    done = 0
    expect: _TokenType | None = None  # the type of the next name: after def, class, import, from, @
    statement: str | None = None  # "import" or "from" inside an import statement
    previous = NEWLINE  # the type of the last significant token
    previous_text = ""
    for position, token in enumerate(tokens):
        kind = token.type
        if kind in _SKIPPED:
            continue
        (row, column), (end_row, end_column) = token.start, token.end
        start = starts[row - 1] + column
        end = starts[end_row - 1] + end_column
        end = min(end, size)
        if start < done or start > size:
            continue  # NEWLINE at the end of a file without one has no text
        if start > done:
            yield done, Text, text[done:start]
        value = text[start:end]
        if kind == NAME:
            if value in _KEYWORDS:
                ttype = _keyword_type(value)
                if value == "def" or value == "class":
                    expect = Name.Function if value == "def" else Name.Class
                elif value == "import":
                    if previous_text in ("", ";", ":"):
                        statement, expect = "import", Name.Namespace
                    else:
                        statement, expect = "from", None
                elif value == "from" and previous_text in ("", ";", ":"):
                    statement, expect = "from", Name.Namespace
                elif value == "as":
                    expect = None
            elif expect is not None:
                ttype = expect
                if expect is Name.Function or expect is Name.Class:
                    expect = None
            elif previous_text == ".":
                ttype = Name
            else:
                ttype = _NAME_TYPES.get(value, Name)
        elif kind == OP:
            ttype = Punctuation if value in _PUNCTUATION else Operator
            if value == "@" and previous == NEWLINE:
                ttype, expect = Name.Decorator, Name.Decorator
            elif value == "," and statement == "import":
                expect = Name.Namespace
            elif value == "." and (expect is Name.Namespace or expect is Name.Decorator):
                ttype = expect
            elif expect is Name.Decorator:
                expect = None
        elif kind == STRING:
            ttype = String.Doc if previous == NEWLINE and _ends_statement(tokens, position) else String
        elif kind == COMMENT:
            ttype = Comment.Single
        elif kind == tokenize.NUMBER:
            ttype = Number
        elif kind == NEWLINE or kind == NL:
            ttype = Text.Whitespace
            if kind == NEWLINE:
                statement, expect = None, None
        elif kind == tokenize.ERRORTOKEN:
            ttype = Text if value.isspace() else Error
        else:  # FSTRING_START, FSTRING_MIDDLE, FSTRING_END (Python 3.12+)
            ttype = String
        if value:
            yield start, ttype, value
        done = end
        if kind != NL and kind != COMMENT:
            previous = kind
            previous_text = value if kind != NEWLINE else ""
    if done < size:
        yield done, Text, text[done:]


def _ends_statement(tokens: list[tokenize.TokenInfo], position: int) -> bool:
    """Whether the string at ``position`` is a whole statement (a docstring, when it comes first)."""
    for token in tokens[position + 1:]:
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            return token.type in (tokenize.NEWLINE, tokenize.ENDMARKER)
    return True


def _keyword_type(word: str) -> _TokenType:
    if word in _CONSTANTS:
        return Keyword.Constant
    if word in _WORD_OPERATORS:
        return Operator.Word
    if word in ("import", "from"):
        return Keyword.Namespace
    return Keyword
