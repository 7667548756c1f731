"""Options shared by the commands that scan (``scan``, ``baseline``, ``fix``), and the options
they build: one definition, so the commands cannot drift apart."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.discover.walk import DiscoverOptions
from auditor.errors import AuditError
from auditor.isolate import DEFAULT_TIMEOUT as DEFAULT_PARSE_TIMEOUT
from auditor.policy.gate import GateOptions
from auditor.scan.cache import default_cache_root
from auditor.scan.runner import ScanOptions

F = TypeVar("F", bound=Callable[..., object])

PREFER_CHOICES = ("gemma", "qwen", "mistral")


def paths_or_cwd(paths: Sequence[Path], *, symlinks: bool = True) -> list[Path]:
    """The given paths (default: the current directory); UsageError for one that does not
    exist (a dangling symlink counts as existing when ``symlinks``)."""
    roots = list(paths) or [Path(".")]
    for root in roots:
        if not root.exists() and not (symlinks and root.is_symlink()):
            raise click.UsageError(f"path does not exist: {root}")
    return roots


@contextmanager
def usage_errors() -> Iterator[None]:
    """An audit that cannot run (any ``AuditError``) is a usage or configuration error."""
    try:
        yield
    except AuditError as exc:
        raise click.UsageError(str(exc)) from exc


def parse_size(text: str) -> int:
    """``5000000``, ``512K``, ``5MB``, ``1GiB`` -> bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*", text.lower())
    if not match:
        raise click.BadParameter(f"{text!r} is not a size (e.g. 5000000, 512K, 5MB)")
    number = float(match.group(1))
    unit = (match.group(2) or "").rstrip("b").rstrip("i")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]
    return int(number * factor)


def _size_option(ctx: click.Context, param: click.Parameter, value: object) -> int:
    return value if isinstance(value, int) else parse_size(str(value))


def scan_input_options(docs_help: str) -> Callable[[F], F]:
    """--exclude, --max-file-size, --no-gitignore, --include-docs, --rules, --jobs, --no-cache:
    the keyword arguments of ``build_scan_options``."""

    def decorate(command: F) -> F:
        options = [
            click.option("--exclude", multiple=True, metavar="GLOB",
                         help="Skip paths matching this gitignore-style pattern (repeatable)."),
            click.option("--max-file-size", default="5MB", callback=_size_option,
                         metavar="SIZE", show_default=True,
                         help="Skip files larger than this (bytes, or 512K, 5MB)."),
            click.option("--no-gitignore", is_flag=True,
                         help="Scan files that .gitignore excludes."),
            click.option("--include-docs", is_flag=True, help=docs_help),
            click.option("--rules", "rules_dirs", multiple=True,
                         type=click.Path(path_type=Path, file_okay=False),
                         help="Extra directory of rule files (repeatable)."),
            click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                         help="Worker processes (default: CPU count)."),
            click.option("--no-cache", is_flag=True,
                         help="Do not read or write the per-file result cache."),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def build_scan_options(
    *,
    exclude: Sequence[str],
    rules_dirs: Sequence[Path],
    max_file_size: int,
    no_gitignore: bool,
    include_docs: bool,
    jobs: int | None,
    no_cache: bool,
    parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
) -> ScanOptions:
    return ScanOptions(
        discover=DiscoverOptions(excludes=tuple(exclude), max_file_size=max_file_size,
                                 use_gitignore=not no_gitignore),
        include_docs=include_docs,
        rules_dirs=tuple(rules_dirs),
        jobs=jobs or os.cpu_count() or 1,
        cache_dir=None if no_cache else default_cache_root(),
        parse_timeout_seconds=parse_timeout,
    )


def config_options(
    config_help: str = "Use this config file only (no search upwards).",
    no_config_help: str = "Ignore configuration files.",
) -> Callable[[F], F]:
    """--config FILE and --no-config (``config_file``, ``no_config``)."""

    def decorate(command: F) -> F:
        command = click.option("--no-config", is_flag=True, help=no_config_help)(command)
        return click.option("--config", "config_file",
                            type=click.Path(path_type=Path, dir_okay=False), default=None,
                            help=config_help)(command)

    return decorate


def gate_options(func: F) -> F:
    """The CI-gate options of ``scan``, passed to the command as keyword arguments."""
    decorators = [
        config_options(),
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


def build_gate_options(params: dict[str, Any], *, fail_on: str | None,
                       exit_zero: bool) -> GateOptions:
    """The policy asked for by ``gate_options`` (``fail_on`` None: the config decides)."""
    return GateOptions(
        fail_on=fail_on, exit_zero=exit_zero, baseline=params.get("baseline"),
        no_baseline=bool(params.get("no_baseline")), only_new=bool(params.get("only_new")),
        new_since=params.get("new_since"),
        report_unused=bool(params.get("report_unused_suppressions")),
        strict=bool(params.get("strict_suppressions")),
        force_exclude=bool(params.get("force_exclude")),
    )
