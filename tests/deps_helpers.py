"""Helpers for the dependency-scanner tests: run one scanner or the engine on written files."""

from __future__ import annotations

from pathlib import Path

from auditor.discover.walk import classify
from auditor.ruleset.load import load_ruleset
from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.deps import scan_lockfile, scan_manifest
from auditor.scan.runner import scan_paths
from auditor.types import FileKind, Finding, Hit, SourceFile

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


def span_text(text: str, line: int, column: int, end_line: int, end_column: int) -> str:
    """The text a 1-based, end-exclusive span covers (lines split as the engine splits them)."""
    lines = text.splitlines()
    if line == end_line:
        return lines[line - 1][column - 1:end_column - 1]
    parts = [lines[line - 1][column - 1:], *lines[line:end_line - 1],
             lines[end_line - 1][:end_column - 1]]
    return "\n".join(parts)


def assert_spans_hold(root: Path, rel: str, hits: list[Hit]) -> None:
    """Each hit's span covers its package name as written (or the include that pulls it in)."""
    text = (root / rel).read_text(encoding="utf-8")
    for hit in hits:
        covered = span_text(text, hit.line, hit.column, hit.end_line, hit.end_column)
        if dict(hit.details).get("declared_at"):
            assert covered.startswith(("-r", "-c", "--requirement", "--constraint")), (
                hit, covered)
        else:
            joined = covered.replace("\\\n", "")  # a name split by a line continuation
            assert hit.identifier is not None and hit.identifier in joined, (hit, covered)
