"""Which scanners read which files. One line per scanner; later kinds plug in here."""

from __future__ import annotations

from ..model import FileKind
from .artefacts import scan_artefact
from .base import ScanFunction, SourceFile
from .config_files import scan_config
from .deps import scan_lockfile, scan_manifest
from .docs import scan_docs
from .infra import scan_infra
from .license_files import scan_license_text
from .notebook import scan_notebook
from .python_scanner import scan_python


def scanners_for(file: SourceFile) -> list[ScanFunction]:
    """The scanners that read ``file``, in order; empty when nothing reads its kind."""
    found: list[ScanFunction] = []
    if file.kind is FileKind.PYTHON or file.path.name == "setup.py":
        found.append(scan_python)
    if file.kind is FileKind.MANIFEST:
        found.append(scan_manifest)
    if file.kind is FileKind.LOCKFILE:
        found.append(scan_lockfile)
    if file.kind is FileKind.NOTEBOOK:
        found.append(scan_notebook)
    if file.kind is FileKind.CONFIG:
        found.append(scan_config)
    if file.kind is FileKind.INFRA:
        found.append(scan_infra)
    if file.kind is FileKind.ARTEFACT:
        found.append(scan_artefact)
    if file.kind is FileKind.TEXT:
        found += [scan_license_text, scan_docs]
    return found
