"""Structural parsing of untrusted Python without letting one file take the scan down.

The scanners parse Python with the stdlib ``ast`` module, and ``llama-audit fix`` with
libcst (it rewrites code). Neither is safe in-process on hostile input. ``ast`` in Python 3.11
has no guard against deep recursion while it builds or walks some trees and raises
MemoryError on a parser-stack overflow; libcst 1.9 is worse: 3,000 nested brackets or 10,000
nested ``lambda``/``or`` crash the process (stack overflow, SIGSEGV), 10,000 chained ``+`` or
attribute accesses run for minutes, 1,000 nested calls take 2 GB, and an ordinary 1 MB module
takes 10-20 s and 600 MB. So:

- a text over ``MAX_PARSE_CHARS`` is not parsed (callers fall back to the line scanner);
- for libcst, a text nested deeper than CPython itself accepts (``MAX_BRACKET_DEPTH``) is not
  parsed (``ast`` refuses it by itself: "too many nested parentheses");
- everything else is parsed in a forked worker process with a time limit and a memory limit.
  A worker that overruns is killed and one that dies is replaced; either way the file becomes
  a ``ParseRefused`` the caller reports, and the next file gets a fresh worker. One worker
  serves every file of a process, so the fork is paid once, not per file.

``run_isolated`` runs a whole analysis in the worker (the Python scanner, notebook cells and
setup.py: parse and analyse, plain data comes back). ``parse_module`` is a drop-in for
``cst.parse_module`` for ``fix``: it proves in the worker that the parse finishes, then parses
in-process; refusals raise ``ParseGuardError`` (a ValueError, which ``fix`` already treats as
"not parsable"). libcst is imported only there: scanning never loads it.

Where ``os.fork`` does not exist (Windows) analyses run in-process: the size and depth checks
still apply, the time and memory limits do not.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import gc
import os
import pickle
import re
import select
import signal
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

    from auditor.ruleset.load import RuleSet
    from auditor.scan.context import Hit
    from auditor.scan.python.scanner import NotPython

MAX_PARSE_CHARS = 512 * 1024
"""Larger Python texts are line-scanned: libcst needs 10-20 s and ~600 MB per MB of source.
``ast`` needs up to ~0.8 s and ~250 MB for 512 KB of dense code; a module that size is
generated, not a program that loads a model."""

MAX_BRACKET_DEPTH = 200
"""CPython's own limit ("too many nested parentheses"): deeper code is not valid Python."""

MEMORY_HEADROOM = 1024 * 1024 * 1024
"""Address space a worker may add to what it inherited before its allocations fail."""

DEFAULT_TIMEOUT = 30.0

Analysis = Callable[[str, Any], Any]
"""What runs in the worker: a module-level function (source text, context) -> a picklable
result. It is sent by reference, so it must be importable by name."""

_HEADER = struct.Struct("!Q")

# Strings and comments (whose brackets do not nest) and the brackets themselves. String
# prefixes need no handling: a prefix is a name just before the quote.
_BRACKET_TOKENS = re.compile(
    r"""#[^\r\n]*"""
    r"""|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'''
    r"""|'(?:[^'\\\r\n]|\\.)*'?"""
    r'''|"(?:[^"\\\r\n]|\\.)*"?'''
    r"""|[\(\[\{]|[\)\]\}]""",
    re.DOTALL,
)


@dataclass(frozen=True)
class ParseRefused:
    """The text was not analysed structurally; ``code``/``message`` make its diagnostic."""

    code: str
    message: str


@dataclass(frozen=True)
class AnalysisError:
    """The analysis raised in the worker: the exception's type name and first line."""

    type_name: str
    message: str


class ParseGuardError(ValueError):
    """``parse_module`` refused the text: too large, too deep, crashed or too slow."""

    def __init__(self, refused: ParseRefused) -> None:
        super().__init__(refused.message)
        self.refused = refused


class AnalysisFailed(Exception):
    """The analysis itself raised (a scanner bug, not a property of the file)."""

    def __init__(self, error: AnalysisError) -> None:
        super().__init__(f"{error.type_name}: {error.message}")
        self.error = error


def bracket_depth(text: str, limit: int = MAX_BRACKET_DEPTH) -> int:
    """Deepest bracket nesting outside strings and comments; stops counting past ``limit``."""
    if not any(c in text for c in "([{"):
        return 0
    depth = deepest = 0
    for match in _BRACKET_TOKENS.finditer(text):
        char = match.group()[0]
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in ")]}":
            depth = max(0, depth - 1)
    return deepest


def too_large(text: str) -> ParseRefused | None:
    """Why ``text`` is not parsed at all (its size), or None when it may be."""
    if len(text) > MAX_PARSE_CHARS:
        return ParseRefused(
            "too-large-to-parse",
            f"not parsed: {len(text):,} characters is over the {MAX_PARSE_CHARS:,}-character "
            "limit for structural analysis")
    return None


def screen(text: str) -> ParseRefused | None:
    """Why ``text`` must not reach libcst at all, or None when it may."""
    refused = too_large(text)
    if refused is not None:
        return refused
    if bracket_depth(text) > MAX_BRACKET_DEPTH:
        return ParseRefused(
            "too-deep",
            f"not parsed: brackets nested more than {MAX_BRACKET_DEPTH} deep (Python itself "
            "rejects this)")
    return None


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


def analyse_python(text: str, ruleset: RuleSet) -> list[Hit] | NotPython:
    """The Python scanner's structural pass (runs in the worker)."""
    from auditor.scan.python.scanner import analyse_source

    return analyse_source(text, ruleset)


def check_parse(text: str, context: object = None) -> None:
    """Parse and discard with libcst (runs in the worker): proves the parse ends and does not
    crash."""
    import libcst as cst

    cst.parse_module(text)


def parse_module(source: str, timeout: float = DEFAULT_TIMEOUT) -> cst.Module:
    """``cst.parse_module(source)`` that cannot crash, hang or exhaust this process.

    Raises what ``cst.parse_module`` raises for invalid Python, and ``ParseGuardError`` (a
    ValueError) for text refused by ``screen`` or that crashed or overran the worker.
    """
    import libcst as cst

    refused = screen(source)
    if refused is None:
        outcome = run_isolated(check_parse, source, None, timeout)
        if isinstance(outcome, ParseRefused):
            refused = outcome
        elif isinstance(outcome, AnalysisError) and outcome.type_name == "RecursionError":
            raise RecursionError(outcome.message)
    if refused is not None:
        raise ParseGuardError(refused)
    return cst.parse_module(source)  # now known to finish; raises the real syntax error


def _in_process(analysis: Analysis, text: str, context: Any) -> Any:
    try:
        return analysis(text, context)
    except MemoryError:
        return ParseRefused("parse-crash", "not parsed: the parser ran out of memory")
    except Exception as exc:
        return AnalysisError(type(exc).__name__, _first_line(str(exc)))


def _first_line(message: str) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


class _Worker:
    """A forked child that runs the analyses sent down its pipe, one at a time."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.owner = os.getpid()
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            os.close(request_w)
            os.close(response_r)
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
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                break
            time.sleep(0.01)
        else:
            self.stop()
        with contextlib.suppress(OSError):
            os.close(self.responses)


def _child_main(requests: int, responses: int, context: Any) -> None:  # pragma: no cover
    """The worker's loop (in the forked child): read a request, answer it, until EOF."""
    code = 0
    try:
        # Ctrl-C ends the worker at once, even inside native code; the parent reports it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
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
                result = AnalysisError(type(exc).__name__, _first_line(str(exc)))
            finally:
                gc.enable()
            signal.setitimer(signal.ITIMER_REAL, 0)
            try:
                payload = pickle.dumps(result)
            except Exception as exc:
                payload = pickle.dumps(AnalysisError(type(exc).__name__, _first_line(str(exc))))
            _write_message(responses, payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


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
        worker = _WORKER = _Worker(context)
    return worker


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


def shutdown() -> None:
    """Stop this process's worker (also run at exit)."""
    worker = _WORKER
    if worker is not None and worker.owner == os.getpid():
        worker.close()
    _forget_worker()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(shutdown)
