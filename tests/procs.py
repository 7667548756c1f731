"""The process table from /proc, for tests that prove no process is left behind."""

from __future__ import annotations

import os
from pathlib import Path


def process_stats() -> dict[int, list[str]]:
    """pid -> the fields of ``/proc/PID/stat`` after the command name (state, parent pid,
    process group, ...; the start time is index 19), zombies included."""
    table: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        table[int(entry)] = stat[stat.rindex(")") + 2:].split()
    return table
