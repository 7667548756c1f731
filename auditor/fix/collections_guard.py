"""Swaps that would make two elements of one list, tuple or set equal are not made.

Two Llama models can share a replacement (Llama 3 8B and Llama 2 7B both map to Gemma 4 E4B).
Swapped in one collection, they leave it holding the same id twice: guidance's test of its
supported chat templates got two identical cases, instructor's ``Literal`` of known models
lost two members, a set silently shrinks. That changes what the program means, not only which
model it uses, so those swaps are left, with the reason.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Sequence

from auditor.fix.model import Choice, Chosen, NotChosen
from auditor.scan.python.positions import SourceIndex
from auditor.types import Effort, Finding

_COLLECTIONS = (ast.List, ast.Tuple, ast.Set)


def guard_collections(text: str, findings: Sequence[Finding],
                      choose: Callable[[Finding], Choice]) -> Callable[[Finding], Choice]:
    """``choose``, except for a swap whose replacement another element of its collection
    (swapped or not) would equal: that one is ``NotChosen`` with the reason."""
    refused = _refused(text, findings, choose)
    if not refused:
        return choose

    def guarded(finding: Finding) -> Choice:
        reason = refused.get(id(finding))
        return NotChosen(reason) if reason is not None else choose(finding)

    return guarded


def _refused(text: str, findings: Sequence[Finding],
             choose: Callable[[Finding], Choice]) -> dict[int, str]:
    swaps = [f for f in findings if f.effort is Effort.SWAP and f.identifier]
    if not swaps:
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    source = SourceIndex(text)
    at = {(f.line, f.column): f for f in swaps}
    new: dict[int, str] = {}
    for finding in swaps:
        choice = choose(finding)
        if isinstance(choice, Chosen):
            new[id(finding)] = choice.text
    refused: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, _COLLECTIONS):
            refused.update(_clashes(node, source, at, new))
    return refused


def _clashes(node: ast.List | ast.Tuple | ast.Set, source: SourceIndex,
             at: dict[tuple[int, int], Finding], new: dict[int, str]) -> dict[int, str]:
    """The swaps that would make two elements of ``node`` equal. An element is a string, or a
    row of constants (``("meta-llama/...", True)`` in a parametrize list)."""
    before: list[tuple[object, ...]] = []
    after: list[tuple[object, ...]] = []
    swapped: list[list[Finding]] = []
    for element in node.elts:
        parts = element.elts if isinstance(element, (ast.Tuple, ast.List)) else [element]
        if not all(isinstance(p, ast.Constant) for p in parts):
            continue
        old_row: list[object] = []
        new_row: list[object] = []
        changed: list[Finding] = []
        for part in parts:
            assert isinstance(part, ast.Constant)
            start = (part.lineno, source.char_column(part.lineno, part.col_offset) + 1)
            finding = at.get(start) if isinstance(part.value, str) else None
            old_row.append(part.value)
            if finding is not None and id(finding) in new:
                new_row.append(new[id(finding)])
                changed.append(finding)
            else:
                new_row.append(part.value)
        before.append(tuple(old_row))
        after.append(tuple(new_row))
        swapped.append(changed)
    out: dict[int, str] = {}
    for index, row in enumerate(after):
        twins = [other for other, value in enumerate(after)
                 if other != index and value == row and before[other] != before[index]]
        for finding in swapped[index] if twins else ():
            others = [f for t in twins for f in swapped[t] if f.identifier != finding.identifier]
            named = ", ".join(dict.fromkeys(repr(o.identifier) for o in others)) or "another"
            out[id(finding)] = (
                f"'{finding.identifier}' and {named} in one {type(node).__name__.lower()} "
                f"would both be '{new[id(finding)]}': it would hold the same entry twice (a "
                "duplicated test case, a Literal or set that loses a member); give each its own "
                "replacement with --model OLD=NEW")
    return out
