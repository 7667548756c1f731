"""Markdown for a pull-request comment: summary, findings with links to lines, replacements.

GitHub caps a comment at 65,536 characters; past ``MAX_CHARS`` the findings table is cut
and says how many rows were left out. Everything taken from scanned files is escaped, so a
hostile identifier shows as text and cannot break the table or inject markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from auditor.report.cards import model_cards, other_groups, planned_text
from auditor.report.effort import EFFORT_ORDER, EffortCounts, effort_rows, finding_root
from auditor.report.licenses import license_exposure
from auditor.report.markdown_cards import md_code, md_text, model_section, other_section
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

__all__ = ["MAX_CHARS", "link_base_from_env", "md_code", "md_text", "render_markdown"]

MAX_CHARS = 60_000
"""Stay under GitHub's 65,536-character comment limit with room for a wrapper."""

_SEVERITY_BADGE = {"high": "🔴 high", "medium": "🟠 medium", "low": "🟡 low", "info": "⚪ info"}


def render_markdown(result: AuditResult, *, link_base: str | None = None) -> str:
    """``link_base`` (e.g. ``https://github.com/o/r/blob/<sha>/``) makes locations links.

    The summary, then one section per model and the other findings grouped, then every
    finding by file as an appendix; past ``MAX_CHARS`` the sections and then the appendix
    rows are cut, and the comment says how many were left out."""
    head = _head(result)
    tail = _tail(result)
    budget = MAX_CHARS - len(head) - len(tail) - 600
    parts = [head]
    body, used = _body(result, link_base, budget)
    parts.extend(body)
    ordered = [f for group in group_by_file(result) for f in group.findings]
    rows = [_finding_row(f, result, link_base) for f in ordered]
    kept: list[str] = []
    for row in rows:
        if used + len(row) + 1 > budget:
            break
        kept.append(row)
        used += len(row) + 1
    if rows:
        parts.append("### Appendix: every finding, by file\n")
        parts.append("| Severity | Rule | Location | Finding | Effort | Replace with |")
        parts.append("| --- | --- | --- | --- | --- | --- |")
        parts.extend(kept)
        if len(kept) < len(rows):
            parts.append(
                f"\n_{len(rows) - len(kept)} more findings are not shown to keep this comment "
                "within GitHub's size limit; the JSON, SARIF or HTML report lists all of them._"
            )
        parts.append("")
    parts.append(tail)
    return "\n".join(parts).rstrip() + "\n"


def _body(result: AuditResult, link_base: str | None, budget: int) -> tuple[list[str], int]:
    """The model sections and the other findings, as many as fit in ``budget``."""
    def link(shown: str, line: int) -> str:
        target = shown if len(result.roots) > 1 else join_root(result.roots[0], shown)
        return f"{link_base or ''}{quote(target, safe='/')}#L{line}"

    rules = installed_rules()
    cards = [model_section(card, link) for card in model_cards(result)]
    others = [other_section(group, link) for group in other_groups(
        result, lambda f: rule_info(f.rule_id, f, rules).use_instead,
        lambda f: rule_info(f.rule_id, f, rules).title)]
    parts: list[str] = []
    used = 0
    for title, sections in (("### Models", cards), ("### Other findings", others)):
        if not sections:
            continue
        parts.append(f"{title}\n")
        used += len(title) + 2
        for number, text in enumerate(sections):
            if used + len(text) + 1 > budget:
                parts.append(f"_{len(sections) - number} more sections are not shown to keep "
                             "this comment within GitHub's size limit; the HTML report has "
                             "them all._\n")
                break
            parts.append(text)
            used += len(text) + 1
    return parts, used


def link_base_from_env(env: Mapping[str, str]) -> str | None:
    """The blob URL prefix of the commit being checked, inside GitHub Actions."""
    server = env.get("GITHUB_SERVER_URL")
    repository = env.get("GITHUB_REPOSITORY")
    sha = env.get("GITHUB_SHA")
    if not (server and repository and sha):
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{sha}/"


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
