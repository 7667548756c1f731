"""One row per repository (scan root) for reports of many: the first table of a merged report.

A row counts the root's findings by severity, its distinct Llama models, its effort and the
Llama licenses it brings in. Roots are named by ``root_info`` (``scan --name``, git remote,
folder); results without names show the root itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.report.effort import EffortCounts, finding_root
from auditor.report.licenses import license_exposure
from auditor.report.roots import root_names
from auditor.report.summary import SEVERITY_ORDER, model_key
from auditor.types import AuditResult, Finding, Severity


@dataclass(frozen=True, slots=True)
class RepositoryRow:
    root: str
    name: str
    findings: int
    by_severity: tuple[tuple[Severity, int], ...]
    """Every severity, most severe first (zeros included, so columns line up)."""
    models: tuple[str, ...]
    effort: EffortCounts
    licenses: tuple[str, ...]
    """Names of the Llama licenses the repository brings in, oldest first."""

    def severity(self, severity: Severity) -> int:
        return dict(self.by_severity)[severity]


def repository_rows(result: AuditResult) -> list[RepositoryRow]:
    """Rows in the order the roots were given, repositories without findings included."""
    names = root_names(result)
    grouped: dict[str, list[Finding]] = {root: [] for root in result.roots}
    for finding in result.findings:
        grouped.setdefault(finding_root(finding, result), []).append(finding)
    licenses: dict[str, list[str]] = {root: [] for root in grouped}
    for exposure in license_exposure(result):
        for root in dict.fromkeys(finding_root(f, result) for f in exposure.findings):
            licenses.setdefault(root, []).append(exposure.license.name)
    rows = []
    for root, items in grouped.items():
        models = sorted({model_key(f.model) for f in items if f.model is not None})
        rows.append(RepositoryRow(
            root=root, name=names.get(root, root or "."), findings=len(items),
            by_severity=tuple((s, sum(1 for f in items if f.severity is s))
                              for s in SEVERITY_ORDER),
            models=tuple(models), effort=EffortCounts.of(items),
            licenses=tuple(licenses.get(root, ()))))
    return rows


def shows_repositories(result: AuditResult) -> bool:
    """A table of repositories is worth showing: several roots, and not all of them places in
    one git work tree (e.g. the files pre-commit passes, or two folders of one checkout)."""
    if len(result.roots) < 2:
        return False
    tops = [i.top for i in result.root_info if i.repo_path is not None and i.top is not None]
    return not (len(tops) == len(result.roots) and len(set(tops)) == 1)
