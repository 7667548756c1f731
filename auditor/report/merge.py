"""Combine saved JSON results (one per repository) into one result.

The merged result is what one scan of all the roots would have produced: roots in the order
given, findings and diagnostics sorted the way the engine sorts them, file and policy counts
added up.
``duration_seconds`` is the sum of the inputs' durations (the work done, not wall time).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from auditor.errors import AuditError
from auditor.serialize import ResultFormatError, result_from_dict
from auditor.types import SCHEMA_VERSION, AuditResult, RootInfo, ScanStats


class MergeError(AuditError, ValueError):
    """Results that cannot be combined; the message says which and why."""


def load_result(path: Path) -> AuditResult:
    """Read one saved JSON result; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise MergeError(f"{path} is not UTF-8 text: {exc}") from exc
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # also 4,301-digit integers, deep nesting
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        raise MergeError(f"{path} is not JSON: {reason}") from exc
    if not isinstance(data, dict):
        raise MergeError(f"{path} is not a llama-audit JSON result (top level is not an object)")
    try:
        return result_from_dict(data)
    except ResultFormatError as exc:
        raise MergeError(f"{path}: {exc}") from exc


def merge_results(results: Sequence[AuditResult], names: Sequence[str] | None = None,
                  root_names: Sequence[str] = ()) -> AuditResult:
    """One result from several; ``names`` (e.g. file names) label the inputs in errors;
    ``root_names`` (``merge --name``) name each input's single root."""
    if not results:
        raise MergeError("nothing to merge")
    names_given = list(root_names)
    if names_given and len(names_given) != len(results):
        raise MergeError(f"--name was given {len(names_given)} time(s) for {len(results)} "
                         "result(s): give one name per result, in the same order")
    labels = list(names) if names is not None else [f"input {i + 1}" for i in
                                                    range(len(results))]
    first = results[0]
    for label, result in zip(labels[1:], results[1:], strict=True):
        if result.tool != first.tool:
            raise MergeError(
                f"{label} was made by {_describe(result)}, {labels[0]} by {_describe(first)}; "
                "scan every repository with the same llama-audit, rules and catalog to merge"
            )
    named = [_named(r, label, names_given[i] if names_given else None)
             for i, (label, r) in enumerate(zip(labels, results, strict=True))]
    results = _relabelled(named, labels)
    roots = [root for result in results for root in result.roots]
    findings = sorted((f for r in results for f in _rooted(r).findings), key=lambda f: f.sort_key)
    diagnostics = sorted((d for r in results for d in _rooted(r).diagnostics),
                         key=lambda d: d.sort_key)
    kinds: Counter[str] = Counter()
    policy: dict[str, int] = {}
    for result in results:
        kinds.update(dict(result.stats.files_by_kind))
        for key, count in result.stats.policy:
            policy[key] = policy.get(key, 0) + count
    return AuditResult(
        tool=first.tool,
        roots=tuple(roots),
        findings=tuple(findings),
        diagnostics=tuple(diagnostics),
        stats=ScanStats(
            files_discovered=sum(r.stats.files_discovered for r in results),
            files_scanned=sum(r.stats.files_scanned for r in results),
            files_parsed=sum(r.stats.files_parsed for r in results),
            files_skipped=sum(r.stats.files_skipped for r in results),
            files_by_kind=tuple(sorted(kinds.items())),
            duration_seconds=sum(r.stats.duration_seconds for r in results),
            policy=tuple(policy.items()),
        ),
        schema_version=SCHEMA_VERSION,
        root_info=tuple(info for r in results for info in r.root_info),
    )


def _named(result: AuditResult, label: str, name: str | None) -> AuditResult:
    """``result`` with a RootInfo for every root: its own, ``name`` (``merge --name``), or a
    default (the root itself; the input file's name for a root of ".")."""
    if name is not None:
        if len(result.roots) != 1:
            raise MergeError(f"--name {name!r}: {label} has {len(result.roots)} roots; "
                             "--name names a result with one root")
        if not name.strip():
            raise MergeError("--name must not be empty")
    known = {info.root: info for info in result.root_info}
    infos = []
    for root in result.roots:
        info = known.get(root) or RootInfo(root=root, name=_default_name(root, label))
        infos.append(replace(info, name=name) if name is not None else info)
    return replace(_rooted(result), root_info=tuple(infos))


def _default_name(root: str, label: str) -> str:
    if PurePosixPath(root).name not in ("", ".", ".."):
        return root
    stem = PurePosixPath(label.replace("\\", "/")).name
    return stem[:-5] if stem.endswith(".json") else stem


def _relabelled(results: list[AuditResult], labels: list[str]) -> list[AuditResult]:
    """Roots that appear in several inputs are relabelled by their names (and lose their
    ``top``: it was written relative to another working directory); the same name twice is
    refused (the same repository twice, or two repositories that need --name)."""
    by_name: dict[str, str] = {}
    by_root: Counter[str] = Counter(root for r in results for root in r.roots)
    out = []
    for label, result in zip(labels, results, strict=True):
        for info in result.root_info:
            if info.name in by_name:
                raise MergeError(
                    f"{by_name[info.name]} and {label} both hold a repository named "
                    f"{info.name!r}: the same result twice, or two repositories with one name; "
                    "name them with 'scan --name NAME' or 'merge --name NAME' (once per result)")
            by_name[info.name] = label
        rename = {root: info.name for root, info in zip(result.roots, result.root_info,
                                                          strict=True) if by_root[root] > 1}
        infos = tuple(replace(info, root=rename[info.root], top=None)
                      if info.root in rename else info for info in result.root_info)
        if not rename:
            out.append(replace(result, root_info=infos))
            continue
        out.append(replace(
            result, roots=tuple(rename.get(r, r) for r in result.roots), root_info=infos,
            findings=tuple(replace(f, root=rename.get(f.root, f.root)) for f in result.findings),
            diagnostics=tuple(replace(d, root=rename.get(d.root, d.root))
                              for d in result.diagnostics)))
    return out


def _rooted(result: AuditResult) -> AuditResult:
    """Results written without per-finding roots get their single root filled in."""
    if len(result.roots) != 1:
        return result
    root = result.roots[0]
    return replace(
        result,
        findings=tuple(f if f.root else replace(f, root=root) for f in result.findings),
        diagnostics=tuple(d if d.root else replace(d, root=root) for d in result.diagnostics),
    )


def _describe(result: AuditResult) -> str:
    tool = result.tool
    text = f"{tool.name} {tool.version} (rules {tool.rules_version}"
    if tool.catalog_date:
        text += f", catalog {tool.catalog_date}"
    return text + ")"
