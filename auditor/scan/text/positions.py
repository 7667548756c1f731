"""Character offsets to (line, column), with the same line breaks the engine uses.

The engine shows snippets from ``text.splitlines()``; building the line table with the same
splitting keeps every reported line number pointing at the line the snippet shows.
"""

from __future__ import annotations

from bisect import bisect_right

from auditor.types import Span


class LineIndex:
    """Maps 0-based character offsets of ``text`` to 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        starts = [0]
        offset = 0
        for line in text.splitlines(keepends=True):
            offset += len(line)
            if offset < len(text) or line.splitlines() != [line]:
                starts.append(offset)
        self._starts = starts
        self._length = len(text)
        self.text = text

    @property
    def starts(self) -> list[int]:
        """Offset of the first character of each line (index 0 is line 1)."""
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of the character at ``offset``."""
        offset = max(0, min(offset, self._length))
        index = bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line``."""
        return self._starts[max(0, min(line - 1, len(self._starts) - 1))]

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]`` (``end`` exclusive, ``end > start``)."""
        line, column = self.position(start)
        end_line, last_column = self.position(max(start, end - 1))
        return Span(line, column, end_line, last_column + 1)
