"""The other files a scan of one file read: a lockfile's manifest, a requirements file's
``-r``/``-c`` includes. The engine records them so the warm-scan index re-scans the file
when any of them changes, appears or disappears."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_reads: ContextVar[list[str] | None] = ContextVar("llama_audit_inputs", default=None)


@contextmanager
def recording() -> Iterator[list[str]]:
    """Collect, into the yielded list, every path ``note_input`` sees inside the block."""
    seen: list[str] = []
    token = _reads.set(seen)
    try:
        yield seen
    finally:
        _reads.reset(token)


def note_input(path: Path) -> None:
    """Call before looking at ``path`` (even when it turns out not to exist)."""
    seen = _reads.get()
    if seen is not None:
        seen.append(os.path.abspath(path))
