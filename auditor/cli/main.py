"""The command line: the only place that chooses streams and exit codes."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import click

from auditor import __version__
from auditor.cli.gate import (
    baseline_command,
    config_group,
    gate_options,
    gate_summary,
    gate_text,
    open_gate,
)
from auditor.cli.options import build_scan_options, scan_input_options
from auditor.cli.output import OutputError, is_stdout, write_output
from auditor.cli.progress import progress_wanted, scan_progress
from auditor.cli.report import (
    EXTRA_OUTPUT_PARAMS,
    extra_output_options,
    extra_outputs,
    terminal_width,
    use_color,
    write_outputs,
)
from auditor.enrich import CatalogError, EnrichOptions, enrich
from auditor.isolate import DEFAULT_TIMEOUT as DEFAULT_PARSE_TIMEOUT
from auditor.report.formats import Format, format_names, render
from auditor.ruleset.docs import render_rules_markdown
from auditor.ruleset.load import load_ruleset
from auditor.types import AuditResult, Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

FAIL_ON_CHOICES = ("high", "medium", "low", "info", "none")
PREFER_CHOICES = ("gemma", "qwen", "mistral")


def exit_code_for(result: AuditResult, fail_on: str, exit_zero: bool = False) -> int:
    """0 when nothing is at or above the threshold, 1 otherwise (``none`` never fails)."""
    if exit_zero or fail_on == "none":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    counted = [f for f in result.findings
               if f.severity.rank >= threshold and f.baseline_state != "known"]
    return EXIT_FINDINGS if counted else EXIT_OK


class _LazyGroup(click.Group):
    """Commands other than ``scan`` are imported only when run (``fix`` alone pulls in the
    codemods): a ``scan`` from pre-commit or CI should not pay for them at start-up."""

    lazy_commands: ClassVar[dict[str, str]] = {
        "fix": "auditor.cli.fix:fix_command",
        "suggest": "auditor.cli.catalog:suggest_command",
        "catalog": "auditor.cli.catalog:catalog_group",
        "merge": "auditor.cli.report:merge_command",
        "report": "auditor.cli.report:report_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="llama-audit")
def cli() -> None:
    """Find every dependency on Meta's Llama models and plan the move to open replacements."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(format_names()), default="text",
              show_default=True, help="Main output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the main output to FILE instead of stdout.")
@extra_output_options
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="high",
              help="Exit 1 when a finding is at or above this severity "
                   "[default: the config's fail-on, else high].")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the scan could not run.")
@scan_input_options("Also report mentions in documentation (info severity).")
@click.option("-q", "--quiet", is_flag=True, help="No summary or progress on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Show the source line of each finding.")
@click.option("--parse-timeout", type=click.FloatRange(min=0.1), default=DEFAULT_PARSE_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Line-scan a Python file whose structural analysis takes longer than this.")
@click.option("--online", is_flag=True,
              help="Check suggestions against the live Hugging Face Hub (HF_ENDPOINT, HF_TOKEN).")
@click.option("--prefer", type=click.Choice(PREFER_CHOICES), default=None,
              help="Prefer replacements from this family [default: config's prefer].")
@click.option("--catalog", "catalog_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Use this catalog snapshot (from 'catalog refresh').")
@click.option("--refresh", is_flag=True, help="With --online: ignore the on-disk Hub cache.")
@gate_options
def scan(
    paths: Sequence[Path],
    output_format: str,
    output: Path | None,
    fail_on: str,
    exit_zero: bool,
    exclude: Sequence[str],
    max_file_size: int,
    no_gitignore: bool,
    include_docs: bool,
    rules_dirs: Sequence[Path],
    jobs: int | None,
    quiet: bool,
    verbose: bool,
    no_cache: bool,
    parse_timeout: float,
    online: bool,
    prefer: str | None,
    catalog_file: Path | None,
    refresh: bool,
    **more: Any,
) -> None:
    """Scan PATHS (default: the current directory) for Llama dependencies."""
    roots = list(paths) or [Path(".")]
    for root in roots:
        if not root.exists() and not root.is_symlink():
            raise click.UsageError(f"path does not exist: {root}")
    extras = extra_outputs(more)
    gate_args = {k: v for k, v in more.items() if k not in EXTRA_OUTPUT_PARAMS}
    gate = open_gate(roots, fail_on=fail_on, exit_zero=exit_zero, exclude=exclude,
                     rules_dirs=rules_dirs, gate=gate_args)
    options = build_scan_options(
        excludes=gate.excludes, rules_dirs=gate.rules_dirs, max_file_size=max_file_size,
        no_gitignore=no_gitignore, include_docs=include_docs, jobs=jobs, no_cache=no_cache,
        parse_timeout=parse_timeout,
    )
    with scan_progress(sys.stderr, enabled=progress_wanted(sys.stderr, quiet=quiet),
                       color="NO_COLOR" not in os.environ) as progress:
        scanned = gate.scan(options, progress=progress)
    enrich_options = EnrichOptions(
        online=online, prefer=prefer or gate.config.preferred_family,
        catalog_file=catalog_file, refresh=refresh, rules_dirs=tuple(gate.rules_dirs),
    )
    outcome = gate.apply(with_suggestions(scanned, enrich_options), options.discover)
    fmt = Format(output_format)
    main_text = (gate_text(outcome, gate, lambda r: render(
        r, fmt, color=use_color(output), verbose=verbose, width=terminal_width()))
        if fmt is Format.TEXT else render(outcome.result, fmt, verbose=verbose))
    write_outputs(outcome.result, output, main_text, extras)
    if not quiet:
        from auditor.report.text import summary_line  # rich: not for quiet CI runs

        lines = gate_summary(outcome, gate, summary_line)
        if fmt is Format.TEXT and is_stdout(output):
            lines = lines[1:]  # the text report already ends with the summary line
        for line in lines:
            click.echo(line, err=True)
    sys.exit(outcome.exit_code)


def with_suggestions(result: AuditResult, options: EnrichOptions) -> AuditResult:
    """The enrich stage: replacement plans and license facts, and the catalog's date."""
    try:
        enriched = enrich(result.findings, options)
    except CatalogError as exc:
        raise click.UsageError(str(exc)) from exc
    diagnostics = tuple(sorted(result.diagnostics + enriched.diagnostics,
                               key=lambda d: d.sort_key))
    tool = replace(result.tool, catalog_date=enriched.catalog_date,
                   catalog_source=enriched.catalog_source)
    return replace(result, findings=enriched.findings, diagnostics=diagnostics, tool=tool)


def _write(path: Path | None, text: str) -> None:
    """stdout, or ``path`` replaced atomically: a failed write leaves no partial file."""
    try:
        write_output(path, text)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.group()
def rules() -> None:
    """List and explain the rules."""


@rules.command("list")
def rules_list() -> None:
    """One line per rule: id, slug, severity, title."""
    ruleset = load_ruleset()
    for rule in ruleset.rules.values():
        click.echo(f"{rule.id}  {rule.slug:<34} {rule.severity.value:<6}  {rule.title}")


@rules.command("explain")
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


@rules.command("docs")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to FILE (e.g. docs/rules.md) instead of stdout.")
def rules_docs(output: Path | None) -> None:
    """The rule reference in Markdown, generated from the rule tables."""
    _write(output, render_rules_markdown(load_ruleset()))


cli.add_command(baseline_command)
cli.add_command(config_group)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one-line errors, exit 2 for usage problems, 130 on Ctrl-C.

    Nothing escapes as a traceback: an unexpected error is one line too (exit 2), with the
    traceback shown only when ``LLAMA_AUDIT_DEBUG`` is set.
    """
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="llama-audit",
                 standalone_mode=False)
    except click.UsageError as exc:
        _error(f"error: {exc.format_message()}")
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        _error(f"error: {exc.format_message()}")
        sys.exit(EXIT_ERROR)
    except (KeyboardInterrupt, click.Abort):
        _error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``llama-audit scan | head``): stop quietly; point stdout at
        # /dev/null so the interpreter's final flush cannot fail again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _error("error: output closed before the report was written (broken pipe)")
        sys.exit(EXIT_ERROR)
    except Exception as exc:
        if os.environ.get("LLAMA_AUDIT_DEBUG"):
            raise
        _error(f"error: internal error: {type(exc).__name__}: {exc} "
               "(set LLAMA_AUDIT_DEBUG=1 for the traceback)")
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK)


def _error(message: str) -> None:
    """One line on stderr, whatever stderr's encoding and state."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    line = f"llama-audit: {message}".encode(encoding, "backslashreplace").decode(encoding)
    with contextlib.suppress(OSError, ValueError):
        click.echo(line, err=True)
