"""policy: inline suppressions, config waivers, a baseline and a git diff filter, then the gate's
decision from the ``--fail-on`` threshold (the command line turns it into an exit code).

``apply_policy`` is pure: everything read from disk or git (suppression comments, the baseline,
file hashes, changed lines, today's date) arrives in ``PolicyOptions``. Order of application:

1. inline suppressions remove findings (counted as suppressed);
2. active waivers remove findings (counted as waived); expired waivers are reported instead;
3. with a baseline and/or ``--new-since``, every remaining finding is marked ``new`` or
   ``known``; only new ones count towards ``--fail-on`` (``--only-new`` drops the known ones).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from auditor.policy.baseline import Baseline, BaselineEntry, match_baseline
from auditor.policy.gitdiff import ChangedLines, finding_is_changed
from auditor.policy.locate import RootMap, anchored_path, finding_file, relative_to
from auditor.policy.waivers import Waiver
from auditor.scan.suppressions import Suppression, SuppressionProblem
from auditor.types import AuditResult, Diagnostic, Finding, Severity

NEW = "new"
KNOWN = "known"

FAIL_ON_CHOICES = ("high", "medium", "low", "info", "none")


def counts_towards_failure(finding: Finding, fail_on: str, count_docs: bool = False) -> bool:
    """Whether ``finding`` makes a run fail at threshold ``fail_on`` (known findings never do;
    a documentation code block or commented-out code only when ``count_docs``)."""
    if fail_on == "none" or finding.baseline_state == KNOWN:
        return False
    if not count_docs and is_docs_mention(finding):
        return False
    return finding.severity.rank >= Severity(fail_on).rank


def is_docs_mention(finding: Finding) -> bool:
    """A model named in a documentation code block, notebook output or commented-out code."""
    return any(key == "mention" for key, _ in finding.details)


@dataclass(frozen=True)
class PolicyOptions:
    fail_on: str = "high"
    count_docs: bool = False
    """``--include-docs``: documentation and commented-out code count towards ``fail_on``."""
    exit_zero: bool = False
    roots: RootMap = field(default_factory=dict)
    """Root label to where it is; needed to relate findings to files, baseline, config, git."""
    suppressions: tuple[Suppression, ...] = ()
    suppression_problems: tuple[SuppressionProblem, ...] = ()
    file_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Absolute file path (a ``Suppression.file``) to the (root, path) reports show."""
    report_unused: bool = False
    strict_suppressions: bool = False
    """Fail on unused, reasonless, unknown-rule or malformed suppressions, and on
    unused waivers."""
    waivers: tuple[Waiver, ...] = ()
    today: datetime.date = datetime.date(1970, 1, 1)
    """Injected by the caller (the CLI passes ``datetime.date.today()``)."""
    baseline: Baseline | None = None
    baseline_dir: str = ""
    """Absolute directory of the baseline file: its paths are relative to it."""
    file_hashes: Mapping[str, str | None] = field(default_factory=dict)
    """Baseline-relative path to current content hash (None: gone); for renamed files."""
    changed_lines: ChangedLines | None = None
    """From ``--new-since``: absolute path to changed lines; None when not asked for."""
    only_new: bool = False


@dataclass(frozen=True)
class PolicyOutcome:
    result: AuditResult
    """Findings after the policy (annotated ``new``/``known`` when classifying), with the
    policy's diagnostics and counts in ``stats.policy``."""
    new: tuple[Finding, ...]
    known: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    waived: tuple[Finding, ...]
    failing: tuple[Finding, ...]
    """New (or, without classification, all) findings at or above the threshold."""
    moves: tuple[tuple[str, str], ...]
    baseline_fixed: int
    """Baseline occurrences in the scanned paths that no longer occur."""
    policy_diagnostics: tuple[Diagnostic, ...]
    strict_failures: tuple[Diagnostic, ...]
    classified: bool
    failed: bool
    """Whether the run fails: failing findings or strict suppression problems, unless
    ``exit_zero``."""


def apply_policy(result: AuditResult, options: PolicyOptions) -> PolicyOutcome:
    diagnostics: list[Diagnostic] = []
    remaining, suppressed, used = _apply_suppressions(result.findings, options)
    remaining, waived, waiver_diags = _apply_waivers(remaining, options)
    diagnostics.extend(waiver_diags)
    diagnostics.extend(_suppression_diagnostics(options, used))

    classified = options.baseline is not None or options.changed_lines is not None
    moves: tuple[tuple[str, str], ...] = ()
    fixed = 0
    if classified:
        remaining, moves, fixed, move_diags = _classify(remaining, options)
        diagnostics.extend(move_diags)
    new = tuple(f for f in remaining if f.baseline_state != KNOWN)
    known = tuple(f for f in remaining if f.baseline_state == KNOWN)
    shown = new if options.only_new else tuple(remaining)
    failing = tuple(f for f in new if counts_towards_failure(f, options.fail_on,
                                                                options.count_docs))

    diagnostics.sort(key=lambda d: d.sort_key)
    strict_codes = {"suppression-unused", "suppression-no-reason", "suppression-unknown-rule",
                    "suppression-invalid", "waiver-unused"}
    strict_failures = tuple(d for d in diagnostics if d.code in strict_codes) \
        if options.strict_suppressions else ()
    failed = not options.exit_zero and bool(failing or strict_failures)

    counts: list[tuple[str, int]] = []
    if classified:
        counts += [("new", len(new)), ("known", len(known))]
    counts += [("suppressed", len(suppressed)), ("waived", len(waived))]
    if options.baseline is not None:
        counts += [("baseline_fixed", fixed), ("moved_files", len(moves))]
    all_diagnostics = sorted([*result.diagnostics, *diagnostics], key=lambda d: d.sort_key)
    final = replace(
        result,
        findings=shown,
        diagnostics=tuple(all_diagnostics),
        stats=replace(result.stats, policy=tuple(counts)),
    )
    return PolicyOutcome(
        result=final, new=new, known=known, suppressed=tuple(suppressed), waived=tuple(waived),
        failing=failing, moves=moves, baseline_fixed=fixed,
        policy_diagnostics=tuple(diagnostics), strict_failures=strict_failures,
        classified=classified, failed=failed,
    )


def _apply_suppressions(
    findings: Sequence[Finding], options: PolicyOptions
) -> tuple[list[Finding], list[Finding], set[int]]:
    by_file: dict[str, list[tuple[int, Suppression]]] = defaultdict(list)
    for index, suppression in enumerate(options.suppressions):
        by_file[suppression.file].append((index, suppression))
    remaining: list[Finding] = []
    suppressed: list[Finding] = []
    used: set[int] = set()
    for finding in findings:
        path = finding_file(options.roots, finding)
        hits = []
        for index, suppression in by_file.get(path or "", []):
            if finding.cell is not None:
                covered = suppression.covers(finding.rule_id, [finding.cell_line or 0],
                                             finding.cell)
            else:
                covered = suppression.covers(finding.rule_id, [finding.line, finding.end_line])
            if covered:
                hits.append(index)
        if hits:
            used.update(hits)
            suppressed.append(finding)
        else:
            remaining.append(finding)
    return remaining, suppressed, used


def _suppression_diagnostics(options: PolicyOptions, used: set[int]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    report = options.report_unused or options.strict_suppressions
    for problem in options.suppression_problems:
        root, path = options.file_labels.get(problem.file, ("", problem.file))
        out.append(Diagnostic(path=path, root=root, code=problem.code, line=problem.line,
                              message=_in_cell(problem.cell) + problem.message))
    for index, suppression in enumerate(options.suppressions):
        root, path = options.file_labels.get(suppression.file, ("", suppression.file))

        def note(code: str, message: str, s: Suppression = suppression,
                 root: str = root, path: str = path) -> None:
            out.append(Diagnostic(path=path, root=root, code=code, line=s.line,
                                  message=_in_cell(s.cell) + message))

        if suppression.unknown_rules:
            names = ", ".join(repr(r) for r in suppression.unknown_rules)
            note("suppression-unknown-rule",
                 f"'{suppression.text}' names unknown rule(s) {names}; see 'llama-audit rules "
                 "list'")
        if report and index not in used:
            note("suppression-unused",
                 f"'{suppression.text}' matched no finding; remove it")
        if report and not suppression.reason:
            note("suppression-no-reason",
                 f"'{suppression.text}' gives no reason; add one after the directive")
    return out


def _in_cell(cell: int | None) -> str:
    return "" if cell is None else f"cell {cell}: "


def _apply_waivers(
    findings: Sequence[Finding], options: PolicyOptions
) -> tuple[list[Finding], list[Finding], list[Diagnostic]]:
    expired = {i for i, w in enumerate(options.waivers) if w.expired(options.today)}
    remaining: list[Finding] = []
    waived: list[Finding] = []
    used: set[int] = set()
    would_cover: dict[int, int] = defaultdict(int)
    for finding in findings:
        absolute = finding_file(options.roots, finding)
        covering = False
        for index, waiver in enumerate(options.waivers):
            if not waiver.matches(finding, _path_for_waiver(finding, absolute, waiver)):
                continue
            if index in expired:
                would_cover[index] += 1
            else:
                used.add(index)
                covering = True
        (waived if covering else remaining).append(finding)
    diagnostics = []
    for index, waiver in enumerate(options.waivers):
        if index in expired:
            assert waiver.until is not None
            diagnostics.append(Diagnostic(
                path=waiver.source, code="waiver-expired",
                message=(f"{waiver.describe()} expired on {waiver.until.isoformat()} "
                         f"(reason was: {waiver.reason}); {would_cover[index]} finding(s) it "
                         "covered count again")))
        elif index not in used and (options.report_unused or options.strict_suppressions):
            diagnostics.append(Diagnostic(
                path=waiver.source, code="waiver-unused",
                message=f"{waiver.describe()} matched no finding; remove it"))
    return remaining, waived, diagnostics


def _path_for_waiver(finding: Finding, absolute: str | None, waiver: Waiver) -> str | None:
    """The finding's path relative to the waiver's config directory (None: outside it)."""
    if not waiver.base_dir:
        return finding.path
    if absolute is None:
        return None
    return relative_to(absolute, waiver.base_dir)


def _classify(
    findings: Sequence[Finding], options: PolicyOptions
) -> tuple[list[Finding], tuple[tuple[str, str], ...], int, list[Diagnostic]]:
    known: set[int] = set()
    moved_from: Mapping[int, str] = {}
    moves: tuple[tuple[str, str], ...] = ()
    fixed = 0
    diagnostics: list[Diagnostic] = []
    baseline = options.baseline
    if baseline is not None:
        anchored = [anchored_path(options.roots, f, options.baseline_dir) for f in findings]
        match = match_baseline(findings, anchored, baseline, options.file_hashes)
        known |= match.known
        moved_from = match.moved_from
        moves = match.moves
        fixed = sum(left for entry, left in match.unmatched if _in_scope(entry, options))
        for old, new_path in moves:
            count = sum(1 for i, p in moved_from.items() if anchored[i] == new_path and p == old)
            diagnostics.append(Diagnostic(
                path=new_path, code="baseline-moved",
                message=(f"renamed from {old} with the same content; its {count} baseline "
                         "finding(s) still count as known")))
    if options.changed_lines is not None:
        for index, finding in enumerate(findings):
            absolute = finding_file(options.roots, finding) or ""
            first, last = _lines_of(finding)
            if not finding_is_changed(options.changed_lines, absolute, first, last):
                known.add(index)
    out = []
    for index, finding in enumerate(findings):
        details = finding.details
        if index in moved_from:
            details = (*details, ("moved_from", moved_from[index]))
        out.append(replace(finding, baseline_state=KNOWN if index in known else NEW,
                           details=details))
    return out, moves, fixed, diagnostics


def _lines_of(finding: Finding) -> tuple[int, int]:
    return finding.line, max(finding.line, finding.end_line)


def _in_scope(entry: BaselineEntry, options: PolicyOptions) -> bool:
    """Whether a baseline entry's file lies in what was scanned (so its absence means fixed)."""
    for location in options.roots.values():
        rel = relative_to(location.path, options.baseline_dir)
        if rel is None:
            continue
        if rel == "." or entry.path == rel or entry.path.startswith(rel + "/"):
            return True
    return False
