"""A file discovery found, before it is looked at: plain strings and its type, no ``Path`` and
no ``stat``. ``source_file`` makes it a ``SourceFile`` (one ``lstat``), where the file is
about to be used: in the pool worker that scans it, or where the warm-scan index needs its
stat. Discovery itself stays close to a bare ``os.walk``."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NamedTuple, cast

from auditor.discover.filetypes import FileType
from auditor.discover.ignore import os_reason
from auditor.types import Diagnostic, SourceFile

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


NO_STAMP = (0, 0, 0)


class Found(NamedTuple):
    path: str
    """Absolute path to read: the file, or a symbolic link's checked target."""
    rel: str
    """Relative to the root, POSIX separators, as reports show it (``display_path``)."""
    type: FileType
    size: int = -1
    """-1: not ``stat``ed yet (``source_file`` does it)."""
    stamp: tuple[int, int, int] = NO_STAMP


new_found = cast(Callable[[tuple[str, str, FileType, int, tuple[int, int, int]]], Found],
                 partial(tuple.__new__, Found))
"""``Found`` from all its fields as one tuple: the walk's hot path (a C call, where the
class's own constructor is Python code)."""


def not_regular(mode: int) -> str | None:
    """What a file that is not a regular file is (for the diagnostic); None for a regular one."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _SPECIAL_KINDS if test(mode)), "not a regular file")


def stat_found(path: str, rel: str, ftype: FileType, st: os.stat_result) -> Found | Diagnostic:
    """``Found`` with its stat, or why it is skipped (not a regular file)."""
    what = not_regular(st.st_mode)
    if what is not None:
        return Diagnostic(path=rel, code="unreadable", message=f"skipped: {what}")
    return Found(path, rel, ftype, st.st_size, (st.st_mtime_ns, st.st_ctime_ns, st.st_ino))


def source_file(root: Path, found: Found, max_file_size: int) -> SourceFile | Diagnostic:
    """The ``SourceFile`` to scan, or why it is skipped: it cannot be ``stat``ed, is not a
    regular file (replaced since it was listed) or is over ``max_file_size`` bytes (a GGUF
    file is not: only its header is read)."""
    if found.size < 0:
        try:
            st = os.lstat(found.path)
        except OSError as exc:
            return Diagnostic(path=found.rel, code="unreadable", message=os_reason(exc))
        checked = stat_found(found.path, found.rel, found.type, st)
        if isinstance(checked, Diagnostic):
            return checked
        found = checked
    if found.size > max_file_size and found.type.format != "gguf":
        return Diagnostic(
            path=found.rel, code="too-large",
            message=(f"skipped: {found.size:,} bytes is over the {max_file_size:,}-byte limit "
                     "(--max-file-size)"))
    return SourceFile(root=root, path=Path(found.path), rel=found.rel, kind=found.type.kind,
                      size=found.size, stamp=found.stamp)
