"""``llama-audit fix``: rewrite code and config to the replacement models, diff first.

Exit codes (``ExitCode``, the same scheme as ``scan``): 0 the fix ran (a dry run, or
``--write`` left no swap-effort finding); 1 ``--write`` ran but swap-effort findings remain;
2 usage or configuration error, refusal to write over uncommitted changes, or a failed write.
The findings are ``scan``'s, after the same inline suppressions and config waivers
(``auditor.pipeline``): what the policy takes out is left as it is, and baseline files are
never rewritten.
The diff goes to stdout (``llama-audit fix > migration.patch`` gives a patch ``git apply``
reads); the summary, manual steps and re-scan go to stderr.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from auditor.cli.exit_codes import ExitCode
from auditor.cli.options import config_options, paths_or_cwd, usage_errors
from auditor.cli.progress import progress_wanted
from auditor.discover.walk import DiscoverOptions
from auditor.enrich.plan_file import PlanFileError, load_plan
from auditor.fix.diff import plan_diff
from auditor.fix.model import Action, FixPlan, ReplacementChooser
from auditor.fix.plan import FAMILIES, OverrideChooser, PlanChooser, parse_overrides
from auditor.fix.run import CatalogSettings, FixError, apply_plan, build_plan, make_chooser
from auditor.fix.summary import render_plan, render_remaining, render_unsafe
from auditor.fix.verify import still_found, written_problems
from auditor.pipeline import AuditOptions, AuditOutcome, open_audit, run_audit
from auditor.policy.gate import Gate, GateOptions
from auditor.ruleset.load import RuleError, load_ruleset
from auditor.scan.runner import ScanOptions
from auditor.types import AuditResult, Effort, Finding
from auditor.util.git import uncommitted


class FixRefused(click.ClickException):
    """Refusal to write (uncommitted changes, no git) or a failed write: exit 2."""

    exit_code = ExitCode.ERROR


@click.command("fix")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "prefer", type=click.Choice(FAMILIES), default=None,
              help="Replacement family to use where the catalog has one "
              "(default: the configured prefer).")
@click.option("--model", "models", multiple=True, metavar="OLD=NEW",
              help="Replace identifier OLD with NEW exactly (repeatable); needs no catalog.")
@click.option("--write", is_flag=True, help="Apply the changes (default: print the diff only).")
@click.option("--allow-dirty", is_flag=True,
              help="Write even to files with uncommitted changes, or outside git.")
@click.option("--include-docs", is_flag=True,
              help="Also rewrite model ids in documentation code blocks.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip paths matching this gitignore-style pattern (repeatable).")
@click.option("--no-gitignore", is_flag=True, help="Also fix files that .gitignore excludes.")
@click.option("--rules", "rules_dirs", multiple=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="Extra directory of rule files (repeatable).")
@click.option("--catalog", "catalog_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Catalog snapshot to choose replacements from.")
@click.option("--online", is_flag=True, help="Check replacements against the live Hub.")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="Take the replacements from this plan file ('llama-audit "
              "plan'); --model overrides still win.")
@config_options("Use this config file instead of searching for one.",
                "Ignore [tool.llama-audit] configuration.")
@click.option("-q", "--quiet", is_flag=True, help="Print the diff only, no summary.")
@click.option("--progress", "show_progress", is_flag=True,
              help="Report each stage on stderr (default: only on a terminal).")
def fix_command(
    paths: Sequence[Path],
    prefer: str | None,
    models: Sequence[str],
    write: bool,
    allow_dirty: bool,
    include_docs: bool,
    exclude: Sequence[str],
    no_gitignore: bool,
    rules_dirs: Sequence[Path],
    catalog_file: Path | None,
    online: bool,
    plan_file: Path | None,
    config_file: Path | None,
    no_config: bool,
    quiet: bool,
    show_progress: bool,
) -> None:
    """Rewrite PATHS (default: .) to the replacement models: a diff first, --write to apply.

    Model ids are rewritten in the same naming scheme (Hugging Face id, Ollama tag, GGUF
    repo or file, provider id), Llama classes become Auto classes, Meta-only packages are
    removed from manifests. Prompt formats, token ids and fine-tunes are listed as manual
    steps. After --write the paths are scanned again and what is left is printed.
    """
    roots = paths_or_cwd(paths, symlinks=False)
    stage = _Stages(not quiet and (show_progress or progress_wanted(sys.stderr, quiet=quiet)))
    options = AuditOptions(
        scan=ScanOptions(
            discover=DiscoverOptions(excludes=tuple(exclude), use_gitignore=not no_gitignore),
            include_docs=include_docs, rules_dirs=tuple(rules_dirs), jobs=os.cpu_count() or 1),
        enrich=None,  # replacements are chosen below, only where no --model override applies
        # Known (baselined) findings are migrated too, as scan still reports them: the baseline
        # is not compared against (nor required to exist), but its file is never rewritten.
        gate=GateOptions(no_baseline=True),
        config_file=config_file, use_config=not no_config,
    )
    with usage_errors():
        gate = open_audit(roots, options)
    try:
        ruleset = load_ruleset(gate.rules_dirs)
        overrides = OverrideChooser(parse_overrides(models, ruleset))
    except (RuleError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc
    prefer = prefer or gate.config.preferred_family
    if prefer is not None and prefer not in FAMILIES:
        raise click.UsageError(f"configured prefer {prefer!r} is not one of "
                               f"{', '.join(FAMILIES)}")
    stage("scanning")
    with usage_errors():
        before = run_audit(gate, options)
    result = before.result
    stage(f"choosing replacements for {len(result.findings)} finding(s)")
    try:
        if plan_file is not None:
            findings, chooser, catalog_notes = _plan_chooser(result.findings, plan_file,
                                                             overrides)
        else:
            findings, chooser, catalog_notes = make_chooser(
                result.findings, overrides, CatalogSettings(prefer, catalog_file, online),
                ruleset)
    except (FixError, PlanFileError) as exc:
        raise click.UsageError(str(exc)) from exc
    labels = before.root_paths
    stage("planning the rewrite (each changed file is parsed and checked for duplicate keys)")
    plan = build_plan(result, findings, labels, chooser, ruleset)
    unused = [f"--model {old}=...: no finding has this identifier"
              for old in overrides.unused(result.findings)]
    unused += [f"--model {old}=...: not applied: fix rewrites none of the findings that name "
               "it (a fine-tune or adapter's base is retrained, a label or path kept: see "
               "the manual steps)" for old in overrides.not_applied(plan.outcomes)]
    plan = replace(plan, notes=(*catalog_notes, *plan.notes, *_left_by_policy(before)),
                   warnings=(*plan.warnings, *unused))
    if write and plan.changes and not allow_dirty:
        _refuse_dirty(plan, labels)
    problems: list[str] = []
    if write and plan.changes:
        stage(f"writing {len(plan.changes)} file(s)")
        try:
            apply_plan(plan, labels)
        except OSError as exc:
            raise FixRefused(f"nothing was written: {exc.strerror or exc}") from exc
        problems = written_problems(plan.changes, labels)
    click.echo(plan_diff(plan.changes), nl=False)
    if not quiet:
        click.echo(render_plan(plan, written=write), err=True, nl=False)
    if not write:
        sys.exit(ExitCode.OK)
    stage("scanning again")
    with usage_errors():
        after = _scan_after(gate, options, CatalogSettings(prefer, catalog_file, online))
    stuck = still_found(plan, after)
    if not quiet:
        click.echo(render_remaining(after, plan.file_roots, len(plan.by_action(Action.LEFT))),
                   err=True, nl=False)
    if problems or stuck:  # never silent, even with --quiet
        click.echo(render_unsafe(problems, stuck, plan.file_roots), err=True, nl=False)
    # 1 while a model reference is left: one the plan could not replace (now "adapt" work
    # in the re-scan, with what to decide) or a swap the re-scan still finds
    left = bool(plan.by_action(Action.LEFT)) or any(
        f.effort is Effort.SWAP for f in after.findings)
    sys.exit(ExitCode.FINDINGS if left or problems or stuck else ExitCode.OK)


class _Stages:
    """One line on stderr per stage of a long run, with the seconds since the start."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.monotonic()

    def __call__(self, text: str) -> None:
        if self.enabled:
            click.echo(f"fix: {text}... ({time.monotonic() - self.start:.1f}s)", err=True)


def _left_by_policy(outcome: AuditOutcome) -> list[str]:
    """Notes on the findings the policy took out, which fix leaves as they are."""
    notes = []
    if outcome.policy.suppressed:
        notes.append(f"{len(outcome.policy.suppressed)} finding(s) suppressed inline "
                     "(llama-audit: ignore) were left as they are")
    if outcome.policy.waived:
        notes.append(f"{len(outcome.policy.waived)} finding(s) waived in the config were left "
                     "as they are")
    return notes


def _scan_after(gate: Gate, options: AuditOptions, settings: CatalogSettings) -> AuditResult:
    """The re-scan after ``--write``, with the catalog the plan used: a model reference ``fix``
    left because no replacement fits (a weights file, a provider without the model) is
    "adapt", as ``scan`` reports it, not a swap (nor a reason to exit 1). Without a catalog
    the efforts are the rules' own."""
    try:
        from auditor.enrich import CatalogError, EnrichOptions
    except ImportError:
        return run_audit(gate, options).result
    enrich = EnrichOptions(online=settings.online, prefer=settings.prefer,
                           catalog_file=settings.catalog_file, rules_dirs=gate.rules_dirs)
    try:
        return run_audit(gate, replace(options, enrich=enrich)).result
    except CatalogError:
        return run_audit(gate, options).result


def _plan_chooser(findings: Sequence[Finding], plan_file: Path, overrides: OverrideChooser,
                  ) -> tuple[Sequence[Finding], ReplacementChooser, list[str]]:
    try:
        text = plan_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"cannot read the plan {plan_file}: {exc}") from exc
    plan = load_plan(text, str(plan_file))
    return findings, PlanChooser(plan, str(plan_file), overrides), [
        f"replacements from the plan {plan_file}"]


def _refuse_dirty(plan: FixPlan, labels: dict[str, Path]) -> None:
    targets = []
    for change in plan.changes:
        root = labels.get(change.root, Path(change.root))
        targets.append(root / change.rel if root.is_dir() else root)
    dirty, problems = uncommitted(targets)
    if problems:
        raise FixRefused(f"cannot check for uncommitted changes: {problems[0]}; pass "
                         "--allow-dirty to write anyway (nothing was written)")
    if dirty:
        listed = ", ".join(str(p) for p in dirty[:10]) + (
            f" and {len(dirty) - 10} more" if len(dirty) > 10 else "")
        raise FixRefused(f"refusing to write: {len(dirty)} file(s) have uncommitted changes "
                         f"({listed}); commit them first or pass --allow-dirty "
                         "(nothing was written)")
