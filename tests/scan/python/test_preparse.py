"""Deciding before the parse that a Python file holds no finding (``scan.python.preparse``):
the files it clears are not parsed, and every file it must not clear is parsed as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor import isolate
from auditor.ruleset.load import load_ruleset
from auditor.scan.python import preparse, styles
from auditor.scan.python.preparse import cannot_find
from auditor.scan.runner import ScanOptions, scan_paths

RULES = load_ruleset()

MODEL = "meta-llama/Llama-2-7b-hf"
ESCAPED = r'"meta-\x6clama/\x4clama-2-7b-hf"'
"""Names ``MODEL`` with no trigger text in the source: found only where the line is live."""


def _scan(tmp_path: Path, files: dict[str, str],
          monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[Any, ...]], list[str], Any]:
    """(findings as rows, the files parsed, the result) of a scan of ``files``."""
    parsed: list[str] = []
    real = isolate.run_isolated

    def recording(analysis: Any, text: str, *args: Any) -> Any:
        parsed.append(text)
        return real(analysis, text, *args)

    monkeypatch.setattr(isolate, "run_isolated", recording)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = scan_paths([tmp_path], ScanOptions())
    rows = [(f.path, f.rule_id, f.line, f.column, f.identifier) for f in result.findings]
    names = [name for name, text in files.items() if text in parsed]
    return rows, names, result


def test_a_file_naming_llama_only_in_comments_is_not_parsed_and_has_no_finding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("# Copied from transformers.models.llama.modeling_llama.LlamaRMSNorm\n"
            "import torch\n\n\nclass Norm(torch.nn.Module):\n"
            "    # as in Llama: no bias\n    def forward(self, x):\n        return x\n")
    rows, parsed, result = _scan(tmp_path, {"norm.py": text}, monkeypatch)
    assert (rows, parsed, result.diagnostics) == ([], [], ())
    assert (result.stats.files_scanned, result.stats.files_parsed) == (1, 1)


@pytest.mark.parametrize("text", [
    '"""Llama-style norm."""\nimport torch\n',
    '#!/usr/bin/env python\n# header\n\nr"""Llama\nmodule."""  # llama\nx = 1\n',
    'class Norm:\n    """The Llama norm."""\n\n    eps = 1e-6\n',
    'class Norm(\n    Base,\n):  # a comment\n    # another\n    u"""Llama."""\n    eps = 1\n',
    'def f(a: int,\n      b: dict[str, int] = {"k": 1}) -> int:\n    """Like Llama\'s."""\n'
    '    return a\n',
    'async def f():\n    """Llama."""\n',
    'def f():\n    x = 1\n    # see llama\n    return x\n',
    '# 参考 llama\nx = "数据"\n',  # non-ASCII, already in NFKC
    '# llama，fullwidth\nx = 1\n',  # not in NFKC, but only in a comment
])
def test_matches_only_in_docstrings_and_lone_comments_are_decided(text: str) -> None:
    assert cannot_find(text, RULES)


@pytest.mark.parametrize("text", [
    'CONFIG = {\n    "key":\n    "llama"\n}\n',  # after "key": inside brackets
    'def f(): "llama docstring on the header line"\n',
    'def f():\n    f"llama {1}"\n',  # an f-string alone is no docstring
    'def f():\n    x = 1\n    "llama"\n',  # not the first statement
    'if x:\n    "llama"\n',  # not a def or class body
    'x = "llama"\n',
    '"""doc"""\n"""llama"""\n',
    'def f():\n    """llama""".strip()\n',
    'def f():\n    ("llama")\n',  # a docstring to ast, not proved here: counts as code
    'x = "llama\n',  # unterminated string
    "x = '''llama\n",
    'x = 1  # llama\n',  # a comment after code
    'x = [\n    # llama\n    1,\n]\n',  # a comment inside brackets
    'def f():\n    "Llama" "RMS"\n',  # two pieces: not proved a docstring here
    'x = 1 \\\n# llama\n',  # after a continued line
    'x = 1\n# llama \\\n# llama\n',  # after a backslash (here in a comment): not judged
    'import llama_cpp\n',
    'TOKEN = 128_009  # a stop token\n',
    'x = "<|eot_id|>"\n',
])
def test_anything_that_may_be_read_is_parsed(text: str) -> None:
    assert not cannot_find(text, RULES)


def test_a_comment_on_a_code_line_makes_the_line_live_so_the_file_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The escaped string is read only because the comment makes its line live: the finding
    must stay, so neither file may be decided before the parse."""
    head = "from transformers import AutoModelForCausalLM\n\n"
    files = {
        "trailing.py": f"{head}model = AutoModelForCausalLM.from_pretrained({ESCAPED})  # llama\n",
        "bracketed.py": f"{head}model = AutoModelForCausalLM.from_pretrained(\n    # llama\n"
                        f"    {ESCAPED},\n)\n",
        "alone.py": f"{head}# llama\nmodel = AutoModelForCausalLM.from_pretrained({ESCAPED})\n",
    }
    rows, parsed, _ = _scan(tmp_path, files, monkeypatch)
    assert rows == [("bracketed.py", "LA102", 5, 5, MODEL), ("trailing.py", "LA102", 3, 9, MODEL)]
    assert sorted(parsed) == ["bracketed.py", "trailing.py"]


def test_a_name_python_folds_to_llama_is_parsed(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rows, parsed, _ = _scan(tmp_path, {"folded.py": "# llama\nimport \uff4c\uff4c\uff41\uff4d"
                                                    "\uff41_cpp\n"}, monkeypatch)
    assert (rows, parsed) == ([("folded.py", "LA105", 2, 8, "llama_cpp")], ["folded.py"])


def test_a_broken_file_naming_a_model_in_a_comment_keeps_its_line_scan_finding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"# see {MODEL}\ndef f(:\n    pass\n"
    assert not cannot_find(text, RULES)
    rows, parsed, result = _scan(tmp_path, {"broken.py": text}, monkeypatch)
    assert (rows, parsed) == ([("broken.py", "LA101", 1, 7, MODEL)], ["broken.py"])
    assert [(d.code, d.line) for d in result.diagnostics] == [("parse-error", 2)]
    assert (result.stats.files_scanned, result.stats.files_parsed) == (1, 0)


def test_a_broken_file_decided_before_the_parse_gets_no_parse_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one difference from parsing: as for a file the byte prefilter skips."""
    rows, parsed, result = _scan(tmp_path, {"broken.py": "# llama\ndef f(:\n"}, monkeypatch)
    assert (rows, parsed, result.diagnostics) == ([], [], ())


def test_a_model_id_in_a_comment_is_parsed_and_commented_out_code_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The line scanner would find the id (were the file broken), so the file is parsed;
    commented-out code (LA307) is read from the text either way."""
    text = f'# model = AutoModelForCausalLM.from_pretrained("{MODEL}")\nx = 1\n'
    rows, parsed, _ = _scan(tmp_path, {"old.py": text}, monkeypatch)
    assert (rows, parsed) == ([("old.py", "LA307", 1, 49, MODEL)], ["old.py"])


def test_a_string_that_never_ends_stops_the_lexer_once() -> None:
    """An unclosed triple quote is scanned to the end once, not once per quote."""
    assert not cannot_find("x = \\'''\n" * 20000 + "# llama\n", RULES)
    assert not cannot_find("x = '''" + "a" * 200000 + "\n# llama\n", RULES)
    assert cannot_find("# llama\n" + "x = '''" + "a" * 200000, RULES)  # not lexed so far


def test_from_python_3_12_an_f_string_with_a_field_is_not_lexed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'x = f"{d["k"]}"  # {llama_cpp}\n# llama\n'
    monkeypatch.setattr(preparse, "_NESTING_FSTRINGS", True)
    assert not cannot_find(text, RULES)
    assert cannot_find('x = f"{{not a field}}"\n# llama\n', RULES)


@pytest.mark.parametrize("text", [
    "class A:\n    LLAMA2 = 1\n", "x\n  meta_llama3 : int\n", "llama = 1\n", "  # llama =\n",
    "\tLlama_x=", "a\n \t Meta_LLaMA = 2", "  llamallama =", "  xllama =", "  ﬁ\n  LLAMA = 1",
])
def test_the_style_precheck_tries_only_lines_with_llama_and_finds_what_the_pattern_finds(
        text: str) -> None:
    assert styles._member_defined(text) == bool(styles._MEMBER_DEFINED.search(text))
    assert list(styles._llama_starts(text)) == [m.start() for m in styles._LLAMA.finditer(text)]
