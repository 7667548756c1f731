"""llama-audit: find every dependency on Meta's Llama models and plan the move away.

The library API::

    from pathlib import Path
    from auditor import AuditOptions, audit

    outcome = audit([Path("repo")], AuditOptions())
    for finding in outcome.result.findings:
        print(finding.path, finding.line, finding.rule_id, finding.message)

The names below are imported on first use, so ``import auditor`` (and the command line's
start-up) stays cheap.
"""

from __future__ import annotations

import os
import sys


def _drop_current_directory() -> None:
    """``python -m auditor``: Python put the current directory first on sys.path (and while
    the package is being located, sys.argv[0] is "-m"). Inside a scanned tree that holds
    ``re.py``, ``enum.py`` or ``ast.py``, the tree's files would be imported instead of the
    standard library's, and run. Drop it before importing anything, as ``python -P`` does.
    (``os`` and ``sys`` are loaded by the interpreter before sys.path[0] is added.)"""
    if sys.argv[:1] != ["-m"] or getattr(sys.flags, "safe_path", False) or not sys.path:
        return
    first = sys.path[0]
    try:
        current = first in ("", ".") or os.path.samefile(first, os.getcwd())
    except OSError:
        current = False
    if current:
        del sys.path[0]


_drop_current_directory()

from typing import TYPE_CHECKING, Any  # noqa: E402  (after the drop, on purpose)

__version__ = "0.1.0"

__all__ = ["AuditError", "AuditOptions", "AuditOutcome", "AuditResult", "Finding", "__version__",
           "audit"]

_LAZY = {
    "audit": "auditor.pipeline",
    "AuditError": "auditor.errors",
    "AuditOptions": "auditor.pipeline",
    "AuditOutcome": "auditor.pipeline",
    "AuditResult": "auditor.types",
    "Finding": "auditor.types",
}

if TYPE_CHECKING:
    from auditor.errors import AuditError
    from auditor.pipeline import AuditOptions, AuditOutcome, audit
    from auditor.types import AuditResult, Finding


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'auditor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
