"""``llama-audit baseline``: record the current findings so later scans fail only on new ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from auditor.cli.options import (
    build_scan_options,
    config_options,
    paths_or_cwd,
    scan_input_options,
    usage_errors,
)
from auditor.cli.output import write_or_fail
from auditor.pipeline import AuditOptions, audit
from auditor.policy.baseline import DEFAULT_BASELINE_NAME, baseline_to_json
from auditor.policy.gate import GateOptions, display_path


@click.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=f"Baseline file to write (default: the config's 'baseline', else "
                   f"{DEFAULT_BASELINE_NAME}).")
@scan_input_options("Accepted as in scan: documentation code blocks and commented-out code "
                    "are always recorded.")
@config_options()
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def baseline_command(
    paths: Sequence[Path],
    output: Path | None,
    config_file: Path | None,
    no_config: bool,
    quiet: bool,
    **scan_inputs: Any,
) -> None:
    """Record the current findings of PATHS (default: .) so later scans fail only on new ones.

    Suppressed and waived findings are not recorded. Occurrences are counted, so a later copy
    of a recorded line is still reported as new.
    """
    options = AuditOptions(
        scan=build_scan_options(**{**scan_inputs, "include_docs": True}),
        enrich=None,
        gate=GateOptions(baseline=output, record_baseline=True),
        config_file=config_file, use_config=not no_config,
    )
    with usage_errors():
        outcome = audit(paths_or_cwd(paths), options)
    target = outcome.gate.baseline_path
    assert target is not None  # a recording gate always names its file
    baseline = outcome.gate.record(outcome.policy)
    write_or_fail(target, baseline_to_json(baseline, outcome.result.tool))
    if not quiet:
        files = len({e.path for e in baseline.entries})
        message = (f"wrote {len(outcome.policy.new)} finding(s) ({len(baseline.entries)} "
                   f"entries in {files} file(s)) to {display_path(target)}")
        skipped = [f"{n} {what}" for n, what in ((len(outcome.policy.suppressed), "suppressed"),
                                                 (len(outcome.policy.waived), "waived")) if n]
        if skipped:
            message += f"; not recorded: {', '.join(skipped)}"
        click.echo(message, err=True)
