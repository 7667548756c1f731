"""Every Hub check of every replacement, as one table a printed appendix can hold.

One row per (model, replacement), one column per check name; each cell is pass, fail or
unknown, and the details of the checks that did not pass follow the row. The on-screen
report also shows each check's detail in full.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.report.summary import ModelPlan
from auditor.types import Check


@dataclass(frozen=True, slots=True)
class CheckRow:
    model: str
    replacement: str
    family: str
    source: str
    results: tuple[bool | str | None, ...]
    """One per column: True/False/None for pass/fail/unknown, "" when not checked."""
    notes: tuple[int, ...]
    """One per column: the number of the note giving a check's detail when it did not
    pass, else 0."""
    open: tuple[Check, ...]
    """Checks that did not pass, with their details."""
    span: int = 1
    """Rows of this model starting here (the model cell spans them); 0 on the following ones."""


@dataclass(frozen=True, slots=True)
class CheckMatrix:
    columns: tuple[str, ...]
    rows: tuple[CheckRow, ...]
    notes: tuple[tuple[int, str, str, str], ...]
    """(number, replacement, check name, detail) of every check that did not pass, each
    distinct detail once: many models share a replacement and its checks."""
    failed: frozenset[int] = frozenset()
    """The numbers of the notes whose check failed (the rest are unknown)."""


def check_matrix(plans: list[ModelPlan]) -> CheckMatrix:
    columns: dict[str, None] = {}
    for plan in plans:
        for planned in plan.suggestions:
            for check in planned.suggestion.checks:
                columns.setdefault(check.name, None)
    names = tuple(columns)
    rows = []
    notes: dict[tuple[str, str, str], int] = {}
    failed: set[int] = set()
    for plan in plans:
        for index, planned in enumerate(plan.suggestions):
            suggestion = planned.suggestion
            by_name = {c.name: c for c in suggestion.checks}
            results: tuple[bool | str | None, ...] = tuple(
                by_name[n].passed if n in by_name else "" for n in names)
            numbers = []
            for name in names:
                found = by_name.get(name)
                if found is None or found.passed is True:
                    numbers.append(0)
                    continue
                key = (suggestion.hub_id, found.name, found.detail)
                numbers.append(notes.setdefault(key, len(notes) + 1))
                if found.passed is False:
                    failed.add(notes[key])
            rows.append(CheckRow(plan.label, suggestion.hub_id, suggestion.family,
                                 suggestion.source, results, tuple(numbers),
                                 tuple(c for c in suggestion.checks if c.passed is not True),
                                 0 if index else len(plan.suggestions)))
    return CheckMatrix(names, tuple(rows),
                       tuple((n, *key) for key, n in notes.items()), frozenset(failed))
