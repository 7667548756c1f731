"""The one assembly of the stages: discover → prefilter → scan → enrich → policy.

``scan``, ``baseline`` and ``fix`` all call ``audit`` (or its two halves), so they see the same
findings after the same inline suppressions, config waivers and baseline. Library use::

    from auditor import AuditOptions, audit
    outcome = audit([Path("repo")], AuditOptions())
    outcome.result.findings, outcome.failed

Nothing here prints or exits; every problem that stops the audit is an ``AuditError`` (a bad
config, rule file, baseline, git revision or catalog: each stage raises its own subclass).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from auditor import __version__
from auditor.enrich import EnrichOptions, enrich
from auditor.enrich.decision import routing_prefixes, truthful_effort
from auditor.errors import AuditError
from auditor.policy import PolicyOutcome, apply_policy
from auditor.policy.gate import Gate, GateOptions, config_for, open_gate
from auditor.policy.inputs import without_baseline_files
from auditor.ruleset.load import RuleSet, load_ruleset
from auditor.scan.runner import ProgressCallback, ScanOptions, scan_paths
from auditor.types import AuditResult, ToolInfo

if TYPE_CHECKING:
    from auditor.enrich.hub_records import HubService

__all__ = ["AuditError", "AuditOptions", "AuditOutcome", "audit", "open_audit", "run_audit"]


@dataclass(frozen=True)
class AuditOptions:
    """What one audit does: how to scan, whether to suggest replacements, what policy."""

    scan: ScanOptions = field(default_factory=ScanOptions)
    """Discovery, rules and workers as given; the config's excludes and rule directories
    (and the baseline file, never scanned) are added to them."""
    enrich: EnrichOptions | None = field(default_factory=EnrichOptions)
    """Replacement suggestions and license facts (``prefer=None``: the config's); None skips
    the stage (``fix`` chooses replacements itself)."""
    gate: GateOptions = field(default_factory=GateOptions)
    config_file: Path | None = None
    """Use this config file only (no search upwards)."""
    use_config: bool = True
    today: datetime.date | None = None
    """For waiver expiry; None: today."""


@dataclass(frozen=True)
class AuditOutcome:
    """The result after the policy, the policy's account of it, and the resolved gate."""

    result: AuditResult
    """What reports render: the findings left after suppressions, waivers (and, with
    ``only_new``, known ones), with the policy's diagnostics."""
    policy: PolicyOutcome
    gate: Gate

    @property
    def failed(self) -> bool:
        """The gate's decision: findings at or above ``fail_on`` (or strict suppression
        problems), unless ``exit_zero``."""
        return self.policy.failed

    @property
    def root_paths(self) -> dict[str, Path]:
        """Each root label of the result to the path it was given as."""
        return dict(zip(self.result.roots, self.gate.roots or self.gate.given, strict=True))


def audit(
    paths: Sequence[Path],
    options: AuditOptions = AuditOptions(),
    *,
    catalog: HubService | None = None,
    progress: ProgressCallback | None = None,
) -> AuditOutcome:
    """Audit ``paths`` (default: the current directory). ``catalog`` answers live Hub lookups
    when ``options.enrich.online`` (default: the real Hub); ``progress`` is called with
    (files done, files total)."""
    return run_audit(open_audit(paths, options), options, catalog=catalog, progress=progress)


def open_audit(paths: Sequence[Path], options: AuditOptions) -> Gate:
    """The first half of ``audit``: config, baseline and git changes, resolved before any
    scanning so their problems surface first."""
    given = list(paths) or [Path(".")]
    config = config_for(given, options.config_file, not options.use_config)
    return open_gate(given, options.gate, config, exclude=options.scan.discover.excludes,
                     rules_dirs=options.scan.rules_dirs, today=options.today)


def run_audit(
    gate: Gate,
    options: AuditOptions,
    *,
    catalog: HubService | None = None,
    progress: ProgressCallback | None = None,
) -> AuditOutcome:
    """The second half of ``audit``: scan the gate's roots, enrich, apply the policy."""
    ruleset = load_ruleset(gate.rules_dirs)
    scan_options = replace(options.scan, rules_dirs=gate.rules_dirs,
                           discover=replace(options.scan.discover, excludes=gate.excludes))
    result = _scan(gate, scan_options, ruleset, progress)
    if options.enrich is not None:
        enrich_options = replace(options.enrich,
                                 prefer=options.enrich.prefer or gate.config.preferred_family,
                                 rules_dirs=gate.rules_dirs)
        result = _with_suggestions(result, enrich_options, catalog, ruleset)
    result = without_baseline_files(result, gate.root_map(result))
    policy = apply_policy(result, gate.policy_options(result, ruleset))
    return AuditOutcome(result=policy.result, policy=policy, gate=gate)


def _scan(gate: Gate, options: ScanOptions, ruleset: RuleSet,
          progress: ProgressCallback | None) -> AuditResult:
    """Scan the roots (an empty result when every given path was excluded)."""
    if not gate.roots:
        return AuditResult(
            tool=ToolInfo(name="llama-audit", version=__version__,
                          rules_version=ruleset.version),
            roots=tuple(Path(p).as_posix() for p in gate.given), findings=())
    try:
        return scan_paths(gate.roots, options, progress=progress)
    except AuditError:
        raise
    except ValueError as exc:  # an unusable option value: the audit cannot run either
        raise AuditError(str(exc)) from exc


def _with_suggestions(result: AuditResult, options: EnrichOptions,
                      catalog: HubService | None, ruleset: RuleSet) -> AuditResult:
    """The enrich stage: replacement plans and license facts, and the catalog's date."""
    enriched = enrich(result.findings, options, hub=catalog)
    diagnostics = tuple(sorted(result.diagnostics + enriched.diagnostics,
                               key=lambda d: d.sort_key))
    tool = replace(result.tool, catalog_date=enriched.catalog_date,
                   catalog_source=enriched.catalog_source)
    prefixes = routing_prefixes(ruleset)
    findings = tuple(truthful_effort(f, prefixes) for f in enriched.findings)
    return replace(result, findings=findings, diagnostics=diagnostics, tool=tool)
