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
from collections import defaultdict
from collections.abc import Callable, Sequence

from auditor.fix.model import Choice, Chosen, NotChosen
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
    lines = text.splitlines()
    element_of: dict[tuple[int, int], ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, _COLLECTIONS):
            for element in node.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    element_of[_start(element, lines)] = node
    members: dict[int, list[Finding]] = defaultdict(list)
    for finding in swaps:
        collection = element_of.get((finding.line, finding.column))
        if collection is not None:
            members[id(collection)].append(finding)
    refused: dict[int, str] = {}
    for node in (n for n in ast.walk(tree) if isinstance(n, _COLLECTIONS)):
        group = members.get(id(node))
        if not group:
            continue
        refused.update(_clashes(node, group, choose))
    return refused


def _clashes(node: ast.List | ast.Tuple | ast.Set, group: list[Finding],
             choose: Callable[[Finding], Choice]) -> dict[int, str]:
    after: dict[str, list[str]] = defaultdict(list)
    swapped = {f.identifier for f in group}
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str) \
                and element.value not in swapped:
            after[element.value].append(element.value)
    chosen: dict[int, str] = {}
    for finding in group:
        choice = choose(finding)
        if isinstance(choice, Chosen):
            chosen[id(finding)] = choice.text
            after[choice.text].append(finding.identifier or "")
    out: dict[int, str] = {}
    for finding in group:
        new = chosen.get(id(finding))
        if new is None or len(after[new]) < 2:
            continue
        others = [o for o in dict.fromkeys(after[new]) if o != finding.identifier]
        out[id(finding)] = (
            f"'{finding.identifier}' and {', '.join(repr(o) for o in others)} in one "
            f"{type(node).__name__.lower()} would both be '{new}': it would hold the same id "
            "twice (a duplicated test case, a Literal or set that loses a member); give each "
            "its own replacement with --model OLD=NEW")
    return out


def _start(node: ast.expr, lines: list[str]) -> tuple[int, int]:
    """1-based line and character column of a node (``ast`` counts UTF-8 bytes)."""
    line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
    column = len(line.encode("utf-8")[:node.col_offset].decode("utf-8", "replace"))
    return node.lineno, column + 1
