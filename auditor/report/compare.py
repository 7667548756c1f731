"""Progress since a previous result: fixed, new and remaining findings, and a burn-down.

Findings are matched by fingerprint (rule, path, identifier and context; not the line), as
a multiset: two identical occurrences in the old result and one in the new one are one
remaining and one fixed. ``report --compare OLD.json`` renders this above the report; with
several ``--compare`` results (oldest first) the series of totals is a migration burn-down.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

from auditor.report.charts import BarChart, bar_chart
from auditor.report.markdown import md_text
from auditor.types import AuditResult, Finding


@dataclass(frozen=True, slots=True)
class Comparison:
    previous: str
    """How the previous result is named (its file name)."""
    fixed: tuple[Finding, ...]
    """In the previous result, gone from this one."""
    new: tuple[Finding, ...]
    remaining: tuple[Finding, ...]
    trend: tuple[tuple[str, int], ...]
    """(result name, findings) for every result compared, oldest first, this one last."""

    def headline(self) -> str:
        return (f"Since {self.previous}: {len(self.fixed)} fixed, {len(self.new)} new, "
                f"{len(self.remaining)} remaining")


def compare(current: AuditResult, previous: AuditResult, *, previous_name: str,
            series: tuple[tuple[str, AuditResult], ...] = (),
            current_name: str = "this result") -> Comparison:
    """``series`` is every earlier result (oldest first, ``previous`` last) for the trend."""
    left = Counter(f.fingerprint for f in previous.findings)
    new: list[Finding] = []
    remaining: list[Finding] = []
    for finding in current.findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
            remaining.append(finding)
        else:
            new.append(finding)
    fixed: list[Finding] = []
    for finding in previous.findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
            fixed.append(finding)
    earlier = series or ((previous_name, previous),)
    trend = tuple((name, len(r.findings)) for name, r in earlier)
    return Comparison(previous_name, tuple(fixed), tuple(new), tuple(remaining),
                      (*trend, (current_name, len(current.findings))))


def _where(finding: Finding) -> str:
    path = f"{finding.root}/{finding.path}" if finding.root not in ("", ".") else finding.path
    return f"{path}:{finding.line}"


def comparison_text(comparison: Comparison, *, limit: int = 20) -> str:
    lines = [comparison.headline(), ""]
    for title, items in (("Fixed", comparison.fixed), ("New", comparison.new)):
        if not items:
            continue
        lines.append(f"{title} ({len(items)}):")
        lines += [f"  {_where(f)}  {f.rule_id}  {f.message}" for f in items[:limit]]
        if len(items) > limit:
            lines.append(f"  ... and {len(items) - limit} more")
        lines.append("")
    if len(comparison.trend) > 2:
        lines.append("Findings over time (burn-down):")
        width = max(len(name) for name, _ in comparison.trend)
        top = max(count for _, count in comparison.trend) or 1
        for name, count in comparison.trend:
            lines.append(f"  {name:<{width}}  {count:>5}  {'#' * round(40 * count / top)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def comparison_markdown(comparison: Comparison, *, limit: int = 50) -> str:
    lines = [f"### Progress since {md_text(comparison.previous)}", "",
             "| Fixed | New | Remaining |", "| ---: | ---: | ---: |",
             f"| {len(comparison.fixed)} | {len(comparison.new)} | "
             f"{len(comparison.remaining)} |", ""]
    for title, items in (("Fixed", comparison.fixed), ("New", comparison.new)):
        if not items:
            continue
        lines += [f"**{title}** ({len(items)}):", ""]
        lines += [f"- {md_text(_where(f))} {f.rule_id}: {md_text(f.message)}"
                  for f in items[:limit]]
        if len(items) > limit:
            lines.append(f"- … and {len(items) - limit} more")
        lines.append("")
    if len(comparison.trend) > 2:
        lines += ["**Findings over time**", "", "| Result | Findings |", "| --- | ---: |"]
        lines += [f"| {md_text(name)} | {count} |" for name, count in comparison.trend]
        lines.append("")
    return "\n".join(lines) + "\n"


def trend_chart(comparison: Comparison) -> BarChart:
    return bar_chart("Findings over time (burn-down)",
                     [(name, count, "cat") for name, count in comparison.trend],
                     width=560, label_width=200)


def comparison_html(comparison: Comparison, *, limit: int = 200) -> str:
    """A ``<section>`` for the HTML report; every text is escaped."""
    esc = html.escape
    parts = ['<section id="progress">',
             f"<h2>Progress since {esc(comparison.previous)}</h2>",
             '<div class="kpis">']
    for label, count in (("fixed", len(comparison.fixed)), ("new", len(comparison.new)),
                         ("remaining", len(comparison.remaining))):
        parts.append(f'<div class="kpi"><div class="num">{count}</div>'
                     f'<div class="lbl">{label}</div></div>')
    parts.append("</div>")
    for title, items in (("Fixed", comparison.fixed), ("New", comparison.new)):
        if not items:
            continue
        parts.append(f"<h3>{title} ({len(items)})</h3><ul>")
        parts += [f"<li><code>{esc(_where(f))}</code> {esc(f.rule_id)}: {esc(f.message)}</li>"
                  for f in items[:limit]]
        if len(items) > limit:
            parts.append(f"<li>… and {len(items) - limit} more</li>")
        parts.append("</ul>")
    if len(comparison.trend) > 2:
        parts.append(_svg(trend_chart(comparison)))
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def _svg(chart: BarChart) -> str:
    esc = html.escape
    out = [f'<svg class="chart" role="img" aria-label="{esc(chart.title)}" '
           f'viewBox="0 0 {chart.width} {chart.height}" width="{chart.width}" '
           f'height="{chart.height}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{esc(chart.title)}</title>"]
    for bar in chart.bars:
        y_text = bar.y + bar.height * 0.7
        out.append(f'<text x="{chart.label_width - 8}" y="{y_text}" text-anchor="end" '
                   f'class="chart-label">{esc(bar.label)}</text>'
                   f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
                   f'rx="3" class="{bar.css}"/>'
                   f'<text x="{bar.x + bar.width + 6}" y="{y_text}" '
                   f'class="chart-value">{bar.value}</text>')
    out.append("</svg>")
    return "".join(out)
