"""How a run ends on a signal: SIGINT, SIGTERM and SIGHUP become an orderly shutdown.

The first of them raises in the main thread (``KeyboardInterrupt`` for SIGINT, ``Terminated``
for the others), so the run unwinds as it does on an error: nothing is written as if complete
(every output file is replaced atomically, or not at all), the pools' workers and their parse
workers are terminated and reaped (``stop_children``), and ``main`` exits with 128 + the
signal's number, as shells report a command a signal ended. Signals that arrive while the run
is already ending are ignored, so a second Ctrl-C cannot leave a worker unreaped. A signal
that was ignored when the process started (``nohup``, a background job) stays ignored.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from auditor.util.stops import Terminated

__all__ = ["STOP_SIGNALS", "Terminated", "orderly_stop", "stop_children"]

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class _State:
    ending = False


@contextlib.contextmanager
def orderly_stop() -> Iterator[_State]:
    """Turn the stop signals into exceptions while the block runs (main thread only); set
    ``ending`` on the yielded state when the run is ending anyway, to ignore them from then."""
    state = _State()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(number: int, frame: FrameType | None) -> None:
        if state.ending:
            return
        state.ending = True
        if number == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(number)

    previous: dict[int, Any] = {}
    for number in STOP_SIGNALS:
        current = signal.getsignal(number)
        if current == signal.SIG_IGN:
            continue
        previous[number] = current
        signal.signal(number, handler)
    try:
        yield state
    finally:
        for number, action in previous.items():
            signal.signal(number, action if action is not None else signal.SIG_DFL)


def stop_children() -> None:
    """Terminate and reap every process this run started that is still there: the scan
    pools' workers (each reaps its parse worker) and this process's own parse worker."""
    pool = sys.modules.get("auditor.scan.pool")
    if pool is not None:
        pool.stop_pools()
    worker = sys.modules.get("auditor.isolate.worker")
    if worker is not None:
        worker.shutdown()
