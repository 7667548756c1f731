"""The one small interface every scanner implements.

A scanner turns one file's text into ``Hit``s (a rule fired here, about this identifier) and
problems (``Problem``: the file could only partly be read). It never prints, never exits,
never touches the network, and never imports or runs anything from the scanned tree. The
engine turns hits into ``Finding``s using the rule tables and problems into ``Diagnostic``s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.ruleset.load import RuleSet
from auditor.types import Hit, SourceFile


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the scanner could not read; becomes a Diagnostic."""

    code: str
    message: str
    line: int | None = None


@dataclass(slots=True)
class ScanOutput:
    hits: list[Hit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parsed: bool = True
    """False when the structural parser failed and a fallback produced the hits (a file
    decided without a parse, ``python.preparse``, is not a failure: True)."""


@dataclass(frozen=True)
class ScanContext:
    ruleset: RuleSet
    include_docs: bool = False
    """Report documentation mentions (info severity); off by default."""
    parse_timeout_seconds: float = 30.0


ScanFunction = Callable[[SourceFile, str, ScanContext], ScanOutput]
"""A scanner: (file, decoded text, context) -> output. Binary artefacts get text ''."""
