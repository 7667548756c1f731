"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Built as plain data, validated against the OASIS schema in the tests. What GitHub needs and
what we do about it:

- one ``reportingDescriptor`` per rule id (title, explanation, help, ``helpUri`` to the rule's
  section of docs/rules.md), referenced by ``ruleId`` and ``ruleIndex``;
- ``partialFingerprints`` carry the finding fingerprint, which leaves the line number out, so
  an alert survives unrelated edits above it;
- locations are relative URIs with a ``uriBaseId`` declared in ``originalUriBaseIds``. A root
  inside a git work tree (the result's ``root_info``) gets URIs from the repository's top
  level, whatever folder was scanned, and ``%SRCROOT%`` is that top level: GitHub resolves
  URIs from the repository root. Other roots get one base id each, their URIs from the
  root; regions use 1-based lines and columns (columns count code points);
- GitHub stores at most 5,000 results per run (25,000 is the hard limit). Beyond
  ``MAX_RESULTS`` we keep the most severe findings and say how many were left out in a
  run-level notification; the JSON report always holds every finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from auditor.report.effort import finding_root
from auditor.report.rule_info import PROJECT_URL, RuleInfo, installed_rules, rule_info
from auditor.report.summary import replacement_text
from auditor.ruleset.load import Rule
from auditor.types import AuditResult, Diagnostic, Finding, Severity
from auditor.util.json_text import dumps_indented

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 5000
"""GitHub code scanning shows at most this many results of one run (see module docstring)."""
FINGERPRINT_KEY = "llamaAuditFingerprint/v1"

BASELINE_STATES = {"new": "new", "known": "unchanged"}
"""Our baseline states (policy stage) in SARIF's vocabulary."""

LEVELS: dict[Severity, str] = {
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def render_sarif(
    result: AuditResult,
    *,
    max_results: int = MAX_RESULTS,
    rules: Mapping[str, Rule] | None = None,
) -> str:
    return dumps_indented(sarif_log(result, max_results=max_results, rules=rules)) + "\n"


def sarif_log(
    result: AuditResult,
    *,
    max_results: int = MAX_RESULTS,
    rules: Mapping[str, Rule] | None = None,
) -> dict[str, Any]:
    """The whole SARIF log as plain data."""
    table = installed_rules() if rules is None else rules
    kept, dropped = _cap(result.findings, max_results)
    infos = _rule_infos(kept, table)
    index = {info.id: position for position, info in enumerate(infos)}
    bases = _bases(result)
    base_ids = {root: base.base_id for root, base in bases.items()}
    notifications = [_diagnostic_notification(d, result, base_ids) for d in result.diagnostics]
    if dropped:
        notifications.append(_dropped_notification(len(result.findings), dropped, max_results))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": result.tool.name,
                "version": result.tool.version,
                "semanticVersion": result.tool.version,
                "informationUri": PROJECT_URL,
                "rules": [_rule_descriptor(info) for info in infos],
            }
        },
        "originalUriBaseIds": {
            base.base_id: base.location for base in bases.values()
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule_id], result, base_ids) for f in kept],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "properties": {
            "schemaVersion": result.schema_version,
            "rulesVersion": result.tool.rules_version,
            "catalogDate": result.tool.catalog_date,
            "catalogSource": result.tool.catalog_source,
            "totalFindings": len(result.findings),
            "omittedFindings": dropped,
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def root_base_ids(roots: tuple[str, ...]) -> dict[str, str]:
    """``%SRCROOT%`` for a single root; ``%SRCROOT1%``... in the given order for several."""
    if len(roots) <= 1:
        return {root: "%SRCROOT%" for root in roots}
    return {root: f"%SRCROOT{number}%" for number, root in enumerate(roots, start=1)}


@dataclass(frozen=True)
class _Base:
    base_id: str
    location: dict[str, Any]


def _bases(result: AuditResult) -> dict[str, _Base]:
    """Root → its URI base: the git top level for roots in a repository (roots of the same
    repository share it), else the root itself."""
    tops = {info.root: info.top for info in result.root_info
            if info.repo_path is not None and info.top is not None}
    keys: dict[str, tuple[str, str]] = {
        root: ("top", tops[root]) if root in tops else ("root", root) for root in result.roots}
    distinct = list(dict.fromkeys(keys.values()))
    ids = root_base_ids(tuple(f"{kind}:{where}" for kind, where in distinct))
    bases: dict[str, _Base] = {}
    for root, key in keys.items():
        kind, where = key
        location = _root_location(where) if kind == "root" else _top_location(where)
        bases[root] = _Base(ids[f"{kind}:{where}"], location)
    return bases


def _top_location(top: str) -> dict[str, Any]:
    description = {"text": f"top level of the git repository {top}"}
    for flavour in (PurePosixPath, PureWindowsPath):
        candidate = flavour(top)
        if candidate.is_absolute():
            uri = candidate.as_uri()
            return {"uri": uri if uri.endswith("/") else uri + "/", "description": description}
    return {"description": {"text": description["text"] + " (relative to the directory "
                                    "llama-audit ran in)"}}


def _repo_path(path: str, root: str, result: AuditResult) -> str:
    """``path`` from the repository top level when the root's place in it is known."""
    for info in result.root_info:
        if info.root == root and info.repo_path:
            return f"{info.repo_path}/{path}"
    return path


def _cap(findings: tuple[Finding, ...], limit: int) -> tuple[list[Finding], int]:
    """Keep the ``limit`` most severe findings, in their original order."""
    if len(findings) <= limit:
        return list(findings), 0
    ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].severity.rank, i))
    keep = sorted(ranked[:limit])
    return [findings[i] for i in keep], len(findings) - limit


def _rule_infos(findings: list[Finding], rules: Mapping[str, Rule]) -> list[RuleInfo]:
    examples: dict[str, Finding] = {}
    for finding in findings:
        examples.setdefault(finding.rule_id, finding)
    return [rule_info(rule_id, examples[rule_id], rules) for rule_id in sorted(examples)]


def _rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    help_text = info.why
    help_markdown = f"**{info.title}**\n\n{info.why}"
    if info.use_instead:
        help_text += f"\n\nUse instead: {info.use_instead}"
        help_markdown += f"\n\n**Use instead:** {info.use_instead}"
    help_text += f"\n\nDocumentation: {info.help_uri}"
    help_markdown += f"\n\n[Documentation]({info.help_uri})"
    return {
        "id": info.id,
        "name": _pascal(info.slug),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.why},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {
            "tags": ["llama", "migration", info.category.value],
            "category": info.category.value,
            "severity": info.severity.value,
            "effort": info.effort.value,
        },
    }


def _result(
    finding: Finding, rule_index: int, result: AuditResult, base_ids: dict[str, str]
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "category": finding.category.value,
        "severity": finding.severity.value,
        "effort": finding.effort.value,
        "identifier": finding.identifier,
        "model": finding.model.to_dict() if finding.model else None,
        "suggestions": [s.to_dict() for s in finding.suggestions],
    }
    if finding.details:
        properties["details"] = dict(finding.details)
    if finding.cell is not None:
        properties["cell"] = finding.cell
        properties["cellLine"] = finding.cell_line
    item: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": result_message(finding)},
        "locations": [
            {"physicalLocation": _physical_location(finding, result, base_ids, with_region=True)}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }
    state = BASELINE_STATES.get(finding.baseline_state or "")
    if state is not None:
        item["baselineState"] = state
    return item


def result_message(finding: Finding) -> str:
    """The finding's message, where it is in a notebook, and the suggested replacement."""
    text = finding.message.rstrip()
    if not text.endswith("."):
        text += "."
    if finding.cell is not None:
        text += f" Notebook cell {finding.cell}, line {finding.cell_line}."
    if finding.suggestions:
        first, *others = finding.suggestions
        text += f" Suggested replacement: {replacement_text(first)} ({first.family})."
        if others:
            text += " Alternatives: " + ", ".join(replacement_text(s) for s in others) + "."
    return text


def _physical_location(
    finding: Finding, result: AuditResult, base_ids: dict[str, str], *, with_region: bool
) -> dict[str, Any]:
    root = finding_root(finding, result)
    location: dict[str, Any] = {
        "artifactLocation": _artifact(_repo_path(finding.path, root, result), root, base_ids)}
    if with_region:
        location["region"] = _region(finding.line, finding.column, finding.end_line,
                                     finding.end_column, finding.snippet)
    return location


def _artifact(path: str, root: str, base_ids: dict[str, str]) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": quote(path, safe="/")}
    base = base_ids.get(root)
    if base is None and base_ids:
        base = next(iter(base_ids.values()))
    if base is not None:
        artifact["uriBaseId"] = base
    return artifact


def _region(line: int, column: int, end_line: int, end_column: int, snippet: str) -> dict[str, Any]:
    start_line = max(1, line)
    start_column = max(1, column)
    last_line = max(start_line, end_line)
    last_column = max(1, end_column)
    if last_line == start_line:
        last_column = max(start_column, last_column)
    region: dict[str, Any] = {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": last_line,
        "endColumn": last_column,
    }
    if snippet:
        region["snippet"] = {"text": snippet}
    return region


def _root_location(root: str) -> dict[str, Any]:
    """An absolute root becomes a file URI; a relative one stays relative to the working dir."""
    description = {"text": f"scan root {root}"}
    for flavour in (PurePosixPath, PureWindowsPath):
        candidate = flavour(root)
        if candidate.is_absolute():
            uri = candidate.as_uri()
            return {"uri": uri if uri.endswith("/") else uri + "/", "description": description}
    return {"description": {"text": f"scan root {root or '.'} (relative to the directory "
                                    "llama-audit ran in)"}}


def _diagnostic_notification(
    diagnostic: Diagnostic, result: AuditResult, base_ids: dict[str, str]
) -> dict[str, Any]:
    root = diagnostic.root or (result.roots[0] if len(result.roots) == 1 else "")
    location: dict[str, Any] = {
        "artifactLocation": _artifact(_repo_path(diagnostic.path, root, result), root, base_ids)}
    if diagnostic.line is not None and diagnostic.line >= 1:
        location["region"] = {"startLine": diagnostic.line}
    return {
        "level": "warning",
        "message": {"text": f"{diagnostic.path}: {diagnostic.message}"},
        "descriptor": {"id": diagnostic.code},
        "locations": [{"physicalLocation": location}],
    }


def _dropped_notification(total: int, dropped: int, limit: int) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {
            "text": (
                f"{dropped} of {total} findings are not in this SARIF run: GitHub code scanning "
                f"shows at most {limit:,} results per run, so only the {limit:,} most severe "
                "are included. The JSON report (--json-output) lists every finding."
            )
        },
        "descriptor": {"id": "results-truncated"},
    }


def _pascal(slug: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", slug) if part)
