"""An ordered process-pool map that ends quietly on Ctrl-C.

A terminal's Ctrl-C reaches every process of the group: the workers die at once (they restore
the default SIGINT action) and the main process unwinds with KeyboardInterrupt. Python 3.11's
``ProcessPoolExecutor`` then races with itself: ``Executor.map`` cancels the pending futures
while the executor's manager thread, seeing its workers gone, tries to fail the same futures,
and prints ``InvalidStateError`` tracebacks from that thread. Those (and only those) are
silenced here while the pool is torn down, so the user sees the one "interrupted" line.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import InvalidStateError, ProcessPoolExecutor
from multiprocessing.util import Finalize
from typing import TypeVar

from auditor import isolate

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(function: Callable[[Item], Result], items: Sequence[Item], jobs: int
                ) -> Iterator[Result]:
    """``function`` over ``items`` in ``jobs`` forked workers; results in input order."""
    chunk = max(1, min(64, len(items) // (jobs * 8) or 1))
    previous_hook = threading.excepthook
    threading.excepthook = _quiet_teardown(previous_hook)
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker) as pool:
            yield from pool.map(function, items, chunksize=chunk)
    finally:
        threading.excepthook = previous_hook


def inherits_memory() -> bool:
    """Whether the workers are forked (they then see what the parent held when they started)."""
    return multiprocessing.get_start_method() == "fork"


def _start_worker() -> None:
    """In a worker: Ctrl-C ends it at once, silently (the main process reports it once), and
    its own parse worker (``isolate``) is stopped and reaped before it exits. A pool worker
    ends with ``os._exit``, which skips ``atexit``; multiprocessing's finalizers still run."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    Finalize(None, isolate.shutdown, exitpriority=100)


def _quiet_teardown(
    previous: Callable[[threading.ExceptHookArgs], object]
) -> Callable[[threading.ExceptHookArgs], None]:
    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is InvalidStateError and "CANCELLED" in str(args.exc_value):
            return
        previous(args)
    return hook
