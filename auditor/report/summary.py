"""What every human-readable format shows, computed once: counts, files, per-model plans.

Renderers (terminal, Markdown, HTML) only lay these values out; they never count themselves,
so the numbers agree across formats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.report.effort import EffortCounts, finding_root
from auditor.types import AuditResult, Category, Finding, ModelRef, Severity, Suggestion

SEVERITY_ORDER: tuple[Severity, ...] = (Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)


@dataclass(frozen=True, slots=True)
class FileGroup:
    root: str
    path: str
    findings: tuple[Finding, ...]

    @property
    def display_path(self) -> str:
        return join_root(self.root, self.path)

    @property
    def worst(self) -> Severity:
        return max((f.severity for f in self.findings), key=lambda s: s.rank)


@dataclass(frozen=True, slots=True)
class PlannedReplacement:
    """One replacement model for a plan, with every name it goes by in the code's runtimes."""

    suggestion: Suggestion
    runtime_names: tuple[str, ...]

    @property
    def names_text(self) -> str:
        """``hub/id`` plus the other runtimes' names, e.g. ``google/x (also: x:tag)``."""
        others = [n for n in self.runtime_names if n != self.suggestion.hub_id]
        if not others:
            return self.suggestion.hub_id
        return f"{self.suggestion.hub_id} (also: {', '.join(others)})"


@dataclass(frozen=True, slots=True)
class ModelPlan:
    """One Llama model the code depends on and what to move it to."""

    key: str
    label: str
    model: ModelRef
    identifiers: tuple[str, ...]
    findings: tuple[Finding, ...]
    suggestions: tuple[PlannedReplacement, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({join_root(f.root, f.path) for f in self.findings}))


@dataclass(frozen=True, slots=True)
class Overview:
    total: int
    files: int
    models: int
    by_severity: tuple[tuple[Severity, int], ...]
    by_category: tuple[tuple[Category, int], ...]
    by_effort: EffortCounts
    diagnostics: int


def join_root(root: str, path: str) -> str:
    """A path as a reader finds it: prefixed by its root when the root is not the cwd."""
    if root in ("", "."):
        return path
    root = root.rstrip("/")
    if root == path or root.endswith("/" + path):
        return root  # the root is the file itself (e.g. pre-commit passes file names)
    return f"{root}/{path}"


def location(finding: Finding) -> str:
    """``path:line:column``, with the notebook cell when there is one."""
    text = f"{finding.path}:{finding.line}:{finding.column}"
    if finding.cell is not None:
        text += f" (cell {finding.cell}, line {finding.cell_line})"
    return text


def overview(result: AuditResult) -> Overview:
    severities = Counter(f.severity for f in result.findings)
    categories = Counter(f.category for f in result.findings)
    return Overview(
        total=len(result.findings),
        files=len({(finding_root(f, result), f.path) for f in result.findings}),
        models=len(migration_plans(result)),
        by_severity=tuple((s, severities[s]) for s in SEVERITY_ORDER),
        by_category=tuple((c, categories[c]) for c in CATEGORY_ORDER),
        by_effort=EffortCounts.of(result.findings),
        diagnostics=len(result.diagnostics),
    )


def group_by_file(result: AuditResult) -> list[FileGroup]:
    """Findings per file, files in root order then path order, findings by position."""
    root_order = {root: index for index, root in enumerate(result.roots)}
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        grouped.setdefault((finding_root(finding, result), finding.path), []).append(finding)
    keys = sorted(grouped, key=lambda k: (root_order.get(k[0], len(root_order)), k[0], k[1]))
    return [
        FileGroup(root, path, tuple(sorted(grouped[(root, path)], key=lambda f: f.sort_key)))
        for root, path in keys
    ]


def model_key(model: ModelRef) -> str:
    """Findings that most likely mean the same Meta model share a plan."""
    return model.canonical_id or model.label()


def migration_plans(result: AuditResult) -> list[ModelPlan]:
    """One plan per distinct Llama model, most-referenced first."""
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.model is not None:
            grouped.setdefault(model_key(finding.model), []).append(finding)
    plans = []
    for key, findings in grouped.items():
        first = findings[0].model
        assert first is not None
        plans.append(
            ModelPlan(
                key=key,
                label=first.label(),
                model=first,
                identifiers=_unique(f.identifier for f in findings if f.identifier),
                findings=tuple(findings),
                suggestions=unique_suggestions(findings),
            )
        )
    plans.sort(key=lambda p: (-len(p.findings), p.key))
    return plans


def unique_suggestions(findings: Iterable[Finding]) -> tuple[PlannedReplacement, ...]:
    """One entry per replacement model (first seen wins), with all its runtime names."""
    first: dict[str, Suggestion] = {}
    names: dict[str, list[str]] = {}
    for finding in findings:
        for suggestion in finding.suggestions:
            first.setdefault(suggestion.hub_id, suggestion)
            known = names.setdefault(suggestion.hub_id, [])
            if suggestion.runtime_name and suggestion.runtime_name not in known:
                known.append(suggestion.runtime_name)
    return tuple(PlannedReplacement(s, tuple(names[h])) for h, s in first.items())


def replacement_text(suggestion: Suggestion) -> str:
    """How a reader should name the replacement: runtime name, plus the Hub id if different."""
    if suggestion.runtime_name and suggestion.runtime_name != suggestion.hub_id:
        return f"{suggestion.runtime_name} ({suggestion.hub_id})"
    return suggestion.hub_id


def check_mark(passed: bool | None) -> str:
    return {True: "pass", False: "fail", None: "unknown"}[passed]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def summary_line(result: AuditResult) -> str:
    """The one-line count a scan prints on stderr and the text report ends with (no rich:
    a quiet JSON or SARIF scan in CI must not import it to print this line)."""
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
