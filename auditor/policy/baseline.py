"""The baseline: findings a team has accepted, matched by fingerprint *and count*.

Each entry is (rule, path, identifier-or-snippet, enclosing scope) with how many times it
occurred, so one old entry can never hide a new look-alike: two known occurrences and three
current ones leave one new finding. Line numbers are stored only as hints for deciding *which*
occurrence is the new one. Paths are relative to the baseline file's directory, so the same
baseline works whatever directory the scan starts from. The content hash of each file lets a
renamed but unchanged file keep its findings (reported as moved).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.errors import AuditError
from auditor.fingerprint import compute_fingerprint
from auditor.types import Finding, ToolInfo
from auditor.util.json_text import dumps_indented

BASELINE_FORMAT = "llama-audit-baseline"
BASELINE_VERSION = 1
DEFAULT_BASELINE_NAME = ".llama-audit-baseline.json"


class BaselineError(AuditError, ValueError):
    """A baseline file that cannot be used; the message names the file."""


def content_hash(data: bytes) -> str:
    """Hash of a file's content with line endings normalised (a CRLF checkout is the same file)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def match_key(finding: Finding) -> str:
    """The text a fingerprint uses: the identifier, or the snippet when there is none."""
    return finding.identifier if finding.identifier else finding.snippet


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    rule_id: str
    path: str
    """Relative to the baseline file's directory, POSIX separators."""
    key: str
    context: str
    count: int
    lines: tuple[int, ...] = ()
    severity: str = ""
    key_is_identifier: bool = True

    @property
    def fingerprint(self) -> str:
        return compute_fingerprint(self.rule_id, self.path, self.key, self.context)

    @property
    def pathless(self) -> str:
        return compute_fingerprint(self.rule_id, "", self.key, self.context)


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]
    files: Mapping[str, str] = field(default_factory=dict)
    """Path (relative to the baseline's directory) to content hash, for files with entries."""
    source: str = ""
    """How to name the file in messages."""
    tool_version: str = ""

    @property
    def total(self) -> int:
        return sum(e.count for e in self.entries)


def build_baseline(
    findings: Sequence[Finding],
    anchored_paths: Sequence[str],
    file_hashes: Mapping[str, str],
    source: str = "",
    tool: ToolInfo | None = None,
) -> Baseline:
    """A baseline of ``findings``; ``anchored_paths[i]`` is finding i's path relative to the
    baseline's directory, ``file_hashes`` the content hash of each of those files."""
    groups: dict[tuple[str, str, str, str], list[Finding]] = defaultdict(list)
    for finding, path in zip(findings, anchored_paths, strict=True):
        groups[(path, finding.rule_id, finding.context, match_key(finding))].append(finding)
    entries = []
    for (path, rule_id, context, key), members in sorted(groups.items()):
        entries.append(BaselineEntry(
            rule_id=rule_id, path=path, key=key, context=context, count=len(members),
            lines=tuple(sorted(f.line for f in members)),
            severity=members[0].severity.value,
            key_is_identifier=bool(members[0].identifier),
        ))
    used = {e.path for e in entries}
    return Baseline(
        entries=tuple(entries),
        files={p: h for p, h in sorted(file_hashes.items()) if p in used},
        source=source,
        tool_version=tool.version if tool else "",
    )


def baseline_to_json(baseline: Baseline, tool: ToolInfo) -> str:
    findings = []
    for entry in baseline.entries:
        item: dict[str, Any] = {"rule_id": entry.rule_id, "path": entry.path}
        item["identifier" if entry.key_is_identifier else "snippet"] = entry.key
        item.update({
            "context": entry.context,
            "count": entry.count,
            "lines": list(entry.lines),
            "severity": entry.severity,
            "fingerprint": entry.fingerprint,
        })
        findings.append(item)
    data = {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "tool": {"name": tool.name, "version": tool.version, "rules_version": tool.rules_version},
        "about": ("Llama findings accepted at the time this file was written. "
                  "'llama-audit scan --baseline FILE' fails only on findings not listed here; "
                  "regenerate with 'llama-audit baseline -o FILE'."),
        "total": baseline.total,
        "files": dict(baseline.files),
        "findings": findings,
    }
    return dumps_indented(data) + "\n"


def parse_baseline(text: str, source: str) -> Baseline:
    """Read a baseline written by ``baseline_to_json``; BaselineError says what is wrong."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # also 4,301-digit integers, deep nesting
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        raise BaselineError(f"{source}: not valid JSON: {reason}") from exc
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        hint = ""
        if isinstance(data, dict) and "findings" in data and "schema_version" in data:
            hint = " (this is a scan report; make a baseline with 'llama-audit baseline -o FILE')"
        raise BaselineError(f"{source}: not a llama-audit baseline{hint}")
    version = data.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(
            f"{source}: baseline version {version!r} is not supported (this tool reads "
            f"{BASELINE_VERSION}); regenerate it with 'llama-audit baseline'")
    raw_entries = data.get("findings")
    raw_files = data.get("files", {})
    if not isinstance(raw_entries, list) or not isinstance(raw_files, dict):
        raise BaselineError(f"{source}: 'findings' must be a list and 'files' an object")
    entries = [_entry(item, index, source) for index, item in enumerate(raw_entries)]
    files = {}
    for path, digest in raw_files.items():
        if not isinstance(digest, str):
            raise BaselineError(f"{source}: files[{path!r}] must be a string hash")
        files[str(path)] = digest
    tool = data.get("tool")
    version_text = str(tool.get("version", "")) if isinstance(tool, dict) else ""
    return Baseline(entries=tuple(entries), files=files, source=source,
                    tool_version=version_text)


def _entry(item: object, index: int, source: str) -> BaselineEntry:
    where = f"{source}: findings[{index}]"
    if not isinstance(item, dict):
        raise BaselineError(f"{where} must be an object")
    for name in ("rule_id", "path"):
        if not isinstance(item.get(name), str):
            raise BaselineError(f"{where}: {name!r} must be a string")
    if isinstance(item.get("identifier"), str):
        key, is_identifier = item["identifier"], True
    elif isinstance(item.get("snippet"), str):
        key, is_identifier = item["snippet"], False
    else:
        raise BaselineError(f"{where}: needs an 'identifier' or a 'snippet' string")
    count = item.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BaselineError(f"{where}: 'count' must be a positive integer")
    lines = item.get("lines", [])
    if not isinstance(lines, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in lines):
        raise BaselineError(f"{where}: 'lines' must be a list of integers")
    context = item.get("context", "")
    if not isinstance(context, str):
        raise BaselineError(f"{where}: 'context' must be a string")
    return BaselineEntry(rule_id=item["rule_id"], path=item["path"], key=key, context=context,
                         count=count, lines=tuple(sorted(lines)),
                         severity=str(item.get("severity", "")),
                         key_is_identifier=is_identifier)


@dataclass(frozen=True)
class BaselineMatch:
    known: frozenset[int]
    """Indexes (into the findings given) matched by the baseline."""
    moved_from: Mapping[int, str]
    """Finding index to the baseline path of its file before a rename."""
    moves: tuple[tuple[str, str], ...]
    """(old path, new path) of renamed files whose findings matched."""
    unmatched: tuple[tuple[BaselineEntry, int], ...]
    """Baseline entries with occurrences no current finding matched (fixed, or out of scope)."""


def match_baseline(
    findings: Sequence[Finding],
    anchored_paths: Sequence[str],
    baseline: Baseline,
    current_hashes: Mapping[str, str | None] | None = None,
) -> BaselineMatch:
    """Which findings the baseline already knows.

    ``anchored_paths[i]`` is finding i's path relative to the baseline's directory.
    ``current_hashes`` maps anchored paths to their content hash now (None: the file is gone);
    it is used only to recognise renamed files and may be partial.
    """
    current: dict[str, list[int]] = defaultdict(list)
    for index, (finding, path) in enumerate(zip(findings, anchored_paths, strict=True)):
        current[compute_fingerprint(finding.rule_id, path, match_key(finding),
                                    finding.context)].append(index)
    known: set[int] = set()
    leftovers: dict[str, int] = {}
    for entry in baseline.entries:
        members = current.get(entry.fingerprint, [])
        matched = _align(entry, [findings[i].line for i in members])
        known.update(members[j] for j in matched)
        leftovers[entry.fingerprint] = (leftovers.get(entry.fingerprint, 0) + entry.count
                                        - len(matched))
        # Several entries cannot share a fingerprint (build groups them); if a hand-edited
        # file repeats one, later copies match what earlier ones left.
        current[entry.fingerprint] = [m for j, m in enumerate(members) if j not in matched]

    moved_from, moves = _match_moved_files(
        findings, anchored_paths, baseline, known, leftovers, current_hashes or {})
    unmatched = tuple((e, leftovers[e.fingerprint]) for e in baseline.entries
                      if leftovers.get(e.fingerprint, 0) > 0)
    return BaselineMatch(known=frozenset(known | set(moved_from)), moved_from=moved_from,
                         moves=moves, unmatched=unmatched)


def _align(entry: BaselineEntry, lines: Sequence[int]) -> set[int]:
    """Which of the current occurrences (by position in ``lines``) the entry's occurrences
    account for: all when there are no more than it recorded; otherwise the order-preserving
    choice closest to the recorded lines, so the extra ones (the new findings) are those that
    were not there before."""
    n, m = entry.count, len(lines)
    if m <= n:
        return set(range(m))
    hints = list(entry.lines)
    if len(hints) != n:
        return set(range(n))
    order = sorted(range(m), key=lambda j: lines[j])
    ordered = [lines[j] for j in order]
    inf = float("inf")
    # cost[i][j]: best cost matching hints[:i] with ordered[:j]
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        cost[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = cost[i][j - 1]
            take = cost[i - 1][j - 1] + abs(hints[i - 1] - ordered[j - 1])
            cost[i][j] = min(skip, take)
    chosen: set[int] = set()
    i, j = n, m
    while i > 0:
        take = cost[i - 1][j - 1] + abs(hints[i - 1] - ordered[j - 1])
        if cost[i][j] == take:
            chosen.add(order[j - 1])
            i -= 1
        j -= 1
    return chosen


def _match_moved_files(
    findings: Sequence[Finding],
    anchored_paths: Sequence[str],
    baseline: Baseline,
    known: set[int],
    leftovers: dict[str, int],
    current_hashes: Mapping[str, str | None],
) -> tuple[dict[int, str], tuple[tuple[str, str], ...]]:
    """Match findings of a renamed, otherwise unchanged file to its old path's entries."""
    gone_by_hash: dict[str, list[str]] = defaultdict(list)
    for old_path, digest in baseline.files.items():
        if old_path in current_hashes and current_hashes[old_path] is None:
            gone_by_hash[digest].append(old_path)
    if not gone_by_hash:
        return {}, ()
    new_by_path: dict[str, list[int]] = defaultdict(list)
    for index, path in enumerate(anchored_paths):
        if index not in known and path not in baseline.files:
            new_by_path[path].append(index)
    entries_by_path: dict[str, list[BaselineEntry]] = defaultdict(list)
    for entry in baseline.entries:
        entries_by_path[entry.path].append(entry)
    moved_from: dict[int, str] = {}
    moves: list[tuple[str, str]] = []
    claimed: set[str] = set()
    for new_path, indexes in sorted(new_by_path.items()):
        now_hash = current_hashes.get(new_path)
        candidates = [p for p in gone_by_hash.get(now_hash or "", []) if p not in claimed]
        if not candidates:
            continue
        old_path = candidates[0]
        claimed.add(old_path)
        by_key: dict[str, list[int]] = defaultdict(list)
        for index in indexes:
            finding = findings[index]
            by_key[compute_fingerprint(finding.rule_id, "", match_key(finding),
                                       finding.context)].append(index)
        matched_any = False
        for entry in entries_by_path[old_path]:
            members = by_key.get(entry.pathless, [])
            left = leftovers.get(entry.fingerprint, 0)
            if not members or left <= 0:
                continue
            shifted = BaselineEntry(entry.rule_id, entry.path, entry.key, entry.context, left,
                                    entry.lines if left == entry.count else ())
            chosen = _align(shifted, [findings[i].line for i in members])
            for j in chosen:
                moved_from[members[j]] = old_path
            leftovers[entry.fingerprint] = left - len(chosen)
            by_key[entry.pathless] = [m for j, m in enumerate(members) if j not in chosen]
            matched_any = matched_any or bool(chosen)
        if matched_any:
            moves.append((old_path, new_path))
    return moved_from, tuple(moves)
