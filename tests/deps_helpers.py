"""Helpers for the dependency-scanner tests: run one scanner or the engine on written files."""

from __future__ import annotations

from pathlib import Path

from auditor.discover import classify
from auditor.engine import scan_paths
from auditor.model import FileKind, Finding
from auditor.ruleset import load_ruleset
from auditor.scanners.base import Hit, ScanContext, ScanOutput, SourceFile
from auditor.scanners.deps import scan_lockfile, scan_manifest

RULES = load_ruleset()
CTX = ScanContext(ruleset=RULES)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    return root


def scan_one(root: Path, rel: str) -> ScanOutput:
    """Run the dependency scanner for ``rel`` (under ``root``) directly."""
    path = root / rel
    kind = classify(rel)
    file = SourceFile(root=root.resolve(), path=path.resolve(), rel=rel, kind=kind,
                      size=path.stat().st_size)
    text = path.read_text(encoding="utf-8")
    scanner = scan_lockfile if kind is FileKind.LOCKFILE else scan_manifest
    return scanner(file, text, CTX)


def rows(hits: list[Hit]) -> list[tuple[str, int, int, str | None, str, str, str]]:
    """(rule, line, column, identifier, constraint, direct, pulled_in_by) of each hit."""
    out = []
    for hit in hits:
        details = dict(hit.details)
        out.append((hit.rule_id, hit.line, hit.column, hit.identifier, details["constraint"],
                    details["direct"], details.get("pulled_in_by", "")))
    return out


def problems(output: ScanOutput) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in output.problems]


def dependency_findings(root: Path) -> list[Finding]:
    return [f for f in scan_paths([root]).findings if f.rule_id.startswith("LA2")]
