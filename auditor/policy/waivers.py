"""Config-level waivers: accept known findings by rule, path glob and identifier, with a reason
and an optional expiry date. An expired waiver stops applying and is reported.

Waivers are how files without comments (JSON, notebooks' outputs, lockfiles) are suppressed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

import pathspec

from auditor.fingerprint import normalise_for_fingerprint
from auditor.types import Finding


@dataclass(frozen=True)
class Waiver:
    rule_id: str
    path: str
    """gitignore-style pattern, relative to the directory of the config file that defines it."""
    reason: str
    identifier: str | None = None
    """When set, only findings whose identifier equals it (case and spaces folded)."""
    until: datetime.date | None = None
    """Last day the waiver applies; from the next day on it is expired."""
    source: str = ""
    """The config file that defines it, as shown in messages."""
    index: int = 0
    """Its position in that file's waiver list (0-based)."""
    base_dir: str = ""
    """Absolute directory the ``path`` pattern is relative to."""
    rule_ref: str = field(default="", compare=False)
    """The rule as written in the config (id or slug)."""

    @cached_property
    def _spec(self) -> pathspec.GitIgnoreSpec:
        return pathspec.GitIgnoreSpec.from_lines([self.path])

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until

    def matches(self, finding: Finding, path_from_base: str | None) -> bool:
        """Whether this waiver covers ``finding``, whose path relative to ``base_dir`` is given
        (None when the file is outside it)."""
        if finding.rule_id != self.rule_id or path_from_base is None:
            return False
        if not self._spec.match_file(path_from_base):
            return False
        if self.identifier is None:
            return True
        return normalise_for_fingerprint(finding.identifier or "") == normalise_for_fingerprint(
            self.identifier)

    def describe(self) -> str:
        text = f"waiver #{self.index + 1} ({self.rule_id} on {self.path!r}"
        if self.identifier is not None:
            text += f", identifier {self.identifier!r}"
        return text + ")"


def validate_pattern(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable path pattern, or None when it is."""
    if not pattern.strip():
        return "must not be empty"
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception as exc:  # pathspec raises several types for bad patterns
        return str(exc)
    return None
