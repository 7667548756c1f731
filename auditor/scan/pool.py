"""An ordered, batched process-pool map that ends quietly, and completely, on a signal.

No worker outlives the pool, however the run ends (``docs/robustness.md``, "Signals"):

- a pool worker that gets SIGINT, SIGTERM or SIGHUP kills and reaps its parse worker
  (``isolate``) and exits at once with 128 + the signal's number;
- a pool that ends early (an exception, or a signal turned into one by the CLI) terminates its
  workers and reaps them (``stop_pools`` does the same for every running pool: the CLI calls
  it before it exits, since a generator left suspended is closed only when it is collected);
- on Linux a pool worker gets SIGTERM from the kernel when the main process dies (killed
  outright), so it still reaps its parse worker and ends.

Python 3.11's ``ProcessPoolExecutor`` races with itself when its workers die: ``Executor.map``
cancels the pending futures while the executor's manager thread, seeing its workers gone,
tries to fail the same futures, and prints ``InvalidStateError`` tracebacks from that thread.
Those (and only those) are silenced here while the pool is torn down, so the user sees the one
"interrupted" line; the workers are joined here, not left to that thread.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing.util import Finalize
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

from auditor import isolate
from auditor.util.stops import Terminated

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
    # The workers fork in ``map`` (the fork start method starts them all at the first submit);
    # a signal that arrives meanwhile is held until the pool knows every worker.
    arm = threading.current_thread() is threading.main_thread()
    with isolate.held_signals():
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                                   initargs=(os.getpid(), arm))
        _RUNNING.append(pool)
    try:
        with isolate.held_signals():
            batch_results = pool.map(function, batches)
        for results in batch_results:
            yield from results
    except BrokenProcessPool as broken:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        _stop(pool)  # joins them (and forgets them)
        stop = _stop_signal([worker.exitcode for worker in workers])
        if stop is None:
            raise
        # The workers were stopped by a signal the main process got too (a terminal's Ctrl-C
        # reaches the whole group): end as that signal does, not as a crash. The pool can
        # notice its dead workers before this process's own handler runs.
        raise (KeyboardInterrupt() if stop == signal.SIGINT else Terminated(stop)) from broken
    except BaseException:
        _stop(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        with contextlib.suppress(ValueError):
            _RUNNING.remove(pool)
        threading.excepthook = previous_hook


_RUNNING: list[ProcessPoolExecutor] = []
"""The pools whose map has not finished."""


STOP_GRACE = 10.0
"""Seconds a terminated worker has to reap its parse worker and exit before it is killed."""


def stop_pools() -> None:
    """Terminate and reap the workers of every pool still running (the CLI's last step)."""
    while _RUNNING:
        _stop(_RUNNING.pop())


def _stop(pool: ProcessPoolExecutor) -> None:
    """End ``pool`` now: SIGTERM to each worker (which kills and reaps its parse worker), the
    pending work cancelled, every worker reaped (killed if it does not end in time)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(STOP_GRACE)
            if process.exitcode is None:
                process.kill()
                process.join()
    pool.shutdown(wait=True, cancel_futures=True)


def _stop_signal(codes: Sequence[int | None]) -> int | None:
    """The stop signal that ended a broken pool's workers (their exit codes), if a stop
    signal did: some worker ended by SIGINT or SIGHUP (as a signal, or as ``_end_worker``'s
    128 + its number), or every one by SIGTERM (which the pool itself sends the survivors of
    a crash, so one crashed worker means a crash). None for a crash."""
    signals = {abs(code) if code < 0 else code - 128 for code in codes if code is not None}
    for number in (signal.SIGINT, getattr(signal, "SIGHUP", None)):
        if number is not None and number in signals:
            return int(number)
    if codes and signals == {signal.SIGTERM} and None not in codes:
        return int(signal.SIGTERM)
    return None


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


def _start_worker(parent: int, arm: bool) -> None:
    """In a worker: its own parse worker (``isolate``) is stopped and reaped before it exits,
    however it ends. A pool worker ends with ``os._exit``, which skips ``atexit``;
    multiprocessing's finalizers still run. A stop signal (held since the fork) ends it at
    once, silently: the main process reports it once. ``arm``: the pool was started by a main
    thread, so the kernel's death signal can be tied to it (Linux). A signal the run ignored
    from its start (``nohup``, a background job) stays ignored here too."""
    for number in isolate.STOP_SIGNALS:
        if signal.getsignal(number) != signal.SIG_IGN:
            signal.signal(number, _end_worker)
    if arm:
        isolate.die_with_parent(parent, signal.SIGTERM)
    Finalize(None, isolate.shutdown, exitpriority=100)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, isolate.STOP_SIGNALS)


def _end_worker(number: int, frame: FrameType | None) -> None:  # pragma: no cover - in a worker
    isolate.terminate()
    os._exit(128 + number)


def _quiet_teardown(
    previous: Callable[[threading.ExceptHookArgs], object]
) -> Callable[[threading.ExceptHookArgs], None]:
    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is InvalidStateError and "CANCELLED" in str(args.exc_value):
            return
        previous(args)
    return hook
