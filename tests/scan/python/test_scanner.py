"""The Python fixture: every touch-point at its exact position, no look-alike reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.discover.walk import DiscoverOptions
from auditor.ruleset.load import load_ruleset
from auditor.scan.python.scanner import NotPython, analyse_source
from auditor.scan.runner import ScanOptions, scan_paths
from tests.conftest import FIXTURES, PROJECT

FIXTURE = FIXTURES / "python"


ONLY_FIXTURE = ScanOptions(discover=DiscoverOptions(excludes=("expected.json",)))


def _rows() -> tuple[list[dict], list[dict]]:
    result = scan_paths([FIXTURE], ONLY_FIXTURE)
    rows = [{"rule_id": f.rule_id, "path": f.path, "line": f.line, "column": f.column,
             "identifier": f.identifier} for f in result.findings]
    diags = [{"path": d.path, "code": d.code} for d in result.diagnostics]
    return rows, diags


def test_exact_findings_and_diagnostics() -> None:
    expected = json.loads((FIXTURE / "expected.json").read_text())
    rows, diags = _rows()
    assert rows == expected["findings"]
    assert diags == expected["diagnostics"]


def test_fixture_covers_at_least_thirty_distinct_touch_points() -> None:
    rows, _ = _rows()
    distinct = {(r["path"], r["line"], r["rule_id"]) for r in rows if r["rule_id"] != "LA109"}
    assert len(distinct) >= 30
    assert {r["rule_id"] for r in rows} >= {"LA101", "LA102", "LA103", "LA104", "LA105",
                                            "LA106", "LA107"}


def test_look_alikes_are_not_reported() -> None:
    rows, _ = _rows()
    lookalike_rows = [r for r in rows if r["path"] == "app/lookalikes.py"]
    # Only TinyLlama, and only as architecture-only information.
    assert lookalike_rows == [{"rule_id": "LA109", "path": "app/lookalikes.py", "line": 18,
                               "column": 8, "identifier": "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}]


def test_unparsable_files_fall_back_to_the_line_scanner() -> None:
    rows, diags = _rows()
    assert {"path": "app/legacy_py2.py", "code": "parse-error"} in diags
    assert {"path": "app/broken_syntax.py", "code": "parse-error"} in diags
    assert {"rule_id": "LA101", "path": "app/legacy_py2.py", "line": 4, "column": 10,
            "identifier": "meta-llama/Llama-2-7b-chat-hf"} in rows
    assert {"rule_id": "LA101", "path": "app/broken_syntax.py", "line": 2, "column": 14,
            "identifier": "llama3.1:70b"} in rows


def test_good_files_unaffected_by_broken_neighbours(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    source = (FIXTURE / "app" / "loaders.py").read_text()
    (good / "loaders.py").write_text(source)
    alone = [(f.rule_id, f.line, f.column) for f in scan_paths([good]).findings]
    (good / "broken.py").write_text("def x(:\n  'llama3.1'\n")
    (good / "py2.py").write_text('print "meta-llama/Llama-2-7b-hf"\n')
    together = [(f.rule_id, f.line, f.column) for f in scan_paths([good]).findings
                if f.path == "loaders.py"]
    assert together == alone


def test_parse_error_diagnostic_names_the_error() -> None:
    result = scan_paths([FIXTURE])
    message = next(d.message for d in result.diagnostics if d.path == "app/legacy_py2.py")
    assert "not valid Python 3" in message


# -- the ast-based analysis: exact positions of the cases libcst read differently ----------------

RULES = load_ruleset()


def _hits(source: str) -> list[tuple[str, int, int, int, int, str | None]]:
    result = analyse_source(source, RULES)
    assert not isinstance(result, NotPython), result
    return sorted((h.rule_id, h.line, h.column, h.end_line, h.end_column, h.identifier)
                  for h in result)


@pytest.mark.parametrize(("source", "expected"), [
    # Columns count characters, not the UTF-8 bytes ast counts.
    ('x = "日本"; MODEL = "meta-llama/Llama-2-7b-hf"\n',
     [("LA101", 1, 19, 1, 45, "meta-llama/Llama-2-7b-hf")]),
    # A loader call over several lines is reported on the first piece of the literal.
    ('m = AutoModelForCausalLM.from_pretrained(\n    "meta-llama/"\n    "Llama-2-7b-hf",\n)\n',
     [("LA102", 2, 5, 2, 18, "meta-llama/Llama-2-7b-hf")]),
    # A name inside a multi-line string is located in its raw text.
    ('CMD = """\nrun:\n  ollama pull llama3.1:70b\n"""\n',
     [("LA101", 3, 15, 3, 27, "llama3.1:70b")]),
    # An f-string inside an f-string's field, resolved through a constant.
    ('ORG = "meta-llama"\nmsg = f"loading {f\'{ORG}/Llama-2-7b-hf\'}"\n',
     [("LA101", 2, 18, 2, 40, "meta-llama/Llama-2-7b-hf")]),
    # Token ids however int() reads them.
    ("out = model.generate(ids, eos_token_id=200_008)\nstop_token = 0x1F409\n",
     [("LA107", 1, 40, 1, 47, "200008"), ("LA107", 2, 14, 2, 21, "128009")]),
    # A parameter named like an imported Llama class is a use of the name, as libcst saw it.
    ("from transformers import LlamaForCausalLM as LM\ndef build(LM=None):\n    return LM\n",
     [("LA103", 1, 26, 1, 42, "LlamaForCausalLM"), ("LA103", 2, 11, 2, 13, "LlamaForCausalLM"),
      ("LA103", 3, 12, 3, 14, "LlamaForCausalLM")]),
    # Lines Python breaks at a lone CR.
    ('A = 1\rMODEL = "meta-llama/Llama-2-7b-hf"\r',
     [("LA101", 2, 9, 2, 35, "meta-llama/Llama-2-7b-hf")]),
])
def test_exact_hits(source: str, expected: list[tuple[str, int, int, int, int, str]]) -> None:
    assert _hits(source) == expected


def test_a_long_implicit_concatenation_is_read_whole() -> None:
    """libcst nested "a" "b" "c"... one level per piece and gave up past twelve, so a marker in
    a long prompt written as many literals was lost; ast gives one literal."""
    source = "P = (\n" + "".join(f'    "line {i} "\n' for i in range(15)) + '    "<|eot_id|>"\n)\n'
    assert _hits(source) == [("LA106", 2, 5, 17, 17, "<|eot_id|>")]


def test_syntax_errors_name_python_s_reason_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text('MODEL = "meta-llama/Llama-2-7b-hf"\ndef f(:\n    pass\n')
    (tmp_path / "py2.py").write_text('print "meta-llama/Llama-2-7b-hf"\n')
    result = scan_paths([tmp_path])
    assert [(d.path, d.code, d.line, d.message) for d in result.diagnostics] == [
        ("broken.py", "parse-error", 2, "not valid Python 3 (SyntaxError: invalid syntax); "
                                        "identifiers found by the line scanner"),
        ("py2.py", "parse-error", 1,
         "not valid Python 3 (SyntaxError: Missing parentheses in call to 'print'. Did you mean "
         "print(...)?); identifiers found by the line scanner")]
    assert [(f.path, f.rule_id, f.line, f.column) for f in result.findings] == [
        ("broken.py", "LA101", 1, 10), ("py2.py", "LA101", 1, 8)]


def test_scanning_never_imports_libcst(tmp_path: Path) -> None:
    """libcst is for ``fix`` only: a scan of Python, notebooks and setup.py must not load it."""
    script = ("import sys\nfrom pathlib import Path\nfrom auditor.scan.runner import scan_paths\n"
              f"result = scan_paths([Path({str(FIXTURES)!r})])\n"
              "assert result.findings\nprint('libcst' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                         timeout=300, check=True)
    assert run.stdout == "False\n"
