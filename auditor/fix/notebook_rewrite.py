"""Jupyter notebooks: each code cell goes through the Python codemod, then the notebook is
written back with the JSON layout it was read with.

The notebook scanner reports positions in the .ipynb file; they are mapped back into the
cell's source through the JSON strings they were read from. A notebook is rewritten only when
``json.dumps`` with some common settings (Jupyter writes ``indent=1``, sorted keys, non-ASCII
kept, a final newline) reproduces the file byte for byte: then only the changed cells differ.
A cell that is not plain Python (magics, a syntax error) gets its model ids replaced in place.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor.fix.model import Action, Choice, Chosen, Outcome
from auditor.fix.python_codemod import rewrite_python
from auditor.scan.documents.json_positions import JArray, JObject, JsonError, parse_json
from auditor.scan.notebook_cells import CellText, text_of
from auditor.scan.text.positions import LineIndex
from auditor.types import Effort, Finding

Dump = Callable[[Any], str]


@dataclass(frozen=True)
class NotebookRewrite:
    text: str
    outcomes: tuple[Outcome, ...]
    error: str | None = None


def rewrite_notebook(
    text: str,
    findings: Sequence[Finding],
    choose: Callable[[Finding], Choice],
    *,
    defined_elsewhere: Mapping[str, str] | None = None,
    prompt_hub_id: str | None = None,
) -> NotebookRewrite:
    try:
        notebook = json.loads(text)
        tree = parse_json(text)
    except (ValueError, JsonError, RecursionError) as exc:
        return _untouched(text, findings, f"the notebook is not valid JSON ({exc})")
    dump = _layout(notebook, text)
    if dump is None:
        return _untouched(text, findings, "its JSON layout cannot be reproduced exactly, so it "
                          "is not rewritten")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    cell_nodes = tree.get("cells") if isinstance(tree, JObject) else None
    if not isinstance(cells, list) or not isinstance(cell_nodes, JArray):
        return _untouched(text, findings, "no nbformat 4 'cells' list")
    by_cell: dict[int, list[Finding]] = defaultdict(list)
    outcomes: list[Outcome] = []
    for finding in findings:
        if finding.cell is None or not 0 <= finding.cell < len(cells):
            outcomes.append(_manual(finding, "outside the notebook's cells"))
        else:
            by_cell[finding.cell].append(finding)
    index = LineIndex(text)
    for number, group in sorted(by_cell.items()):
        node = cell_nodes.items[number] if number < len(cell_nodes.items) else None
        cell = cells[number]
        if not isinstance(node, JObject) or not isinstance(cell, dict) or \
                not isinstance(cell.get("source"), (str, list)):
            outcomes.extend(_manual(f, f"cell {number} has no source") for f in group)
            continue
        source = text_of(node.get("source"))
        located = _in_cell(group, source, index)
        new_source, cell_outcomes = _rewrite_cell(
            source.text, cell.get("cell_type") == "code", located, choose,
            defined_elsewhere or {}, prompt_hub_id)
        outcomes.extend(cell_outcomes)
        if new_source != source.text:
            cell["source"] = (new_source.splitlines(keepends=True)
                              if isinstance(cell["source"], list) else new_source)
    return NotebookRewrite(dump(notebook), tuple(outcomes))


def _layout(notebook: Any, text: str) -> Dump | None:
    """A ``json.dumps`` setting that writes ``notebook`` back exactly as ``text``."""
    for indent, sort_keys, ascii_only, final in itertools.product(
            (1, 2, 4, None), (True, False), (False, True), ("\n", "")):
        def dump(data: Any, indent: int | None = indent, sort_keys: bool = sort_keys,
                 ascii_only: bool = ascii_only, final: str = final) -> str:
            return json.dumps(data, indent=indent, sort_keys=sort_keys,
                              ensure_ascii=ascii_only) + final
        if dump(notebook) == text:
            return dump
    return None


def _in_cell(group: Sequence[Finding], source: CellText,
             index: LineIndex) -> dict[Finding, Finding]:
    """Each finding moved to cell coordinates (line and column in the cell's source)."""
    starts = {source.raw_offset(i): i for i in range(len(source.text), -1, -1)}
    ends = {source.raw_offset(i, end=True): i for i in range(len(source.text) + 1)}
    lines = LineIndex(source.text)
    moved: dict[Finding, Finding] = {}
    for finding in group:
        start = starts.get(index.line_start(finding.line) + finding.column - 1)
        end = ends.get(index.line_start(finding.end_line) + finding.end_column - 1)
        if start is None or end is None:
            continue
        line, column = lines.position(start)
        end_line, end_column = lines.position(end)
        moved[replace(finding, line=line, column=column, end_line=end_line,
                      end_column=end_column)] = finding
    return moved


def _rewrite_cell(
    text: str, code: bool, located: Mapping[Finding, Finding],
    choose: Callable[[Finding], Choice], defined: Mapping[str, str], prompt_hub: str | None,
) -> tuple[str, list[Outcome]]:
    def choose_original(finding: Finding) -> Choice:
        return choose(located.get(finding, finding))

    def original(outcome: Outcome) -> Outcome:
        return replace(outcome, finding=located.get(outcome.finding, outcome.finding))

    if code:
        rewrite = rewrite_python(text, list(located), choose_original,
                                 defined_elsewhere=defined, prompt_hub_id=prompt_hub)
        if rewrite.error is None:
            return rewrite.text, [original(o) for o in rewrite.outcomes]
    return _replace_in_place(text, located, choose_original)


def _replace_in_place(text: str, located: Mapping[Finding, Finding],
                      choose: Callable[[Finding], Choice]) -> tuple[str, list[Outcome]]:
    """Model ids replaced where they are written; nothing else (cells that do not parse,
    markdown cells)."""
    lines = LineIndex(text)
    edits: list[tuple[int, int, str]] = []
    outcomes: list[Outcome] = []
    for moved, finding in located.items():
        identifier = finding.identifier or ""
        choice = choose(moved) if finding.effort is Effort.SWAP and finding.model else None
        if not isinstance(choice, Chosen):
            why = choice.reason if choice is not None else finding.message
            action = Action.LEFT if finding.effort is Effort.SWAP else Action.MANUAL
            outcomes.append(Outcome(finding, action, f"{why} (cell {finding.cell}, line "
                                    f"{finding.cell_line})"))
            continue
        start = lines.line_start(moved.line) + moved.column - 1
        end = max(lines.line_start(moved.end_line) + moved.end_column - 1,
                  start + len(identifier))
        found = _occurrences(text, identifier, start, end)
        if not found:
            outcomes.append(Outcome(finding, Action.LEFT, "it was not found in the cell"))
            continue
        edits.extend((at, at + len(identifier), choice.text) for at in found)
        outcomes.append(Outcome(finding, Action.REWRITTEN, f"'{identifier}' -> "
                                f"'{choice.text}' ({choice.origin})"))
    for start, end, new in sorted(set(edits), reverse=True):
        text = text[:start] + new + text[end:]
    return text, outcomes


def _occurrences(text: str, identifier: str, start: int, end: int) -> list[int]:
    found: list[int] = []
    at = text.find(identifier, start, end)
    while at >= 0:
        found.append(at)
        at = text.find(identifier, at + len(identifier), end)
    return found


def _manual(finding: Finding, why: str) -> Outcome:
    if finding.effort is Effort.KEEP:
        return Outcome(finding, Action.KEPT, "nothing to change")
    action = Action.LEFT if finding.effort is Effort.SWAP else Action.MANUAL
    return Outcome(finding, action, f"{why}: edit it by hand ({finding.message})")


def _untouched(text: str, findings: Sequence[Finding], reason: str) -> NotebookRewrite:
    return NotebookRewrite(text, tuple(_manual(f, reason) for f in findings),
                           f"not rewritten: {reason}")
