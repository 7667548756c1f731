"""Terminal output (rich): findings grouped by file with their replacement, then summaries.

Scanned text is always wrapped in ``rich.text.Text`` (never parsed as console markup), so an
identifier such as ``[bold]x`` prints as written. Colour only when the caller says so (a TTY
without ``NO_COLOR``); finding lines never wrap, so piped output stays one finding a line.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.report.effort import EFFORT_ORDER, EffortCounts, EffortRow, effort_rows
from auditor.report.repos import repository_rows, shows_repositories
from auditor.report.summary import (
    CATEGORY_ORDER,
    SEVERITY_ORDER,
    group_by_file,
    replacement_text,
)
from auditor.report.summary import summary_line as summary_line
from auditor.types import AuditResult, Diagnostic, Finding, Severity

DEFAULT_WIDTH = 100
DIRECTORY_ROWS = 12
"""Directories shown in the effort table unless ``verbose``."""

SEVERITY_STYLE = {
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
EFFORT_STYLE = {"retrain": "magenta", "adapt": "blue", "swap": "green", "keep": "dim"}


def render_text(
    result: AuditResult, *, color: bool, verbose: bool = False, width: int | None = None
) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or DEFAULT_WIDTH,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    multi_root = len(result.roots) > 1
    if shows_repositories(result):
        console.print(_repository_table(result))
    for group in group_by_file(result):
        console.print(Text(group.display_path if multi_root else group.path, style="bold"),
                      soft_wrap=True)
        for finding in group.findings:
            for line in finding_lines(finding, verbose=verbose):
                console.print(line, soft_wrap=True)
        console.print()
    if result.findings:
        console.print(_category_table(result))
        console.print(_effort_table(result, verbose=verbose))
    if result.diagnostics and verbose:
        console.print(Text("Not fully scanned", style="bold"))
        for entry in diagnostic_lines(result.diagnostics, multi_root=multi_root):
            console.print(Text(entry), soft_wrap=True)
        console.print()
    console.print(Text(summary_line(result), style="bold"), soft_wrap=True)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def finding_lines(finding: Finding, *, verbose: bool = False) -> list[Text]:
    where = f"{finding.line}:{finding.column}"
    if finding.cell is not None:
        where += f" [cell {finding.cell}:{finding.cell_line}]"
    head = Text("  ")
    head.append(where, style="dim")
    head.append("  ")
    head.append(f"{finding.severity.value:<6}", style=SEVERITY_STYLE[finding.severity])
    head.append("  ")
    head.append(finding.rule_id, style="bold")
    head.append("  ")
    head.append(finding.message)
    head.append("  ")
    head.append(f"[{finding.effort.value}]", style=EFFORT_STYLE[finding.effort.value])
    mention = next((value for key, value in finding.details if key == "mention"), None)
    if mention is not None:  # docs or commented-out code: not counted by --fail-on
        head.append(f" [docs: {mention}]", style="dim")
    if finding.baseline_state == "new":
        head.append(" [new]", style="bold magenta")
    lines = [head]
    if verbose and finding.snippet:
        snippet = Text("      | ", style="dim")
        snippet.append(finding.snippet)
        lines.append(snippet)
    if finding.suggestions:
        best, *others = finding.suggestions
        fix = Text("      -> replace with ")
        fix.append(replacement_text(best), style="green")
        fix.append(f" ({best.family})")
        if others:
            fix.append("; or " + ", ".join(replacement_text(s) for s in others), style="dim")
        lines.append(fix)
    return lines


def _repository_table(result: AuditResult) -> Table:
    table = Table(title="Repositories", box=box.SIMPLE_HEAD, title_justify="left",
                  title_style="bold")
    table.add_column("repository", no_wrap=True)
    for severity in SEVERITY_ORDER:
        table.add_column(severity.value, justify="right", style=SEVERITY_STYLE[severity])
    table.add_column("models", justify="right")
    for effort in EFFORT_ORDER:
        table.add_column(effort.value, justify="right", style=EFFORT_STYLE[effort.value])
    table.add_column("Llama licenses")
    for row in repository_rows(result):
        table.add_row(Text(row.name, style="bold"), *(str(row.severity(s)) for s in SEVERITY_ORDER),
                      str(len(row.models)), *(str(row.effort.count(e)) for e in EFFORT_ORDER),
                      ", ".join(row.licenses) or "none")
    return table


def _category_table(result: AuditResult) -> Table:
    table = Table(title="Findings by category and severity", box=box.SIMPLE_HEAD,
                  title_justify="left", title_style="bold")
    table.add_column("category")
    for severity in SEVERITY_ORDER:
        table.add_column(severity.value, justify="right", style=SEVERITY_STYLE[severity])
    table.add_column("total", justify="right")
    counts = Counter((f.category, f.severity) for f in result.findings)
    for category in CATEGORY_ORDER:
        row = [counts[(category, s)] for s in SEVERITY_ORDER]
        if sum(row):
            table.add_row(category.value, *map(str, row), str(sum(row)))
    total = [sum(counts[(c, s)] for c in CATEGORY_ORDER) for s in SEVERITY_ORDER]
    table.add_row(Text("all", style="bold"), *map(str, total), str(sum(total)))
    return table


def _effort_table(result: AuditResult, *, verbose: bool) -> Table:
    multi_root = len(result.roots) > 1
    rows: list[EffortRow] = effort_rows(result)
    directories = [row for row in rows if row.directory is not None]
    hidden = 0
    if not verbose and len(directories) > DIRECTORY_ROWS:
        ranked = sorted(directories, key=lambda r: (-r.counts.to_change, -r.counts.total))
        shown = set(map(id, ranked[:DIRECTORY_ROWS]))
        hidden = len(directories) - DIRECTORY_ROWS
        rows = [row for row in rows if row.directory is None or id(row) in shown]
    table = Table(title="Effort by " + ("repository and " if multi_root else "") + "directory",
                  box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
                  caption=(f"{hidden} more directories: use --verbose" if hidden else None),
                  caption_justify="left")
    table.add_column("where")
    for effort in EFFORT_ORDER:
        table.add_column(effort.value, justify="right", style=EFFORT_STYLE[effort.value])
    table.add_column("heaviest")
    for row in rows:
        label = Text(row.label(with_root=multi_root),
                     style="bold" if row.directory is None else "")
        heaviest = row.counts.heaviest
        table.add_row(label, *(str(row.counts.count(e)) for e in EFFORT_ORDER),
                      heaviest.value if heaviest else "")
    total = EffortCounts.of(result.findings)
    table.add_row(Text("all", style="bold"), *(str(total.count(e)) for e in EFFORT_ORDER),
                  total.heaviest.value if total.heaviest else "")
    return table


SHOWN_LINES = 5
"""Line numbers listed for one diagnostic repeated at many lines of a file."""


def diagnostic_lines(diagnostics: Sequence[Diagnostic], *, multi_root: bool) -> list[str]:
    """One line per file and diagnostic, with where it applies: ``setup.py:97: ...``, or the
    lines of a diagnostic a file repeats (22 computed ``install_requires`` entries are one
    line, not 22 identical ones)."""
    grouped: dict[tuple[str, str, str], list[int]] = {}
    for diagnostic in diagnostics:
        shown = f"{diagnostic.root}/{diagnostic.path}" if multi_root else diagnostic.path
        lines = grouped.setdefault((shown, diagnostic.message, diagnostic.code), [])
        if diagnostic.line is not None:
            lines.append(diagnostic.line)
    out = []
    for (shown, message, code), lines in grouped.items():
        where = shown
        if len(lines) == 1:
            where = f"{shown}:{lines[0]}"
        elif lines:
            listed = ", ".join(str(n) for n in lines[:SHOWN_LINES])
            more = f" and {len(lines) - SHOWN_LINES} more" if len(lines) > SHOWN_LINES else ""
            where = f"{shown} (lines {listed}{more})"
        out.append(f"  {where}: {message} ({code})")
    return out
