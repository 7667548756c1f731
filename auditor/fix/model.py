"""Plain values the fix stage passes around: choices, outcomes, manual steps, file changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from auditor.types import Finding

TODO_MARKER = "llama-audit: todo"
"""Every comment ``fix`` writes starts with this (``# llama-audit: todo[LA106] ...``)."""


@dataclass(frozen=True, slots=True)
class Chosen:
    """The replacement for one finding's identifier, named in the finding's own scheme."""

    text: str
    """What to write where the identifier is written."""
    hub_id: str | None
    """The replacement's Hugging Face id when known (names its chat template)."""
    origin: str
    """``--model`` or ``catalog``."""
    warnings: tuple[str, ...] = ()
    """Checks the replacement failed, or assumptions made while naming it."""
    steps: tuple[str, ...] = ()
    """Work the rewrite implies (download a GGUF file, re-check a region prefix...)."""


@dataclass(frozen=True, slots=True)
class NotChosen:
    """No replacement can be written for this finding, and why."""

    reason: str


Choice = Chosen | NotChosen


class ReplacementChooser(Protocol):
    """Decides what replaces the Llama identifier of one finding."""

    def choose(self, finding: Finding) -> Choice: ...


class Action(str, enum.Enum):
    REWRITTEN = "rewritten"
    """The identifier, class or dependency was changed in place."""
    LEFT = "left"
    """A swap that could not be made; a comment says why where the file allows one."""
    MANUAL = "manual"
    """Work a person has to do (prompt formats, token ids, fine-tunes...)."""
    KEPT = "kept"
    """Nothing to change (runtimes that serve any model, non-Meta weights)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    finding: Finding
    action: Action
    detail: str


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file's new content. ``old_text``/``new_text`` are decoded text."""

    root: str
    rel: str
    old_text: str
    new_text: str
    encoding: str
    bom: bytes = b""
    root_is_file: bool = False
    """The root given was this file itself (``fix app/settings.py``)."""

    @property
    def display_path(self) -> str:
        return display_path(self.root, self.rel, self.root_is_file)


def display_path(root: str, rel: str, root_is_file: bool = False) -> str:
    """How reports name a file: its path relative to the working directory as given."""
    if root_is_file:
        return root
    return rel if root in ("", ".") else f"{root.rstrip('/')}/{rel}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file with findings that ``fix`` would not touch, and why."""

    root: str
    rel: str
    reason: str


@dataclass(frozen=True, slots=True)
class FixPlan:
    changes: tuple[FileChange, ...]
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()
    """Dependency notes, the commands to re-lock, work a rewrite implies."""
    warnings: tuple[str, ...] = ()
    """Checks a chosen replacement failed, overrides that matched nothing."""
    skipped: tuple[Skipped, ...] = ()
    file_roots: frozenset[str] = frozenset()
    """Root labels that name a single file."""

    def by_action(self, action: Action) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.action is action)
