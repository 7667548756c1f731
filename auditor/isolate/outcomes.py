"""What an isolated analysis can come back as besides its result, and the errors built on them."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.errors import AuditError, ScanError


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


class ParseGuardError(ScanError, ValueError):
    """``parse_module`` refused the text: too large, too deep, crashed or too slow."""

    def __init__(self, refused: ParseRefused) -> None:
        super().__init__(refused.message)
        self.refused = refused
        self.code = refused.code


class AnalysisFailed(AuditError):
    """The analysis itself raised (a scanner bug, not a property of the file)."""

    def __init__(self, error: AnalysisError) -> None:
        super().__init__(f"{error.type_name}: {error.message}")
        self.error = error


def first_line(message: str) -> str:
    """The first non-blank line of an exception message (what a diagnostic shows)."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""
