"""Pipfile (TOML): ``[packages]``, ``[dev-packages]`` and custom package categories."""

from __future__ import annotations

from ..base import ScanContext, ScanOutput, SourceFile
from .declarations import Declaration, declaration_hits
from .packages import package_table
from .pyproject import TomlDocument, load_toml, poetry_table
from .salvage import salvage

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
    doc, problem = load_toml(file.rel, text)
    if doc is None:
        assert problem is not None
        return salvage(file, text, package_table(ctx.ruleset), problem, lockfile=False)
    decls = pipfile_declarations(doc)
    return ScanOutput(hits=declaration_hits(decls, package_table(ctx.ruleset)),
                      problems=doc.problems)
