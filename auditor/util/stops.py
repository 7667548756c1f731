"""The exception a stop signal other than SIGINT becomes (SIGINT is ``KeyboardInterrupt``).

It lives below the CLI because two places raise it: the CLI's signal handler
(``cli/signals.py``) and the scan's process pool, whose workers can die of the same signal
before the main process's handler runs (``scan/pool.py``).
"""

from __future__ import annotations

import signal


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread. A ``BaseException`` like
    ``KeyboardInterrupt``: no ``except Exception`` of the stages swallows it."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.number).name
        except ValueError:
            return f"signal {self.number}"
