"""The command line: the click group, the entry point and its error handling.

Each command lives in its own module. Commands parse options,
pick streams and map outcomes to ``ExitCode``; the work is in ``auditor.pipeline`` and the
stages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import ClassVar

import click

from auditor import __version__
from auditor.cli.exit_codes import ExitCode
from auditor.cli.signals import Terminated, orderly_stop, stop_children
from auditor.util.imports import import_quietly


class _LazyGroup(click.Group):
    """Every command is imported only when it runs (or its help is shown): a ``scan`` from
    pre-commit or CI does not pay for the codemods of ``fix`` or the comparison of ``report``,
    and ``--version`` imports no command at all."""

    lazy_commands: ClassVar[dict[str, str]] = {
        "scan": "auditor.cli.scan:scan",
        "rules": "auditor.cli.rules:rules_group",
        "baseline": "auditor.cli.baseline:baseline_command",
        "config": "auditor.cli.config_cmd:config_group",
        "fix": "auditor.cli.fix:fix_command",
        "plan": "auditor.cli.plan:plan_command",
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
        command: click.Command = getattr(import_quietly(module_name), attribute)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="llama-audit")
def cli() -> None:
    """Find every dependency on Meta's Llama models and plan the move to open replacements."""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one-line errors, exit 2 for usage problems, 130 on Ctrl-C, 128 + the
    signal's number on SIGTERM (143) and SIGHUP (129).

    Nothing escapes as a traceback: an unexpected error is one line too (exit 2), with the
    traceback shown only when ``LLAMA_AUDIT_DEBUG`` is set. However the run ends, every
    process it started is terminated and reaped before it exits (``signals``).
    """
    with orderly_stop() as state:
        try:
            _run(argv)
        finally:
            state.ending = True
            stop_children()


def _run(argv: Sequence[str] | None) -> None:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="llama-audit",
                 standalone_mode=False)
    except click.ClickException as exc:  # usage errors included
        _error(f"error: {exc.format_message()}")
        sys.exit(ExitCode.ERROR)
    except (KeyboardInterrupt, click.Abort):
        _error("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except Terminated as exc:
        _error(f"terminated by {exc.name}")
        sys.exit(ExitCode.HANGUP if exc.number == getattr(signal, "SIGHUP", None)
                 else ExitCode.TERMINATED)  # 128 + the signal's number
    except BrokenPipeError:
        # The reader went away (``llama-audit scan | head``): stop quietly; point stdout at
        # /dev/null so the interpreter's final flush cannot fail again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _error("error: output closed before the report was written (broken pipe)")
        sys.exit(ExitCode.ERROR)
    except Exception as exc:
        if os.environ.get("LLAMA_AUDIT_DEBUG"):
            raise
        _error(f"error: internal error: {type(exc).__name__}: {exc} "
               "(set LLAMA_AUDIT_DEBUG=1 for the traceback)")
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.OK)


def _error(message: str) -> None:
    """One line on stderr, whatever stderr's encoding and state."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    line = f"llama-audit: {message}".encode(encoding, "backslashreplace").decode(encoding)
    with contextlib.suppress(OSError, ValueError):
        click.echo(line, err=True)
