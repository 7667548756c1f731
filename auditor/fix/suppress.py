"""Findings the user suppressed inline (``# llama-audit: ignore[LA101] reason``) are kept
as they are: ``fix`` neither rewrites them nor counts them as left over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from auditor.policy import PolicyOptions, apply_policy
from auditor.policy.inputs import read_suppressions, root_map
from auditor.ruleset.load import RuleSet
from auditor.types import AuditResult, Finding


def drop_suppressed(result: AuditResult, roots: Sequence[Path],
                    ruleset: RuleSet) -> tuple[AuditResult, tuple[Finding, ...]]:
    """``result`` without its inline-suppressed findings, and those findings."""
    locations = root_map(result.roots, roots)
    found = read_suppressions(result, locations, ruleset.resolve_rule_ref)
    if not found.suppressions:
        return result, ()
    outcome = apply_policy(result, PolicyOptions(
        fail_on="none", roots=locations, suppressions=tuple(found.suppressions),
        file_labels=found.labels))
    return replace(result, findings=outcome.result.findings), outcome.suppressed
