"""Dependency scanners: every manifest and lockfile (Python, npm, Go, Cargo, Maven, Gradle),
read structurally, never executed.

``scan_manifest`` and ``scan_lockfile`` are the two entry points the registry dispatches to;
each picks the parser its file type (``discover.filetypes``) names. Findings are LA2xx rules
(``rules/packages.toml``).
"""

from __future__ import annotations

from auditor.discover.filetypes import file_type
from auditor.scan.context import ScanContext, ScanFunction, ScanOutput
from auditor.scan.deps import cargo, golang, maven, npm, npm_text
from auditor.scan.deps.conda import scan_conda
from auditor.scan.deps.lockfiles import scan_lockfile as scan_python_lockfile
from auditor.scan.deps.pipfile import scan_pipfile
from auditor.scan.deps.pyproject import scan_pyproject
from auditor.scan.deps.requirements import scan_requirements
from auditor.scan.deps.setup_files import scan_setup_cfg, scan_setup_py
from auditor.types import SourceFile

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

_MANIFEST_PARSERS: dict[str, ScanFunction] = {
    "pyproject": scan_pyproject,
    "setup.cfg": scan_setup_cfg,
    "setup.py": scan_setup_py,
    "pipfile": scan_pipfile,
    "conda": scan_conda,
    "requirements": scan_requirements,
    "package.json": npm.scan_package_json,
    "go.mod": golang.scan_go_mod,
    "cargo.toml": cargo.scan_cargo_toml,
    "pom.xml": maven.scan_pom,
    "gradle": maven.scan_gradle,
}
"""A manifest's parser (its row in ``discover.filetypes``) to the scanner that reads it."""


def scan_manifest(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Dispatch a FileKind.MANIFEST file to the parser its file type names."""
    scan = _MANIFEST_PARSERS.get(file_type(file.rel).parser, scan_requirements)
    return scan(file, text, ctx)


_LOCKFILE_PARSERS: dict[str, ScanFunction] = {
    "npm-lock": npm.scan_npm_lock,
    "bun.lock": npm.scan_bun_lock,
    "pnpm-lock": npm_text.scan_pnpm_lock,
    "yarn.lock": npm_text.scan_yarn_lock,
    "go.sum": golang.scan_go_sum,
    "cargo.lock": cargo.scan_cargo_lock,
    "gradle.lockfile": maven.scan_gradle_lockfile,
}
"""Lockfiles of other ecosystems; the Python ones are read by ``lockfiles.scan_lockfile``."""


def scan_lockfile(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Dispatch a FileKind.LOCKFILE file to the parser its file type names."""
    scan = _LOCKFILE_PARSERS.get(file_type(file.rel).parser, scan_python_lockfile)
    return scan(file, text, ctx)
