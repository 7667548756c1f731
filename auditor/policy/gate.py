"""The CI gate: config, baseline and ``--new-since`` resolved before a scan, the policy inputs
after it, and the text that explains the decision (known findings, policy counts).

``open_gate`` resolves everything a scan needs from disk and git first, so config, baseline and
git problems surface before any work; ``Gate.policy_options`` turns a scan result into the
inputs of the pure ``apply_policy``. Errors are the stages' own (``ConfigError``,
``BaselineError``, ``GitError``); the command line maps them to its exit codes.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pathspec

from auditor.policy import PolicyOptions, PolicyOutcome
from auditor.policy.baseline import DEFAULT_BASELINE_NAME, Baseline, build_baseline
from auditor.policy.config import ResolvedConfig, load_config
from auditor.policy.gitdiff import ChangedLines, changed_lines_since
from auditor.policy.inputs import (
    hashes_for,
    inside,
    load_baseline_file,
    read_suppressions,
    rename_candidates,
    root_map,
)
from auditor.policy.locate import RootMap, anchored_path
from auditor.ruleset.load import RuleSet
from auditor.types import AuditResult, Finding

DEFAULT_FAIL_ON = "high"


@dataclass(frozen=True)
class GateOptions:
    """What the user asked of the policy stage; ``None`` lets the config decide."""

    fail_on: str | None = None
    """``--fail-on``; None: the config's ``fail-on``, else high."""
    exit_zero: bool = False
    baseline: Path | None = None
    """``--baseline FILE``; None: the config's baseline unless ``no_baseline``."""
    no_baseline: bool = False
    record_baseline: bool = False
    """A ``baseline`` run: ``baseline`` (else the config's, else the default name) is the file
    being written; it is not scanned, not compared against, and nothing fails."""
    only_new: bool = False
    new_since: str | None = None
    report_unused: bool = False
    strict: bool = False
    force_exclude: bool = False
    """Apply excludes to files given as paths too (pre-commit passes every changed file)."""
    count_docs: bool = False
    """``--include-docs``: documentation and commented-out code count towards ``fail_on``."""


@dataclass(frozen=True)
class Gate:
    """Everything the policy needs, resolved before the scan."""

    given: tuple[Path, ...]
    roots: tuple[Path, ...]
    """The roots to scan: ``given`` minus excluded files and the baseline file."""
    config: ResolvedConfig
    excludes: tuple[str, ...]
    rules_dirs: tuple[Path, ...]
    fail_on: str
    exit_zero: bool
    baseline_path: Path | None
    """The baseline compared against, or (``record_baseline``) the one to write."""
    baseline: Baseline | None
    new_since: str | None
    changed_lines: ChangedLines | None
    only_new: bool
    report_unused: bool
    strict: bool
    today: datetime.date
    count_docs: bool = False

    def root_map(self, result: AuditResult) -> RootMap:
        """The result's root labels to where they are (empty when nothing was scanned)."""
        return root_map(result.roots, self.roots) if self.roots else {}

    def policy_options(self, result: AuditResult, ruleset: RuleSet) -> PolicyOptions:
        """Read what ``apply_policy`` needs for ``result``: suppression comments, waivers
        (ConfigError for unknown rules), file hashes for renamed baseline files."""
        roots = self.root_map(result)
        waivers = self.config.waivers(ruleset.resolve_rule_ref)
        every = self.report_unused or self.strict
        found = read_suppressions(result, roots, ruleset.resolve_rule_ref, every_file=every)
        baseline_dir = ""
        hashes: Mapping[str, str | None] = {}
        if self.baseline is not None and self.baseline_path is not None:
            baseline_dir = os.path.realpath(self.baseline_path.parent)
            anchored = [anchored_path(roots, f, baseline_dir) for f in result.findings]
            hashes = rename_candidates(self.baseline, anchored, baseline_dir)
        return PolicyOptions(
            fail_on=self.fail_on, count_docs=self.count_docs, exit_zero=self.exit_zero,
            roots=roots,
            suppressions=tuple(found.suppressions),
            suppression_problems=tuple(found.problems), file_labels=found.labels,
            report_unused=self.report_unused, strict_suppressions=self.strict,
            waivers=waivers, today=self.today, baseline=self.baseline,
            baseline_dir=baseline_dir, file_hashes=hashes,
            changed_lines=self.changed_lines, only_new=self.only_new,
        )

    def record(self, outcome: PolicyOutcome) -> Baseline:
        """The baseline a ``baseline`` run writes: the findings the policy left (suppressed
        and waived ones are not recorded), with paths relative to the baseline file."""
        assert self.baseline_path is not None, "a gate opened with record_baseline"
        target = self.baseline_path
        anchor = os.path.realpath(target.parent)
        roots = self.root_map(outcome.result)
        anchored = [anchored_path(roots, f, anchor) for f in outcome.new]
        return build_baseline(outcome.new, anchored, hashes_for(set(anchored), anchor),
                              source=str(target), tool=outcome.result.tool)

    def describe_known(self) -> str:
        reasons = []
        if self.baseline_path is not None:
            reasons.append(f"in the baseline {display_path(self.baseline_path)}")
        if self.new_since is not None:
            reasons.append(f"on lines unchanged since {self.new_since}")
        return " or ".join(reasons)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it, else as it is."""
    rel = inside(path, Path("."))
    return rel if rel is not None else str(path)


def config_for(given: Sequence[Path], explicit: Path | None, disabled: bool) -> ResolvedConfig:
    """The configuration for a scan of ``given`` (defaults when ``disabled``); ConfigError."""
    if disabled:
        return ResolvedConfig()
    return load_config(given[0] if given else Path("."), explicit)


def open_gate(
    paths: Sequence[Path],
    options: GateOptions,
    config: ResolvedConfig,
    *,
    exclude: Sequence[str] = (),
    rules_dirs: Sequence[Path] = (),
    today: datetime.date | None = None,
) -> Gate:
    """Resolve baseline, git changes, excludes and roots for a scan of ``paths``.

    Raises ``BaselineError`` (unreadable baseline) or ``GitError`` (``--new-since``).
    """
    given = tuple(paths)
    fail_on = options.fail_on or config.fail_on or DEFAULT_FAIL_ON
    baseline_path = options.baseline
    if baseline_path is None and (options.record_baseline or not options.no_baseline):
        baseline_path = config.baseline
    baseline = None
    if options.record_baseline:
        baseline_path = baseline_path or Path(DEFAULT_BASELINE_NAME)
        fail_on = "none"
    elif baseline_path is not None:
        baseline = load_baseline_file(baseline_path)
    changed = None
    if options.new_since is not None:
        directories = sorted({os.path.realpath(p if p.is_dir() else p.parent) for p in given})
        changed = changed_lines_since(options.new_since, directories)
    return Gate(
        given=given,
        roots=_roots_to_scan(given, config, exclude, baseline_path,
                             force=options.force_exclude),
        config=config, excludes=_excludes(config, given, exclude, baseline_path),
        rules_dirs=tuple(config.rule_dirs) + tuple(rules_dirs), fail_on=fail_on,
        exit_zero=options.exit_zero or options.record_baseline, baseline_path=baseline_path,
        baseline=baseline, new_since=options.new_since, changed_lines=changed,
        only_new=options.only_new, report_unused=options.report_unused,
        strict=options.strict, today=today or datetime.date.today(),
        count_docs=options.count_docs,
    )


def _excludes(
    config: ResolvedConfig, given: Sequence[Path], cli_excludes: Sequence[str],
    baseline_path: Path | None,
) -> tuple[str, ...]:
    """Config excludes rebased onto each scan root, then the command line's, then the
    baseline file itself (it names every known Llama identifier)."""
    patterns: list[str] = []
    for root in given:
        for pattern in config.exclude_for(root):
            if pattern not in patterns:
                patterns.append(pattern)
    patterns.extend(cli_excludes)
    patterns.append(DEFAULT_BASELINE_NAME)
    for baseline in _baseline_files(config, baseline_path):
        for root in given:
            if root.is_dir():
                rel = inside(baseline, root)
                if rel is not None and f"/{rel}" not in patterns:
                    patterns.append(f"/{rel}")
    return tuple(patterns)


def _baseline_files(config: ResolvedConfig, baseline_path: Path | None) -> list[Path]:
    """Baseline files never to scan (they name every known Llama identifier): the one in use,
    the config's (even with --no-baseline) and, by name, any .llama-audit-baseline.json."""
    return [p for p in (baseline_path, config.baseline) if p is not None]


def _is_baseline_file(path: Path, config: ResolvedConfig, baseline_path: Path | None) -> bool:
    if path.name == DEFAULT_BASELINE_NAME:
        return True
    real = os.path.realpath(path)
    return any(real == os.path.realpath(b) for b in _baseline_files(config, baseline_path))


def _roots_to_scan(
    given: Sequence[Path], config: ResolvedConfig, cli_excludes: Sequence[str],
    baseline_path: Path | None, *, force: bool,
) -> tuple[Path, ...]:
    """Given paths minus the baseline file and, with ``force``, files that excludes match."""
    config_spec = pathspec.GitIgnoreSpec.from_lines(list(config.exclude))
    cli_spec = pathspec.GitIgnoreSpec.from_lines(list(cli_excludes))
    source = config.sources.get("exclude")
    out = []
    for path in given:
        if path.is_file() and _is_baseline_file(path, config, baseline_path):
            continue
        if force and path.is_file():
            from_config = inside(path, source.directory) if source is not None else None
            from_cwd = inside(path, Path("."))
            if (from_config is not None and config_spec.match_file(from_config)) or \
                    (from_cwd is not None and cli_spec.match_file(from_cwd)):
                continue
        out.append(path)
    return tuple(out)


def gate_text(outcome: PolicyOutcome, gate: Gate, render: Callable[[AuditResult], str]) -> str:
    """Text output: known findings first (compact), then the new ones as usual."""
    if not outcome.classified:
        return render(outcome.result)
    parts = []
    if not gate.only_new and outcome.known:
        multi = len(outcome.result.roots) > 1
        parts.append(f"Known findings ({len(outcome.known)}), {gate.describe_known()}; "
                     "not counted by --fail-on:")
        parts.extend(f"  {known_line(f, multi)}" for f in outcome.known)
        parts.append("")
        parts.append(f"New findings ({len(outcome.new)}):")
    parts.append(render(replace(outcome.result, findings=outcome.new)))
    return "\n".join(parts)


def shown_path(root: str, path: str, multi_root: bool) -> str:
    """How a file is named when several roots were scanned (a file root names itself)."""
    if not multi_root or not root:
        return path
    if root == path or root.endswith("/" + path):
        return root
    return f"{root.rstrip('/')}/{path}"


def known_line(finding: Finding, multi_root: bool = False) -> str:
    where = shown_path(finding.root, finding.path, multi_root)
    text = (f"{where}:{finding.line}:{finding.column}  {finding.severity.value:<6}  "
            f"{finding.rule_id}  {finding.message}  [known]")
    moved = finding.detail("moved_from")
    if moved:
        text += f" (file moved from {moved})"
    return text


def gate_summary(
    outcome: PolicyOutcome, gate: Gate, summary: Callable[[AuditResult], str]
) -> list[str]:
    """Lines for stderr: the usual summary of what counts, the policy counts, and the
    policy's diagnostics (expired waivers, unused suppressions, moved files)."""
    shown = replace(outcome.result, findings=outcome.new) if outcome.classified \
        else outcome.result
    lines = [summary(shown)]
    parts = []
    if outcome.classified:
        parts.append(f"{len(outcome.new)} new, {len(outcome.known)} known")
    if outcome.suppressed:
        parts.append(f"{len(outcome.suppressed)} suppressed")
    if outcome.waived:
        parts.append(f"{len(outcome.waived)} waived")
    if outcome.moves:
        parts.append(f"{len(outcome.moves)} file(s) moved")
    if outcome.baseline_fixed:
        parts.append(f"{outcome.baseline_fixed} baseline finding(s) fixed (run 'llama-audit "
                     "baseline' to lock that in)")
    if parts:
        lines.append("policy: " + ", ".join(parts))
    multi = len(outcome.result.roots) > 1
    for diagnostic in outcome.policy_diagnostics:
        where = shown_path(diagnostic.root, diagnostic.path, multi)
        if diagnostic.line:
            where += f":{diagnostic.line}"
        lines.append(f"{where}: {diagnostic.message} [{diagnostic.code}]")
    if outcome.strict_failures and outcome.failed:
        lines.append(f"failing: {len(outcome.strict_failures)} suppression problem(s) "
                     "(--strict-suppressions)")
    return lines
