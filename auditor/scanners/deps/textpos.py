"""Offsets in a text to 1-based (line, column) positions, and the span type every parser uses."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A range in a file: lines and columns 1-based, ``end_column`` exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class LineIndex:
    """Maps offsets of ``text`` to positions.

    Lines break where ``str.splitlines`` breaks them, as the engine does when it takes a
    finding's snippet, so a reported line always shows the text it points at.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        offset = 0
        for line in text.splitlines(keepends=True):
            offset += len(line)
            starts.append(offset)
        if len(starts) > 1 and starts[-1] == len(text):
            starts.pop()  # no empty line after a final line break
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of the character at ``offset``, both 1-based."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]`` (``end`` exclusive, ``end > start``)."""
        line, column = self.position(start)
        end_line, last_column = self.position(max(start, end - 1))
        return Span(line, column, end_line, last_column + 1)
