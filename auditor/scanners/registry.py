"""Which scanners read which files. One line per scanner; later kinds plug in here."""

from __future__ import annotations

from ..model import FileKind
from .base import ScanFunction, SourceFile
from .python_scanner import scan_python


def scanners_for(file: SourceFile) -> list[ScanFunction]:
    """The scanners that read ``file``, in order; empty when nothing reads its kind."""
    found: list[ScanFunction] = []
    if file.kind is FileKind.PYTHON or file.path.name == "setup.py":
        found.append(scan_python)
    return found
