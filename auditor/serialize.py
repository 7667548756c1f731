"""The JSON contract: ``AuditResult`` to plain data and back (report, merge, baseline)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from auditor.details import DETAIL_KEYS, DetailKey
from auditor.errors import AuditError
from auditor.types import (
    SCHEMA_VERSION,
    AuditResult,
    Category,
    Diagnostic,
    Effort,
    Finding,
    ModelRef,
    ScanStats,
    Severity,
    Suggestion,
    SuppressionComment,
    ToolInfo,
)


class ResultFormatError(AuditError, ValueError):
    """A saved result that is not a llama-audit JSON report."""


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "effort": finding.effort.value,
        "root": finding.root,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "identifier": finding.identifier,
        "model": finding.model.to_dict() if finding.model else None,
        "message": finding.message,
        "snippet": finding.snippet,
        "context": finding.context,
        "fingerprint": finding.fingerprint,
        "details": dict(finding.details),
        "suggestions": [s.to_dict() for s in finding.suggestions],
    }
    if finding.cell is not None:
        data["cell"] = finding.cell
        data["cell_line"] = finding.cell_line
    if finding.baseline_state is not None:
        data["baseline_state"] = finding.baseline_state
    return data


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    model = data.get("model")
    details = data.get("details") or {}
    return Finding(
        rule_id=str(data["rule_id"]),
        category=Category(data["category"]),
        severity=Severity(data["severity"]),
        effort=Effort(data["effort"]),
        root=str(data.get("root", "")),
        path=str(data["path"]),
        line=int(data["line"]),
        column=int(data["column"]),
        end_line=int(data["end_line"]),
        end_column=int(data["end_column"]),
        identifier=data.get("identifier"),
        model=ModelRef.from_dict(model) if model else None,
        message=str(data["message"]),
        snippet=str(data.get("snippet", "")),
        context=str(data.get("context", "")),
        fingerprint=str(data.get("fingerprint", "")),
        details=tuple((k, str(v)) for k, v in details.items() if _is_detail_key(k)),
        suggestions=tuple(Suggestion.from_dict(s) for s in data.get("suggestions") or []),
        cell=data.get("cell"),
        cell_line=data.get("cell_line"),
        baseline_state=data.get("baseline_state"),
    )


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "root": diagnostic.root,
        "path": diagnostic.path,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "line": diagnostic.line,
    }


def diagnostic_from_dict(data: Mapping[str, Any]) -> Diagnostic:
    return Diagnostic(
        root=str(data.get("root", "")),
        path=str(data["path"]),
        code=str(data["code"]),
        message=str(data["message"]),
        line=data.get("line"),
    )


def comment_to_list(comment: SuppressionComment) -> list[Any]:
    """A recorded suppression comment as the warm-scan index stores it."""
    return [comment.line, comment.text, comment.alone, comment.cell]


def comment_from_list(data: Any) -> SuppressionComment:
    """Inverse of ``comment_to_list``; ValueError or TypeError when ``data`` is not one."""
    line, text, alone, cell = data
    if not isinstance(line, int) or not isinstance(text, str) or not isinstance(alone, bool) \
            or not (cell is None or isinstance(cell, int)):
        raise ValueError(f"not a suppression comment: {data!r}")
    return SuppressionComment(line, text, alone, cell)


def result_to_dict(result: AuditResult) -> dict[str, Any]:
    stats = result.stats
    return {
        "schema_version": result.schema_version,
        "tool": {
            "name": result.tool.name,
            "version": result.tool.version,
            "rules_version": result.tool.rules_version,
            "catalog_date": result.tool.catalog_date,
            "catalog_source": result.tool.catalog_source,
        },
        "roots": list(result.roots),
        "findings": [finding_to_dict(f) for f in result.findings],
        "diagnostics": [diagnostic_to_dict(d) for d in result.diagnostics],
        "stats": {
            "files_discovered": stats.files_discovered,
            "files_scanned": stats.files_scanned,
            "files_parsed": stats.files_parsed,
            "files_skipped": stats.files_skipped,
            "files_by_kind": dict(stats.files_by_kind),
            "duration_seconds": round(stats.duration_seconds, 3),
            **({"policy": dict(stats.policy)} if stats.policy else {}),
        },
    }


def result_from_dict(data: Mapping[str, Any]) -> AuditResult:
    """Rebuild a result from its JSON form; raises ResultFormatError with the reason."""
    try:
        version = str(data["schema_version"])
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise ResultFormatError(
                f"schema_version {version} is not supported (this tool reads {SCHEMA_VERSION})"
            )
        tool = data["tool"]
        stats = data.get("stats") or {}
        return AuditResult(
            schema_version=version,
            tool=ToolInfo(
                name=str(tool["name"]),
                version=str(tool["version"]),
                rules_version=str(tool["rules_version"]),
                catalog_date=tool.get("catalog_date"),
                catalog_source=tool.get("catalog_source"),
            ),
            roots=tuple(str(r) for r in data["roots"]),
            findings=tuple(finding_from_dict(f) for f in data["findings"]),
            diagnostics=tuple(diagnostic_from_dict(d) for d in data.get("diagnostics", [])),
            stats=ScanStats(
                files_discovered=int(stats.get("files_discovered", 0)),
                files_scanned=int(stats.get("files_scanned", 0)),
                files_parsed=int(stats.get("files_parsed", 0)),
                files_skipped=int(stats.get("files_skipped", 0)),
                files_by_kind=tuple(sorted((stats.get("files_by_kind") or {}).items())),
                duration_seconds=float(stats.get("duration_seconds", 0.0)),
                policy=tuple((str(k), int(v)) for k, v in (stats.get("policy") or {}).items()),
            ),
        )
    except ResultFormatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ResultFormatError(f"not a llama-audit JSON result: {exc!r}") from exc


def _is_detail_key(key: object) -> TypeGuard[DetailKey]:
    """Keys outside the vocabulary (a result written by another version) are left out."""
    return isinstance(key, str) and key in DETAIL_KEYS
