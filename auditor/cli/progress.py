"""A progress bar on stderr for large scans, shown only on an interactive terminal.

The engine reports ``(done, total)`` through a plain callback and knows nothing about
terminals; this module turns those calls into a rich progress bar. The bar appears only when
the caller allows it (stderr is a TTY, no ``--quiet``) and the scan is large enough to be
worth watching; otherwise the callback does nothing and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

LARGE_SCAN_FILES = 200
"""Below this many files a scan finishes before a bar would help."""

ProgressCallback = Callable[[int, int], None]


def progress_wanted(stream: TextIO, *, quiet: bool, env: Mapping[str, str] | None = None
                    ) -> bool:
    """A bar only for people: an interactive stream, not quiet, not a CI log."""
    environment = os.environ if env is None else env
    if quiet or environment.get("CI") or environment.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def scan_progress(stream: TextIO, *, enabled: bool, threshold: int = LARGE_SCAN_FILES,
                  color: bool = True) -> Iterator[ProgressCallback]:
    """Yield a ``(done, total)`` callback that draws a bar on ``stream`` when ``enabled``."""
    if not enabled:
        yield _ignore
        return
    # rich is imported only when a bar is drawn: CI and --quiet scans never pay for it
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=stream, force_terminal=True, no_color=not color, highlight=False)
    progress = Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if total < threshold:
            return
        if not task:
            progress.start()
            task.append(progress.add_task("scan", total=total))
        progress.update(task[0], completed=done, total=total)

    try:
        yield update
    finally:
        if task:
            progress.stop()


def _ignore(done: int, total: int) -> None:
    """The callback when no bar is wanted."""
