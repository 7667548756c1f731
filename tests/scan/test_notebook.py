"""Notebooks: code cells through the Python scanner, positions in the .ipynb file."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.scan.notebook import prepare_cell
from auditor.types import Hit
from tests.kinds_helpers import scan_text


def _notebook(*cells: dict[str, Any], language: str = "python", indent: int | None = 1) -> str:
    data = {"cells": list(cells), "metadata": {"kernelspec": {"language": language}},
            "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def _code(*lines: str, outputs: list[Any] | None = None) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "outputs": outputs or [],
            "source": list(lines)}


def _rows(hits: list[Hit]) -> list[tuple[str, int | None, int | None, str | None]]:
    hits.sort(key=lambda h: (h.line, h.column))
    return [(h.rule_id, h.cell, h.cell_line, h.identifier) for h in hits]


def _check_json_position(text: str, hit: Hit, written: str) -> None:
    line = text.splitlines()[hit.line - 1]
    assert line[hit.column - 1:].startswith(written), (line, hit)


@pytest.mark.parametrize(("line", "shell"), [
    ("%pip install -q transformers", True),
    ("!ollama pull llama3", True),
    ("files = !ls models", True),
    ("a, b = %time f()", True),
    ("    !echo {x}", True),
    ("model?", True),
    ("??model.generate", True),
    ("x = 5 % 3", False),
    ("print('!ollama')", False),
])
def test_magic_lines_become_pass(line: str, shell: bool) -> None:
    prepared = prepare_cell("for x in y:\n" + line + "\n" if line.startswith(" ") else line + "\n")
    assert bool(prepared.shell) is shell
    ast.parse(prepared.python)


def test_prepare_keeps_line_count_and_skips_strings_and_continuations() -> None:
    source = ('"""\n%d items\n!not shell\n"""\n'
              'TEMPLATE = ("%s"\n'
              '            % 3)\n'
              "!ollama pull \\\n"
              "   llama3.2:3b\n"
              "x = 1")
    prepared = prepare_cell(source)
    assert prepared.python.count("\n") == source.count("\n")
    assert [line for line, _, _ in prepared.shell] == [7, 8]
    assert prepared.python.splitlines()[1] == "%d items"
    ast.parse(prepared.python)


def test_cell_magics() -> None:
    bash = prepare_cell("%%bash\nollama pull llama3.2:3b\n")
    assert bash.python == "\n\n"
    assert [(line, text) for line, _, text in bash.shell] == [
        (1, "%%bash"), (2, "ollama pull llama3.2:3b")]
    timed = prepare_cell("%%time\nMODEL = 'llama3.1:8b'\n")
    assert timed.python == "\nMODEL = 'llama3.1:8b'\n"


def test_cross_cell_constants_and_exact_json_positions(tmp_path: Path) -> None:
    text = _notebook(
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
        _code('MODEL = "meta-llama/Llama-3.1-8B-Instruct"\n'),
        _code("from transformers import pipeline\n", "\n",
              "pipe = pipeline(\"text-generation\", model=MODEL)\n"),
        _code("!ollama pull llama3.2:3b\n", "%env OLLAMA_MODEL=llama3.1:8b"),
    )
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert _rows(out.hits) == [
        ("LA101", 1, 1, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA102", 2, 3, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA101", 3, 1, "llama3.2:3b"),
        ("LA101", 3, 2, "llama3.1:8b"),
    ]
    _check_json_position(text, out.hits[0], '\\"meta-llama/Llama-3.1-8B-Instruct')
    _check_json_position(text, out.hits[1], "pipeline(")
    _check_json_position(text, out.hits[2], "llama3.2:3b")
    _check_json_position(text, out.hits[3], "llama3.1:8b")
    assert out.hits[0].snippet == 'MODEL = "meta-llama/Llama-3.1-8B-Instruct"'
    assert out.problems == []


def test_string_source_and_escapes_before_the_identifier(tmp_path: Path) -> None:
    source = 'x = "caf\u00e9\\t\\"q\\""\nm = "llama3.1:8b"\ny = 1; z = "meta-llama/Llama-3.2-1B"\n'
    text = _notebook({"cell_type": "code", "metadata": {}, "outputs": [], "source": source})
    raw_with_escapes = text.replace("\u00e9", "\\u00e9")
    for candidate in (text, raw_with_escapes):
        out, _ = scan_text(tmp_path, "s.ipynb", candidate, check_positions=False)
        assert _rows(out.hits) == [("LA101", 0, 2, "llama3.1:8b"),
                                   ("LA101", 0, 3, "meta-llama/Llama-3.2-1B")]
        for hit, written in zip(out.hits, ('\\"llama3.1:8b', '\\"meta-llama/Llama-3.2-1B'),
                                strict=True):
            _check_json_position(candidate, hit, written)
            assert hit.line == 7  # the whole source is one JSON string on one line
            assert hit.end_column - hit.column == len(written) + 2


def test_cell_index_counts_every_cell(tmp_path: Path) -> None:
    text = _notebook(
        {"cell_type": "markdown", "metadata": {}, "source": ["intro"]},
        {"cell_type": "raw", "metadata": {}, "source": ["raw"]},
        _code("x = 1\n", "m = 'llama3.2:1b'\n"),
    )
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert _rows(out.hits) == [("LA101", 2, 2, "llama3.2:1b")]


def test_a_broken_cell_is_read_by_the_line_scanner(tmp_path: Path) -> None:
    text = _notebook(
        _code('MODEL = "llama3.1:8b"\n'),
        _code("def broken(:\n", '    return "meta-llama/Llama-3.3-70B-Instruct"\n'),
    )
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert _rows(out.hits) == [("LA101", 0, 1, "llama3.1:8b"),
                               ("LA101", 1, 2, "meta-llama/Llama-3.3-70B-Instruct")]
    (problem,) = out.problems
    assert problem.code == "parse-error" and "cell 1" in problem.message
    assert text.splitlines()[problem.line - 1].strip() == "{"  # where cell 1 starts


def test_invalid_json_notebook(tmp_path: Path) -> None:
    text = '{"cells": [{"cell_type": "code", "source": ["m = \\"llama3.2:3b\\""]}\n'
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert [p.code for p in out.problems] == ["parse-error"]
    assert "invalid JSON" in out.problems[0].message
    assert [(h.rule_id, h.line, h.identifier) for h in out.hits] == [("LA101", 1, "llama3.2:3b")]
    out, _ = scan_text(tmp_path, "nb2.ipynb", '{"metadata": {}, "note": "llama3.2:3b"}',
                       check_positions=False)
    assert "not a Jupyter notebook" in out.problems[0].message


def test_other_kernels_use_the_line_scanner(tmp_path: Path) -> None:
    text = _notebook(_code('model <- "meta-llama/Llama-3.2-1B"\n'), language="R")
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert _rows(out.hits) == [("LA101", 0, 1, "meta-llama/Llama-3.2-1B")]
    _check_json_position(text, out.hits[0], "meta-llama/Llama-3.2-1B")


def test_nbformat_3_worksheets(tmp_path: Path) -> None:
    data = {"worksheets": [{"cells": [
        {"cell_type": "code", "input": ["m = 'llama3.1:8b'\n"], "outputs": []}]}],
        "metadata": {}, "nbformat": 3}
    out, _ = scan_text(tmp_path, "old.ipynb", json.dumps(data, indent=1),
                       check_positions=False)
    assert _rows(out.hits) == [("LA101", 0, 1, "llama3.1:8b")]


def test_markdown_cells_and_outputs_are_docs_only(tmp_path: Path) -> None:
    outputs = [{"output_type": "stream", "name": "stdout",
                "text": ["Loading meta-llama/Llama-3.1-8B-Instruct\n"]},
               {"output_type": "execute_result", "data": {
                   "text/plain": ["'llama3.2:3b'"]}, "metadata": {}}]
    text = _notebook(
        {"cell_type": "markdown", "metadata": {}, "source": [
            "We use meta-llama/Llama-3.1-8B-Instruct.\n", "\n", "```bash\n",
            "ollama pull llama3.2:3b\n", "```\n"]},
        _code("print(1)\n", outputs=outputs),
    )
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert out.hits == []
    out, _ = scan_text(tmp_path, "nb.ipynb", text, include_docs=True, check_positions=False)
    assert [(h.rule_id, h.cell, h.cell_line, h.identifier, dict(h.details)["part"])
            for h in out.hits] == [
        ("LA305", 0, 4, "llama3.2:3b", "markdown"),
        ("LA305", 1, None, "meta-llama/Llama-3.1-8B-Instruct", "output"),
        ("LA305", 1, None, "llama3.2:3b", "output"),
    ]
    for hit, written in zip(out.hits, ("llama3.2:3b", "meta-llama/Llama", "llama3.2:3b"),
                            strict=True):
        _check_json_position(text, hit, written)


def test_non_ascii_and_fstring_positions_in_cells(tmp_path: Path) -> None:
    """Cells are parsed with ``ast`` (columns in bytes): findings still point at the
    characters in the .ipynb file, after non-ASCII text and inside f-strings."""
    text = _notebook(
        _code('ORG = "meta-llama"  # café ☕\n'),
        _code('label = "日本語"; name = f"{ORG}/Llama-3.2-1B"\n'),
    )
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert _rows(out.hits) == [("LA101", 1, 1, "meta-llama/Llama-3.2-1B")]
    _check_json_position(text, out.hits[0], 'f\\"{ORG}/Llama-3.2-1B')


def test_a_broken_cell_names_python_s_reason(tmp_path: Path) -> None:
    text = _notebook(_code("x = 1\n"), _code("y = 2\n", "def broken(:\n", "    'llama3.1:8b'\n"))
    out, _ = scan_text(tmp_path, "nb.ipynb", text, check_positions=False)
    assert [p.message for p in out.problems] == [
        "cell 1 is not valid Python (SyntaxError: invalid syntax at cell line 2); identifiers "
        "found by the line scanner"]
    assert _rows(out.hits) == [("LA101", 1, 3, "llama3.1:8b")]
