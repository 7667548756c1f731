"""How results carry the root they came from: its label in reports, and one finding per
place when several roots (or a file and the join) report the same one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from auditor.types import Diagnostic, Finding


def root_labels(roots: Sequence[Path]) -> list[str]:
    """How each root is named in reports: as the user wrote it, POSIX separators."""
    labels = []
    for root in roots:
        text = Path(root).as_posix()
        labels.append(text.rstrip("/") or "/")
    return labels


def with_root(diagnostic: Diagnostic, root: str) -> Diagnostic:
    return Diagnostic(path=diagnostic.path, code=diagnostic.code, message=diagnostic.message,
                      line=diagnostic.line, root=root)


def finding_root(finding: Finding, root: str) -> Finding:
    return finding if finding.root == root else replace(finding, root=root)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, int, int, str | None]] = set()
    out = []
    for finding in findings:
        key = (finding.root, finding.path, finding.rule_id, finding.line, finding.column,
               finding.identifier)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
