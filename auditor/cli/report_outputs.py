"""The output options and writing that ``scan``, ``report`` and ``merge`` share.

Apart from ``cli/report.py`` so that ``scan`` imports neither the comparison nor the merge
(nor the Markdown renderer they use): a scan pays at start-up only for what it runs.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.cli.exit_codes import ExitCode
from auditor.cli.output import OutputError, is_stdout, write_output
from auditor.report.formats import EXTRA_OUTPUT_OPTIONS, Format, render
from auditor.report.links import link_base_from_env
from auditor.types import AuditResult

F = TypeVar("F", bound=Callable[..., Any])

class ReportError(click.ClickException):
    """A report or merge that cannot be done: bad input or an output that cannot be written."""

    exit_code = ExitCode.ERROR


_EXTRA_PARAMS: Mapping[Format, str] = {
    fmt: option.removeprefix("--").replace("-", "_") for fmt, option in EXTRA_OUTPUT_OPTIONS.items()
}


EXTRA_OUTPUT_PARAMS = frozenset(_EXTRA_PARAMS.values())
"""The keyword names the extra-output options add to a command."""


def extra_output_options(command: F) -> F:
    """Add ``--json-output FILE`` ... ``--cyclonedx-output FILE`` to a click command."""
    for fmt, option in reversed(list(EXTRA_OUTPUT_OPTIONS.items())):
        command = click.option(
            option, _EXTRA_PARAMS[fmt], type=click.Path(path_type=Path, dir_okay=False),
            default=None, metavar="FILE",
            help=f"Also write the {fmt.label} report to FILE.",
        )(command)
    return command


def extra_outputs(params: Mapping[str, Any]) -> dict[Format, Path]:
    """The extra outputs a command was given, from its keyword arguments."""
    return {fmt: params[name] for fmt, name in _EXTRA_PARAMS.items() if params.get(name)}


def use_color(output: Path | None) -> bool:
    """Colour for stdout: see ``color_wanted``; never for a file."""
    return is_stdout(output) and color_wanted(sys.stdout.isatty(), os.environ)


def color_wanted(tty: bool, env: Mapping[str, str]) -> bool:
    """Colour on a terminal, or anywhere when FORCE_COLOR is set to a non-empty value
    (force-color.org); never when NO_COLOR is set to a non-empty value (no-color.org: an
    empty NO_COLOR does not count), which wins over FORCE_COLOR."""
    if env.get("NO_COLOR", ""):
        return False
    return tty or bool(env.get("FORCE_COLOR", ""))


def terminal_width() -> int | None:
    """The terminal's width when stdout is one; None (the renderer's default) otherwise."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def emit_outputs(
    result: AuditResult,
    fmt: Format,
    output: Path | None,
    extras: Mapping[Format, Path],
    *,
    verbose: bool = False,
    link_base: str | None = None,
) -> None:
    """Render every requested output first, then write each; ReportError (exit 2) on failure."""
    link = link_base if link_base is not None else link_base_from_env(os.environ)
    width = terminal_width() if is_stdout(output) else None
    main_text = render(result, fmt, color=use_color(output), verbose=verbose, link_base=link,
                       width=width)
    write_outputs(result, output, main_text, extras, link_base=link)


def write_outputs(
    result: AuditResult,
    output: Path | None,
    main_text: str,
    extras: Mapping[Format, Path],
    *,
    link_base: str | None = None,
) -> None:
    """Render the extra outputs, then write everything; ReportError (exit 2) on failure.

    Rendering comes first so a rendering problem leaves no output file behind."""
    link = link_base if link_base is not None else link_base_from_env(os.environ)
    rendered: list[tuple[Path | None, str]] = [(output, main_text)]
    for extra_format, extra_path in extras.items():
        rendered.append((extra_path, render(result, extra_format, link_base=link)))
    for path, text in rendered:
        try:
            write_output(path, text)
        except OutputError as exc:
            raise ReportError(str(exc)) from exc
