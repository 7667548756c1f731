"""The one small interface every scanner implements.

A scanner turns one file's text into ``Hit``s (a rule fired here, about this identifier) and
problems (``Problem``: the file could only partly be read). It never prints, never exits,
never touches the network, and never imports or runs anything from the scanned tree. The
engine turns hits into ``Finding``s using the rule tables and problems into ``Diagnostic``s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.ruleset.load import RuleSet
from auditor.types import FileKind, ModelRef


@dataclass(frozen=True, slots=True)
class SourceFile:
    root: Path
    """Absolute scan root the file was found under."""
    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the root, POSIX separators: what reports show."""
    kind: FileKind
    size: int
    stamp: tuple[int, int, int] = (0, 0, 0)
    """(mtime_ns, ctime_ns, inode) when discovered: with ``size``, what the warm-scan index
    compares to decide the file is unchanged without reading it; (0, 0, 0) when unknown."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule fired at a position. Lines are 1-based; columns 1-based, end exclusive."""

    rule_id: str
    line: int
    column: int
    end_line: int
    end_column: int
    identifier: str | None = None
    model: ModelRef | None = None
    context: str = ""
    snippet: str | None = None
    """None: the engine shows the source line at ``line``."""
    cell: int | None = None
    cell_line: int | None = None
    details: tuple[tuple[str, str], ...] = ()
    message_values: tuple[tuple[str, str], ...] = ()
    """Extra placeholders for the rule's message template."""


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
    """False when the structural parser failed and a fallback produced the hits."""


@dataclass(frozen=True)
class ScanContext:
    ruleset: RuleSet
    include_docs: bool = False
    """Report documentation mentions (info severity); off by default."""
    parse_timeout_seconds: float = 30.0


ScanFunction = Callable[[SourceFile, str, ScanContext], ScanOutput]
"""A scanner: (file, decoded text, context) -> output. Binary artefacts get text ''."""
