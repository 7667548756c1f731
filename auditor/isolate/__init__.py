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

``run_isolated`` (``worker``) runs a whole analysis in the worker (the Python scanner,
notebook cells, setup.py and the tree-sitter scanner of other languages, whose texts are
limited to ``MAX_SOURCE_PARSE_CHARS``: parse and analyse, plain data comes back). ``parse_module``
(``libcst_parse``) is a drop-in for ``cst.parse_module`` for ``fix``: it proves in the worker
that the parse finishes, then parses in-process; refusals raise ``ParseGuardError`` (a
ScanError and a ValueError, which ``fix`` already treats as "not parsable"). libcst is
imported only there: scanning never loads it. The size and depth checks are in ``limits``.

Where ``os.fork`` does not exist (Windows) analyses run in-process: the size and depth checks
still apply, the time and memory limits do not.
"""

from auditor.isolate.libcst_parse import parse_module
from auditor.isolate.limits import (
    DEFAULT_TIMEOUT,
    MAX_BRACKET_DEPTH,
    MAX_PARSE_CHARS,
    bracket_depth,
    screen,
    too_large,
)
from auditor.isolate.outcomes import AnalysisError, AnalysisFailed, ParseGuardError, ParseRefused
from auditor.isolate.worker import (
    STOP_SIGNALS,
    Analysis,
    die_with_parent,
    held_signals,
    run_isolated,
    shutdown,
    terminate,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BRACKET_DEPTH",
    "MAX_PARSE_CHARS",
    "STOP_SIGNALS",
    "Analysis",
    "AnalysisError",
    "AnalysisFailed",
    "ParseGuardError",
    "ParseRefused",
    "bracket_depth",
    "die_with_parent",
    "held_signals",
    "parse_module",
    "run_isolated",
    "screen",
    "shutdown",
    "terminate",
    "too_large",
]
