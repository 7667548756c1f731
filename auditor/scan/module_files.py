"""The Python files of a scan as the cross-module join reads them: a ``SourceFile`` made
(``stat``ed) only when the join reads a file, and the bytes for its substring tests."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from auditor.discover.found import Found, source_file
from auditor.scan.read import bom_encoding, read_for_scan
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

    def test_bytes(self, position: int) -> bytes | None:
        """The file's bytes as ``read_for_scan`` gives them to its test (NUL bytes read as
        spaces, text with a byte-order mark re-encoded to UTF-8); None when it cannot be
        read now. Most files take a plain read; only those it cannot serve take the full one."""
        data = self._quick_bytes(position)
        if data is not None:
            return data
        file = self.get(position)
        if file is None:
            return None
        tested: list[bytes] = []

        def keep(data: bytes) -> bool:
            tested.append(data)
            return False  # nothing to decode

        read_for_scan(file, keep)
        return tested[0] if tested else None

    def _quick_bytes(self, position: int) -> bytes | None:
        """The file's bytes read without making its ``SourceFile``; None when only the full
        read can say (not a regular file now, over the size limit, gone, NUL bytes or a
        byte-order mark: text to re-encode)."""
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
