"""Rule metadata for reports: titles, explanations and documentation links by rule id.

Reports render saved results too, so a rule id may be unknown to the installed rules (a user
rules directory, an older or newer version); those fall back to what the finding says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditor.ruleset.load import Rule, RuleError, load_ruleset
from auditor.types import Category, Effort, Finding, Severity

DOCS_URL = "https://github.com/llama-audit/llama-audit/blob/main/docs/rules.md"
PROJECT_URL = "https://github.com/llama-audit/llama-audit"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    slug: str
    title: str
    why: str
    use_instead: str
    category: Category
    severity: Severity
    effort: Effort
    help_uri: str
    known: bool = True


def rule_info(rule_id: str, example: Finding, rules: Mapping[str, Rule] | None = None) -> RuleInfo:
    """Metadata for ``rule_id``; ``example`` is a finding of that rule, used when it is unknown."""
    table = installed_rules() if rules is None else rules
    rule = table.get(rule_id)
    if rule is None:
        return RuleInfo(
            id=rule_id,
            slug=rule_id.lower(),
            title=f"{rule_id} ({example.category.value})",
            why=example.message,
            use_instead="",
            category=example.category,
            severity=example.severity,
            effort=example.effort,
            help_uri=DOCS_URL,
            known=False,
        )
    return RuleInfo(
        id=rule.id,
        slug=rule.slug,
        title=rule.title,
        why=rule.why,
        use_instead=rule.use_instead,
        category=rule.category,
        severity=rule.severity,
        effort=rule.effort,
        help_uri=f"{DOCS_URL}#{rule.help_anchor}",
    )


def installed_rules() -> Mapping[str, Rule]:
    """The bundled rules; an unusable rules directory leaves reports with fallbacks only."""
    try:
        return load_ruleset().rules
    except RuleError:
        return {}
