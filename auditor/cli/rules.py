"""``llama-audit rules``: list the rules, explain one, write the rule reference."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.output import write_or_fail
from auditor.ruleset.docs import render_rules_markdown
from auditor.ruleset.load import load_ruleset


@click.group("rules")
def rules_group() -> None:
    """List and explain the rules."""


@rules_group.command("list")
def rules_list() -> None:
    """One line per rule: id, slug, severity, title."""
    ruleset = load_ruleset()
    for rule in ruleset.rules.values():
        click.echo(f"{rule.id}  {rule.slug:<34} {rule.severity.value:<6}  {rule.title}")


@rules_group.command("explain")
@click.argument("rule_ref")
def rules_explain(rule_ref: str) -> None:
    """What RULE_REF (an id such as LA101, or a slug) finds, why it matters, and the fix."""
    ruleset = load_ruleset()
    rule_id = ruleset.resolve_rule_ref(rule_ref)
    if rule_id is None:
        raise click.UsageError(f"unknown rule {rule_ref!r}; see 'llama-audit rules list'")
    rule = ruleset.rule(rule_id)
    click.echo(f"{rule.id} {rule.slug}: {rule.title}")
    click.echo(f"category: {rule.category.value}   severity: {rule.severity.value}   "
               f"effort: {rule.effort.value}")
    click.echo("")
    click.echo(f"Why it matters: {rule.why}")
    if rule.use_instead:
        click.echo(f"Use instead: {rule.use_instead}")
    if rule.match:
        click.echo("")
        click.echo(f"Example ({rule.example_path}):")
        for line in rule.match[0].splitlines():
            click.echo(f"    {line}")


@rules_group.command("docs")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to FILE (e.g. docs/rules.md) instead of stdout.")
def rules_docs(output: Path | None) -> None:
    """The rule reference in Markdown, generated from the rule tables."""
    write_or_fail(output, render_rules_markdown(load_ruleset()))
