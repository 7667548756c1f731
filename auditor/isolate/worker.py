"""The forked worker process that runs analyses under a time and a memory limit.

One worker serves every file of a process, so the fork is paid once, not per file; one that
overruns is killed and one that dies is replaced, and the file becomes a ``ParseRefused``.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import gc
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from auditor.isolate.limits import DEFAULT_TIMEOUT
from auditor.isolate.outcomes import AnalysisError, ParseRefused, first_line

MEMORY_HEADROOM = 1024 * 1024 * 1024
"""Address space a worker may add to what it inherited before its allocations fail."""

Analysis = Callable[[str, Any], Any]
"""What runs in the worker: a module-level function (source text, context) -> a picklable
result. It is sent by reference, so it must be importable by name."""

_HEADER = struct.Struct("!Q")


def run_isolated(
    analysis: Analysis, text: str, context: Any = None, timeout: float = DEFAULT_TIMEOUT
) -> Any:
    """``analysis(text, context)`` in the worker: its result, an ``AnalysisError`` when it
    raised, or a ``ParseRefused`` when it crashed, ran out of memory or overran ``timeout``.

    ``context`` reaches the worker by inheritance when it is forked, not through the pipe: a
    new context object means a new worker. ``None`` runs in whichever worker is alive.
    """
    if not hasattr(os, "fork"):
        return _in_process(analysis, text, context)
    with _LOCK:
        worker = _worker_for(context)
        try:
            return worker.run(analysis, text, timeout)
        finally:
            if not worker.alive:
                _forget_worker()


def _in_process(analysis: Analysis, text: str, context: Any) -> Any:
    try:
        return analysis(text, context)
    except MemoryError:
        return ParseRefused("parse-crash", "not parsed: the parser ran out of memory")
    except Exception as exc:
        return AnalysisError(type(exc).__name__, first_line(str(exc)))


class _Worker:
    """A forked child that runs the analyses sent down its pipe, one at a time."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.owner = os.getpid()
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        # The death signal is tied to the thread that forks: only the main thread, which lives
        # as long as the process, may arm it.
        arm = threading.current_thread() is threading.main_thread()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            os.close(request_w)
            os.close(response_r)
            if arm:
                die_with_parent(self.owner)
            _child_main(request_r, response_w, context)
        os.close(request_r)
        os.close(response_w)
        self.pid = pid
        self.requests = request_w
        self.responses = response_r
        self.alive = True

    def run(self, analysis: Analysis, text: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        try:
            _write_message(self.requests, pickle.dumps((analysis, text, timeout)))
            payload = _read_message(self.responses, deadline)
        except TimeoutError:
            self.stop()
            return ParseRefused(
                "parse-timeout",
                f"not parsed: analysis did not finish within {timeout:g} s (--parse-timeout)")
        except (OSError, EOFError):
            return self._died()
        except BaseException:  # Ctrl-C while waiting: the child is mid-parse, end it now
            self.stop()
            raise
        return pickle.loads(payload)

    def _died(self) -> ParseRefused:
        status = self.stop()
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            if number == signal.SIGALRM:
                return ParseRefused("parse-timeout",
                                    "not parsed: analysis overran its time limit")
            return ParseRefused("parse-crash", f"not parsed: the parser crashed ({name})")
        return ParseRefused("parse-crash",
                            f"not parsed: the parser exited unexpectedly (status {status})")

    def stop(self) -> int:
        """Kill and reap the child; its wait status."""
        self.alive = False
        for fd in (self.requests, self.responses):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.owner != os.getpid():
            return 0
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        try:
            return os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            return 0

    def close(self) -> None:
        """Let an idle child exit on its own (end of input), then reap it."""
        self.alive = False
        with contextlib.suppress(OSError):
            os.close(self.requests)
        deadline = time.monotonic() + 1.0
        # The child's end of the response pipe closes as it exits: wait for that, then for
        # its exit status in short steps (a fixed 10 ms sleep cost every process that parsed
        # that much at exit).
        with contextlib.suppress(OSError, ValueError):
            select.select([self.responses], [], [], 1.0)
        pause = 0.0005
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
        else:
            self.stop()
        with contextlib.suppress(OSError):
            os.close(self.responses)


def _child_main(requests: int, responses: int, context: Any) -> None:  # pragma: no cover
    """The worker's loop (in the forked child): read a request, answer it, until EOF."""
    code = 0
    try:
        # Ctrl-C (and SIGTERM, SIGHUP) ends the worker at once, even inside native code; the
        # parent reports it. The signals were held across the fork (``held_signals``). One the
        # run ignores from its start (``nohup``, a background job) stays ignored.
        for number in STOP_SIGNALS:
            if signal.getsignal(number) != signal.SIG_IGN:
                signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # a deadline that native code obeys
        _silence_output()  # a native abort writes its own backtrace to stderr
        faulthandler.disable()  # and so would faulthandler (pytest, -X faulthandler) on a crash
        _limit_resources()
        gc.freeze()  # what the parent left behind is never garbage here: do not trace it
        while True:
            try:
                analysis, text, timeout = pickle.loads(_read_message(requests, None))
            except EOFError:
                break
            # Backstop for a parent that died mid-request: the kernel ends the child.
            signal.setitimer(signal.ITIMER_REAL, timeout + 5.0)
            result: Any
            # A syntax tree has no reference cycles, but collecting while one is built
            # traverses it again and again (a quarter of the parse time): collect afterwards.
            gc.disable()
            try:
                result = analysis(text, context)
            except MemoryError:
                result = ParseRefused("parse-crash", "not parsed: the parser ran out of memory")
            except RecursionError:
                result = AnalysisError("RecursionError", "maximum recursion depth exceeded")
            except Exception as exc:
                result = AnalysisError(type(exc).__name__, first_line(str(exc)))
            finally:
                gc.enable()
            signal.setitimer(signal.ITIMER_REAL, 0)
            try:
                payload = pickle.dumps(result)
            except Exception as exc:
                payload = pickle.dumps(AnalysisError(type(exc).__name__, first_line(str(exc))))
            _write_message(responses, payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


_PR_SET_PDEATHSIG = 1

STOP_SIGNALS = frozenset(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
"""The signals that end a run (``docs/robustness.md``, "Signals")."""


def die_with_parent(parent: int, number: int = signal.SIGKILL) -> None:  # pragma: no cover
    """Linux, in a forked child: the kernel sends ``number`` to this process when its parent
    dies, however the parent ends (a pool worker killed by its pool, a parent killed
    outright). The parent reaps it on every ordinary exit (``shutdown``); this is the
    backstop for the others. The signal is tied to the thread that forked: call it only in a
    child forked by a main thread. Exits at once when the parent is already gone."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, number, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _silence_output() -> None:  # pragma: no cover - runs in the forked child
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)


def _limit_resources() -> None:  # pragma: no cover - runs in the forked child
    try:
        import resource
    except ImportError:
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    current = _address_space()
    if current is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = current + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _address_space() -> int | None:
    """This process's virtual size in bytes (Linux); None where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _write_message(fd: int, payload: bytes) -> None:
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_message(fd: int, deadline: float | None) -> bytes:
    header = _read_exactly(fd, _HEADER.size, deadline)
    (size,) = _HEADER.unpack(header)
    return _read_exactly(fd, size, deadline)


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


_LOCK = threading.Lock()
_WORKER: _Worker | None = None


def _worker_for(context: Any) -> _Worker:
    global _WORKER
    worker = _WORKER
    if worker is not None and (
        worker.owner != os.getpid() or not worker.alive
        or (context is not None and worker.context is not context)
    ):
        if worker.owner == os.getpid():
            worker.close()
        _WORKER = worker = None
    if worker is None:
        with held_signals():  # a signal handler must find every forked worker in _WORKER
            worker = _WORKER = _Worker(context)
    return worker


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """``STOP_SIGNALS`` are held (delivered afterwards) in this thread while the block runs;
    a child forked inside starts with them held and releases them itself."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _forget_worker() -> None:
    global _WORKER
    _WORKER = None


def _after_fork_in_child() -> None:
    """A forked process (a pool worker, or a parse worker itself) must not talk to its
    parent's worker: drop its copies of the pipes and start its own when needed."""
    global _WORKER, _LOCK
    worker = _WORKER
    _WORKER = None
    _LOCK = threading.Lock()
    if worker is not None:
        for fd in (worker.requests, worker.responses):
            with contextlib.suppress(OSError):
                os.close(fd)


def terminate() -> None:
    """Kill and reap this process's worker now, whatever it is doing. Safe in a signal
    handler: it takes no lock."""
    worker = _WORKER
    if worker is not None and worker.owner == os.getpid():
        worker.stop()
    _forget_worker()


def shutdown() -> None:
    """Stop this process's worker (also run at exit)."""
    worker = _WORKER
    if worker is not None and worker.owner == os.getpid():
        worker.close()
    _forget_worker()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(shutdown)
