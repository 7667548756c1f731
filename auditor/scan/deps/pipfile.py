"""Pipfile (TOML): ``[packages]``, ``[dev-packages]`` and custom package categories."""

from __future__ import annotations

from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.deps.declarations import Declaration
from auditor.scan.deps.pyproject import TomlDocument, poetry_table, scan_toml_manifest
from auditor.types import SourceFile

NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})


def pipfile_declarations(doc: TomlDocument) -> list[Declaration]:
    decls: list[Declaration] = []
    for category, value in doc.data.items():
        if category in NOT_PACKAGES or not isinstance(value, dict):
            continue
        group = "" if category == "packages" else (
            "dev" if category == "dev-packages" else category)
        decls += poetry_table(doc, (category,), group=group)
    return decls


def scan_pipfile(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    return scan_toml_manifest(file, text, ctx, pipfile_declarations)
