"""Small helpers shared by the dependency parsers: error positions, neighbours, spans."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.scan.context import Problem
from auditor.scan.inputs import note_input
from auditor.types import SourceFile, Span
from auditor.util.files import read_regular_file

MAX_NEIGHBOUR_BYTES = 5 * 1024 * 1024
"""Same cap as discover's default: a file larger than this is not read as a neighbour."""

_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\(at end of document\)\s*$")


def toml_problem(exc: Exception, text: str) -> Problem:
    """A diagnostic for invalid TOML, with the line tomllib names (or the last line)."""
    message = str(exc)
    line: int | None = None
    found = _AT_LINE.search(message)
    if found:
        line = int(found.group(1))
        message = message[: found.start()].rstrip()
    elif _AT_END.search(message):
        line = max(1, len(text.splitlines()))
        message = _AT_END.sub("", message).rstrip() + " at end of file"
    return Problem("invalid-toml",
                   f"not valid TOML: {message}; its dependencies were not read", line=line)


def read_neighbour(file: SourceFile, name: str) -> tuple[str, str] | None:
    """(relative path, text) of the file ``name`` beside ``file``, when it is a readable file.

    Lockfiles read their manifest to tell direct from transitive dependencies; a neighbour
    that is missing, unreadable or too large just means "not known".
    """
    path = file.path.parent / name
    note_input(path)
    try:
        data, size = read_regular_file(path, MAX_NEIGHBOUR_BYTES)  # no pipe, no link
        if size > MAX_NEIGHBOUR_BYTES:
            return None
    except OSError:
        return None
    rel = str(Path(file.rel).parent / name).replace("\\", "/")
    if rel.startswith("./"):
        rel = rel[2:]
    return rel, data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def narrow(span: Span, value: str, start: int, end: int) -> Span:
    """The part ``value[start:end]`` of a single-line string whose text spans ``span`` exactly.

    When the written form differs from the value (escapes, multi-line strings) the whole span
    is kept: an honest, slightly wider position beats a wrong narrow one.
    """
    same_line = span.line == span.end_line
    if same_line and span.end_column - span.column == len(value) and 0 <= start < end:
        return Span(span.line, span.column + start, span.line, span.column + end)
    return span
