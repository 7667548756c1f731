"""Writing a rendered report: stdout, or a file replaced atomically.

A failed write leaves no file behind (and no half-written one): the text goes to a temporary
file in the target's directory first and is moved into place with ``os.replace``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

import click

from auditor.errors import OutputError as OutputError

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
    _write_atomically(Path(path), text)


def write_or_fail(path: Path | None, text: str) -> None:
    """``write_output`` for a command: a failed write is one error line and exit 2."""
    try:
        write_output(path, text)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from exc


def _write_atomically(target: Path, text: str) -> None:
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a directory")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {target}: directory {directory} does not exist")
    data = text if not text or text.endswith("\n") else text + "\n"
    temp_name: str | None = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_existing_mode(target, temp_name)
        os.replace(temp_name, target)
        temp_name = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
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
