"""Markdown: the whole report as a document, or cut to fit a pull-request comment.

``render_markdown`` (``--format markdown``) writes everything: summary, one section per model,
the other findings grouped, every finding by file, the replacements and license exposure.
``render_markdown_comment`` (``--format markdown-comment``) is the same document cut to
``MAX_CHARS``, since GitHub caps a comment at 65,536 characters: past the budget it drops model
sections and then appendix rows, and says how many it left out. Everything taken from scanned
files is escaped, so a hostile identifier shows as text and cannot break a table or inject
markup.
"""

from __future__ import annotations

from urllib.parse import quote

from auditor.report.cards import WhyNotes, model_cards, other_groups, planned_text, why_notes
from auditor.report.effort import EFFORT_ORDER, EffortCounts, effort_rows, finding_root
from auditor.report.licenses import license_exposure
from auditor.report.links import link_base_from_env as link_base_from_env
from auditor.report.markdown_cards import (
    md_code,
    md_text,
    model_section,
    notes_section,
    other_section,
)
from auditor.report.repos import repository_rows, shows_repositories
from auditor.report.rule_info import PROJECT_URL, installed_rules, rule_info
from auditor.report.summary import (
    CATEGORY_ORDER,
    SEVERITY_ORDER,
    group_by_file,
    join_root,
    migration_plans,
    overview,
)
from auditor.types import AuditResult, Finding

__all__ = ["MAX_CHARS", "link_base_from_env", "md_code", "md_text", "render_markdown",
           "render_markdown_comment"]

MAX_CHARS = 60_000
"""Stay under GitHub's 65,536-character comment limit with room for a wrapper."""

_SEVERITY_BADGE = {"high": "🔴 high", "medium": "🟠 medium", "low": "🟡 low", "info": "⚪ info"}
_RESERVE = 1_000
"""Room in a comment for the headings and the three "not shown" sentences outside the budget."""
_WHOLE = ("to keep this comment within GitHub's size limit; `--format markdown` writes the "
          "whole report")


def render_markdown(result: AuditResult, *, link_base: str | None = None) -> str:
    """The whole report as a Markdown document, nothing left out.

    ``link_base`` (e.g. ``https://github.com/o/r/blob/<sha>/``) makes locations links. The
    summary, then one section per model (long reasons shortened to numbered notes) and the
    other findings grouped, then every finding by file as an appendix."""
    return _render(result, link_base, None)


def render_markdown_comment(result: AuditResult, *, link_base: str | None = None,
                            max_chars: int = MAX_CHARS) -> str:
    """The report of ``render_markdown`` cut to ``max_chars`` for a pull-request comment.

    Past the budget the model sections and then the appendix rows are cut, and the comment
    says how many were left out."""
    return _render(result, link_base, max_chars)


def _render(result: AuditResult, link_base: str | None, limit: int | None) -> str:
    head = _head(result)
    tail = _tail(result)
    budget = None if limit is None else limit - len(head) - len(tail) - _RESERVE
    parts = [head]
    body, used = _body(result, link_base, budget)
    parts.extend(body)
    ordered = [f for group in group_by_file(result) for f in group.findings]
    rows = [_finding_row(f, result, link_base) for f in ordered]
    kept: list[str] = []
    for row in rows:
        if budget is not None and used + len(row) + 1 > budget:
            break
        kept.append(row)
        used += len(row) + 1
    if rows:
        parts.append("### Appendix: every finding, by file\n")
        parts.append("| Severity | Rule | Location | Finding | Effort | Replace with |")
        parts.append("| --- | --- | --- | --- | --- | --- |")
        parts.extend(kept)
        if len(kept) < len(rows):
            parts.append(f"\n_{len(rows) - len(kept)} more findings are not shown {_WHOLE} "
                         "and the JSON, SARIF or HTML report lists all of them._")
        parts.append("")
    parts.append(tail)
    return "\n".join(parts).rstrip() + "\n"


def _body(result: AuditResult, link_base: str | None,
          budget: int | None) -> tuple[list[str], int]:
    """The model sections, their notes and the other findings; with a ``budget``, as many
    as fit in it."""
    def link(shown: str, line: int) -> str:
        target = shown if len(result.roots) > 1 else join_root(result.roots[0], shown)
        return f"{link_base or ''}{quote(target, safe='/')}#L{line}"

    def fits(size: int) -> bool:
        return budget is None or used + size <= budget

    rules = installed_rules()
    parts: list[str] = []
    used = 0
    cards = model_cards(result)
    notes = why_notes()
    if cards:
        parts.append("### Models\n")
        used += len("### Models") + 2
        for number, card in enumerate(cards):
            trial = WhyNotes(dict(notes.numbers))
            text = model_section(card, link, trial)
            if not fits(len(text) + 1 + len("\n".join(notes_section(trial))) + 1):
                parts.append(_left_out(len(cards) - number))
                break
            parts.append(text)
            used += len(text) + 1
            notes = trial
        shown_notes = "\n".join(notes_section(notes))
        if shown_notes:
            parts.append(shown_notes)
            used += len(shown_notes) + 1
    others = [other_section(group, link) for group in other_groups(
        result, lambda f: rule_info(f.rule_id, f, rules).use_instead,
        lambda f: rule_info(f.rule_id, f, rules).title)]
    if others:
        parts.append("### Other findings\n")
        used += len("### Other findings") + 2
        for number, text in enumerate(others):
            if not fits(len(text) + 1):
                parts.append(_left_out(len(others) - number))
                break
            parts.append(text)
            used += len(text) + 1
    return parts, used


def _left_out(count: int) -> str:
    return f"_{count} more sections are not shown {_WHOLE} with all of them._\n"


def _head(result: AuditResult) -> str:
    view = overview(result)
    lines = [f"## llama-audit: {_plural(view.total, 'Llama touch-point')} in "
             f"{_plural(view.files, 'file')}", ""]
    if not view.total:
        lines.append("No dependency on Meta Llama models was found.")
        lines.append("")
        return "\n".join(lines)
    severities = " · ".join(f"{count} {sev.value}" for sev, count in view.by_severity)
    effort = view.by_effort
    lines.append(f"**Severity:** {severities}  ")
    lines.append("**Effort:** " + " · ".join(
        f"{effort.count(e)} {e.value}" for e in EFFORT_ORDER) + "  ")
    lines.append(f"**Llama models:** {view.models}")
    lines.append("")
    if shows_repositories(result):
        lines.extend(_repository_table(result))
    lines.append("| Category | Findings | high | medium | low | info |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for category in CATEGORY_ORDER:
        items = [f for f in result.findings if f.category is category]
        if not items:
            continue
        counts = [sum(1 for f in items if f.severity is s) for s in SEVERITY_ORDER]
        lines.append(f"| {category.value} | {len(items)} | " + " | ".join(map(str, counts)) + " |")
    lines.append("")
    lines.extend(_effort_table(result))
    return "\n".join(lines)


def _repository_table(result: AuditResult) -> list[str]:
    lines = ["### Repositories", "",
             "| Repository | Findings | " + " | ".join(s.value for s in SEVERITY_ORDER)
             + " | Models | " + " | ".join(e.value for e in EFFORT_ORDER) + " | Llama licenses |",
             "| --- | ---: | " + " | ".join("---:" for _ in SEVERITY_ORDER) + " | ---: | "
             + " | ".join("---:" for _ in EFFORT_ORDER) + " | --- |"]
    for row in repository_rows(result):
        severities = " | ".join(str(row.severity(s)) for s in SEVERITY_ORDER)
        licenses = ", ".join(md_text(n) for n in row.licenses) or "none"
        lines.append(f"| **{md_text(row.name)}** | {row.findings} | {severities} | "
                     f"{len(row.models)} | {_effort_cells(row.effort)} | {licenses} |")
    lines.append("")
    return lines


def _effort_table(result: AuditResult) -> list[str]:
    rows = effort_rows(result)
    lines = ["### Effort by repository and directory", "",
             "| Where | " + " | ".join(e.value for e in EFFORT_ORDER) + " | Heaviest |",
             "| --- | " + " | ".join("---:" for _ in EFFORT_ORDER) + " | --- |"]
    multi = len(result.roots) > 1
    for row in rows:
        label = md_text(row.label(with_root=multi))
        where = f"**{label}**" if row.directory is None else label
        lines.append(f"| {where} | {_effort_cells(row.counts)} | "
                     f"{row.counts.heaviest.value if row.counts.heaviest else ''} |")
    lines.append("")
    return lines


def _effort_cells(counts: EffortCounts) -> str:
    return " | ".join(str(counts.count(e)) for e in EFFORT_ORDER)


def _tail(result: AuditResult) -> str:
    lines: list[str] = []
    plans = [p for p in migration_plans(result) if p.suggestions]
    if plans:
        lines += ["### Appendix: replacements and their checks", "",
                  "| Llama model | Written as | Replace with | Checks | Source |",
                  "| --- | --- | --- | --- | --- |"]
        for plan in plans:
            written = ", ".join(md_code(i) for i in plan.identifiers) or md_text(plan.label)
            for number, planned in enumerate(plan.suggestions):
                suggestion = planned.suggestion
                passed = sum(1 for c in suggestion.checks if c.passed is True)
                failed = [c.name for c in suggestion.checks if c.passed is False]
                unknown = sum(1 for c in suggestion.checks if c.passed is None)
                checks = f"{passed}/{len(suggestion.checks)} passed"
                if unknown:
                    checks += f", {unknown} unknown"
                if failed:
                    checks += " (failed: " + ", ".join(md_text(n) for n in failed) + ")"
                first = number == 0
                lines.append(
                    f"| {md_text(plan.label) if first else ''} | {written if first else ''} | "
                    f"{md_code(planned.names_text)} ({md_text(suggestion.family)}) | "
                    f"{checks} | {md_text(suggestion.source)} |"
                )
        lines.append("")
    exposures = license_exposure(result)
    if exposures:
        lines += ["### License exposure", ""]
        for exposure in exposures:
            lines.append(f"- **{md_text(exposure.license.name)}** — "
                         f"{_plural(len(exposure.findings), 'finding')}; "
                         + "; ".join(md_text(o.short) for o in exposure.license.obligations)
                         + ("; EU multimodal restriction" if exposure.eu_multimodal else ""))
        lines.append("")
    if result.diagnostics:
        lines += ["<details><summary>"
                  f"{_plural(len(result.diagnostics), 'file')} not fully scanned</summary>", ""]
        for diagnostic in result.diagnostics:
            lines.append(f"- {md_code(_shown(result, diagnostic.root, diagnostic.path))}: "
                         f"{md_text(diagnostic.message)} ({md_text(diagnostic.code)})")
        lines += ["", "</details>", ""]
    catalog = f", catalog {md_text(result.tool.catalog_date)}" if result.tool.catalog_date else ""
    lines.append(f"<sub>[{md_text(result.tool.name)}]({PROJECT_URL}) "
                 f"{md_text(result.tool.version)}, rules {md_text(result.tool.rules_version)}"
                 f"{catalog}</sub>")
    return "\n".join(lines)


def _finding_row(finding: Finding, result: AuditResult, link_base: str | None) -> str:
    root = finding_root(finding, result)
    place = f"{_shown(result, root, finding.path)}:{finding.line}"
    if finding.cell is not None:
        place += f" (cell {finding.cell}, line {finding.cell_line})"
    target = join_root(root, finding.path)
    if link_base is not None:
        href = f"{link_base}{quote(target, safe='/')}#L{finding.line}"
    else:
        href = f"{quote(target, safe='/')}#L{finding.line}"
    location = f"[{md_text(place)}]({href})"
    planned = planned_text(finding)
    replacement = "not swapped" if planned == "not swapped" else md_code(planned)
    rule = md_text(finding.rule_id)
    if finding.baseline_state == "new":
        rule += " **new**"
    return (f"| {_SEVERITY_BADGE[finding.severity.value]} | {rule} | "
            f"{location} | {md_text(finding.message)} | {finding.effort.value} | {replacement} |")


def _shown(result: AuditResult, root: str, path: str) -> str:
    """Paths carry their root only when several roots were scanned."""
    return join_root(root, path) if len(result.roots) > 1 else path


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
