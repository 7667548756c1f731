"""The JSON contract: ``AuditResult`` to plain data and back (report, merge, baseline).

A saved result comes from outside (a CI artefact, a file anyone could have edited): reading
one checks every value's type before use (``ResultFormatError`` names the first that is
wrong, never a crash) and shows every string's control and bidirectional characters as
U+FFFD, so no saved result can write escape sequences to a terminal.
"""

from __future__ import annotations

import re
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
    Role,
    RootInfo,
    ScanStats,
    Severity,
    Suggestion,
    SuppressionComment,
    ToolInfo,
)
from auditor.util.text import neutralise


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
        "role": finding.role.value if finding.role is not None else None,
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
        role=Role(data["role"]) if data.get("role") else None,
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


def root_info_to_dict(info: RootInfo) -> dict[str, Any]:
    return {"root": info.root, "name": info.name, "repo_path": info.repo_path, "top": info.top}


def root_info_from_dict(data: Mapping[str, Any]) -> RootInfo:
    repo_path, top = data.get("repo_path"), data.get("top")
    return RootInfo(root=str(data["root"]), name=str(data["name"]),
                    repo_path=None if repo_path is None else str(repo_path),
                    top=None if top is None else str(top))


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
        **({"root_info": [root_info_to_dict(i) for i in result.root_info]}
           if result.root_info else {}),
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


MAX_SAVED_VALUES = 5_000_000
"""A saved result with more JSON values than this is refused (memory stays bounded)."""


def checked_plain_data(data: Any) -> Any:
    """``data`` (as ``json.loads`` gives it) with every string neutralised for terminals;
    ResultFormatError past ``MAX_SAVED_VALUES`` values. Iterative: any depth."""
    count = 0

    def clean(value: Any) -> Any:
        return neutralise(value) if isinstance(value, str) else value

    top: list[Any] = [data]
    stack: list[tuple[Any, Any]] = [(top, 0)]
    while stack:
        holder, key = stack.pop()
        value = holder[key]
        count += 1
        if count > MAX_SAVED_VALUES:
            raise ResultFormatError(f"more than {MAX_SAVED_VALUES:,} values")
        if isinstance(value, dict):
            fresh = {clean(k): v for k, v in value.items()}
            holder[key] = fresh
            stack.extend((fresh, k) for k in fresh)
        elif isinstance(value, list):
            fresh_list = list(value)
            holder[key] = fresh_list
            stack.extend((fresh_list, i) for i in range(len(fresh_list)))
        else:
            holder[key] = clean(value)
    return top[0]


def _typed(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    """``value`` if it is of ``kind`` (a bool is not an int); ResultFormatError if not."""
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ResultFormatError(f"{where} must not be true/false")
    if not isinstance(value, kind):
        raise ResultFormatError(f"{where} has the wrong type ({type(value).__name__})")
    return value


_FINDING_TYPES: dict[str, type | tuple[type, ...]] = {
    "rule_id": str, "category": str, "severity": str, "effort": str, "root": str, "path": str,
    "line": int, "column": int, "end_line": int, "end_column": int,
    "identifier": (str, type(None)), "model": (dict, type(None)), "message": str,
    "snippet": str, "context": str, "fingerprint": str, "details": (dict, type(None)),
    "suggestions": (list, type(None)), "cell": (int, type(None)),
    "cell_line": (int, type(None)), "baseline_state": (str, type(None)),
}
_DIAGNOSTIC_TYPES: dict[str, type | tuple[type, ...]] = {
    "root": str, "path": str, "code": str, "message": str, "line": (int, type(None)),
}
_SCALAR = (str, int, float, bool, type(None))


def _check_fields(item: Any, types: Mapping[str, type | tuple[type, ...]], where: str) -> None:
    _typed(item, dict, where)
    for name, kind in types.items():
        if name in item:
            _typed(item[name], kind, f"{where}.{name}")
    for name, value in (item.get("details") or {}).items():
        _typed(value, _SCALAR, f"{where}.details.{name}")
    model = item.get("model")
    for name, value in (model or {}).items():
        _typed(value, _SCALAR, f"{where}.model.{name}")
    for index, suggestion in enumerate(item.get("suggestions") or []):
        _typed(suggestion, dict, f"{where}.suggestions[{index}]")
        for name, value in suggestion.items():
            if name == "checks":
                for number, check in enumerate(_typed(value, list, f"{where}.checks")):
                    _typed(check, dict, f"{where}.checks[{number}]")
                    for field_name, field_value in check.items():
                        _typed(field_value, _SCALAR, f"{where}.checks[{number}].{field_name}")
            else:
                _typed(value, _SCALAR, f"{where}.suggestions[{index}].{name}")


def result_from_dict(data: Mapping[str, Any]) -> AuditResult:
    """Rebuild a result from its JSON form; raises ResultFormatError with the reason."""
    try:
        data = checked_plain_data(data)
        _typed(data, dict, "the result")
        version = str(_typed(data["schema_version"], str, "schema_version"))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise ResultFormatError(
                f"schema_version {version} is not supported (this tool reads {SCHEMA_VERSION})"
            )
        for index, item in enumerate(_typed(data.get("findings"), list, "findings")):
            _check_fields(item, _FINDING_TYPES, f"findings[{index}]")
        for index, item in enumerate(_typed(data.get("diagnostics", []), list, "diagnostics")):
            _check_fields(item, _DIAGNOSTIC_TYPES, f"diagnostics[{index}]")
        for index, root in enumerate(_typed(data.get("roots"), list, "roots")):
            _typed(root, str, f"roots[{index}]")
        tool = _typed(data.get("tool"), dict, "tool")
        for name, value in tool.items():
            _typed(value, (str, type(None)), f"tool.{name}")
        stats = _typed(data.get("stats") or {}, dict, "stats")
        for name in ("files_by_kind", "policy"):
            for key, value in _typed(stats.get(name) or {}, dict, f"stats.{name}").items():
                _typed(value, int, f"stats.{name}.{key}")
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
            root_info=tuple(root_info_from_dict(i) for i in data.get("root_info") or []),
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
    except ResultFormatError as exc:
        if str(exc).startswith("schema_version"):
            raise
        raise ResultFormatError(f"not a llama-audit JSON result: {exc}") from exc
    except KeyError as exc:
        raise ResultFormatError(f"not a llama-audit JSON result: {exc} is missing") from exc
    except Exception as exc:  # any other shape problem: one line, never a traceback
        raise ResultFormatError(
            f"not a llama-audit JSON result: {type(exc).__name__}: {exc}") from exc


_CACHE_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""What a scan never writes into a cached string (newlines and tabs it may: parser messages)."""


def cached_outcome(found: Any, problems: Any) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...]]:
    """Findings and diagnostics from a cache entry, checked as strictly as a saved result and
    more: no escape or bidirectional character anywhere, no absolute or ``..`` path (a cache
    directory anyone can write to must not put either in a report). ResultFormatError if not."""
    found = _typed(found, list, "findings")
    problems = _typed(problems, list, "diagnostics")
    if len(found) + len(problems) > MAX_SAVED_VALUES // 100:
        raise ResultFormatError("too many entries")
    for index, item in enumerate(found):
        _check_fields(item, _FINDING_TYPES, f"findings[{index}]")
    for index, item in enumerate(problems):
        _check_fields(item, _DIAGNOSTIC_TYPES, f"diagnostics[{index}]")
    for item in [*found, *problems]:
        path = item.get("path")
        if isinstance(path, str) and (path.startswith("/") or ".." in path.split("/")):
            raise ResultFormatError(f"path {path!r} leaves its root")
        _no_unsafe_text(item)
    try:
        return (tuple(finding_from_dict(f) for f in found),
                tuple(diagnostic_from_dict(d) for d in problems))
    except ResultFormatError:
        raise
    except Exception as exc:
        raise ResultFormatError(f"{type(exc).__name__}: {exc}") from exc


def _no_unsafe_text(data: Any) -> None:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _CACHE_UNSAFE.search(value):
                raise ResultFormatError("a control or bidirectional character")
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _is_detail_key(key: object) -> TypeGuard[DetailKey]:
    """Keys outside the vocabulary (a result written by another version) are left out."""
    return isinstance(key, str) and key in DETAIL_KEYS
