"""Every error llama-audit raises on purpose derives from ``AuditError``.

The shared kinds are here; each stage keeps its own narrower classes (their names say what
failed) and derives them from one of these. ``ScanError`` is every parse failure: its ``code``
is the diagnostic the scan engine reports when a scanner lets one through.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base of every error llama-audit raises on purpose."""


class ScanError(AuditError):
    """A scanner could not read a file at all. ``code`` is the diagnostic code."""

    code = "scan-error"

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class RuleError(AuditError, ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


class ConfigError(AuditError, ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


class CatalogError(AuditError, ValueError):
    """A catalog or snapshot file that cannot be used; the message names the file and entry."""


class GitError(AuditError):
    """git could not answer; the message says why in the user's terms."""


class OutputError(AuditError, OSError):
    """A report could not be written; the message names the file and the reason."""
