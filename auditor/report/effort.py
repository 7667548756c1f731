"""Effort roll-ups: how much migration work a result holds, per repository and per directory.

Each finding carries one effort class (swap, adapt, retrain, keep). The roll-ups count them;
``heaviest`` names the largest class present, which is what a planner reads first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from auditor.types import AuditResult, Effort, Finding

EFFORT_ORDER: tuple[Effort, ...] = (Effort.RETRAIN, Effort.ADAPT, Effort.SWAP, Effort.KEEP)
"""Heaviest first."""

EFFORT_MEANING: dict[Effort, str] = {
    Effort.SWAP: "change an identifier to the replacement",
    Effort.ADAPT: "change code around the model (classes, prompt format, APIs)",
    Effort.RETRAIN: "re-create fine-tunes or adapters on the new base model",
    Effort.KEEP: "no change needed to leave Llama (runtime serves any model)",
}


@dataclass(frozen=True, slots=True)
class EffortCounts:
    swap: int = 0
    adapt: int = 0
    retrain: int = 0
    keep: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> EffortCounts:
        counts = dict.fromkeys(Effort, 0)
        for finding in findings:
            counts[finding.effort] += 1
        return cls(
            swap=counts[Effort.SWAP],
            adapt=counts[Effort.ADAPT],
            retrain=counts[Effort.RETRAIN],
            keep=counts[Effort.KEEP],
        )

    def count(self, effort: Effort) -> int:
        return {
            Effort.SWAP: self.swap,
            Effort.ADAPT: self.adapt,
            Effort.RETRAIN: self.retrain,
            Effort.KEEP: self.keep,
        }[effort]

    @property
    def total(self) -> int:
        return self.swap + self.adapt + self.retrain + self.keep

    @property
    def to_change(self) -> int:
        """Findings that need work (everything but keep)."""
        return self.swap + self.adapt + self.retrain

    @property
    def heaviest(self) -> Effort | None:
        for effort in EFFORT_ORDER:
            if self.count(effort):
                return effort
        return None

    def as_dict(self) -> dict[str, int]:
        return {effort.value: self.count(effort) for effort in EFFORT_ORDER}


@dataclass(frozen=True, slots=True)
class EffortRow:
    """Effort for one scope: a whole root (``directory`` is None) or one directory in it."""

    root: str
    directory: str | None
    counts: EffortCounts

    def label(self, *, with_root: bool = True) -> str:
        """The root for a root row; the directory, prefixed by its root if asked, otherwise."""
        if self.directory is None:
            return self.root or "."
        if not with_root or self.root in ("", "."):
            return self.directory
        return f"{self.root}: {self.directory}"


def effort_total(result: AuditResult) -> EffortCounts:
    return EffortCounts.of(result.findings)


def finding_root(finding: Finding, result: AuditResult) -> str:
    """The root a finding belongs to; single-root results may leave ``Finding.root`` empty."""
    if finding.root:
        return finding.root
    return result.roots[0] if len(result.roots) == 1 else ""


def effort_by_root(result: AuditResult) -> list[EffortRow]:
    """One row per scan root, in the order the roots were given (roots without findings too)."""
    grouped: dict[str, list[Finding]] = {root: [] for root in result.roots}
    for finding in result.findings:
        grouped.setdefault(finding_root(finding, result), []).append(finding)
    return [EffortRow(root, None, EffortCounts.of(items)) for root, items in grouped.items()]


def directory_of(path: str, depth: int | None = None) -> str:
    """The directory holding ``path`` ("." at the top), cut to ``depth`` components if given."""
    parts = PurePosixPath(path).parent.parts
    if depth is not None:
        parts = parts[:depth]
    return "/".join(parts) if parts else "."


def effort_by_directory(result: AuditResult, *, depth: int | None = None) -> list[EffortRow]:
    """One row per (root, directory) that has findings, sorted by root order then directory."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        key = (finding_root(finding, result), directory_of(finding.path, depth))
        grouped.setdefault(key, []).append(finding)
    root_order = {root: index for index, root in enumerate(result.roots)}
    keys = sorted(grouped, key=lambda k: (root_order.get(k[0], len(root_order)), k[0], k[1]))
    return [EffortRow(root, directory, EffortCounts.of(grouped[(root, directory)]))
            for root, directory in keys]


def effort_rows(result: AuditResult) -> list[EffortRow]:
    """What the human reports list: per root (when several) followed by its directories."""
    directories = effort_by_directory(result)
    if len(result.roots) <= 1:
        return directories
    rows: list[EffortRow] = []
    for root_row in effort_by_root(result):
        rows.append(root_row)
        rows.extend(row for row in directories if row.root == root_row.root)
    return rows
