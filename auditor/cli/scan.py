"""``llama-audit scan``: audit the paths, write the reports, exit by the gate's decision."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from auditor.cli.exit_codes import ExitCode
from auditor.cli.options import (
    PREFER_CHOICES,
    build_gate_options,
    build_scan_options,
    gate_options,
    paths_or_cwd,
    scan_input_options,
    usage_errors,
)
from auditor.cli.output import is_stdout
from auditor.cli.progress import progress_wanted, scan_progress
from auditor.cli.report_outputs import (
    EXTRA_OUTPUT_PARAMS,
    color_wanted,
    extra_output_options,
    extra_outputs,
    terminal_width,
    use_color,
    write_outputs,
)
from auditor.enrich import EnrichOptions
from auditor.isolate import DEFAULT_TIMEOUT as DEFAULT_PARSE_TIMEOUT
from auditor.pipeline import AuditOptions, audit
from auditor.policy import FAIL_ON_CHOICES
from auditor.policy.gate import gate_summary, gate_text
from auditor.report.formats import Format, format_names, render
from auditor.report.roots import describe_roots
from auditor.report.summary import summary_line


@click.command()
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
@scan_input_options("Count documentation code blocks, notebook outputs and commented-out code "
                    "towards --fail-on (they are always reported, at info severity).")
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
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Name the scanned repository in reports and merges (once per path, in "
                   "order) [default: the git remote's name, else the folder's name].")
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
    names: Sequence[str],
    **more: Any,
) -> None:
    """Scan PATHS (default: the current directory) for Llama dependencies."""
    roots = paths_or_cwd(paths)
    if names and len(names) != len(roots):
        raise click.UsageError(f"--name was given {len(names)} time(s) for {len(roots)} "
                               "path(s): give one name per path, in the same order")
    extras = extra_outputs(more)
    gate_params = {k: v for k, v in more.items() if k not in EXTRA_OUTPUT_PARAMS}
    fail_on_source = click.get_current_context().get_parameter_source("fail_on")
    fail_on_given = fail_on_source not in (ParameterSource.DEFAULT, None)
    options = AuditOptions(
        scan=build_scan_options(
            exclude=exclude, rules_dirs=rules_dirs, max_file_size=max_file_size,
            no_gitignore=no_gitignore, include_docs=True, jobs=jobs,
            no_cache=no_cache, parse_timeout=parse_timeout),
        enrich=EnrichOptions(online=online, prefer=prefer, catalog_file=catalog_file,
                             refresh=refresh),
        gate=replace(build_gate_options(gate_params, fail_on=fail_on if fail_on_given else None,
                                        exit_zero=exit_zero), count_docs=include_docs),
        config_file=gate_params.get("config_file"),
        use_config=not gate_params.get("no_config"),
    )
    with usage_errors(), scan_progress(
            sys.stderr, enabled=progress_wanted(sys.stderr, quiet=quiet),
            color=color_wanted(True, os.environ)) as progress:
        outcome = audit(roots, options, progress=progress)
        info = describe_roots(outcome.root_paths, names)
        outcome = replace(outcome, result=replace(outcome.result, root_info=info),
                          policy=replace(outcome.policy,
                                         result=replace(outcome.policy.result, root_info=info)))
    fmt = Format(output_format)
    main_text = (gate_text(outcome.policy, outcome.gate, lambda r: render(
        r, fmt, color=use_color(output), verbose=verbose, width=terminal_width()))
        if fmt is Format.TEXT else render(outcome.result, fmt, verbose=verbose))
    write_outputs(outcome.result, output, main_text, extras)
    if not quiet:
        lines = gate_summary(outcome.policy, outcome.gate, summary_line)
        if fmt is Format.TEXT and is_stdout(output):
            lines = lines[1:]  # the text report already ends with the summary line
        for line in lines:
            click.echo(line, err=True)
    elif outcome.failed and outcome.policy.strict_failures:
        # quiet, but a failing exit must still say why when no finding shows it
        for diagnostic in outcome.policy.strict_failures:
            where = diagnostic.path + (f":{diagnostic.line}" if diagnostic.line else "")
            click.echo(f"{where}: {diagnostic.message} [{diagnostic.code}]", err=True)
        click.echo(f"failing: {len(outcome.policy.strict_failures)} suppression problem(s) "
                   "(--strict-suppressions)", err=True)
    sys.exit(ExitCode.FINDINGS if outcome.failed else ExitCode.OK)
