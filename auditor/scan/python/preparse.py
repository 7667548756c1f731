"""Deciding before the parse that a Python file cannot produce a finding.

Many candidate files name Llama only in comments and docstrings ("Copied from
transformers.models.llama..."). The analysis (``scanner``) reads the expressions of *live*
statements only (``live``): every finding needs trigger text in what it reads, and a line is
live when it holds trigger text. So a file can hold a finding only through:

- trigger text in code or in a string other than a docstring;
- a statement covering a line that is live because of a comment or docstring on it (that
  statement is read, and a string spelled with escapes such as ``"\\x6clama..."`` or assembled
  from pieces can then name a model);
- an import or a chat-format enum member, which are read whatever is live (their names hold
  trigger text unless spelled with non-ASCII letters Python folds to ASCII);
- the line scanner, when Python cannot parse the file (it reads comments too).

``cannot_find`` rules out each of these without parsing: every trigger occurrence must sit in a
docstring (``collect._note_docstring``'s: the module's first statement, or the first statement
of a ``def``/``class`` body on its own line; no rule reads one), in a comment alone on its line
outside brackets and continuations (no statement covers that line), or in a comment after a
docstring on the docstring's last line; the text must be ASCII or already NFKC-normalised (the
form Python folds identifiers to), or have no non-ASCII character in code; the chat-format
enum pre-check (``styles``) must not fire; and the line scanner must find nothing. Whatever
cannot be proved lexically (a string in brackets, a header it cannot follow, an unterminated
string) counts as code: the file is parsed as before. The one difference from parsing: a
syntax error in a file so skipped is not reported, as for a file the byte prefilter skips.

The lexer is one regular expression (unrolled loops, linear on any input) walking comments and
the four string forms; a string prefix never changes where a string ends (up to Python 3.11;
from 3.12 an f-string may nest quotes, so an f-string with a replacement field is not lexed).
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from unicodedata import is_normalized

from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import PythonTables, python_tables
from auditor.scan.python.styles import may_use_styles
from auditor.scan.text.lines import HINT_WORDS, scan_lines

_LEXER = re.compile(r"""[^#'"]*(?:
    (?P<comment>\#[^\n]*)
  | (?P<string>'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''
      | \"\"\"[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*\"\"\"
      | '[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'
      | "[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*")
  | (?P<open>'''|\"\"\")
  | (?P<lone>['"])
  | \Z)
""", re.VERBOSE)
"""Code up to the next comment or string, and that comment or string (a string's prefix
letters are left in the code before it). The code run never backtracks: it stops at a ``#``
or a quote, where one alternative always matches (or at the end). ``open``: a triple quote
with no end (tried once); ``lone``: a quote no string form closes."""

_NESTING_FSTRINGS = sys.version_info >= (3, 12)
_PREFIX_LETTERS = "rRbBuUfF"
_LINE_END = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
_HEADER = re.compile(r"[ \t]*(?:async[ \t]+def|def|class)[ \t]")
_HEADER_CODE = re.compile(r"[()\[\]{}:;\n]")
_OPENERS = "([{"
_CLOSERS = ")]}"
_HEADER_LINES = 100
"""How far above a docstring its ``def``/``class`` line is looked for."""
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

Span = tuple[int, int, bool]
"""(start, end, is a comment) of a comment or a string (without its prefix)."""


def cannot_find(text: str, ruleset: RuleSet) -> bool:
    """True when the scan of this Python source can produce no finding, parsed or not."""
    if "\r" in text:
        return False  # the scan's text has its newlines normalised; others are not judged
    tables = python_tables(ruleset)
    lowered = text.lower()
    if len(lowered) != len(text):
        return False  # offsets of the lower-cased text would not line up
    source = _Source(text)
    if not all(source.blank(at) for at in _trigger_positions(lowered, tables)):
        return False
    if may_use_styles(text, tables) or _line_scan_finds(text, lowered, tables, ruleset):
        return False
    return text.isascii() or is_normalized("NFKC", text) or all(
        source.in_span(m.start()) for m in _NON_ASCII.finditer(text))


def _trigger_positions(lowered: str, tables: PythonTables) -> Iterator[int]:
    """Where trigger text starts (``live.trigger_lines``' test, by position; in order, as far
    as asked), in the lower-cased text: the markers lower-cased too (a superset: more to rule
    out, never less), a number with underscores between its digits (the test removes them).
    No trigger holds a quote, ``#`` or a newline, so each occurrence lies in one comment, one
    string or code, and one that a match overlaps lies where the match does."""
    pattern = _trigger_pattern(tables.lower_triggers, tables.exact_triggers,
                               tables.number_triggers)
    return (match.start() for match in pattern.finditer(lowered))


@lru_cache(maxsize=8)
def _trigger_pattern(lower: tuple[str, ...], exact: tuple[str, ...],
                     numbers: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation: one pass over the text (half the time of a search per group)."""
    needles = [re.escape(n) for n in dict.fromkeys((*lower, *(m.lower() for m in exact)))]
    needles += ["_*".join(re.escape(c) for c in n) for n in numbers]
    return re.compile("|".join(needles) or "(?!)")


class _Source:
    """The text, lexed as far as asked: which occurrences of trigger text no statement's
    analysis reads."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[Span] = []
        self.starts: list[int] = []
        self._matches: Iterator[re.Match[str]] | None = _LEXER.finditer(text)
        self._depth_at = 0  # spans whose preceding code is counted
        self._depth = 0
        self._docstrings: dict[int, bool] = {}

    def _lex_past(self, at: int) -> None:
        """Lex until a span starts after ``at`` or the text ends. A string that does not end
        (or, from Python 3.12, an f-string with a field) stops the lexer there."""
        while self._matches is not None and (not self.starts or self.starts[-1] <= at):
            match = next(self._matches, None)
            kind = None if match is None else match.lastgroup
            if match is None or kind is None:
                self._matches = None
                continue
            start, end = match.span(kind)
            if kind in ("open", "lone") or (_NESTING_FSTRINGS and kind == "string"
                                            and self._is_field_fstring(start, end)):
                self._matches = None  # what follows counts as code: nothing after is cleared
                continue
            self.spans.append((start, end, kind == "comment"))
            self.starts.append(start)

    def _is_field_fstring(self, start: int, end: int) -> bool:
        return "f" in self.prefix(start).lower() and "{" in self.text[start:end].replace("{{", "")

    def prefix(self, start: int) -> str:
        """The prefix letters before the string starting at ``start``."""
        text = self.text
        first = start
        while first > start - 2 and first > 0 and text[first - 1] in _PREFIX_LETTERS:
            first -= 1
        if first > 0 and (text[first - 1].isalnum() or text[first - 1] == "_"):
            return "?"  # letters of a name: not a prefix (and not valid Python)
        return text[first:start]

    def span_of(self, at: int) -> int | None:
        self._lex_past(at)
        index = bisect_right(self.starts, at) - 1
        return index if index >= 0 and at < self.spans[index][1] else None

    def in_span(self, at: int) -> bool:
        return self.span_of(at) is not None

    def blank(self, at: int) -> bool:
        """Is the occurrence at ``at`` in a docstring, in a comment alone on its line outside
        brackets, or in a comment after a docstring on the docstring's last line?"""
        index = self.span_of(at)
        if index is None:
            return False
        start, _end, comment = self.spans[index]
        if not comment:
            return self.docstring(index)
        line_start = self.text.rfind("\n", 0, start) + 1
        if not self.text[line_start:start].strip(" \t"):
            return not self._continued(line_start) and self.depth(index) == 0
        if index == 0:
            return False
        before = self.spans[index - 1]
        return (not before[2] and not self.text[before[1]:start].strip(" \t")
                and self.docstring(index - 1))

    def _continued(self, line_start: int) -> bool:
        """Does the line before end with a backslash (a continued line, or one we cannot
        tell from one)?"""
        return line_start >= 2 and self.text[line_start - 2] == "\\"

    def depth(self, index: int) -> int:
        """Bracket depth of the code before span ``index`` (asked in source order)."""
        text, spans = self.text, self.spans
        if index + 1 < self._depth_at:
            raise ValueError("depth is asked in source order")
        depth = self._depth
        for position in range(self._depth_at, index + 1):
            code = text[spans[position - 1][1] if position else 0:spans[position][0]]
            for opener, closer in zip(_OPENERS, _CLOSERS, strict=True):
                depth += code.count(opener) - code.count(closer)
        self._depth_at, self._depth = index + 1, depth
        return depth

    def docstring(self, index: int) -> bool:
        known = self._docstrings.get(index)
        if known is None:
            known = self._docstrings[index] = self._is_docstring(index)
        return known

    def _is_docstring(self, index: int) -> bool:
        """Is span ``index`` a statement of its own, a plain string (not an f-string alone,
        not one piece of several), and the first statement of the module or of a ``def`` or
        ``class`` body on a line of its own?"""
        text, spans = self.text, self.spans
        start, end, comment = spans[index]
        prefix = self.prefix(start)
        if comment or "f" in prefix.lower() or "?" in prefix or not _LINE_END.match(text, end):
            return False
        start -= len(prefix)
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip(" \t"):
            return False
        position, until = index - 1, start  # back over blank space and comments
        while True:
            code_start = spans[position][1] if position >= 0 else 0
            code = text[code_start:until].rstrip(" \t\n")
            if code:
                break
            if position < 0:
                return True  # nothing before: the module's docstring
            if not spans[position][2]:
                return False  # a string before: this one continues or follows it
            until = spans[position][0]
            position -= 1
        return code.endswith(":") and "\n" in text[code_start + len(code):start] and \
            self._header_ends_at(code_start + len(code) - 1)

    def _header_ends_at(self, colon: int) -> bool:
        """Is ``colon`` the end of a ``def`` or ``class`` header? Its first line is the
        nearest line above that starts with the keyword in code (a header's later lines are
        inside its brackets, where no keyword can start a line); the header ends at the
        first colon outside brackets after the keyword."""
        text = self.text
        line_start = text.rfind("\n", 0, colon) + 1
        for _ in range(_HEADER_LINES):
            if not self.in_span(line_start) and _HEADER.match(text, line_start):
                return self._first_colon(line_start) == colon
            if line_start == 0:
                return False
            line_start = text.rfind("\n", 0, line_start - 1) + 1
        return False

    def _first_colon(self, start: int) -> int | None:
        """The first colon outside brackets in the code from ``start`` (None: a line or
        statement ends first)."""
        text, spans = self.text, self.spans
        index = bisect_right(self.starts, start)
        depth = 0
        position = start
        while True:
            stop = spans[index][0] if index < len(spans) else len(text)
            for found in _HEADER_CODE.finditer(text, position, stop):
                char = found.group()
                if char in _OPENERS:
                    depth += 1
                elif char in _CLOSERS:
                    depth -= 1
                elif depth == 0:
                    return found.start() if char == ":" else None
            if index >= len(spans):
                return None
            position = spans[index][1]
            index += 1


def _line_scan_finds(text: str, lowered: str, tables: PythonTables, ruleset: RuleSet) -> bool:
    """Would the line scanner (the fallback for a file Python cannot parse) find anything?
    It reads a line only when the line holds a hint word or a strong marker, and each line
    alone, so those lines are scanned."""
    hints, markers = _line_patterns(HINT_WORDS, tables.strong_markers)
    ends: dict[int, int] = {}
    for pattern, haystack in ((hints, lowered), (markers, text)):
        for match in pattern.finditer(haystack):
            at = match.start()
            start = text.rfind("\n", 0, at) + 1
            if start not in ends:
                end = text.find("\n", at)
                ends[start] = len(text) if end < 0 else end
    if not ends:
        return False
    lines = "\n".join(text[start:ends[start]] for start in sorted(ends))
    return bool(scan_lines(lines, ruleset))


@lru_cache(maxsize=8)
def _line_patterns(hints: tuple[str, ...], markers: tuple[str, ...],
                   ) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (re.compile("|".join(re.escape(h) for h in hints) or "(?!)"),
            re.compile("|".join(re.escape(m) for m in markers) or "(?!)"))
