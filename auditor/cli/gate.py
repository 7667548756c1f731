"""The CI gate on the command line: scan options for baselines, ``--new-since``, suppressions
and config, plus the ``baseline`` and ``config`` commands.

``cli.scan`` calls ``open_gate`` before scanning (config, baseline and git errors surface before
any work) and ``Gate.apply`` after it. Exit codes are the CLI's: 0 ok, 1 findings (or strict
suppression problems), 2 usage or configuration errors.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click
import pathspec
from click.core import ParameterSource

from auditor import __version__
from auditor.cli.options import build_scan_options, scan_input_options
from auditor.config import (
    KEY_NAMES,
    ConfigError,
    ResolvedConfig,
    default_text,
    describe_value,
    load_config,
)
from auditor.discover.walk import DiscoverOptions
from auditor.policy import PolicyOptions, PolicyOutcome, apply_policy
from auditor.policy.baseline import (
    DEFAULT_BASELINE_NAME,
    Baseline,
    BaselineError,
    baseline_to_json,
    build_baseline,
)
from auditor.policy.gitdiff import ChangedLines, changed_lines_since
from auditor.policy.inputs import (
    hashes_for,
    inside,
    load_baseline_file,
    read_suppressions,
    rename_candidates,
    root_map,
    without_baseline_files,
)
from auditor.policy.locate import anchored_path
from auditor.ruleset.load import RuleError, RuleSet, load_ruleset
from auditor.scan.runner import ProgressCallback, ScanOptions, scan_paths
from auditor.types import AuditResult, Finding, ToolInfo
from auditor.util.git import GitError

F = TypeVar("F", bound=Callable[..., Any])

GATE_OPTION_NAMES = ("config_file", "no_config", "baseline", "no_baseline", "only_new",
                     "new_since", "report_unused_suppressions", "strict_suppressions",
                     "force_exclude")


def gate_options(func: F) -> F:
    """The scan options this module owns, passed to the command as keyword arguments."""
    decorators = [
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                     default=None, help="Use this config file only (no search upwards)."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
        click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
                     default=None,
                     help="Only findings not in this baseline count towards --fail-on."),
        click.option("--no-baseline", is_flag=True,
                     help="Ignore the baseline named in the config."),
        click.option("--only-new", is_flag=True,
                     help="Hide known findings (in the baseline or older than --new-since)."),
        click.option("--new-since", metavar="GIT_REF", default=None,
                     help="Only findings on lines added or changed since this git revision "
                          "count as new."),
        click.option("--report-unused-suppressions", is_flag=True,
                     help="List suppressions and waivers that matched nothing."),
        click.option("--strict-suppressions", is_flag=True,
                     help="Exit 1 on unused, unjustified or malformed suppressions."),
        click.option("--force-exclude", is_flag=True,
                     help="Apply excludes to paths given on the command line too "
                          "(for pre-commit)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@dataclass
class Gate:
    """Everything the policy needs, resolved before the scan."""

    given: list[Path]
    roots: list[Path]
    """The roots to scan: ``given`` minus excluded files and the baseline file."""
    config: ResolvedConfig
    excludes: tuple[str, ...]
    rules_dirs: tuple[Path, ...]
    fail_on: str
    exit_zero: bool
    baseline_path: Path | None
    baseline: Baseline | None
    new_since: str | None
    changed_lines: ChangedLines | None
    only_new: bool
    report_unused: bool
    strict: bool
    today: datetime.date

    def ruleset(self) -> RuleSet:
        try:
            return load_ruleset(self.rules_dirs)
        except RuleError as exc:
            raise click.UsageError(str(exc)) from exc

    def scan(self, options: ScanOptions, progress: ProgressCallback | None = None) -> AuditResult:
        """Scan the roots (an empty result when every given path was excluded)."""
        if not self.roots:
            ruleset = self.ruleset()
            return AuditResult(
                tool=ToolInfo(name="llama-audit", version=__version__,
                              rules_version=ruleset.version),
                roots=tuple(Path(p).as_posix() for p in self.given), findings=())
        try:
            return scan_paths(self.roots, options, progress=progress)
        except (RuleError, ValueError) as exc:
            raise click.UsageError(str(exc)) from exc

    def apply(self, result: AuditResult, discover_options: DiscoverOptions) -> PolicyOutcome:
        roots = root_map(result.roots, self.roots) if self.roots else {}
        result = without_baseline_files(result, roots)
        ruleset = self.ruleset()
        try:
            waivers = self.config.waivers(ruleset.resolve_rule_ref)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc
        every = self.report_unused or self.strict
        found = read_suppressions(result, roots, ruleset.resolve_rule_ref, every_file=every)
        baseline_dir = ""
        hashes: Mapping[str, str | None] = {}
        if self.baseline is not None and self.baseline_path is not None:
            baseline_dir = os.path.realpath(self.baseline_path.parent)
            anchored = [anchored_path(roots, f, baseline_dir) for f in result.findings]
            hashes = rename_candidates(self.baseline, anchored, baseline_dir)
        options = PolicyOptions(
            fail_on=self.fail_on, exit_zero=self.exit_zero, roots=roots,
            suppressions=tuple(found.suppressions),
            suppression_problems=tuple(found.problems), file_labels=found.labels,
            report_unused=self.report_unused, strict_suppressions=self.strict,
            waivers=waivers, today=self.today, baseline=self.baseline,
            baseline_dir=baseline_dir, file_hashes=hashes,
            changed_lines=self.changed_lines, only_new=self.only_new,
        )
        return apply_policy(result, options)

    def describe_known(self) -> str:
        reasons = []
        if self.baseline_path is not None:
            reasons.append(f"in the baseline {display_path(self.baseline_path)}")
        if self.new_since is not None:
            reasons.append(f"on lines unchanged since {self.new_since}")
        return " or ".join(reasons)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it, else as it is."""
    rel = inside(path, Path("."))
    return rel if rel is not None else str(path)


def open_gate(
    paths: Sequence[Path],
    *,
    fail_on: str,
    exit_zero: bool,
    exclude: Sequence[str],
    rules_dirs: Sequence[Path],
    gate: Mapping[str, Any],
    clock: Callable[[], datetime.date] = datetime.date.today,
) -> Gate:
    """Resolve config, baseline and git changes for a scan; UsageError (exit 2) on problems."""
    ctx = click.get_current_context()
    given = list(paths)
    config = _config_for(given, gate.get("config_file"), bool(gate.get("no_config")))
    if ctx.get_parameter_source("fail_on") in (ParameterSource.DEFAULT, None) \
            and config.fail_on is not None:
        fail_on = config.fail_on
    baseline_path: Path | None = gate.get("baseline")
    if baseline_path is None and not gate.get("no_baseline"):
        baseline_path = config.baseline
    baseline = None
    if baseline_path is not None:
        try:
            baseline = load_baseline_file(baseline_path)
        except BaselineError as exc:
            raise click.UsageError(str(exc)) from exc
    excludes = _excludes(config, given, exclude, baseline_path)
    roots = _roots_to_scan(given, config, exclude, baseline_path,
                           force=bool(gate.get("force_exclude")))
    new_since: str | None = gate.get("new_since")
    changed = None
    if new_since is not None:
        directories = sorted({os.path.realpath(p if p.is_dir() else p.parent) for p in given})
        try:
            changed = changed_lines_since(new_since, directories)
        except GitError as exc:
            raise click.UsageError(str(exc)) from exc
    return Gate(
        given=given, roots=roots, config=config, excludes=excludes,
        rules_dirs=tuple(config.rule_dirs) + tuple(rules_dirs), fail_on=fail_on,
        exit_zero=exit_zero, baseline_path=baseline_path, baseline=baseline,
        new_since=new_since, changed_lines=changed, only_new=bool(gate.get("only_new")),
        report_unused=bool(gate.get("report_unused_suppressions")),
        strict=bool(gate.get("strict_suppressions")), today=clock(),
    )


def _config_for(given: Sequence[Path], explicit: Path | None, disabled: bool) -> ResolvedConfig:
    if disabled:
        return ResolvedConfig()
    try:
        return load_config(given[0] if given else Path("."), explicit)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _excludes(
    config: ResolvedConfig, given: Sequence[Path], cli_excludes: Sequence[str],
    baseline_path: Path | None,
) -> tuple[str, ...]:
    """Config excludes rebased onto each scan root, then the command line's, then the
    baseline file itself (it names every known Llama identifier)."""
    patterns: list[str] = []
    for root in given:
        for pattern in config.exclude_for(root):
            if pattern not in patterns:
                patterns.append(pattern)
    patterns.extend(cli_excludes)
    patterns.append(DEFAULT_BASELINE_NAME)
    for baseline in _baseline_files(config, baseline_path):
        for root in given:
            if root.is_dir():
                rel = inside(baseline, root)
                if rel is not None and f"/{rel}" not in patterns:
                    patterns.append(f"/{rel}")
    return tuple(patterns)


def _baseline_files(config: ResolvedConfig, baseline_path: Path | None) -> list[Path]:
    """Baseline files never to scan (they name every known Llama identifier): the one in use,
    the config's (even with --no-baseline) and, by name, any .llama-audit-baseline.json."""
    return [p for p in (baseline_path, config.baseline) if p is not None]


def _is_baseline_file(path: Path, config: ResolvedConfig, baseline_path: Path | None) -> bool:
    if path.name == DEFAULT_BASELINE_NAME:
        return True
    real = os.path.realpath(path)
    return any(real == os.path.realpath(b) for b in _baseline_files(config, baseline_path))


def _roots_to_scan(
    given: Sequence[Path], config: ResolvedConfig, cli_excludes: Sequence[str],
    baseline_path: Path | None, *, force: bool,
) -> list[Path]:
    """Given paths minus the baseline file and, with ``force``, files that excludes match."""
    config_spec = pathspec.GitIgnoreSpec.from_lines(list(config.exclude))
    cli_spec = pathspec.GitIgnoreSpec.from_lines(list(cli_excludes))
    source = config.sources.get("exclude")
    out = []
    for path in given:
        if path.is_file() and _is_baseline_file(path, config, baseline_path):
            continue
        if force and path.is_file():
            from_config = inside(path, source.directory) if source is not None else None
            from_cwd = inside(path, Path("."))
            if (from_config is not None and config_spec.match_file(from_config)) or \
                    (from_cwd is not None and cli_spec.match_file(from_cwd)):
                continue
        out.append(path)
    return out


def gate_text(outcome: PolicyOutcome, gate: Gate, render: Callable[[AuditResult], str]) -> str:
    """Text output: known findings first (compact), then the new ones as usual."""
    if not outcome.classified:
        return render(outcome.result)
    parts = []
    if not gate.only_new and outcome.known:
        multi = len(outcome.result.roots) > 1
        parts.append(f"Known findings ({len(outcome.known)}), {gate.describe_known()}; "
                     "not counted by --fail-on:")
        parts.extend(f"  {known_line(f, multi)}" for f in outcome.known)
        parts.append("")
        parts.append(f"New findings ({len(outcome.new)}):")
    parts.append(render(replace(outcome.result, findings=outcome.new)))
    return "\n".join(parts)


def shown_path(root: str, path: str, multi_root: bool) -> str:
    """How a file is named when several roots were scanned (a file root names itself)."""
    if not multi_root or not root:
        return path
    if root == path or root.endswith("/" + path):
        return root
    return f"{root.rstrip('/')}/{path}"


def known_line(finding: Finding, multi_root: bool = False) -> str:
    where = shown_path(finding.root, finding.path, multi_root)
    text = (f"{where}:{finding.line}:{finding.column}  {finding.severity.value:<6}  "
            f"{finding.rule_id}  {finding.message}  [known]")
    moved = finding.detail("moved_from")
    if moved:
        text += f" (file moved from {moved})"
    return text


def gate_summary(
    outcome: PolicyOutcome, gate: Gate, summary: Callable[[AuditResult], str]
) -> list[str]:
    """Lines for stderr: the usual summary of what counts, the policy counts, and the
    policy's diagnostics (expired waivers, unused suppressions, moved files)."""
    shown = replace(outcome.result, findings=outcome.new) if outcome.classified \
        else outcome.result
    lines = [summary(shown)]
    parts = []
    if outcome.classified:
        parts.append(f"{len(outcome.new)} new, {len(outcome.known)} known")
    if outcome.suppressed:
        parts.append(f"{len(outcome.suppressed)} suppressed")
    if outcome.waived:
        parts.append(f"{len(outcome.waived)} waived")
    if outcome.moves:
        parts.append(f"{len(outcome.moves)} file(s) moved")
    if outcome.baseline_fixed:
        parts.append(f"{outcome.baseline_fixed} baseline finding(s) fixed (run 'llama-audit "
                     "baseline' to lock that in)")
    if parts:
        lines.append("policy: " + ", ".join(parts))
    multi = len(outcome.result.roots) > 1
    for diagnostic in outcome.policy_diagnostics:
        where = shown_path(diagnostic.root, diagnostic.path, multi)
        if diagnostic.line:
            where += f":{diagnostic.line}"
        lines.append(f"{where}: {diagnostic.message} [{diagnostic.code}]")
    if outcome.strict_failures and outcome.exit_code:
        lines.append(f"failing: {len(outcome.strict_failures)} suppression problem(s) "
                     "(--strict-suppressions)")
    return lines


@click.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=f"Baseline file to write (default: the config's 'baseline', else "
                   f"{DEFAULT_BASELINE_NAME}).")
@scan_input_options("Also record mentions in documentation (info severity).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Use this config file only (no search upwards).")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def baseline_command(
    paths: Sequence[Path],
    output: Path | None,
    exclude: Sequence[str],
    max_file_size: int,
    no_gitignore: bool,
    include_docs: bool,
    rules_dirs: Sequence[Path],
    jobs: int | None,
    config_file: Path | None,
    no_config: bool,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Record the current findings of PATHS (default: .) so later scans fail only on new ones.

    Suppressed and waived findings are not recorded. Occurrences are counted, so a later copy
    of a recorded line is still reported as new.
    """
    given = list(paths) or [Path(".")]
    for root in given:
        if not root.exists() and not root.is_symlink():
            raise click.UsageError(f"path does not exist: {root}")
    config = _config_for(given, config_file, no_config)
    target = output or config.baseline or Path(DEFAULT_BASELINE_NAME)
    gate = Gate(
        given=given, roots=_roots_to_scan(given, config, exclude, target, force=False),
        config=config, excludes=_excludes(config, given, exclude, target),
        rules_dirs=tuple(config.rule_dirs) + tuple(rules_dirs), fail_on="none",
        exit_zero=True, baseline_path=None, baseline=None, new_since=None,
        changed_lines=None, only_new=False, report_unused=False, strict=False,
        today=datetime.date.today(),
    )
    options = build_scan_options(
        excludes=gate.excludes, rules_dirs=gate.rules_dirs, max_file_size=max_file_size,
        no_gitignore=no_gitignore, include_docs=include_docs, jobs=jobs, no_cache=no_cache,
    )
    outcome = gate.apply(gate.scan(options), options.discover)
    findings = outcome.new
    anchor = os.path.realpath(target.parent)
    roots = root_map(outcome.result.roots, gate.roots) if gate.roots else {}
    anchored = [anchored_path(roots, f, anchor) for f in findings]
    baseline = build_baseline(findings, anchored, hashes_for(set(anchored), anchor),
                              source=str(target), tool=outcome.result.tool)
    from auditor.cli.main import _write  # the CLI's atomic writer

    _write(target, baseline_to_json(baseline, outcome.result.tool))
    if not quiet:
        files = len({e.path for e in baseline.entries})
        message = (f"wrote {len(findings)} finding(s) ({len(baseline.entries)} entries in "
                   f"{files} file(s)) to {display_path(target)}")
        skipped = [f"{n} {what}" for n, what in ((len(outcome.suppressed), "suppressed"),
                                                 (len(outcome.waived), "waived")) if n]
        if skipped:
            message += f"; not recorded: {', '.join(skipped)}"
        click.echo(message, err=True)


@click.group("config")
def config_group() -> None:
    """Show the configuration llama-audit resolves, and where each value comes from."""


@config_group.command("show")
@click.argument("path", required=False, type=click.Path(path_type=Path, exists=True),
                default=Path("."))
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Show this config file only (no search upwards).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
def config_show(path: Path, config_file: Path | None, output_format: str) -> None:
    """The configuration that applies to a scan of PATH (default: .): each key's value and
    the file it comes from. Exits 2 when a config file is invalid."""
    config = _config_for([path], config_file, False)
    if output_format == "json":
        click.echo(json.dumps(config_as_data(config), indent=2, ensure_ascii=False))
    else:
        click.echo(render_config(config), nl=False)


def config_as_data(config: ResolvedConfig) -> dict[str, Any]:
    return {
        "files": [{"path": f.display, "root": f.table.get("root") is True}
                  for f in config.files],
        "values": {
            key: {"value": _plain(describe_value(key, config)),
                  "source": config.sources[key].label if key in config.sources else "default"}
            for key in KEY_NAMES
        },
    }


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    return value


def render_config(config: ResolvedConfig) -> str:
    """TOML-like text: what ``[tool.llama-audit]`` resolves to, with each value's source."""
    lines = []
    if config.files:
        lines.append("# config files, nearest first:")
        for file in config.files:
            suffix = "  (root = true)" if file.table.get("root") is True else ""
            lines.append(f"#   {file.label}{suffix}")
    else:
        lines.append("# no config file found: defaults apply")
    lines.append("")
    for key in KEY_NAMES:
        if key == "waivers":
            continue
        source = config.sources[key].label if key in config.sources else "default"
        if key in config.sources:
            value = _toml_value(describe_value(key, config))
        else:
            value = default_text(key)
        lines.append(f"{key} = {value}  # {source}")
    waivers = describe_value("waivers", config)
    if isinstance(waivers, list) and waivers:
        source = config.sources["waivers"].label
        for waiver in waivers:
            lines.append("")
            lines.append(f"[[waivers]]  # {source}")
            for name, item in waiver.items():
                lines.append(f"{name} = {_toml_value(item)}")
    else:
        lines.append("waivers = []  # default")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
