"""Opening a path from the scanned tree: only regular files, never blocking on a pipe, never
through a symbolic link.

Every read of a scanned path goes through ``read_regular_file``: opened with ``O_NONBLOCK``
(a named pipe swapped in after discovery cannot hang the scan) and ``O_NOFOLLOW`` (a file
swapped for a link to ``/etc/passwd`` is not read), then checked with ``fstat`` to be a
regular file (a device is not read either). The caches write their files with
``write_atomically``: a reader sees the old content or the new, never half of it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from auditor.errors import AuditError

OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0))
"""Non-blocking, so that opening a named pipe (put where a file was) cannot hang the scan; not
following a final symbolic link, so that a link swapped in cannot lead outside the tree."""


class NotRegularFileError(AuditError, OSError):
    """The path is a pipe, socket, device or symbolic link, not a file."""


def read_regular_file(path: Path, limit: int) -> tuple[bytes, int]:
    """At most ``limit`` bytes of the regular file at ``path``, and its size when opened.

    Raises OSError (FileNotFoundError, PermissionError, NotRegularFileError...).
    """
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise NotRegularFileError(exc.errno, "a symbolic link (not followed)",
                                      os.fspath(path)) from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(0, "not a regular file", os.fspath(path))
        data = handle.read(max(limit, 0))
    return data, st.st_size


TEMP_PREFIX_BYTES = 100
"""A file name may be 255 bytes: the temporary file's prefix keeps at most this many of the
target's name, so that the prefix, mkstemp's random part and the suffix always fit."""


def temp_prefix(name: str) -> str:
    """``.<name>.``, with ``name`` cut to ``TEMP_PREFIX_BYTES`` bytes (never mid-character)."""
    return "." + os.fsencode(name)[:TEMP_PREFIX_BYTES].decode("utf-8", "ignore") + "."


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` (UTF-8) through a temporary file beside it and a rename, making
    the directory if needed. On OSError the temporary file is removed and the error raised."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
