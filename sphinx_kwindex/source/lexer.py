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
    done = 0
    expect: _TokenType | None = None  # the type of the next name: after def, class, import, from, @
    statement: str | None = None  # "import" or "from" inside an import statement
    previous = tokenize.NEWLINE  # the type of the last significant token
    previous_text = ""
    significant = [t for t in tokens if t.type not in _SKIPPED and t.type not in (tokenize.NL, tokenize.COMMENT)]
    following = {id(t): (significant[i + 1].type if i + 1 < len(significant) else tokenize.ENDMARKER)
                 for i, t in enumerate(significant) if t.type == tokenize.STRING}
    for token in tokens:
        if token.type in _SKIPPED:
            continue
        start = starts[token.start[0] - 1] + token.start[1]
        end = min(starts[token.end[0] - 1] + token.end[1], len(text))
        if start < done or start > len(text):
            continue  # NEWLINE at the end of a file without one has no text
        if start > done:
            yield done, Text, text[done:start]
        value = text[start:end]
        kind = token.type
        if kind == tokenize.NAME:
            word = value
            if keyword.iskeyword(word):
                ttype = _keyword_type(word)
                if word in ("def", "class"):
                    expect = Name.Function if word == "def" else Name.Class
                elif word == "import":
                    statement, expect = ("import", Name.Namespace) if previous in (tokenize.NEWLINE, tokenize.OP) and previous_text in ("", ";", ":") else ("from", None)
                elif word == "from" and previous_text in ("", ";", ":"):
                    statement, expect = "from", Name.Namespace
                elif word == "as":
                    expect = None
            elif expect is not None:
                ttype = expect
                if expect in (Name.Function, Name.Class):
                    expect = None
            elif previous_text == ".":
                ttype = Name
            elif word in _PSEUDO:
                ttype = Name.Builtin.Pseudo
            elif word in _EXCEPTIONS:
                ttype = Name.Exception
            elif word in _BUILTINS:
                ttype = Name.Builtin
            else:
                ttype = Name
        elif kind == tokenize.OP:
            ttype = Punctuation if value in _PUNCTUATION else Operator
            if value == "@" and previous == tokenize.NEWLINE:
                ttype, expect = Name.Decorator, Name.Decorator
            elif value == "," and statement == "import":
                expect = Name.Namespace
            elif value == "." and expect in (Name.Namespace, Name.Decorator):
                ttype = expect
            elif expect is Name.Decorator:
                expect = None
        elif kind == tokenize.STRING:
            ttype = String.Doc if previous == tokenize.NEWLINE and following[id(token)] in (tokenize.NEWLINE, tokenize.ENDMARKER) else String
        elif kind == tokenize.COMMENT:
            ttype = Comment.Single
        elif kind == tokenize.NUMBER:
            ttype = Number
        elif kind in (tokenize.NEWLINE, tokenize.NL):
            ttype = Text.Whitespace
            if kind == tokenize.NEWLINE:
                statement, expect = None, None
        elif kind == tokenize.ERRORTOKEN:
            ttype = Text if value.isspace() else Error
        else:  # FSTRING_START, FSTRING_MIDDLE, FSTRING_END (Python 3.12+)
            ttype = String
        if value:
            yield start, ttype, value
        done = end
        if kind not in (tokenize.NL, tokenize.COMMENT):
            previous, previous_text = kind, value if kind != tokenize.NEWLINE else ""
    if done < len(text):
        yield done, Text, text[done:]


def _keyword_type(word: str) -> _TokenType:
    if word in _CONSTANTS:
        return Keyword.Constant
    if word in _WORD_OPERATORS:
        return Operator.Word
    if word in ("import", "from"):
        return Keyword.Namespace
    return Keyword
