"""A self-contained HTML report for a consultant's client.

One file, no scripts, no external assets (a Content-Security-Policy forbids them), charts as
inline SVG, readable on paper. Jinja2 autoescaping is on for the whole template: every string
that came from a scanned file (paths, identifiers, snippets, contexts) is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from auditor.report.cards import appendix_rows, model_cards, other_groups, planned_text
from auditor.report.charts import BarChart, StackedChart, bar_chart, stacked_chart
from auditor.report.check_matrix import check_matrix
from auditor.report.effort import (
    EFFORT_MEANING,
    EFFORT_ORDER,
    EffortRow,
    effort_by_directory,
    effort_rows,
)
from auditor.report.facts import finding_facts, unconfirmed_note, unconfirmed_sentence
from auditor.report.licenses import LicenseExposure, eu_restriction_text, license_exposure
from auditor.report.repos import RepositoryRow, repository_rows, shows_repositories
from auditor.report.rule_info import PROJECT_URL, RuleInfo, installed_rules, rule_info
from auditor.report.summary import (
    CATEGORY_ORDER,
    SEVERITY_ORDER,
    FileGroup,
    group_by_file,
    join_root,
    migration_plans,
    overview,
    replacement_text,
)
from auditor.types import AuditResult, Finding

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report.html.j2"


@dataclass(frozen=True, slots=True)
class SnippetParts:
    """The snippet split around the identifier, so the template can highlight it safely."""

    before: str
    marked: str
    after: str


def render_html(result: AuditResult) -> str:
    return _environment().get_template(TEMPLATE_NAME).render(**report_context(result))


def report_context(result: AuditResult) -> dict[str, Any]:
    """Everything the template shows, computed here so the template only lays it out."""
    view = overview(result)
    multi_root = len(result.roots) > 1
    rules = installed_rules()
    infos: dict[str, RuleInfo] = {}
    for finding in result.findings:
        if finding.rule_id not in infos:
            infos[finding.rule_id] = rule_info(finding.rule_id, finding, rules)
    rows = effort_rows(result)
    repo_rows = repository_rows(result) if shows_repositories(result) else []
    exposures = license_exposure(result)
    plans = migration_plans(result)
    return {
        "result": result,
        "tool": result.tool,
        "overview": view,
        "multi_root": multi_root,
        "roots": result.roots,
        "areas": _areas(result),
        "efforts": EFFORT_ORDER,
        "effort_meaning": EFFORT_MEANING,
        "effort_rows": rows,
        "licenses": exposures,
        "eu_text": eu_restriction_text(),
        "plans": plans,
        "cards": model_cards(result),
        "others": other_groups(result, lambda f: infos[f.rule_id].use_instead,
                               lambda f: infos[f.rule_id].title),
        "check_matrix": check_matrix(plans),
        "license_chart": _license_chart(result, exposures),
        "effort_bars": bar_chart("Findings by effort",
                                 [(e.value, view.by_effort.count(e), f"eff-{e.value}")
                                  for e in EFFORT_ORDER], width=420, label_width=90),
        "files": group_by_file(result),
        "rule_infos": infos,
        "severity_chart": _severity_chart(result),
        "category_chart": _category_chart(result),
        "effort_chart": _effort_chart(rows, multi_root),
        "repo_rows": repo_rows,
        "repo_chart": _repo_chart(repo_rows),
        "severities": SEVERITY_ORDER,
        "project_url": PROJECT_URL,
        "shown_path": lambda root, path: join_root(root, path) if multi_root else path,
        "group_title": lambda group: _group_title(group, multi_root),
        "replacement_text": replacement_text,
        "snippet_parts": snippet_parts,
        "finding_facts": finding_facts,
        "unconfirmed_note": unconfirmed_note,
        "unconfirmed_sentence": unconfirmed_sentence,
        "planned_text": planned_text,
        "appendix_rows": appendix_rows,
    }


def snippet_parts(finding: Finding) -> SnippetParts:
    snippet = finding.snippet
    needle = finding.identifier or ""
    at = snippet.find(needle) if needle else -1
    if at < 0:
        return SnippetParts(snippet, "", "")
    return SnippetParts(snippet[:at], needle, snippet[at + len(needle):])


def _group_title(group: FileGroup, multi_root: bool) -> str:
    return group.display_path if multi_root else group.path


def _areas(result: AuditResult) -> list[tuple[str, int]]:
    """Where the touch-points are: top-level directories (per root), most findings first."""
    rows = effort_by_directory(result, depth=1)
    multi = len(result.roots) > 1
    areas = [(row.label(with_root=multi), row.counts.total) for row in rows]
    return sorted(areas, key=lambda item: (-item[1], item[0]))


def _severity_chart(result: AuditResult) -> BarChart:
    view = overview(result)
    items = [(sev.value, count, f"sev-{sev.value}") for sev, count in view.by_severity]
    return bar_chart("Findings by severity", items, width=420, label_width=90)


def _category_chart(result: AuditResult) -> BarChart:
    view = overview(result)
    items = [(cat.value, count, "cat") for cat, count in view.by_category if count]
    if not items:
        items = [(cat.value, 0, "cat") for cat in CATEGORY_ORDER]
    return bar_chart("Findings by category", items, width=420, label_width=130)


def _license_chart(result: AuditResult, exposures: list[LicenseExposure]) -> BarChart:
    """Findings by the Llama license they bring in; the rest as one bar."""
    items = [(e.license.name, len(e.findings), "lic") for e in exposures]
    covered = sum(len(e.findings) for e in exposures)
    if len(result.findings) > covered:
        items.append(("no Llama license", len(result.findings) - covered, "lic-none"))
    return bar_chart("Findings by license", items, width=520, label_width=230)


def _effort_chart(rows: list[EffortRow], multi_root: bool) -> StackedChart:
    bars = [
        (row.label(with_root=multi_root),
         [(e.value, row.counts.count(e), f"eff-{e.value}") for e in EFFORT_ORDER])
        for row in rows
    ]
    return stacked_chart("Effort by repository and directory", bars)


def _repo_chart(rows: list[RepositoryRow]) -> StackedChart:
    bars = [(row.name, [(sev.value, row.severity(sev), f"sev-{sev.value}")
                        for sev in SEVERITY_ORDER]) for row in rows]
    return stacked_chart("Findings by repository and severity", bars)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
