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

from typing import TYPE_CHECKING, Any

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
