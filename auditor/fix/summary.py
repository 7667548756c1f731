"""Plain-text summaries of a fix plan and of what a re-scan still finds (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import AuditResult, Effort, Finding
from .model import Action, FixPlan, Outcome

_HEADINGS = (
    (Action.REWRITTEN, "Rewritten"),
    (Action.LEFT, "Not replaced (swaps that need your decision)"),
    (Action.MANUAL, "Manual steps"),
)


def where(finding: Finding) -> str:
    path = finding.path if finding.root in ("", ".") else \
        f"{finding.root.rstrip('/')}/{finding.path}"
    if finding.cell is not None:
        return f"{path}:cell {finding.cell}:{finding.cell_line}"
    return f"{path}:{finding.line}:{finding.column}"


def _row(outcome: Outcome) -> str:
    return f"  {where(outcome.finding)}  {outcome.finding.rule_id}  {outcome.detail}"


def render_plan(plan: FixPlan, *, written: bool) -> str:
    lines: list[str] = []
    for action, heading in _HEADINGS:
        rows = plan.by_action(action)
        if rows:
            lines.append(f"{heading} ({len(rows)}):")
            lines.extend(_row(o) for o in rows)
    for title, items in (("Warnings", plan.warnings), ("Notes", plan.notes),
                         ("Files not rewritten", tuple(
                             f"{s.rel if s.root in ('', '.') else s.root + '/' + s.rel}: "
                             f"{s.reason}" for s in plan.skipped))):
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
    lines.append(summary_line(plan, written=written))
    return "\n".join(lines) + "\n"


def summary_line(plan: FixPlan, *, written: bool) -> str:
    rewritten = len(plan.by_action(Action.REWRITTEN))
    left = len(plan.by_action(Action.LEFT))
    manual = len(plan.by_action(Action.MANUAL))
    files = len(plan.changes)
    text = (f"fix: {rewritten} rewrite(s) in {files} file(s), {left} swap(s) not replaced, "
            f"{manual} manual step(s)")
    if written:
        return text + f"; {files} file(s) written"
    if files:
        return text + "; dry run, nothing written (add --write to apply the diff)"
    return text + "; nothing to change"


def render_remaining(result: AuditResult) -> str:
    """What the scan still finds after ``--write``: swap-effort findings first."""
    swaps = [f for f in result.findings if f.effort is Effort.SWAP]
    other = [f for f in result.findings if f.effort is not Effort.SWAP]
    lines = [f"After the rewrite the scan finds {len(result.findings)} finding(s), "
             f"{len(swaps)} of them swaps:"]
    for title, group in (("swap", swaps), ("adapt", _effort(other, Effort.ADAPT)),
                         ("retrain", _effort(other, Effort.RETRAIN)),
                         ("keep", _effort(other, Effort.KEEP))):
        if group:
            lines.append(f"  {title} ({len(group)}):")
            lines.extend(f"    {where(f)}  {f.rule_id}  {f.message}" for f in group)
    return "\n".join(lines) + "\n"


def _effort(findings: Sequence[Finding], effort: Effort) -> list[Finding]:
    return [f for f in findings if f.effort is effort]
