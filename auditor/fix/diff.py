"""Unified diffs of planned changes, in the ``a/`` ``b/`` form ``git apply`` reads."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from auditor.fix.model import FileChange

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, old: str, new: str, *, context: int = 3) -> str:
    """A unified diff of one file; '' when nothing changed."""
    if old == new:
        return ""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}", n=context):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n" + _NO_NEWLINE)
    return "".join(out)


def plan_diff(changes: Iterable[FileChange]) -> str:
    """One diff for every change, paths as the roots were given (``a/`` ``b/`` prefixed; an
    absolute root loses its leading ``/`` so the header stays a relative path)."""
    return "".join(unified_diff(c.display_path.lstrip("/"), c.old_text, c.new_text)
                   for c in changes)
