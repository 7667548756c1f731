"""Jupyter notebooks: code cells through the Python scanner, positions in the .ipynb file.

All code cells are joined into one module so a constant set in one cell resolves in a later
one (as it does in the kernel); if that module does not parse, each cell is parsed alone and a
cell that still fails is read by the line scanner with a diagnostic. IPython syntax is not a
parse error: line magics, shell escapes (``!ollama pull llama3``, ``x = !ls``, ``%pip ...``)
and help lines become ``pass`` at the same indentation and their text goes to the line
scanner; a shell or other non-Python cell magic (``%%bash``) sends the whole cell there.

Every finding reports:
- ``line``/``column``: where the text is written in the .ipynb JSON file (the JSON string of
  that source line, after any escapes before it on the line);
- ``cell``: the 0-based index of the cell in the notebook's ``cells`` array, counting every
  cell (markdown and raw included), as Jupyter numbers them internally;
- ``cell_line``: the 1-based line within that cell's source.
Markdown cells and outputs only produce documentation mentions (LA305, with ``--include-docs``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from auditor import isolate
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import MODEL_ID
from auditor.scan.config import ParseFailure, read_json
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.commands import shell_install_declarations
from auditor.scan.deps.declarations import declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.docs import RULE_DOCS, code_block_hits
from auditor.scan.documents.json_positions import (
    JArray,
    JNode,
    JObject,
    JString,
    Keep,
)
from auditor.scan.documents.values import RULE_NON_META
from auditor.scan.notebook_cells import CellText, PreparedCell, prepare_cell, text_of
from auditor.scan.python.scanner import NotPython, analyse_source
from auditor.scan.text.identifiers import identifiers_in
from auditor.scan.text.lines import has_hint, scan_lines
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, SourceFile

RULE_CODE = MODEL_ID
_PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython3", ""})
_OUTPUT: Keep = {"text": None, "data": {"text/plain": None, "text/markdown": None}}
_CELL: Keep = {"cell_type": None, "source": None, "input": None, "outputs": _OUTPUT}
NOTEBOOK_KEEP: Keep = {
    "cells": _CELL, "worksheets": {"cells": _CELL},
    "metadata": {"kernelspec": {"language": None}, "language_info": {"name": None}}}
"""The values the reader uses; images, HTML, widget state, cell metadata and execution
counts are only checked to be valid JSON, not built (``json_positions.Keep``)."""


@dataclass
class _Cell:
    index: int
    kind: str
    source: CellText
    outputs: list[CellText]
    start: int
    prepared: PreparedCell | None = None


def scan_notebook(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    ruleset = ctx.ruleset
    try:
        root = read_json(text, file.rel, NOTEBOOK_KEEP)
    except ParseFailure as exc:
        return _fallback(text, ruleset, f"{exc}", exc.line)
    cells_node, language = _cells_and_language(root)
    if cells_node is None:
        return _fallback(text, ruleset, "not a Jupyter notebook (no 'cells' list)", None)
    index = LineIndex(text)
    cells = [_cell(number, node, text) for number, node in enumerate(cells_node.items)]
    problems: list[Problem] = _malformed_cells(cells_node, index)
    hits: list[Hit] = []
    code = [c for c in cells if c.kind == "code"]
    if language in _PYTHON_LANGUAGES:
        for cell in code:
            cell.prepared = prepare_cell(cell.source.text)
        hits += _python_hits(code, ctx, index, problems)
        for cell in code:
            assert cell.prepared is not None
            for number, column, shell_text in cell.prepared.shell:
                for found in identifiers_in(shell_text, ruleset):
                    hit = Hit(rule_id=RULE_CODE if found.model.meta_weights else RULE_NON_META,
                              line=number, column=column + found.start + 1, end_line=number,
                              end_column=column + found.end + 1, identifier=found.token,
                              model=found.model, context="shell")
                    hits.append(_to_file(hit, cell, index))
            declarations = shell_install_declarations(cell.prepared.shell, file.rel, "shell")
            hits += [_to_file(h, cell, index)
                     for h in declaration_hits(declarations, package_table(ruleset))]
    else:
        for cell in code:
            hits += [_to_file(h, cell, index) for h in scan_lines(cell.source.text, ruleset)]
    if ctx.include_docs:
        hits += _docs_hits(cells, ruleset, index)
    return ScanOutput(hits=hits, problems=problems)


def _fallback(text: str, ruleset: RuleSet, reason: str, line: int | None) -> ScanOutput:
    return ScanOutput(hits=scan_lines(text, ruleset),
                      problems=[Problem("parse-error",
                                        f"{reason}; identifiers found by the line scanner",
                                        line)],
                      parsed=False)


def _cells_and_language(root: JNode) -> tuple[JArray | None, str]:
    if not isinstance(root, JObject):
        return None, ""
    cells = root.get("cells")
    worksheets = root.get("worksheets")  # nbformat 3
    if not isinstance(cells, JArray) and isinstance(worksheets, JArray) and worksheets.items:
        first = worksheets.items[0]
        cells = first.get("cells") if isinstance(first, JObject) else None
    language = ""
    metadata = root.get("metadata")
    if isinstance(metadata, JObject):
        for holder, key in (("kernelspec", "language"), ("language_info", "name")):
            node = metadata.get(holder)
            value = node.get(key) if isinstance(node, JObject) else None
            if isinstance(value, JString):
                language = value.value.lower()
                break
    return (cells if isinstance(cells, JArray) else None), language


def _malformed_cells(cells: JArray, index: LineIndex) -> list[Problem]:
    """One problem naming the cells that are not cells (a string, a number) or whose
    ``cell_type`` is not a string: they are skipped, the other cells are scanned."""
    bad: list[tuple[int, int, str]] = []
    for number, node in enumerate(cells.items, start=1):
        if not isinstance(node, JObject):
            bad.append((number, node.start, "not an object"))
            continue
        kind = node.get("cell_type")
        if kind is not None and not isinstance(kind, JString):
            bad.append((number, kind.start, "its cell_type is not a string"))
    if not bad:
        return []
    shown = ", ".join(f"cell {number} ({why})" for number, _, why in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return [Problem("invalid-cell", f"{shown}{more} skipped; the other cells were scanned",
                    index.position(bad[0][1])[0])]


def _cell(number: int, node: JNode, document: str) -> _Cell:
    if not isinstance(node, JObject):
        return _Cell(number, "", CellText([]), [], getattr(node, "start", 0))
    kind_node = node.get("cell_type")
    kind = kind_node.value if isinstance(kind_node, JString) else ""
    source = node.get("source") or node.get("input")
    outputs: list[CellText] = []
    outputs_node = node.get("outputs")
    if isinstance(outputs_node, JArray):
        for output in outputs_node.items:
            if not isinstance(output, JObject):
                continue
            data = output.get("data")
            for holder, key in ((output, "text"), (data, "text/plain"), (data, "text/markdown")):
                value = holder.get(key) if isinstance(holder, JObject) else None
                if value is not None:
                    outputs.append(text_of(value, document))
    return _Cell(number, kind, text_of(source, document), outputs, node.start)


def _python_hits(code: list[_Cell], ctx: ScanContext, index: LineIndex,
                 problems: list[Problem]) -> list[Hit]:
    """Parse all code cells as one module; cell by cell if that fails."""
    parts: list[str] = []
    owners: list[tuple[_Cell, int]] = []
    for cell in code:
        assert cell.prepared is not None
        python = cell.prepared.python
        if python and not python.endswith(("\n", "\r")):
            python += "\n"
        parts.append(python)
        owners += [(cell, line) for line in range(1, _line_count(python) + 1)]
    analysed = _analyse("".join(parts), ctx)
    if isinstance(analysed, str):
        return _cell_by_cell(code, ctx, index, problems)
    hits: list[Hit] = []
    for hit in analysed:
        if 1 <= hit.line <= len(owners):
            cell, cell_line = owners[hit.line - 1]
            shifted = replace(hit, line=cell_line, end_line=cell_line + hit.end_line - hit.line)
            hits.append(_to_file(shifted, cell, index))
    return hits


def _line_count(python: str) -> int:
    """``len(split_lines(python))`` for text that is empty or ends with a line break."""
    return python.count("\n") + python.count("\r") - python.count("\r\n")


def _cell_by_cell(code: list[_Cell], ctx: ScanContext, index: LineIndex,
                  problems: list[Problem]) -> list[Hit]:
    hits: list[Hit] = []
    for cell in code:
        assert cell.prepared is not None
        analysed = _analyse(cell.prepared.python, ctx)
        if isinstance(analysed, str):
            problems.append(Problem(
                "parse-error",
                f"cell {cell.index} is not valid Python ({analysed}); "
                "identifiers found by the line scanner",
                index.position(cell.start)[0]))
            cell_hits = scan_lines(cell.source.text, ctx.ruleset)
        else:
            cell_hits = analysed
        hits += [_to_file(h, cell, index) for h in cell_hits]
    return hits


def _analyse(source: str, ctx: ScanContext) -> list[Hit] | str:
    """The Python scanner's hits for ``source`` (in ``isolate``'s worker), or why there
    are none."""
    outcome = isolate.too_large(source) or isolate.run_isolated(
        analyse_source, source, ctx.ruleset, ctx.parse_timeout_seconds)
    if isinstance(outcome, NotPython):
        where = f" at cell line {outcome.line}" if outcome.line is not None else ""
        return " ".join(f"{outcome.reason}{where}".split())[:160]
    if isinstance(outcome, isolate.ParseRefused):
        return outcome.message
    if isinstance(outcome, isolate.AnalysisError):
        if outcome.type_name == "RecursionError":
            return "not analysed: nesting too deep"
        raise isolate.AnalysisFailed(outcome)
    hits: list[Hit] = outcome
    return hits


def _to_file(hit: Hit, cell: _Cell, index: LineIndex, text: CellText | None = None) -> Hit:
    """Move a hit from cell coordinates to the notebook file, keeping cell and cell line."""
    source = text or cell.source
    start = source.raw_offset(source.offset(hit.line, hit.column))
    end = source.raw_offset(source.offset(hit.end_line, hit.end_column), end=True)
    line, column = index.position(start)
    end_line, end_column = index.position(max(end, start))
    return replace(hit, line=line, column=column, end_line=end_line, end_column=end_column,
                   cell=cell.index, cell_line=hit.line if text is None else None,
                   snippet=source.line(hit.line).strip())


def _docs_hits(cells: list[_Cell], ruleset: RuleSet, index: LineIndex) -> list[Hit]:
    hits: list[Hit] = []
    for cell in cells:
        if cell.kind in ("markdown", "raw"):
            for hit in code_block_hits(cell.source.text, ruleset):
                hits.append(_to_file(replace(hit, details=(("part", cell.kind), *hit.details)),
                                     cell, index))
        for output in cell.outputs:
            if not has_hint(output.text):  # no identifier on any of its lines
                continue
            for number in range(1, len(output.line_starts) + 1):
                line = output.line(number)
                if not has_hint(line):
                    continue
                for found in identifiers_in(line, ruleset):
                    if not found.model.meta_weights:
                        continue
                    hit = Hit(rule_id=RULE_DOCS, line=number, column=found.start + 1,
                              end_line=number, end_column=found.end + 1,
                              identifier=found.token, model=found.model,
                              details=(("part", "output"), ("mention", "output")))
                    hits.append(_to_file(hit, cell, index, output))
    return hits
