"""The exit codes every command uses (documented in the README): one definition."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    """Nothing at or above the threshold (or the command did what it was asked)."""
    FINDINGS = 1
    """Findings at or above the threshold; for ``fix --write``, swaps left; for
    ``catalog verify``, changed entries."""
    ERROR = 2
    """Usage or configuration error, or the command could not run."""
    HANGUP = 129
    """SIGHUP (128 + 1): the terminal went away; the run stopped, nothing partial written."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT), as shells report it."""
    TERMINATED = 143
    """SIGTERM (128 + 15): a CI cancel, ``timeout``, ``kill``; the run stopped, nothing
    partial written."""
