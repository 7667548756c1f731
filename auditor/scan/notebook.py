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

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from auditor import isolate
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import MODEL_ID
from auditor.scan.config import ParseFailure, read_json
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.commands import shell_install_declarations
from auditor.scan.deps.declarations import declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.docs import RULE_DOCS, code_block_hits
from auditor.scan.documents.json_positions import JArray, JNode, JObject, JString
from auditor.scan.documents.values import RULE_NON_META
from auditor.scan.python.scanner import NotPython, analyse_source
from auditor.scan.text.identifiers import identifiers_in
from auditor.scan.text.lines import scan_lines
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, SourceFile

RULE_CODE = MODEL_ID
_LINE_BREAK = re.compile(r"\r\n?|\n")
_MAGIC = re.compile(
    r"^(?P<indent>[ \t]*)(?:[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)?(?:!!?|%)")
_HELP = re.compile(r"^\s*\?\??[\w.]|^\s*[\w.]+\?\??\s*$")
_CELL_MAGIC = re.compile(r"^\s*%%(?P<name>\w+)")
_PYTHON_BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "px", "memit",
                                 "snakeviz", "skip", "cython_inline"})
_PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython3", ""})


class CellText:
    """Text stored as JSON strings (a cell source or an output), with a map from each
    character back to its offset in the notebook file."""

    def __init__(self, pieces: list[JString]) -> None:
        self.pieces = pieces
        values = [piece.value for piece in pieces]
        self.text = "".join(values)
        self._piece_starts: list[int] = []
        total = 0
        for value in values:
            self._piece_starts.append(total)
            total += len(value)
        self._maps: dict[int, list[int]] = {}
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]

    def raw_offset(self, index: int, *, end: bool = False) -> int:
        """File offset of character ``index``; with ``end``, of the position just after
        character ``index - 1`` (an exclusive end)."""
        if not self.pieces:
            return 0
        index = max(0, min(index, len(self.text)))
        piece = max(0, bisect_right(self._piece_starts, index) - 1)
        while end and piece > 0 and index == self._piece_starts[piece]:
            piece -= 1
        mapping = self._maps.get(piece)
        if mapping is None:
            mapping = self._maps[piece] = self.pieces[piece].raw_offsets()
        local = min(index - self._piece_starts[piece], len(mapping) - 1)
        return mapping[local]

    def offset(self, line: int, column: int) -> int:
        """Character offset of 1-based ``line`` and ``column`` in the text."""
        start = self.line_starts[min(max(line, 1), len(self.line_starts)) - 1]
        return min(start + column - 1, len(self.text))

    def line(self, number: int) -> str:
        """1-based source line without its line break."""
        if not 1 <= number <= len(self.line_starts):
            return ""
        start = self.line_starts[number - 1]
        end = self.line_starts[number] if number < len(self.line_starts) else len(self.text)
        return _LINE_BREAK.sub("", self.text[start:end])


def text_of(node: JNode | None) -> CellText:
    if isinstance(node, JString):
        return CellText([node])
    if isinstance(node, JArray):
        return CellText([item for item in node.items if isinstance(item, JString)])
    return CellText([])


@dataclass
class PreparedCell:
    """A code cell made parseable: magics turned into ``pass``, their text kept aside."""

    python: str
    shell: list[tuple[int, int, str]] = field(default_factory=list)
    """(1-based cell line, column offset, text) for the line scanner."""


def prepare_cell(source: str) -> PreparedCell:
    lines = _split_lines(source)
    out: list[str] = []
    shell: list[tuple[int, int, str]] = []
    first = lines[0][0] if lines else ""
    cell_magic = _CELL_MAGIC.match(first)
    start = 0
    if cell_magic is not None:
        shell.append((1, 0, first))
        out.append(lines[0][1])
        start = 1
        if cell_magic.group("name") not in _PYTHON_BODY_MAGICS:
            for number, (content, ending) in enumerate(lines[1:], start=2):
                shell.append((number, 0, content))
                out.append(ending)
            return PreparedCell("".join(out), shell)
    in_string: str | None = None
    depth = 0
    continued = False
    for number, (content, ending) in enumerate(lines[start:], start=start + 1):
        if continued:
            shell.append((number, 0, content))
            out.append(ending)
            continued = content.rstrip().endswith("\\")
            continue
        statement_start = in_string is None and depth == 0
        magic = _MAGIC.match(content) if statement_start else None
        if magic is not None or (statement_start and _HELP.search(content)):
            column = magic.end() if magic is not None else 0
            indent = magic.group("indent") if magic is not None else \
                content[:len(content) - len(content.lstrip())]
            shell.append((number, column, content[column:]))
            out.append(indent + "pass" + ending)
            continued = content.rstrip().endswith("\\")
            continue
        out.append(content + ending)
        if in_string is None:
            depth = max(0, depth + _bracket_balance(content))
        in_string = _string_state(content, in_string)
    return PreparedCell("".join(out), shell)


def _split_lines(text: str) -> list[tuple[str, str]]:
    """(content, line break) pairs; the last line may have an empty break."""
    out: list[tuple[str, str]] = []
    position = 0
    for match in _LINE_BREAK.finditer(text):
        out.append((text[position:match.start()], match.group(0)))
        position = match.end()
    if position < len(text):
        out.append((text[position:], ""))
    return out


_QUOTED = re.compile(r"""'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#.*""")


def _bracket_balance(line: str) -> int:
    """Opened minus closed brackets outside strings and comments (a continuation line that
    starts with ``%`` is string formatting, not a magic)."""
    code = _QUOTED.sub("", line)
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _string_state(line: str, state: str | None) -> str | None:
    """Inside a triple-quoted string after ``line``? (a magic-looking line there is text)."""
    for quote in ('"""', "'''"):
        if state in (None, quote) and line.count(quote) % 2 == 1:
            state = None if state == quote else quote
    return state


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
        root = read_json(text, file.rel)
    except ParseFailure as exc:
        return _fallback(text, ruleset, f"{exc}", exc.line)
    cells_node, language = _cells_and_language(root)
    if cells_node is None:
        return _fallback(text, ruleset, "not a Jupyter notebook (no 'cells' list)", None)
    index = LineIndex(text)
    cells = [_cell(number, node) for number, node in enumerate(cells_node.items)]
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


def _cell(number: int, node: JNode) -> _Cell:
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
                    outputs.append(text_of(value))
    return _Cell(number, kind, text_of(source), outputs, node.start)


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
        owners += [(cell, line) for line in range(1, len(_split_lines(python)) + 1)]
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
            for number in range(1, len(output.line_starts) + 1):
                for found in identifiers_in(output.line(number), ruleset):
                    if not found.model.meta_weights:
                        continue
                    hit = Hit(rule_id=RULE_DOCS, line=number, column=found.start + 1,
                              end_line=number, end_column=found.end + 1,
                              identifier=found.token, model=found.model,
                              details=(("part", "output"), ("mention", "output")))
                    hits.append(_to_file(hit, cell, index, output))
    return hits
