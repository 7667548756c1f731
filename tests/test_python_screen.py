"""The ast screen only skips files the full libcst scan would report nothing in."""

from __future__ import annotations

import libcst as cst
import pytest

from auditor.ruleset import load_ruleset
from auditor.scanners.python_scanner import analyse_module
from auditor.scanners.python_screen import could_produce_findings

from .conftest import FIXTURES

RULES = load_ruleset()

QUIET = '''"""Utilities adapted from transformers.models.llama (see meta-llama/Llama-2-7b-hf)."""

# Copied from transformers.models.llama.modeling_llama.LlamaRMSNorm
class RMSNorm:
    """Like Llama's RMSNorm: see https://huggingface.co/meta-llama/Llama-3.1-8B."""

    def forward(self, x):
        return x  # llama3 style
'''


def test_comments_and_docstrings_alone_are_skipped() -> None:
    assert could_produce_findings(QUIET, RULES) is False
    assert analyse_module(cst.parse_module(QUIET), RULES) == []


@pytest.mark.parametrize("source", [
    'ORG = "meta-llama"\nFAMILY = "Llama-3.1-"\nM = ORG + "/" + FAMILY + "8B"\n',
    'M = f"{ORG}/Llama-3.1-{SIZE}-Instruct"\n',
    'os.system("ollama pull llama3.1:70b")\n',
    'from transformers import LlamaForCausalLM\n',
    'import transformers\nx = transformers.LlamaTokenizerFast\n',
    'import llama_cpp\n',
    'out = model.generate(eos_token_id=128009)\n',
    'T = "<s>[INST] <<SYS>>\\n{s}\\n<</SYS>>\\n\\n{u} [/INST]"\n',
    'def broken(:\n    "llama3.1"\n',
])
def test_anything_reportable_passes_the_screen(source: str) -> None:
    assert could_produce_findings(source, RULES) is True


def test_screen_never_hides_a_fixture_finding() -> None:
    for path in sorted(FIXTURES.rglob("*.py")):
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError:
            continue
        if analyse_module(module, RULES):
            assert could_produce_findings(source, RULES), path
