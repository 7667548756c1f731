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

_BY_KIND: dict[FileKind, tuple[ScanFunction, ...]] = {
    FileKind.PYTHON: (scan_python,),
    FileKind.MANIFEST: (scan_manifest,),
    FileKind.LOCKFILE: (scan_lockfile,),
    FileKind.NOTEBOOK: (scan_notebook,),
    FileKind.CONFIG: (scan_config,),
    FileKind.INFRA: (scan_infra,),
    FileKind.ARTEFACT: (scan_artefact,),
    FileKind.TEXT: (scan_license_text, scan_docs),
}


def scanners_for(file: SourceFile) -> list[ScanFunction]:
    """The scanners that read ``file``, in order; empty when nothing reads its kind."""
    found = list(_BY_KIND.get(file.kind, ()))
    if file.kind is FileKind.MANIFEST and file.path.name == "setup.py":
        found.insert(0, scan_python)  # setup.py is code too: model ids in it are findings
    return found
