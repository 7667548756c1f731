"""Plain terminal output: findings grouped by file, then a summary."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from ..model import AuditResult, Finding


def render_text(result: AuditResult, *, color: bool = False, verbose: bool = False) -> str:
    lines: list[str] = []
    multi_root = len(result.roots) > 1

    def where(f: Finding) -> tuple[str, str]:
        return (f.root, f.path)

    for (root, path), group in groupby(result.findings, key=where):
        shown = f"{root}/{path}" if multi_root else path
        lines.append(shown)
        for f in group:
            cell = f" [cell {f.cell}:{f.cell_line}]" if f.cell is not None else ""
            lines.append(
                f"  {f.line}:{f.column}{cell}  {f.rule_id}  {f.severity.value:<6}  {f.message}"
            )
            if verbose and f.snippet:
                lines.append(f"      {f.snippet}")
            if f.suggestions:
                best = f.suggestions[0]
                lines.append(f"      -> {best.runtime_name} ({best.family})")
        lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def summary_line(result: AuditResult) -> str:
    counts = Counter(f.severity.value for f in result.findings)
    order = ("high", "medium", "low", "info")
    by_severity = ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
    files = len({(f.root, f.path) for f in result.findings})
    text = f"{len(result.findings)} finding(s)"
    if by_severity:
        text += f" ({by_severity})"
    text += f" in {files} file(s); {result.stats.files_scanned} file(s) scanned"
    if result.diagnostics:
        text += f"; {len(result.diagnostics)} diagnostic(s)"
    return text
