"""A pool that ends early (an exception, a consumer that stops, ``stop_pools``) leaves no
process behind: its workers and their parse workers are ended and reaped before it returns."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import pytest

from auditor import isolate
from auditor.scan import pool
from auditor.scan.pool import batched_map, stop_pools
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
