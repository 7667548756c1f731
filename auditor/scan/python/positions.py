"""Positions in Python source: lines as Python counts them, columns in characters.

``ast`` gives 1-based lines and 0-based columns counted in UTF-8 *bytes* of the line; findings
count characters. Lines break where Python's tokenizer breaks them (``\\r\\n``, ``\\r``,
``\\n``), not where ``str.splitlines`` does: a form feed or U+2028 inside a line is not a line
break to Python. Spans are the one ``Span`` of every scanner: 1-based lines and columns, the
end column exclusive.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Protocol

from auditor.types import Span

_LINE_BREAK = re.compile(r"\r\n?|\n")



class Located(Protocol):
    """An ``ast`` node with a position (expressions, statements, arguments, aliases)."""

    @property
    def lineno(self) -> int: ...
    @property
    def col_offset(self) -> int: ...
    @property
    def end_lineno(self) -> int | None: ...
    @property
    def end_col_offset(self) -> int | None: ...


class SourceIndex:
    """Line starts of a Python text and conversions between its coordinates."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)
        self._ascii = text.isascii()

    def line_of(self, offset: int) -> int:
        """1-based line of character ``offset``."""
        return bisect_right(self.starts, offset)

    def char_column(self, line: int, byte_column: int) -> int:
        """The character column of ``byte_column`` (a UTF-8 byte offset into ``line``)."""
        if self._ascii or byte_column == 0:
            return byte_column
        start = self.starts[line - 1] if 0 < line <= len(self.starts) else len(self.text)
        prefix = self.text[start:start + byte_column]
        if prefix.isascii():
            return byte_column  # no multi-byte character before the column
        return len(prefix.encode("utf-8", "surrogatepass")[:byte_column]
                   .decode("utf-8", "replace"))

    def offset(self, line: int, column: int) -> int:
        """Character offset of 1-based ``line`` and 0-based character ``column``."""
        if line > len(self.starts):
            return len(self.text)
        return self.starts[line - 1] + column

    def node_offsets(self, node: Located) -> tuple[int, int]:
        """Character offsets of an ``ast`` node's start and (exclusive) end."""
        line, end_line = node.lineno, node.end_lineno or node.lineno
        end_column = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return (self.offset(line, self.char_column(line, node.col_offset)),
                self.offset(end_line, self.char_column(end_line, end_column)))

    def span(self, start: int, end: int) -> Span:
        """The span of character offsets ``start``..``end``."""
        line = self.line_of(start)
        end_line = self.line_of(end)
        return Span(line, start - self.starts[line - 1] + 1,
                    end_line, end - self.starts[end_line - 1] + 1)


def line_starts(text: str) -> list[int]:
    """Offset of each line's first character; ``\\r\\n``, ``\\r`` and ``\\n`` end lines."""
    if "\r" not in text:
        return [0, *accumulate(map((1).__add__, map(len, text.split("\n")[:-1])))]
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
