"""Markdown for people: one section per Llama model, then the other findings grouped.

The same cards as the HTML report (``report.cards``): where each model is used (file, lines,
kinds), the plan for it (``enrich.decision``) and the effort. Every value from a scanned file
goes through ``md_text`` or ``md_code``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from auditor.report.cards import FileUse, ModelCard, OtherGroup
from auditor.report.effort import EFFORT_ORDER, EffortCounts
from auditor.report.facts import unconfirmed_sentence

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
"""Enough to keep text literal inside a table cell: no emphasis, links, HTML, code or cells."""


def md_text(text: str | None) -> str:
    """Plain text safe in a table cell: markdown and HTML punctuation backslash-escaped."""
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_code(text: str | None) -> str:
    """An inline code span that survives backticks and pipes in ``text``."""
    if not text:
        return ""
    flat = " ".join(text.split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or longest else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def effort_text(counts: EffortCounts) -> str:
    return ", ".join(f"{counts.count(e)} {e.value}" for e in EFFORT_ORDER if counts.count(e))


def model_section(card: ModelCard, link: Callable[[str, int], str]) -> str:
    """One model: what it is, the plan per identifier as written, every file that uses it."""
    plan = card.plan
    facts = []
    if plan.model.canonical_id:
        facts.append(f"Meta repository {md_code(plan.model.canonical_id)}")
    facts.append(_plural(card.references, "reference") + " in "
                 + _plural(len(card.uses), "file"))
    facts.append(f"effort: {effort_text(card.effort)}")
    if card.license:
        facts.append(md_text(card.license))
    lines = [f"#### {md_text(card.label)}", "", " · ".join(facts), "",
             "| Written as | Runtime | Plan |", "| --- | --- | --- |"]
    for row in card.rows:
        written = ", ".join(md_code(i) for i in row.written)
        planned = (f"write {md_code(row.replacement)}" if row.replacement
                   else f"not swapped: {md_text(row.why)}")
        lines.append(f"| {written} | {md_text(row.runtime)} | {planned} |")
    lines.append("")
    if card.alternatives:
        lines += ["Other candidates: " + ", ".join(md_text(a) for a in card.alternatives)
                  + ".", ""]
    lines += uses_table(card.uses, link)
    note = unconfirmed_sentence(card.unconfirmed)
    if note:
        lines += [f"_{md_text(note)}_", ""]
    return "\n".join(lines)


def other_section(group: OtherGroup, link: Callable[[str, int], str]) -> str:
    """Findings that name no model: one package, or one rule, with every file and line."""
    title = (f"Package {md_code(group.title)}" if group.what == "package"
             else md_text(group.title))
    ids = list(dict.fromkeys(f.rule_id for f in group.findings))
    rules = ("rule " if len(ids) == 1 else "rules ") + ", ".join(md_text(r) for r in ids)
    lines = [f"#### {title}", "",
             f"{_plural(len(group.findings), 'finding')} in {_plural(len(group.uses), 'file')}"
             f" · {rules} · effort: {effort_text(group.effort)}", ""]
    if group.advice:
        lines += [f"**Fix:** {md_text(group.advice)}", ""]
    lines += uses_table(group.uses, link)
    return "\n".join(lines)


def uses_table(uses: tuple[FileUse, ...], link: Callable[[str, int], str]) -> list[str]:
    lines = ["| File | Lines | Kind |", "| --- | --- | --- |"]
    for use in uses:
        lines.append(f"| [{md_text(use.path)}]({link(use.path, use.lines[0])}) | "
                     f"{use.lines_text} | {md_text(', '.join(use.kinds))} |")
    lines.append("")
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
