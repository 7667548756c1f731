"""Plain-text summaries of a fix plan and of what a re-scan still finds (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.fix.model import Action, FixPlan, Outcome, display_path
from auditor.types import AuditResult, Effort, Finding

_HEADINGS = (
    (Action.REWRITTEN, "Rewritten"),
    (Action.LEFT, "Not replaced (swaps that need your decision)"),
    (Action.MANUAL, "Manual steps"),
    (Action.KEPT, "Kept as they are (not model references, or nothing to change)"),
)


def where(finding: Finding, file_roots: frozenset[str] = frozenset()) -> str:
    path = display_path(finding.root, finding.path, finding.root in file_roots)
    if finding.cell is not None:
        return f"{path}:cell {finding.cell}:{finding.cell_line}"
    return f"{path}:{finding.line}:{finding.column}"


def _row(outcome: Outcome, file_roots: frozenset[str]) -> str:
    return (f"  {where(outcome.finding, file_roots)}  {outcome.finding.rule_id}  "
            f"{outcome.detail}")


def render_plan(plan: FixPlan, *, written: bool) -> str:
    lines: list[str] = []
    for action, heading in _HEADINGS:
        rows = plan.by_action(action)
        if rows:
            lines.append(f"{heading} ({len(rows)}):")
            lines.extend(_row(o, plan.file_roots) for o in rows)
    for title, items in (("Warnings", plan.warnings), ("Notes", plan.notes),
                         ("Files not rewritten", tuple(
                             f"{display_path(s.root, s.rel, s.root in plan.file_roots)}: "
                             f"{s.reason}" for s in plan.skipped))):
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
    if plan.changes:  # last: what `git diff --stat` will show
        lines.append(f"Files changed ({len(plan.changes)}):")
        lines.extend(f"  {c.display_path}" for c in sorted(plan.changes,
                                                            key=lambda c: c.display_path))
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


def render_remaining(result: AuditResult, file_roots: frozenset[str] = frozenset(),
                     left: int = 0) -> str:
    """What the scan still finds after ``--write``, by the efforts ``scan`` reports:
    swap-effort findings first. ``left``: model references the plan did not replace (the
    scan counts them as adapt work, with what to decide)."""
    swaps = [f for f in result.findings if f.effort is Effort.SWAP]
    other = [f for f in result.findings if f.effort is not Effort.SWAP]
    headline = (f"After the rewrite the scan finds {len(result.findings)} finding(s), "
                f"{len(swaps)} of them swaps")
    if left:
        headline += f"; {left} model reference(s) left for your decision (\"Not replaced\")"
    lines = [headline + ":"]
    for title, group in (("swap", swaps), ("adapt", _effort(other, Effort.ADAPT)),
                         ("retrain", _effort(other, Effort.RETRAIN)),
                         ("keep", _effort(other, Effort.KEEP))):
        if group:
            lines.append(f"  {title} ({len(group)}):")
            lines.extend(f"    {where(f, file_roots)}  {f.rule_id}  {f.message}"
                         for f in group)
    return "\n".join(lines) + "\n"


def _effort(findings: Sequence[Finding], effort: Effort) -> list[Finding]:
    return [f for f in findings if f.effort is effort]


def render_unsafe(problems: Sequence[str], stuck: Sequence[Finding],
                  file_roots: frozenset[str] = frozenset()) -> str:
    """What the checks after ``--write`` found wrong: a written file that does not read back
    or parse, a swapped identifier the re-scan still finds."""
    lines = [f"fix: {len(problems)} written file(s) failed the check after writing, "
             f"{len(stuck)} swapped finding(s) still found:"]
    lines.extend(f"  {p}" for p in problems)
    lines.extend(f"  {where(f, file_roots)}  {f.rule_id}  still names '{f.identifier}'"
                 for f in stuck)
    return "\n".join(lines) + "\n"
