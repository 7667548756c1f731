"""GitLab Code Quality report: the JSON array of issues a merge request widget shows.

The format (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format) is a
subset of the Code Climate spec; every issue has ``description``, ``check_name`` (the rule id),
``fingerprint``, ``severity`` and ``location.path`` / ``location.lines.begin``.

- ``location.path`` is relative to the repository's top level, where GitLab resolves it: a root
  below the top level adds its folder (as SARIF does, see ``report.roots``); a root outside git
  keeps the path as reports show it (prefixed by the root when there are several).
- ``fingerprint`` is the finding's fingerprint, which stays the same when lines move; GitLab
  needs it unique, so a second finding with the same one gets ``-2`` appended, and so on.
- severities: info → info, low → minor, medium → major, high → critical.
"""

from __future__ import annotations

import hashlib
from typing import Any

from auditor.report.effort import finding_root
from auditor.report.sarif import result_message
from auditor.report.summary import join_root
from auditor.types import AuditResult, Finding, Severity
from auditor.util.json_text import dumps_indented

SEVERITIES = {Severity.INFO: "info", Severity.LOW: "minor", Severity.MEDIUM: "major",
              Severity.HIGH: "critical"}


def render_gitlab(result: AuditResult) -> str:
    return dumps_indented(code_quality_issues(result)) + "\n"


def code_quality_issues(result: AuditResult) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    issues = []
    for finding in result.findings:
        fingerprint = finding.fingerprint or _fallback_fingerprint(finding)
        count = seen.get(fingerprint, 0) + 1
        seen[fingerprint] = count
        if count > 1:
            fingerprint = f"{fingerprint}-{count}"
        issues.append({
            "description": result_message(finding),
            "check_name": finding.rule_id,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[finding.severity],
            "location": {"path": repository_path(finding, result),
                         "lines": {"begin": max(finding.line, 1)}},
        })
    return issues


def repository_path(finding: Finding, result: AuditResult) -> str:
    """The finding's path from its repository's top level (see the module docstring)."""
    root = finding_root(finding, result)
    for info in result.root_info:
        if info.root == root and info.repo_path is not None:
            return f"{info.repo_path}/{finding.path}" if info.repo_path else finding.path
    if len(result.roots) > 1:
        return join_root(root, finding.path)
    return finding.path


def _fallback_fingerprint(finding: Finding) -> str:
    """For a result whose findings carry no fingerprint (hand-made, or an old result)."""
    key = f"{finding.root}\0{finding.path}\0{finding.line}\0{finding.column}\0{finding.rule_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]
