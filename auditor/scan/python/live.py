"""Which lines of a module can hold the start of a Python finding.

Most of a module that mentions "llama" cannot produce a finding: a framework names Llama in
comments, docstrings and a few strings, and the rest is ordinary code. Every finding needs
trigger text (``PythonTables.lower_triggers`` / ``exact_triggers``) somewhere in what it
reads: written in the statement itself, or reached through a name the resolver follows. So
a line is *live* when it holds trigger text, a local name of a Llama import, or a *tainted*
name: one bound (by assignment or parameter default) to an expression on a live line that the
resolver can read a string from (not a call, a number or ``None``). Tainting repeats until
nothing new is tainted. The scanner walks the expressions of live statements
only; every statement is still read for its scopes, bindings and imports.

This is conservative (names are matched as words, whatever their scope, and comments count),
with one deliberate limit: a trigger word assembled from pieces that do not contain it
(``"lla" + "ma"``) is not seen. Token ids are recognised in every spelling ``int()`` reads.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

from auditor.ruleset.python_tables import PythonTables
from auditor.scan.python.positions import SourceIndex, line_starts

Binding = tuple[list[str], ast.expr]
"""Names bound and the expression bound to them."""


class LiveLines:
    """A sorted set of line numbers with a range test."""

    def __init__(self, lines: Iterable[int]) -> None:
        self.lines = sorted(set(lines))

    def __bool__(self) -> bool:
        return bool(self.lines)

    def covers(self, first: int, last: int) -> bool:
        """Does any live line fall within ``first``..``last`` (inclusive)?"""
        at = bisect_left(self.lines, first)
        return at < len(self.lines) and self.lines[at] <= last

    def add(self, lines: Iterable[int]) -> None:
        self.lines = sorted(set(self.lines).union(lines))


def trigger_lines(index: SourceIndex, tables: PythonTables) -> LiveLines:
    """The lines holding trigger text."""
    text = index.text
    lowered = text.lower()
    lines: list[int] = []
    if len(lowered) == len(text):
        for needle in tables.lower_triggers:
            lines.extend(_lines_with(index.starts, lowered, needle))
    else:  # a character whose lower case is longer: offsets would not line up
        pattern = re.compile("|".join(re.escape(t) for t in tables.lower_triggers),
                             re.IGNORECASE)
        lines.extend(index.line_of(m.start()) for m in pattern.finditer(text))
    for prefix, needles in _by_prefix(tables.exact_triggers, 2).items():
        if prefix in text:
            for needle in needles:
                lines.extend(_lines_with(index.starts, text, needle))
    digits = lowered.replace("_", "")  # same lines, numbers as int() reads them
    digit_starts: list[int] | None = None
    for prefix, needles in _by_prefix(tables.number_triggers, 4).items():
        if prefix not in digits:
            continue  # one scan rules out every spelling that starts so
        for needle in needles:
            if needle in digits:
                digit_starts = digit_starts or line_starts(digits)
                lines.extend(_lines_with(digit_starts, digits, needle))
    return LiveLines(lines)


def live_lines(index: SourceIndex, tables: PythonTables, bindings: list[Binding],
               import_names: set[str]) -> LiveLines:
    """Trigger lines, plus the lines using an imported Llama name or a tainted name.
    ``bindings``: those whose value ``may_hold_text``."""
    live = trigger_lines(index, tables)
    live.add(word_lines(index, import_names))
    pending = bindings
    tainted: set[str] = set()
    while pending and live:
        fresh: set[str] = set()
        rest: list[Binding] = []
        for names, value in pending:
            if live.covers(value.lineno, value.end_lineno or value.lineno):
                fresh.update(n for n in names if n not in tainted)
            else:
                rest.append((names, value))
        if not fresh:
            break
        tainted |= fresh
        live.add(word_lines(index, fresh))
        pending = rest
    return live


_TEXT_SOURCES = frozenset({ast.JoinedStr, ast.BinOp, ast.Name, ast.Attribute, ast.Subscript,
                           ast.IfExp, ast.BoolOp, ast.Dict, ast.Tuple, ast.List})
"""Expressions the resolver reads strings from (or through); a tuple or list is unpacked into
several bindings, a dict is read by subscripts."""


def may_hold_text(value: ast.expr) -> bool:
    """Can the resolver read a string from this bound expression?"""
    kind = type(value)
    if kind is ast.Constant:
        return isinstance(value.value, str)  # type: ignore[attr-defined]
    if kind is ast.Call:
        return is_environment_lookup(value)  # type: ignore[arg-type]
    return kind in _TEXT_SOURCES


def is_environment_lookup(call: ast.Call) -> bool:
    """``os.environ.get(...)``, ``os.getenv(...)`` or a bare ``get``/``getenv``: the resolver
    reads their default."""
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else "")
    if last != "get" and not last.endswith("getenv"):
        return False
    callee = dotted_name(func) or ""
    return (callee.endswith("environ.get") or callee.endswith("getenv")
            or callee in ("getenv", "get"))


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def word_lines(index: SourceIndex, words: Iterable[str]) -> list[int]:
    """Lines where any of ``words`` occurs as a whole word."""
    text = index.text
    starts = index.starts
    found: list[int] = []
    for word in words:
        size = len(word)
        at = text.find(word)
        while at >= 0:
            end = at + size
            if (at == 0 or not _is_word_char(text[at - 1])) and \
                    (end == len(text) or not _is_word_char(text[end])):
                line = bisect_right(starts, at)
                found.append(line)
                if line >= len(starts):
                    break
                at = text.find(word, starts[line])
            else:
                at = text.find(word, at + 1)
    return found


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@lru_cache(maxsize=16)
def _by_prefix(needles: tuple[str, ...], size: int) -> dict[str, tuple[str, ...]]:
    """The needles grouped by their first ``size`` characters: one scan for a prefix rules
    out the whole group."""
    groups: dict[str, list[str]] = {}
    for needle in dict.fromkeys(needles):
        groups.setdefault(needle[:size], []).append(needle)
    return {prefix: tuple(group) for prefix, group in groups.items()}


def _lines_with(starts: list[int], haystack: str, needle: str) -> list[int]:
    """Lines of ``haystack`` containing ``needle`` (one find per line, not per occurrence)."""
    found: list[int] = []
    at = haystack.find(needle)
    while at >= 0:
        line = bisect_right(starts, at)
        found.append(line)
        if line >= len(starts):
            break
        at = haystack.find(needle, starts[line])
    return found
