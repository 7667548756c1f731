"""Reading files for rewriting and writing them back: same encoding, BOM and line breaks,
atomically, and only inside the scanned roots."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from auditor.discover.filetypes import file_type
from auditor.errors import AuditError
from auditor.scan.read import Decoded, bom_encoding, decode_bytes
from auditor.types import FileKind
from auditor.util.files import read_regular_file, temp_prefix

MAX_REWRITE_BYTES = 1 << 30


class FileRefused(AuditError):
    """A file ``fix`` will not rewrite; the message says why."""


def read_for_rewrite(path: Path, kind: FileKind) -> Decoded:
    """The exact text of a file (line breaks untouched) and how to write it back, decoded as
    the scan decodes it (a byte-order mark, a Python coding declaration, else UTF-8).

    Raises ``FileRefused`` when the bytes do not decode cleanly: rewriting would corrupt them.
    """
    try:  # a regular file, not a link or a pipe swapped in since the scan
        data, size = read_regular_file(path, MAX_REWRITE_BYTES)
    except OSError as exc:
        raise FileRefused(f"cannot read it: {exc.strerror or exc}") from exc
    if size > MAX_REWRITE_BYTES:
        raise FileRefused(f"it is over {MAX_REWRITE_BYTES:,} bytes")
    python_source = kind in (FileKind.PYTHON, FileKind.MANIFEST) and (
        file_type(path.name).format == "python")
    decoded = decode_bytes(data, bom_encoding(data), coding_declaration=python_source)
    problem = decoded.problem
    if problem is None:
        return decoded
    if problem.declaration is not None:
        raise FileRefused(f"bad coding declaration: {problem.declaration}")
    raise FileRefused(f"it is not valid {problem.encoding}, so it is not rewritten")


def encode(text: str, encoding: str, bom: bytes = b"") -> bytes:
    try:
        return bom + text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise FileRefused(f"the new text cannot be written as {encoding}") from exc


def inside_root(path: Path, root: Path) -> bool:
    """Is ``path`` a regular file (not a symlink) inside ``root`` once both are resolved?"""
    if path.is_symlink():
        return False
    try:
        path.resolve(strict=True).relative_to(root.resolve(strict=True))
    except (OSError, ValueError):
        return False
    return path.is_file()


def write_all(contents: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file or none: all temporary files first, then one rename each.

    Each temporary file sits next to its target (same file system, so the rename is atomic)
    and takes the target's permission bits. Raises OSError with the file name on failure,
    after removing the temporary files not yet renamed.
    """
    staged: list[tuple[Path, str]] = []
    try:
        for path, data in contents:
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name),
                                       suffix=".llama-audit-tmp", dir=path.parent)
            staged.append((path, tmp))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        while staged:
            path, tmp = staged[0]
            os.replace(tmp, path)
            staged.pop(0)
    except OSError as exc:
        for _, tmp in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        name = exc.filename or (staged[0][0] if staged else "")
        raise OSError(exc.errno, f"cannot write {name}: {exc.strerror or exc}") from exc
