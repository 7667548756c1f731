"""Dependency scanners: every Python manifest and lockfile, read structurally, never executed.

``scan_manifest`` and ``scan_lockfile`` are the two entry points the registry dispatches to;
each picks the parser for the file's name. Findings are LA2xx rules (``rules/packages.toml``).
"""

from __future__ import annotations

from fnmatch import fnmatch

from auditor.scan.context import ScanContext, ScanOutput, SourceFile
from auditor.scan.deps.conda import scan_conda
from auditor.scan.deps.lockfiles import scan_lockfile
from auditor.scan.deps.pipfile import scan_pipfile
from auditor.scan.deps.pyproject import scan_pyproject
from auditor.scan.deps.requirements import scan_requirements
from auditor.scan.deps.setup_files import scan_setup_cfg, scan_setup_py

__all__ = [
    "DIAGNOSTIC_CODES",
    "scan_conda",
    "scan_lockfile",
    "scan_manifest",
    "scan_pipfile",
    "scan_pyproject",
    "scan_requirements",
    "scan_setup_cfg",
    "scan_setup_py",
]

DIAGNOSTIC_CODES = frozenset({
    "invalid-toml", "invalid-json", "invalid-yaml", "invalid-python", "invalid-setup-cfg",
    "invalid-requirement", "invalid-manifest", "invalid-lockfile", "incomplete-lockfile",
    "include-cycle", "include-missing", "include-outside-root", "include-not-followed",
    "dynamic-dependencies",
})
"""Every diagnostic code the dependency scanners emit."""

_CONDA_NAMES = frozenset({"environment.yml", "environment.yaml", "conda.yml", "conda.yaml"})


def scan_manifest(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Dispatch a FileKind.MANIFEST file to the parser for its name."""
    name = file.path.name.lower()
    if name == "pyproject.toml":
        return scan_pyproject(file, text, ctx)
    if name == "setup.cfg":
        return scan_setup_cfg(file, text, ctx)
    if name == "setup.py":
        return scan_setup_py(file, text, ctx)
    if name == "pipfile":
        return scan_pipfile(file, text, ctx)
    if name in _CONDA_NAMES or fnmatch(name, "environment*.y*ml"):
        return scan_conda(file, text, ctx)
    return scan_requirements(file, text, ctx)
