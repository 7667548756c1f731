"""An ordered, batched process-pool map that ends quietly on Ctrl-C.

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
from functools import partial
from multiprocessing.util import Finalize
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from auditor import isolate

if TYPE_CHECKING:  # the runner imports this module when it starts a pool
    from auditor.discover.found import Found
    from auditor.scan.runner import FileResult, ScanOptions

Item = TypeVar("Item")
Result = TypeVar("Result")


BATCH_LIMIT = 64


def batch_size(total: int, jobs: int) -> int:
    """Items per batch: about eight batches per worker, at most ``BATCH_LIMIT`` (a batch of
    slow files must not leave the other workers idle at the end)."""
    return max(1, min(BATCH_LIMIT, total // (jobs * 8) or 1))


def batched_map(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item],
                jobs: int) -> Iterator[Result]:
    """``function`` over batches of ``items`` (slices: a ``range`` stays a ``range``) in
    ``jobs`` forked workers; one result per item, in input order. A worker handles a whole
    batch per task, so the main process sends, receives and unpickles one message per batch,
    not one per item."""
    size = batch_size(len(items), jobs)
    batches = [items[start:start + size] for start in range(0, len(items), size)]
    previous_hook = threading.excepthook
    threading.excepthook = _quiet_teardown(previous_hook)
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker) as pool:
            for results in pool.map(function, batches):
                yield from results
    finally:
        threading.excepthook = previous_hook


def scan_in_pool(files: list[tuple[Path, Found]], options: ScanOptions
                 ) -> Iterator[FileResult]:
    """``runner.scan_batch`` over the files in ``options.jobs`` workers; results in order.
    Forked workers inherit the file list: each is sent a batch of positions (a ``range``: a
    few bytes), not pickled file records."""
    if not inherits_memory():
        yield from batched_map(partial(_scan_files, options=options), files, options.jobs)
        return
    _POOL_FILES[:] = files
    try:
        yield from batched_map(partial(_scan_positions, options=options), range(len(files)),
                               options.jobs)
    finally:
        _POOL_FILES.clear()


_POOL_FILES: list[tuple[Path, Found]] = []
"""The files of the scan a pool runs, set before its workers fork."""


def _scan_positions(positions: Sequence[int], options: ScanOptions) -> list[FileResult]:
    return _scan_files([_POOL_FILES[p] for p in positions], options)


def _scan_files(files: Sequence[tuple[Path, Found]], options: ScanOptions) -> list[FileResult]:
    """A batch's results, those with nothing in them replaced by shared objects: pickle
    sends a shared object once per batch, so a file without findings costs a few bytes."""
    from auditor.scan.runner import FileResult, scan_batch

    if not _EMPTY:
        _EMPTY.update({(scanned, parsed): FileResult((), (), scanned=scanned, parsed=parsed)
                       for scanned in (False, True) for parsed in (False, True)})
    return [_EMPTY[r.scanned, r.parsed] if r == _EMPTY.get((r.scanned, r.parsed)) else r
            for r in scan_batch(files, options)]


_EMPTY: dict[tuple[bool, bool], FileResult] = {}


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
