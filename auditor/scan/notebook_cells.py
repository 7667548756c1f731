"""A notebook cell's text: JSON strings mapped back to file offsets, and code cells with
IPython syntax (magics, shell escapes, help lines) made parseable Python."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from auditor.scan.documents.json_positions import JArray, JNode, JString

_LINE_BREAK = re.compile(r"\r\n?|\n")
_MAGIC = re.compile(
    r"^(?P<indent>[ \t]*)(?:[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)?(?:!!?|%)")
_HELP = re.compile(r"^\s*\?\??[\w.]|^\s*[\w.]+\?\??\s*$")
_MAGIC_CHARS = re.compile(r"[%!?]")
"""``_MAGIC``, ``_HELP`` and ``_CELL_MAGIC`` each need one of these characters."""
_BRACKETS = re.compile(r"[][(){}]")
_CELL_MAGIC = re.compile(r"^\s*%%(?P<name>\w+)")
_PYTHON_BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "px", "memit",
                                 "snakeviz", "skip", "cython_inline"})

class CellText:
    """Text stored as JSON strings (a cell source or an output), with a map from each
    character back to its offset in the notebook file."""

    def __init__(self, pieces: list[JString], values: list[str] | None = None) -> None:
        """``values``: the decoded ``pieces`` when the caller has them."""
        self.pieces = pieces
        if values is None:
            values = [piece.value for piece in pieces]
        self.text = "".join(values)
        self._piece_starts: list[int] = []
        total = 0
        for value in values:
            self._piece_starts.append(total)
            total += len(value)
        self._maps: dict[int, list[int]] = {}
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]

    def raw_offset(self, index: int, *, end: bool = False) -> int:
        """File offset of character ``index``; with ``end``, of the position just after
        character ``index - 1`` (an exclusive end)."""
        if not self.pieces:
            return 0
        index = max(0, min(index, len(self.text)))
        piece = max(0, bisect_right(self._piece_starts, index) - 1)
        while end and piece > 0 and index == self._piece_starts[piece]:
            piece -= 1
        mapping = self._maps.get(piece)
        if mapping is None:
            mapping = self._maps[piece] = self.pieces[piece].raw_offsets()
        local = min(index - self._piece_starts[piece], len(mapping) - 1)
        return mapping[local]

    def offset(self, line: int, column: int) -> int:
        """Character offset of 1-based ``line`` and ``column`` in the text."""
        start = self.line_starts[min(max(line, 1), len(self.line_starts)) - 1]
        return min(start + column - 1, len(self.text))

    def line(self, number: int) -> str:
        """1-based source line without its line break."""
        if not 1 <= number <= len(self.line_starts):
            return ""
        start = self.line_starts[number - 1]
        end = self.line_starts[number] if number < len(self.line_starts) else len(self.text)
        return _LINE_BREAK.sub("", self.text[start:end])


def text_of(node: JNode | None, document: str | None = None) -> CellText:
    """The text of a JSON string or of the strings of an array (other items ignored).
    With the ``document`` the node was parsed from, an array's strings are decoded by one
    ``json.loads`` of its slice instead of one call per string."""
    if isinstance(node, JString):
        return CellText([node])
    if isinstance(node, JArray):
        pieces = [item for item in node.items if isinstance(item, JString)]
        return CellText(pieces, _decoded(pieces, node, document))
    return CellText([])


def _decoded(pieces: list[JString], node: JArray, document: str | None) -> list[str] | None:
    if document is None or len(pieces) < 2:
        return None
    try:
        items = json.loads(document[node.start:node.end])
    except (ValueError, RecursionError):  # e.g. an integer of more than 4,300 digits
        return None
    strings = [item for item in items if isinstance(item, str)] \
        if isinstance(items, list) else []
    return strings if len(strings) == len(pieces) else None


@dataclass
class PreparedCell:
    """A code cell made parseable: magics turned into ``pass``, their text kept aside."""

    python: str
    shell: list[tuple[int, int, str]] = field(default_factory=list)
    """(1-based cell line, column offset, text) for the line scanner."""


def prepare_cell(source: str) -> PreparedCell:
    if not _MAGIC_CHARS.search(source):  # every magic, shell escape and help line has one
        return PreparedCell(source)
    lines = split_lines(source)
    out: list[str] = []
    shell: list[tuple[int, int, str]] = []
    first = lines[0][0] if lines else ""
    cell_magic = _CELL_MAGIC.match(first)
    start = 0
    if cell_magic is not None:
        shell.append((1, 0, first))
        out.append(lines[0][1])
        start = 1
        if cell_magic.group("name") not in _PYTHON_BODY_MAGICS:
            for number, (content, ending) in enumerate(lines[1:], start=2):
                shell.append((number, 0, content))
                out.append(ending)
            return PreparedCell("".join(out), shell)
    in_string: str | None = None
    depth = 0
    continued = False
    for number, (content, ending) in enumerate(lines[start:], start=start + 1):
        if continued:
            shell.append((number, 0, content))
            out.append(ending)
            continued = content.rstrip().endswith("\\")
            continue
        statement_start = in_string is None and depth == 0
        magic = _MAGIC.match(content) if statement_start and (
            "%" in content or "!" in content) else None
        if magic is not None or (statement_start and "?" in content and _HELP.search(content)):
            column = magic.end() if magic is not None else 0
            indent = magic.group("indent") if magic is not None else \
                content[:len(content) - len(content.lstrip())]
            shell.append((number, column, content[column:]))
            out.append(indent + "pass" + ending)
            continued = content.rstrip().endswith("\\")
            continue
        out.append(content + ending)
        if in_string is None:
            depth = max(0, depth + _bracket_balance(content))
        in_string = _string_state(content, in_string)
    return PreparedCell("".join(out), shell)


def split_lines(text: str) -> list[tuple[str, str]]:
    """(content, line break) pairs; the last line may have an empty break."""
    out: list[tuple[str, str]] = []
    position = 0
    for match in _LINE_BREAK.finditer(text):
        out.append((text[position:match.start()], match.group(0)))
        position = match.end()
    if position < len(text):
        out.append((text[position:], ""))
    return out


_QUOTED = re.compile(r"""'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#.*""")


def _bracket_balance(line: str) -> int:
    """Opened minus closed brackets outside strings and comments (a continuation line that
    starts with ``%`` is string formatting, not a magic)."""
    if not _BRACKETS.search(line):
        return 0
    code = _QUOTED.sub("", line)
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _string_state(line: str, state: str | None) -> str | None:
    """Inside a triple-quoted string after ``line``? (a magic-looking line there is text)."""
    for quote in ('"""', "'''"):
        if state in (None, quote) and line.count(quote) % 2 == 1:
            state = None if state == quote else quote
    return state
