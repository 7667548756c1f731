"""Which scanners read which files. One line per scanner; later kinds plug in here.

Scanner modules are imported on first use: a warm re-scan served from the index, or a tree
with no notebooks, never pays for importing the scanners it does not run.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from auditor.scan.context import ScanFunction
from auditor.types import FileKind, SourceFile
from auditor.util.imports import import_quietly

_BY_KIND: dict[FileKind, tuple[str, ...]] = {
    FileKind.PYTHON: ("python.scanner:scan_python",),
    FileKind.MANIFEST: ("deps:scan_manifest",),
    FileKind.LOCKFILE: ("deps:scan_lockfile",),
    FileKind.NOTEBOOK: ("notebook:scan_notebook",),
    FileKind.CONFIG: ("config:scan_config",),
    FileKind.INFRA: ("infra:scan_infra",),
    FileKind.ARTEFACT: ("artefacts:scan_artefact",),
    FileKind.TEXT: ("licenses:scan_license_text", "docs:scan_docs"),
    FileKind.SOURCE: ("treesitter:scan_source",),
}


_ALSO_CONFIG = frozenset({"package.json", "cargo.toml"})
"""Manifests that were read as config files before their dependencies were read."""


@cache
def _load(target: str) -> ScanFunction:
    module_name, function_name = target.split(":")
    module = import_quietly(f"{__package__}.{module_name}")
    function: ScanFunction = getattr(module, function_name)
    return function


def load_scanners(kinds: Iterable[FileKind]) -> None:
    """Import now every scanner that can read a file of these kinds (before a process pool
    forks, so the workers inherit them). The others stay unimported: a tree with no
    JavaScript, Go, Rust or JVM file never imports tree-sitter and its grammars."""
    wanted = set(kinds)
    if FileKind.MANIFEST in wanted:  # setup.py is code too; package.json, Cargo.toml config
        wanted |= {FileKind.PYTHON, FileKind.CONFIG}
    for kind in wanted:
        for target in _BY_KIND.get(kind, ()):
            _load(target)


def scanners_for(file: SourceFile) -> list[ScanFunction]:
    """The scanners that read ``file``, in order; empty when nothing reads its kind."""
    found = [_load(target) for target in _BY_KIND.get(file.kind, ())]
    if file.kind is FileKind.MANIFEST and file.path.name == "setup.py":
        found.insert(0, _load("python.scanner:scan_python"))  # setup.py is code too
    if file.kind is FileKind.MANIFEST and file.path.name.lower() in _ALSO_CONFIG:
        found.append(_load("config:scan_config"))  # its other keys are config, as before
    return found
