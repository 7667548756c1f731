"""``llama-audit merge`` and ``llama-audit report``, plus the output options ``scan`` shares.

``merge`` combines saved JSON results (one per repository) into one; ``report`` re-renders
saved results in any format. Both write through ``report.output.write_output`` (atomic; a
failed write leaves no file and exits 2).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from auditor.cli.output import is_stdout
from auditor.cli.report_outputs import (
    ReportError,
    emit_outputs,
    extra_output_options,
    extra_outputs,
    terminal_width,
    use_color,
    write_outputs,
)
from auditor.report.compare import (
    Comparison,
    compare,
    comparison_html,
    comparison_markdown,
    comparison_text,
)
from auditor.report.formats import Format, format_names, render
from auditor.report.links import link_base_from_env
from auditor.report.merge import MergeError, load_result, merge_results
from auditor.serialize import ResultFormatError, result_from_dict
from auditor.types import AuditResult


def _load_each(paths: Sequence[str]) -> list[AuditResult]:
    try:
        return [_read_stdin() if name == "-" else load_result(Path(name)) for name in paths]
    except MergeError as exc:
        raise ReportError(str(exc)) from exc


def _merged(results: list[AuditResult], names: Sequence[str],
            root_names: Sequence[str] = ()) -> AuditResult:
    try:
        return merge_results(results, list(names), root_names)
    except MergeError as exc:
        raise ReportError(str(exc)) from exc


def _read_stdin() -> AuditResult:
    try:
        data = json.loads(sys.stdin.read())
    except (ValueError, RecursionError) as exc:
        raise MergeError(f"standard input is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MergeError("standard input is not a llama-audit JSON result")
    try:
        return result_from_dict(data)
    except ResultFormatError as exc:
        raise MergeError(f"standard input: {exc}") from exc


_FORMAT_CHOICE = click.Choice(format_names())


@click.command("merge")
@click.argument("results", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the merged result to FILE instead of stdout.")
@click.option("--format", "output_format", type=_FORMAT_CHOICE, default="json",
              show_default=True, help="Format of the merged output.")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Name the repository of each RESULT (once per result, in order) "
                   "[default: the name 'scan' recorded].")
@extra_output_options
def merge_command(results: Sequence[str], output: Path | None, output_format: str,
                  names: Sequence[str], **extras: Any) -> None:
    """Combine saved JSON RESULTS (one per repository) into one result.

    The merged JSON is what scanning all the roots in one run gives, except the timing:
    duration_seconds is the sum of the inputs' durations. Roots with the same path in
    several results (e.g. each made by 'scan .' in its own CI job) are labelled by their
    repository names; two results with the same name are refused.
    """
    result = _merged(_load_each(results), results, names)
    emit_outputs(result, Format(output_format), output, extra_outputs(extras))


@click.command("report")
@click.argument("results", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=_FORMAT_CHOICE, default="text",
              show_default=True, help="Format to render.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the report to FILE instead of stdout.")
@click.option("--link-base", default=None, metavar="URL",
              help="Markdown: prefix for links to lines, e.g. "
                   "https://github.com/ORG/REPO/blob/SHA/ (default: from GITHUB_* variables).")
@click.option("-v", "--verbose", is_flag=True, help="Text: show each finding's source line.")
@click.option("--compare", "compare_with", multiple=True, metavar="OLD.json",
              type=click.Path(dir_okay=False),
              help="Text, Markdown, HTML: show what was fixed, is new and remains since this "
                   "saved result (matched by fingerprint). Repeat, oldest first, for a "
                   "burn-down of findings over time.")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="Show the replacements of this plan file ('llama-audit plan').")
@extra_output_options
def report_command(results: Sequence[str], output_format: str, output: Path | None,
                   link_base: str | None, verbose: bool, compare_with: Sequence[str],
                   plan_file: Path | None,
                   **extras: Any) -> None:
    """Render saved JSON RESULTS (several are merged first) in any format.

    Use '-' to read a result from standard input.
    """
    fmt = Format(output_format)
    if compare_with and fmt not in _COMPARABLE:
        raise click.UsageError("--compare works with --format text, markdown or html")
    loaded = _load_each(results)
    result = loaded[0] if len(loaded) == 1 else _merged(loaded, results)
    if plan_file is not None:
        result = _with_plan(result, plan_file)
    if not compare_with:
        emit_outputs(result, fmt, output, extra_outputs(extras),
                     verbose=verbose, link_base=link_base)
        return
    earlier = tuple(zip((Path(p).name for p in compare_with), _load_each(compare_with),
                        strict=True))
    current = Path(results[0]).name if len(results) == 1 and results[0] != "-" else "now"
    comparison = compare(result, earlier[-1][1], previous_name=earlier[-1][0],
                         series=earlier, current_name=current)
    link = link_base if link_base is not None else link_base_from_env(os.environ)
    width = terminal_width() if is_stdout(output) else None
    main_text = render(result, fmt, color=use_color(output), verbose=verbose, link_base=link,
                       width=width)
    write_outputs(result, output, _with_comparison(main_text, fmt, comparison),
                  extra_outputs(extras), link_base=link)


_COMPARABLE = (Format.TEXT, Format.MARKDOWN, Format.HTML)


def _with_comparison(text: str, fmt: Format, comparison: Comparison) -> str:
    """The progress section first: above a text or Markdown report, before the HTML summary."""
    if fmt is Format.HTML:
        marker = '<section id="summary">'
        return text.replace(marker, comparison_html(comparison) + marker, 1)
    if fmt is Format.MARKDOWN:
        return comparison_markdown(comparison) + "\n" + text
    return comparison_text(comparison) + text


def _with_plan(result: AuditResult, plan_file: Path) -> AuditResult:
    from auditor.enrich.plan_file import PlanFileError, apply_to_findings, load_plan

    try:
        plan = load_plan(plan_file.read_text(encoding="utf-8"), str(plan_file))
    except (OSError, UnicodeDecodeError, PlanFileError) as exc:
        raise click.UsageError(str(exc)) from exc
    return dataclasses.replace(result, findings=apply_to_findings(result.findings, plan,
                                                                  str(plan_file)))
