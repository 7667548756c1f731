"""Options shared by the commands that scan (``scan``, ``baseline``), and the ScanOptions they
build: one definition, so the commands cannot drift apart."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import click

from auditor.discover.walk import DiscoverOptions
from auditor.isolate import DEFAULT_TIMEOUT as DEFAULT_PARSE_TIMEOUT
from auditor.scan.cache import default_cache_root
from auditor.scan.runner import ScanOptions

F = TypeVar("F", bound=Callable[..., object])


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
    """--exclude, --max-file-size, --no-gitignore, --include-docs, --rules, --jobs, --no-cache."""

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
    excludes: Sequence[str],
    rules_dirs: Sequence[Path],
    max_file_size: int,
    no_gitignore: bool,
    include_docs: bool,
    jobs: int | None,
    no_cache: bool,
    parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
) -> ScanOptions:
    return ScanOptions(
        discover=DiscoverOptions(excludes=tuple(excludes), max_file_size=max_file_size,
                                 use_gitignore=not no_gitignore),
        include_docs=include_docs,
        rules_dirs=tuple(rules_dirs),
        jobs=jobs or os.cpu_count() or 1,
        cache_dir=None if no_cache else default_cache_root(),
        parse_timeout_seconds=parse_timeout,
    )
