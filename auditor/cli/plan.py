"""``llama-audit plan``: write the replacement decisions to a file a person can edit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from auditor.cli.options import (
    PREFER_CHOICES,
    build_scan_options,
    config_options,
    paths_or_cwd,
    scan_input_options,
    usage_errors,
)
from auditor.cli.output import write_or_fail
from auditor.enrich import EnrichOptions
from auditor.enrich.decision import routing_prefixes
from auditor.enrich.plan_file import decisions_for, dump_plan
from auditor.fix.plan import policy_families
from auditor.pipeline import AuditOptions, open_audit, run_audit
from auditor.policy.gate import GateOptions
from auditor.ruleset.load import load_ruleset


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the plan to FILE (.toml or .json) instead of stdout.")
@click.option("--format", "output_format", type=click.Choice(("toml", "json")), default=None,
              help="Plan format [default: from the -o extension, else toml].")
@click.option("--prefer", "--to", "prefer", type=click.Choice(PREFER_CHOICES), default=None,
              help="Prefer replacements from this family [default: config's prefer].")
@click.option("--catalog", "catalog_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Use this catalog snapshot (from 'catalog refresh').")
@click.option("--online", is_flag=True, help="Check replacements against the live Hub.")
@scan_input_options("Also plan model names mentioned in documentation.")
@config_options("Use this config file instead of searching for one.",
                "Ignore [tool.llama-audit] configuration.")
def plan_command(paths: Sequence[Path], output: Path | None, output_format: str | None,
                 prefer: str | None, catalog_file: Path | None, online: bool,
                 exclude: Sequence[str], max_file_size: int, no_gitignore: bool,
                 include_docs: bool, rules_dirs: Sequence[Path], jobs: int | None,
                 no_cache: bool, config_file: Path | None, no_config: bool) -> None:
    """Decide one replacement per Llama model reference in PATHS and write the plan.

    Each decision names the replacement the way the reference's runtime names models (Hub
    id, Ollama tag, GGUF repo or file, provider id), says why and lists its checks. Edit it
    and run 'fix --plan FILE'; 'report --plan FILE' shows it. Without a file, scan's reports
    and fix compute the same plan.
    """
    roots = paths_or_cwd(paths)
    fmt = output_format or ("json" if output is not None and output.suffix.lower() == ".json"
                            else "toml")
    options = AuditOptions(
        scan=build_scan_options(
            exclude=exclude, rules_dirs=rules_dirs, max_file_size=max_file_size,
            no_gitignore=no_gitignore, include_docs=include_docs,
            jobs=jobs, no_cache=no_cache),
        enrich=EnrichOptions(online=online, prefer=prefer, catalog_file=catalog_file),
        gate=GateOptions(no_baseline=True),
        config_file=config_file, use_config=not no_config,
    )
    with usage_errors():
        gate = open_audit(roots, options)
        prefer = prefer or gate.config.preferred_family
        outcome = run_audit(gate, options)
    ruleset = load_ruleset(gate.rules_dirs)
    result = outcome.result
    plan = decisions_for(result.findings, routing_prefixes(ruleset), prefer,
                         policy_families(ruleset), catalog=result.tool.catalog_source or "")
    text = dump_plan(plan, fmt)
    write_or_fail(output, text)
    swapped = sum(1 for ref in plan.references if ref.decision.replacement)
    click.echo(f"plan: {len(plan.references)} model reference(s), {swapped} with a "
               f"replacement, {len(plan.references) - swapped} left"
               + (f"; written to {output}" if output is not None else ""), err=True)
