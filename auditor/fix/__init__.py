"""fix: rewrite a repository to the replacement models, formatting and comments preserved.

Public API (the CLI is ``auditor/cli/fix.py``)::

    findings, chooser, notes = make_chooser(result.findings, OverrideChooser(overrides),
                                            CatalogSettings(prefer="qwen"), ruleset)
    plan = build_plan(result, findings, {label: path, ...}, chooser, ruleset)
    print(plan_diff(plan.changes))
    apply_plan(plan, roots)

Choosers implement ``ReplacementChooser.choose(finding) -> Chosen | NotChosen``.
"""

from __future__ import annotations

from auditor.fix.diff import plan_diff, unified_diff
from auditor.fix.model import (
    Action,
    Chosen,
    FileChange,
    FixPlan,
    NotChosen,
    Outcome,
    ReplacementChooser,
    Skipped,
)
from auditor.fix.plan import CatalogChooser, ChainChooser, OverrideChooser, parse_overrides
from auditor.fix.run import CatalogSettings, FixError, apply_plan, build_plan, make_chooser

__all__ = [
    "Action",
    "CatalogChooser",
    "CatalogSettings",
    "ChainChooser",
    "Chosen",
    "FileChange",
    "FixError",
    "FixPlan",
    "NotChosen",
    "Outcome",
    "OverrideChooser",
    "ReplacementChooser",
    "Skipped",
    "apply_plan",
    "build_plan",
    "make_chooser",
    "parse_overrides",
    "plan_diff",
    "unified_diff",
]
