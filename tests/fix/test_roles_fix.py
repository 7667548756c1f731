"""``fix`` swaps model references only and never breaks a project: role filtering, the
refusals before writing (duplicate key, non-model role, unparsable) and the checks after."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from auditor.fix.model import Action, FileChange, FixPlan, Outcome
from auditor.fix.verify import (
    change_problem,
    refuse_unsafe,
    still_found,
    text_problem,
    written_problems,
)
from auditor.types import (
    AuditResult,
    Category,
    Effort,
    Finding,
    ModelRef,
    Role,
    Severity,
    ToolInfo,
)
from tests.fix_helpers import git_repo, run_fix

APP = '''\
from transformers import AutoModelForCausalLM

register_template(name="llama3", format_user=None)
MODELS = {"Llama-30B": {"hf": "huggyllama/llama-30b"}}
output_dir = "saves/llama3-8b/lora"
print("llama3.1:8b response:")
model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
if model_type == "llama3":
    pass
'''
SETTINGS = 'llm:\n  prompt_style: "llama3"\nollama:\n  llm_model: llama3.1:8b\n'


def test_fix_swaps_model_references_only(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "settings.yaml").write_text(SETTINGS, encoding="utf-8")
    git_repo(tmp_path)
    run = run_fix([".", "--write", "--model", "llama3.1:8b=qwen3.5:9b",
                   "--model", "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B",
                   "--model", "huggyllama/llama-30b=Qwen/Qwen3.5-27B"], tmp_path)
    app = (tmp_path / "app.py").read_text(encoding="utf-8")
    # the re-upload waits for a person's decision; --model names it, so it is swapped
    assert app == APP.replace('"meta-llama/Llama-3.1-8B-Instruct"', '"Qwen/Qwen3.5-9B"').replace(
        '"huggyllama/llama-30b"', '"Qwen/Qwen3.5-27B"')
    ast.parse(app)
    assert (tmp_path / "settings.yaml").read_text(encoding="utf-8") == SETTINGS.replace(
        "llm_model: llama3.1:8b", "llm_model: qwen3.5:9b")
    assert "Files changed (2):\n  app.py\n  settings.yaml\n" in run.err
    assert "app.py:4:11  LA101  'Llama-30B' is a dict or registry key" in run.err
    assert "app.py:4:31  LA101  'huggyllama/llama-30b' -> 'Qwen/Qwen3.5-27B' (--model)" in run.err
    assert ("Kept as they are (not model references, or nothing to change) (2):\n"
            "  app.py:5:14  LA101  a path or output directory: renaming it would move files, "
            "not rewritten\n"
            "  app.py:6:8  LA101  a display label or log text: it names Llama without loading "
            "it, not rewritten\n") in run.err
    assert "failed the check after writing" not in run.err
    assert run.code == 0, run.err


def _finding(path: str, identifier: str, role: Role | None, line: int = 1) -> Finding:
    return Finding(rule_id="LA101", category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
                   effort=Effort.SWAP, path=path, line=line, column=1, end_line=line,
                   end_column=2, message="m", snippet="s", identifier=identifier,
                   model=ModelRef("Llama 3", "instruct", "huggingface"), role=role)


@pytest.mark.parametrize(("rel", "old", "new", "problem"), [
    ("m.py", 'M = {"a": 1, "b": 2}\n', 'M = {"a": 1, "a": 2}\n',
     "not rewritten: it would create a duplicate key 'a'"),
    ("m.yaml", "a: 1\nb: 2\n", "a: 1\na: 2\n",
     "not rewritten: it would create a duplicate key 'a'"),
    ("m.json", '{"a": 1, "b": 2}', '{"a": 1, "a": 2}',
     "not rewritten: it would create a duplicate key 'a'"),
    ("m.py", "x = 'a'\n", "x = 'a\n",
     "not rewritten: the rewritten file would not parse (SyntaxError: unterminated string "
     "literal (detected at line 1))"),
    ("Dockerfile", "FROM python:3.12\nRUN pip install x\n", "FROM python:3.12\nRUN pip \"\n  x\n",
     "not rewritten: the rewritten file would not parse (line 3 is not a Dockerfile "
     "instruction)"),
    ("n.ipynb", '{"cells": [{"cell_type": "code", "source": ["x = 1"]}]}',
     '{"cells": [{"cell_type": "code", "source": ["x = {\\"a\\": 1, \\"a\\": 2}"]}]}',
     "not rewritten: it would create a duplicate key 'cell 0: a'"),
])
def test_text_problem_refuses_what_would_break_a_file(rel: str, old: str, new: str,
                                                      problem: str) -> None:
    assert text_problem(rel, old, new) == problem


def test_toml_duplicate_is_a_parse_error_and_an_old_problem_is_not_ours() -> None:
    problem = text_problem("m.toml", 'a = "x"\nb = "y"\n', 'a = "x"\na = "y"\n')
    assert problem is not None and problem.startswith(
        "not rewritten: the rewritten file would not parse (Cannot overwrite a value")
    assert text_problem("m.py", "x = (\n", "y = (\n") is None
    assert text_problem("m.yaml", "a: 1\na: 2\n", "a: 3\na: 2\n") is None


def test_refuse_unsafe_drops_the_change_and_leaves_its_findings() -> None:
    swap = _finding("m.py", "meta-llama/Llama-3.1-8B", Role.MODEL_REFERENCE)
    template = _finding("t.py", "llama3", Role.TEMPLATE_SELECTION)
    plan = FixPlan(
        changes=(FileChange("", "m.py", 'M = {"a": 1, "b": 2}\n', 'M = {"a": 1, "a": 2}\n',
                            "utf-8"),
                 FileChange("", "t.py", 'T = "llama3"\n', 'T = "qwen"\n', "utf-8")),
        outcomes=(Outcome(swap, Action.REWRITTEN, "x"), Outcome(template, Action.REWRITTEN, "y")))
    safe = refuse_unsafe(plan)
    assert safe.changes == ()
    assert [(o.action, o.detail) for o in safe.outcomes] == [
        (Action.LEFT, "not rewritten: it would create a duplicate key 'a'"),
        (Action.LEFT, "not rewritten: 'llama3' at line 1 is a template-selection, not a model "
                      "reference")]
    assert [(s.rel, s.reason) for s in safe.skipped] == [
        ("m.py", "not rewritten: it would create a duplicate key 'a'"),
        ("t.py", "not rewritten: 'llama3' at line 1 is a template-selection, not a model "
                 "reference")]
    assert change_problem(plan.changes[1], ()) is None


def test_after_writing_a_file_is_read_back_and_a_swap_must_be_gone(tmp_path: Path) -> None:
    change = FileChange("r", "m.json", '{"a": 1}', '{"a": 2}', "utf-8")
    (tmp_path / "m.json").write_text('{"a": 2', encoding="utf-8")
    assert written_problems([change], {"r": tmp_path}) == [
        "r/m.json: its content is not what fix wrote",
        "r/m.json: the rewritten file would not parse (not JSON: Expecting ',' delimiter: line 1 "
        "column 8 (char 7))"]
    (tmp_path / "m.json").write_text('{"a": 2}', encoding="utf-8")
    assert written_problems([change], {"r": tmp_path}) == []
    swapped = _finding("m.py", "llama3.1:8b", Role.MODEL_REFERENCE)
    plan = FixPlan(changes=(), outcomes=(Outcome(swapped, Action.REWRITTEN, "x"),))
    label = _finding("m.py", "llama3.1:8b", Role.LABEL, line=3)
    after = AuditResult(ToolInfo("t", "0", "0"), ("",), (swapped, label))
    assert still_found(plan, after) == [swapped]


def test_a_replacement_must_keep_the_provider_route() -> None:
    from auditor.fix.model import Chosen, NotChosen
    from auditor.fix.roles import keeps_route

    routed = _finding("c.py", "groq:llama3-8b-8192", Role.MODEL_REFERENCE)
    refused = keeps_route(routed, Chosen("google/gemma-4-E4B-it", "google/gemma-4-E4B-it", "x"))
    assert refused == NotChosen(
        "it is routed by its 'groq:' prefix and the replacement 'google/gemma-4-E4B-it' has "
        "none: name the replacement the way groq does and pass --model OLD=NEW")
    kept = Chosen("groq:qwen/qwen3-32b", None, "--model")
    assert keeps_route(routed, kept) is kept
    tag = _finding("c.py", "llama3.1:8b", Role.MODEL_REFERENCE)
    ollama = Chosen("qwen3.5:9b", None, "x")
    assert keeps_route(tag, ollama) is ollama


TEMPLATE_CLASS_AND_HELP = '''\
class Llama2ChatConversation:
    """Manages a prompt template."""

    name: str = "llama2"


OPTIONS = (
    (("--chat-template",), None, None,
     "The name of the chat template to use. This is the default value. "
     "alpaca/chatml/gemma/llama3: These templates are in the codebase. "
     "Saved to the tokenizer config."),
)
model_id = "meta-llama/Llama-3.1-8B-Instruct"
'''


def test_a_template_class_name_and_a_help_paragraph_are_never_rewritten(
        tmp_path: Path) -> None:
    """Found by benchmarks/fixcheck on a YAML-driven trainer: a FastChat-style template class's
    ``name`` and a chat-template list inside a positional help paragraph were both rewritten to
    an Ollama tag."""
    (tmp_path / "chat.py").write_text(TEMPLATE_CLASS_AND_HELP, encoding="utf-8")
    git_repo(tmp_path)
    run = run_fix([".", "--write", "--model",
                   "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B"], tmp_path)
    assert (tmp_path / "chat.py").read_text(encoding="utf-8") == TEMPLATE_CLASS_AND_HELP.replace(
        '"meta-llama/Llama-3.1-8B-Instruct"', '"Qwen/Qwen3.5-9B"')
    assert run.code == 0, run.err
