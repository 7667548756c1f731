"""Write docs/usage.md from the ``--help`` of llama-audit and of every (sub)command.

    python docs/generate_usage.py           # rewrite docs/usage.md
    python docs/generate_usage.py --check   # exit 1 when docs/usage.md is out of date

The command line is reached through the console script named in pyproject.toml, exactly as a
user runs it, so this script does not depend on where the CLI lives inside the package.
Click wraps help text to the terminal width; the width is fixed here so the output is the
same on every machine.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROJECT = Path(__file__).resolve().parent.parent
USAGE = PROJECT / "docs" / "usage.md"
PROGRAM = "llama-audit"
REGENERATE = "python docs/generate_usage.py"
TERMINAL = {"COLUMNS": "80", "LINES": "24"}

HEADER = f"""\
# Command-line usage

Generated from `{PROGRAM} --help` and the `--help` of every command by `{REGENERATE}`;
do not edit by hand (a test fails when this file and the real help differ).
`python -m auditor ...` is the same as `{PROGRAM} ...`. The reference for each topic is in
the other pages of [docs/](../README.md#documentation).
"""


def entry_point() -> Callable[[Sequence[str]], None]:
    """The function behind the ``llama-audit`` console script (from pyproject.toml)."""
    with (PROJECT / "pyproject.toml").open("rb") as handle:
        target: str = tomllib.load(handle)["project"]["scripts"][PROGRAM]
    module, _, attribute = target.partition(":")
    function: Callable[[Sequence[str]], None] = getattr(importlib.import_module(module),
                                                         attribute)
    return function


@contextlib.contextmanager
def fixed_terminal() -> Iterator[None]:
    """Set COLUMNS and LINES for the duration, then restore what was there."""
    saved = {name: os.environ.get(name) for name in TERMINAL}
    os.environ.update(TERMINAL)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def help_text(run: Callable[[Sequence[str]], None], command: Sequence[str]) -> str:
    """What ``llama-audit COMMAND --help`` prints."""
    out = io.StringIO()
    with fixed_terminal(), contextlib.redirect_stdout(out):
        try:
            run([*command, "--help"])
        except SystemExit as exit_:
            if exit_.code not in (0, None):
                shown = " ".join((PROGRAM, *command, "--help"))
                raise RuntimeError(f"{shown} exited {exit_.code}") from exit_
    return out.getvalue()


def subcommands(text: str) -> list[str]:
    """The command names listed under ``Commands:`` in a group's help."""
    _, found, listing = text.partition("\nCommands:\n")
    if not found:
        return []
    return re.findall(r"^  (\S+)", listing, flags=re.MULTILINE)


def command_tree(run: Callable[[Sequence[str]], None],
                 command: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every command path with its help, depth first, in the order the help lists them."""
    text = help_text(run, command)
    yield command, text
    for name in subcommands(text):
        yield from command_tree(run, (*command, name))


def render() -> str:
    """The whole of docs/usage.md."""
    run = entry_point()
    sections = [HEADER]
    for command, text in command_tree(run):
        title = " ".join((PROGRAM, *command))
        sections.append(f"## `{title}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(sections)


def main(argv: Sequence[str]) -> int:
    wanted = render()
    if "--check" in argv:
        if USAGE.read_text(encoding="utf-8") != wanted:
            print(f"docs/usage.md is out of date: run `{REGENERATE}`", file=sys.stderr)
            return 1
        return 0
    USAGE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
