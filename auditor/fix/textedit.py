"""Edits to text files as (start, end, replacement) spans of the original text.

Every edit is computed against the original text and all are applied at once, so positions
from the scan stay valid and every byte outside an edit is kept. Lines and columns follow the
scanners' own line table (``str.splitlines`` breaks, see ``scan/text/positions.py``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.errors import AuditError
from auditor.scan.text.positions import LineIndex

_INDENT = re.compile(r"[ \t]*")


class EditConflict(AuditError, ValueError):
    """Two edits overlap: the file is left alone rather than half-rewritten."""


@dataclass(frozen=True, order=True, slots=True)
class TextEdit:
    start: int
    end: int
    text: str


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    ordered = sorted(set(edits))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise EditConflict(f"overlapping edits at characters {before.start}-{before.end} "
                               f"and {after.start}-{after.end}")
    out = text
    for edit in reversed(ordered):
        out = out[: edit.start] + edit.text + out[edit.end:]
    return out


class TextLines:
    """Offsets, line text and line breaks of one file's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)
        self._lines = text.splitlines(keepends=True)

    def offset(self, line: int, column: int) -> int:
        """Character offset of 1-based ``line`` and 1-based ``column``."""
        return self.index.line_start(line) + column - 1

    def line(self, line: int) -> str:
        """The line's text without its line break ('' past the end)."""
        if 1 <= line <= len(self._lines):
            raw = self._lines[line - 1]
            return raw[: len(raw) - len(_break_of(raw))]
        return ""

    def line_span(self, line: int) -> tuple[int, int]:
        """(start, end) offsets of the line including its line break."""
        start = self.index.line_start(line)
        raw = self._lines[line - 1] if 1 <= line <= len(self._lines) else ""
        return start, start + len(raw)

    @property
    def newline(self) -> str:
        for raw in self._lines:
            found = _break_of(raw)
            if found:
                return found
        return "\n"

    @property
    def count(self) -> int:
        return len(self._lines)

    def indent(self, line: int) -> str:
        match = _INDENT.match(self.line(line))
        return match.group(0) if match else ""


def _break_of(raw: str) -> str:
    if raw.endswith("\r\n"):
        return "\r\n"
    if raw and raw[-1] in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        return raw[-1]
    return ""


def comment_above(lines: TextLines, line: int, comment_lines: Sequence[str],
                  leader: str = "#") -> TextEdit:
    """Insert comment lines before ``line``, indented like it."""
    indent = lines.indent(line)
    newline = lines.newline
    start, _ = lines.line_span(line)
    body = "".join(f"{indent}{leader} {text}{newline}" for text in comment_lines)
    if line > lines.count:
        start = len(lines.text)
        if lines.text and not lines.text.endswith(("\n", "\r")):
            body = newline + body
    return TextEdit(start, start, body)


def has_comment_above(lines: TextLines, line: int, marker: str, leader: str = "#") -> bool:
    """Does the block of comment lines right above ``line`` contain ``marker``?"""
    current = line - 1
    while current >= 1:
        stripped = lines.line(current).strip()
        if not stripped.startswith(leader):
            return False
        if marker in stripped:
            return True
        current -= 1
    return False
