"""``parse_module``: libcst's parser for ``fix``, proven in the worker not to crash or hang."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.isolate.limits import DEFAULT_TIMEOUT, screen
from auditor.isolate.outcomes import AnalysisError, ParseGuardError, ParseRefused
from auditor.isolate.worker import run_isolated

if TYPE_CHECKING:
    import libcst as cst


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
