"""Writing a rendered report: stdout, a special file in place, or a file replaced atomically.

What the target is decides how it is written (``docs/robustness.md``, "Output files"):

- a new path or a regular file: a temporary file in the target's directory, moved into place
  with ``os.replace``, so a failed write leaves the previous file (or none), never half of one;
- a character device or a named pipe (``/dev/null``, a FIFO), directly or through a
  symbolic link, and ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` whatever they lead to:
  opened and written in place (appending), never replaced by a regular file;
- a symbolic link to a regular file: the file it points at is replaced atomically and the link
  is kept;
- anything else (a dangling link, a link loop, a block device, a socket, a directory): refused
  with one line naming the target and why.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TextIO

import click

from auditor.errors import OutputError as OutputError
from auditor.util.files import temp_prefix

STDOUT_NAMES = frozenset({"-"})


def is_stdout(path: Path | str | None) -> bool:
    return path is None or str(path) in STDOUT_NAMES


def write_output(path: Path | str | None, text: str, *, stdout: TextIO | None = None) -> None:
    """Write ``text`` to ``path``; ``None`` or ``"-"`` means standard output."""
    if is_stdout(path):
        stream = stdout if stdout is not None else sys.stdout
        try:
            stream.write(text)
            if text and not text.endswith("\n"):
                stream.write("\n")
            stream.flush()
        except OSError as exc:
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from exc
        return
    assert path is not None
    target = Path(path)
    data = text if not text or text.endswith("\n") else text + "\n"
    kind = _target_kind(target)
    if kind == "special":
        _write_in_place(target, data)
    elif kind == "link":
        _write_atomically(Path(os.path.realpath(target)), data, shown=target)
    else:
        _write_atomically(target, data, shown=target)


def write_or_fail(path: Path | None, text: str) -> None:
    """``write_output`` for a command: a failed write is one error line and exit 2."""
    try:
        write_output(path, text)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from exc


def _target_kind(target: Path) -> str:
    """``new``, ``regular``, ``special`` (written in place) or ``link`` (to a regular file);
    OutputError for what must not be written."""
    if str(target) in _DESCRIPTOR_NAMES or str(target).startswith(_DESCRIPTOR_DIRS):
        return "special"  # /dev/stdout and friends: the caller's own stream, whatever it is
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return "new"
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    linked = stat.S_ISLNK(st.st_mode)
    if linked:
        try:
            st = os.stat(target)
        except OSError as exc:
            reason = "it is a symbolic link to a missing file" if isinstance(
                exc, FileNotFoundError) else f"it is a symbolic link that cannot be followed " \
                f"({exc.strerror or exc})"
            raise OutputError(f"cannot write {target}: {reason}") from exc
    mode = st.st_mode
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "special"
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {target}: it is a directory")
    if not stat.S_ISREG(mode):
        what = "a block device" if stat.S_ISBLK(mode) else "not a regular file"
        raise OutputError(f"cannot write {target}: it is {what}")
    return "link" if linked else "regular"


_DESCRIPTOR_NAMES = frozenset({"/dev/stdout", "/dev/stderr"})
_DESCRIPTOR_DIRS = ("/dev/fd/", "/proc/self/fd/")


def _write_in_place(target: Path, data: str) -> None:
    """A device or pipe keeps its inode: opened for writing (no create, no rename). Appending,
    so that ``-o /dev/stdout`` redirected to a file adds to it instead of overwriting it."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(target, flags)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc


def _write_atomically(target: Path, data: str, *, shown: Path) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {shown}: directory {directory} does not exist")
    temp_name: str | None = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp",
                                          dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_existing_mode(target, temp_name)
        os.replace(temp_name, target)
        temp_name = None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def _keep_existing_mode(target: Path, temp_name: str) -> None:
    """mkstemp creates 0600 files; give the report the mode a normal file would get."""
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp_name, mode)
