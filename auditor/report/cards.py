"""The report body for people: one card per Llama model, then the other findings grouped.

A model card says where the model is used (each file once, with its lines and the kinds of
use), the plan for it (``enrich.decision.decide``: the same replacement ``scan``, ``plan``
and ``fix`` use, written in each runtime's own naming) and the effort. Findings that name no
model are grouped by package (dependencies) or by file and rule (APIs, prompt formats,
licenses, fine-tunes). HTML and Markdown lay these out; neither counts by itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from auditor.discover.filetypes import classify
from auditor.enrich.decision import decide, routing_prefixes
from auditor.report.effort import EffortCounts, finding_root
from auditor.report.facts import unconfirmed_names
from auditor.report.licenses import license_of, license_table
from auditor.report.summary import ModelPlan, join_root, migration_plans
from auditor.ruleset.load import RuleError, load_ruleset
from auditor.types import AuditResult, Category, FileKind, Finding

CATEGORY_KIND: dict[Category, str] = {
    Category.LOADER: "loader",
    Category.LLAMA_API: "Llama API",
    Category.PROMPT_FORMAT: "prompt format",
    Category.FINE_TUNE: "fine-tune",
    Category.DEPENDENCY: "dependency",
    Category.LICENSE: "license",
}
"""What a finding is, when its category says it; a plain model reference is told by its file."""

FILE_KIND: dict[FileKind, str] = {
    FileKind.PYTHON: "code",
    FileKind.SOURCE: "code",
    FileKind.NOTEBOOK: "notebook",
    FileKind.MANIFEST: "dependency",
    FileKind.LOCKFILE: "dependency",
    FileKind.CONFIG: "config",
    FileKind.INFRA: "deployment",
    FileKind.ARTEFACT: "model file",
    FileKind.TEXT: "docs",
    FileKind.OTHER: "other",
}


@dataclass(frozen=True, slots=True)
class FileUse:
    """One file that uses a model (or holds a group of findings): its lines and kinds."""

    path: str
    lines: tuple[int, ...]
    kinds: tuple[str, ...]

    @property
    def lines_text(self) -> str:
        return ", ".join(str(line) for line in self.lines)


@dataclass(frozen=True, slots=True)
class PlanRow:
    """Identifiers that get the same decision: what to write instead, or why nothing is."""

    written: tuple[str, ...]
    runtime: str
    replacement: str | None
    why: str


@dataclass(frozen=True, slots=True)
class ModelCard:
    plan: ModelPlan
    uses: tuple[FileUse, ...]
    rows: tuple[PlanRow, ...]
    effort: EffortCounts
    license: str | None
    alternatives: tuple[str, ...]
    """Replacements other than the decided ones, as ``hub/id (family)``."""
    reason: str
    """Why the first decided replacement fits (the planner's sentence)."""
    unconfirmed: tuple[str, ...]
    """Catalog facts behind this model's findings that are not confirmed."""

    @property
    def label(self) -> str:
        return self.plan.label

    @property
    def references(self) -> int:
        return len(self.plan.findings)


@dataclass(frozen=True, slots=True)
class OtherGroup:
    """Findings that name no model, under one heading (a package, or a rule's title)."""

    title: str
    what: str
    """``package`` or ``rule``: what the title names."""
    uses: tuple[FileUse, ...]
    effort: EffortCounts
    advice: str
    findings: tuple[Finding, ...]


def finding_kind(finding: Finding) -> str:
    """A short word for what a finding is: loader, notebook, config, docs, dependency..."""
    kind = CATEGORY_KIND.get(finding.category)
    if kind is not None:
        return kind
    return FILE_KIND.get(classify(finding.path), "other")


def file_uses(findings: Iterable[Finding], shown: Callable[[Finding], str]) -> tuple[FileUse, ...]:
    """Each file once, in path order, with its sorted lines and kinds (the file's first)."""
    lines: dict[str, set[int]] = {}
    kinds: dict[str, set[str]] = {}
    for finding in findings:
        path = shown(finding)
        lines.setdefault(path, set()).add(finding.line)
        kinds.setdefault(path, set()).add(finding_kind(finding))
    uses = []
    for path in sorted(lines):
        where = FILE_KIND.get(classify(path), "other")
        what = sorted(kinds[path] - {where})
        uses.append(FileUse(path, tuple(sorted(lines[path])), (where, *what)))
    return tuple(uses)


def model_cards(result: AuditResult) -> list[ModelCard]:
    """One card per distinct Llama model, most-referenced first (the plans' order)."""
    shown = _shower(result)
    table = license_table()
    prefixes = _prefixes()
    cards = []
    for plan in migration_plans(result):
        rows = _plan_rows(plan.findings, prefixes)
        decided_ids = {f.suggestions[0].hub_id for f in plan.findings if f.suggestions}
        alternatives = tuple(f"{p.suggestion.hub_id} ({p.suggestion.family})"
                             for p in plan.suggestions if p.suggestion.hub_id not in decided_ids)
        reason = next((f.suggestions[0].reason for f in plan.findings
                       if planned_text(f) not in ("", "not swapped")), "")
        license_name = None
        if table is not None:
            license_name = next((found.name for f in plan.findings
                                 if (found := license_of(f, table)[0]) is not None), None)
        unconfirmed = sorted({name for f in plan.findings for name in unconfirmed_names(f)})
        cards.append(ModelCard(plan, file_uses(plan.findings, shown), rows,
                               EffortCounts.of(plan.findings), license_name, alternatives,
                               reason, tuple(unconfirmed)))
    return cards


def other_groups(result: AuditResult, advice: Callable[[Finding], str],
                 title: Callable[[Finding], str]) -> list[OtherGroup]:
    """Findings without a model: dependencies by package, the rest by rule (``title``)."""
    shown = _shower(result)
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        if finding.model is not None:
            continue
        package = finding.detail("package")
        key = ("package", package) if package else ("rule", title(finding))
        grouped.setdefault(key, []).append(finding)
    groups = [OtherGroup(name, what, file_uses(items, shown), EffortCounts.of(items),
                         advice(items[0]), tuple(items))
              for (what, name), items in grouped.items()]
    groups.sort(key=lambda g: (g.what != "package", -len(g.findings), g.title))
    return groups


@dataclass(frozen=True, slots=True)
class AppendixRow:
    """Findings in one file with the same rule, identifier and outcome: one printed row."""

    lines: tuple[int, ...]
    rule_id: str
    severity: str
    effort: str
    identifier: str
    planned: str

    @property
    def lines_text(self) -> str:
        return ", ".join(str(line) for line in self.lines)


def appendix_rows(findings: Iterable[Finding]) -> list[AppendixRow]:
    """A file's findings as printed rows, in position order; every finding's line is in one
    row, and findings that differ only in their line share it. Mentions in documentation and
    commented-out code (info, never swapped) share one row per rule whatever they name: the
    row lists every line and every name."""
    grouped: dict[tuple[str, str, str, str, str], list[int]] = {}
    names: dict[tuple[str, str, str, str, str], list[str]] = {}
    for finding in findings:
        mention = bool(finding.detail("mention"))
        key = (finding.rule_id, finding.severity.value, finding.effort.value,
               "" if mention else finding.identifier or "", planned_text(finding))
        grouped.setdefault(key, []).append(finding.line)
        written = names.setdefault(key, [])
        if mention and finding.identifier and finding.identifier not in written:
            written.append(finding.identifier)
    return [AppendixRow(tuple(lines), *key[:3], key[3] or ", ".join(names[key]), key[4])
            for key, lines in grouped.items()]


def planned_text(finding: Finding) -> str:
    """The decision for one finding in a few words: the replacement to write, ``not
    swapped`` (its model card says why), or "" when it names no model."""
    decision = decide(finding, _prefixes())
    if decision is None:
        return "not swapped" if finding.model is not None and finding.identifier else ""
    return decision.replacement or "not swapped"


def _plan_rows(findings: Iterable[Finding], prefixes: tuple[str, ...]) -> tuple[PlanRow, ...]:
    grouped: dict[tuple[str, str | None, str], list[str]] = {}
    key: tuple[str, str | None, str]
    for finding in findings:
        decision = decide(finding, prefixes)
        if decision is None:
            if finding.identifier and finding.model is not None:
                key = (finding.model.runtime, None,
                       "not Meta's weights: nothing to swap")
                grouped.setdefault(key, []).append(finding.identifier)
            continue
        why = "" if decision.replacement else decision.why
        key = (decision.runtime, decision.replacement, why)
        grouped.setdefault(key, []).append(decision.identifier)
    return tuple(PlanRow(tuple(dict.fromkeys(ids)), runtime, replacement, why)
                 for (runtime, replacement, why), ids in grouped.items())


def _shower(result: AuditResult) -> Callable[[Finding], str]:
    multi = len(result.roots) > 1

    def shown(finding: Finding) -> str:
        return join_root(finding_root(finding, result), finding.path) if multi else finding.path
    return shown


@lru_cache(maxsize=1)
def _prefixes() -> tuple[str, ...]:
    try:
        return routing_prefixes(load_ruleset())
    except RuleError:
        return ()



LONG_WHY = 160
"""A "not swapped" reason longer than this is shortened on the card: a list of several Hub ids
and the advice after its first sentence each become a numbered note, shown once however many
cards share it."""

_SENTENCE_END = re.compile(r"(?<=\.) (?=[A-Z])")
_HUB_ID = r"[A-Za-z0-9][\w.-]*/[\w.-]*[\w-]"
_ID_LIST = re.compile(rf"{_HUB_ID}(?:(?:, | or ){_HUB_ID})+")


@dataclass(frozen=True, slots=True)
class WhyNotes:
    """The parts of long "not swapped" reasons that repeat across cards, each distinct text
    once, numbered in the order the cards are laid out (as the check table numbers its
    notes); only the cards shown get numbers."""

    numbers: dict[str, int]

    def shown(self, row: PlanRow) -> str:
        """``row``'s reason as the card shows it: short ones whole, long ones with "note N"
        in place of a list of Hub ids and of the advice that follows the first sentence."""
        if row.replacement or len(row.why) <= LONG_WHY:
            return row.why
        parts = _SENTENCE_END.split(row.why, maxsplit=1)
        lead = _ID_LIST.sub(self._list_ref, parts[0]).removesuffix(".")
        if len(parts) < 2:
            return lead
        advice = parts[1]
        if row.runtime:
            advice = advice.replace(f"{row.runtime}'s", "the provider's")
        return f"{lead} (see note {self._number(advice)})"

    @property
    def notes(self) -> list[tuple[int, str]]:
        return [(number, text) for text, number in self.numbers.items()]

    def _number(self, text: str) -> int:
        return self.numbers.setdefault(text, len(self.numbers) + 1)

    def _list_ref(self, match: re.Match[str]) -> str:
        count = len(re.findall(_HUB_ID, match.group(0)))
        return f"the {count} replacements in note {self._number(match.group(0))}"


def why_notes() -> WhyNotes:
    """Empty notes, filled as cards are laid out."""
    return WhyNotes({})
