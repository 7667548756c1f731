"""A pool that ends early (an exception, a consumer that stops, ``stop_pools``) leaves no
process behind: its workers and their parse workers are ended and reaped before it returns."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

import pytest

from auditor import isolate
from auditor.scan import pool
from auditor.scan.pool import batched_map, stop_pools
from auditor.util.stops import Terminated
from tests.procs import process_stats

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not pool.inherits_memory(),
    reason="reads /proc; forked workers")


def _descendants() -> set[tuple[int, str]]:
    """(pid, start time) of every process below this one, zombies included."""
    table = {pid: (int(f[1]), f[19]) for pid, f in process_stats().items()}
    found: set[tuple[int, str]] = set()
    todo = [os.getpid()]
    while todo:
        parent = todo.pop()
        for pid, (ppid, started) in table.items():
            if ppid == parent and (pid, started) not in found:
                found.add((pid, started))
                todo.append(pid)
    return found


def _sleep(text: str, context: object) -> int:
    import time

    time.sleep(float(text))
    return 0


def _work(items: Sequence[int]) -> list[int]:
    """Each batch keeps its worker's parse worker busy; the batch holding 0 fails at once."""
    if 0 in items:
        raise ValueError("batch failed")
    isolate.run_isolated(_sleep, "0.5")
    return list(items)


def test_an_exception_in_a_worker_ends_the_whole_pool() -> None:
    before = _descendants()
    with pytest.raises(ValueError, match="batch failed"):
        list(batched_map(_work, range(40), 2))  # the other worker is mid-analysis
    assert _descendants() - before == set()


def test_a_consumer_that_stops_early_ends_the_pool() -> None:
    before = _descendants()
    results = batched_map(_work, range(1, 200), 2)
    assert next(results) == 1
    assert len(_descendants() - before) >= 3  # two pool workers, a parse worker at least
    results.close()
    assert _descendants() - before == set()


def test_stop_pools_ends_a_pool_whose_generator_is_still_suspended() -> None:
    before = _descendants()
    results = batched_map(_work, range(1, 200), 2)
    assert next(results) == 1
    assert len(pool._RUNNING) == 1
    stop_pools()
    assert pool._RUNNING == []
    assert _descendants() - before == set()
    results.close()  # the generator's own cleanup finds the pool stopped


def _exit_with(items: Sequence[int]) -> list[int]:
    """The batch holding 0 ends its worker as a stop signal does (``pool._end_worker``: 128 +
    the number), or as a crash does (code 3, or a signal that is not a stop signal)."""
    if 0 in items:
        code = int(os.environ["POOL_TEST_EXIT"])
        if code < 0:
            import faulthandler

            faulthandler.disable()  # pytest's would print the crash it is meant to be
            os.kill(os.getpid(), -code)
        os._exit(code)
    import time

    time.sleep(0.2)
    return list(items)


@pytest.mark.parametrize(("code", "expected", "number"), [
    (128 + signal.SIGINT, KeyboardInterrupt, None),
    (-signal.SIGINT, KeyboardInterrupt, None),
    (128 + signal.SIGHUP, Terminated, signal.SIGHUP),
    (3, BrokenProcessPool, None),
    (-signal.SIGSEGV, BrokenProcessPool, None),
], ids=["sigint-exit", "sigint", "sighup-exit", "crash-exit", "crash-signal"])
def test_workers_ended_by_a_stop_signal_end_the_map_as_that_signal(
        monkeypatch: pytest.MonkeyPatch, code: int, expected: type[BaseException],
        number: int | None) -> None:
    """A terminal's Ctrl-C reaches every process of the group: the pool may see its workers
    gone before the main process's own handler runs. The map then ends as the signal does
    (the CLI prints "interrupted", exit 130), not as a crash; a crash stays one."""
    monkeypatch.setenv("POOL_TEST_EXIT", str(code))
    before = _descendants()
    with pytest.raises(expected) as raised:
        list(batched_map(_exit_with, range(40), 2))
    if number is not None:
        assert isinstance(raised.value, Terminated) and raised.value.number == number
    assert _descendants() - before == set()


def _hup_ignored(text: str, context: object) -> bool:
    return signal.getsignal(signal.SIGHUP) == signal.SIG_IGN


def _ignored_where(items: Sequence[int]) -> list[tuple[bool, bool]]:
    """(in the pool worker, in its parse worker): is SIGHUP still ignored?"""
    return [(signal.getsignal(signal.SIGHUP) == signal.SIG_IGN,
             isolate.run_isolated(_hup_ignored, "") is True) for _ in items]


def test_a_signal_ignored_at_the_start_stays_ignored_in_every_worker() -> None:
    """``nohup llama-audit scan -j 2``: a hang-up must not end the pool workers or their
    parse workers while the main process ignores it (the pool would then break)."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        assert set(batched_map(_ignored_where, range(4), 2)) == {(True, True)}
    finally:
        signal.signal(signal.SIGHUP, previous)
        isolate.shutdown()
    assert set(batched_map(_ignored_where, range(4), 2)) == {(False, False)}
