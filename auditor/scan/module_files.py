"""The Python files of a scan as the cross-module join reads them: a ``SourceFile`` made
(``stat``ed) only when the join reads a file, and a quick byte read for its substring tests."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from auditor.discover.found import Found, source_file
from auditor.scan.read import bom_encoding
from auditor.types import SourceFile
from auditor.util.files import OPEN_FLAGS


class ModuleFiles:
    """The ``SourceFile`` of a found file, made (``stat``ed) only when the join reads it:
    most scans have no constant to follow and read none."""

    def __init__(self, files: Sequence[tuple[Path, Found]], max_file_size: int) -> None:
        self.files = files
        self.max_file_size = max_file_size
        self.made: dict[int, SourceFile | None] = {}

    def rel(self, position: int) -> str:
        return self.files[position][1].rel

    def quick_bytes(self, position: int) -> bytes | None:
        """The file's bytes as ``read_for_scan`` would give them to a test, read without
        making its ``SourceFile``; None when only that full read can say (not a regular file
        now, over the size limit, gone, NUL bytes or a byte-order mark: text to re-encode)."""
        try:
            fd = os.open(self.files[position][1].path, OPEN_FLAGS)
        except OSError:
            return None
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode) or status.st_size > self.max_file_size:
                return None
            data = os.read(fd, status.st_size + 1)
        finally:
            os.close(fd)
        if b"\x00" in data or bom_encoding(data) is not None:
            return None
        return data

    def get(self, position: int) -> SourceFile | None:
        """None when the file can no longer be read (deleted, replaced, now too large)."""
        if position not in self.made:
            made = source_file(*self.files[position], self.max_file_size)
            self.made[position] = made if isinstance(made, SourceFile) else None
        return self.made[position]
