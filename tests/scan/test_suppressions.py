"""Inline suppressions: each file kind's own comment syntax, scope and malformed directives."""

from __future__ import annotations

import json

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.scan.suppressions import (
    HASH,
    HASH_SEMICOLON,
    HTML,
    NOTEBOOK,
    PYTHON,
    comment_style,
    parse_suppressions,
)

RESOLVE = load_ruleset().resolve_rule_ref


def parse(text: str, rel: str):
    style = comment_style(rel)
    assert style is not None, rel
    return parse_suppressions(text, style, rel, RESOLVE)


@pytest.mark.parametrize(
    ("rel", "style"),
    [
        ("app/main.py", PYTHON),
        ("deploy/values.yaml", HASH),
        ("compose.yml", HASH),
        ("pyproject.toml", HASH),
        ("scripts/run.sh", HASH),
        ("Dockerfile", HASH),
        ("Dockerfile.gpu", HASH),
        ("Modelfile", HASH),
        ("Makefile", HASH),
        (".env", HASH),
        (".env.production", HASH),
        ("requirements.txt", HASH),
        ("requirements/dev.in", HASH),
        ("setup.cfg", HASH_SEMICOLON),
        ("settings.ini", HASH_SEMICOLON),
        ("README.md", HTML),
        ("notebooks/eval.ipynb", NOTEBOOK),
    ],
)
def test_comment_style_per_file_kind(rel: str, style: object) -> None:
    assert comment_style(rel) is style


@pytest.mark.parametrize("rel", ["config.json", "adapter_config.json", "model.gguf"])
def test_files_without_comments_have_no_inline_style(rel: str) -> None:
    assert comment_style(rel) is None


def test_python_trailing_comment_covers_only_its_line() -> None:
    found, problems = parse(
        'MODEL = "meta-llama/Llama-3.1-8B"  # llama-audit: ignore[LA101] eval baseline\n'
        'OTHER = "meta-llama/Llama-3.1-70B"\n', "a.py")
    assert problems == []
    [s] = found
    assert (s.line, s.applies_to, s.rule_ids, s.reason) == (1, (1,), frozenset({"LA101"}),
                                                            "eval baseline")
    assert s.text == "llama-audit: ignore[LA101]"


def test_python_comment_alone_covers_the_next_line() -> None:
    found, _ = parse(
        "def load():\n"
        "    # llama-audit: ignore[llama-model-loader, LA101] -- pinned for the benchmark\n"
        '    return AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")\n', "a.py")
    [s] = found
    assert s.line == 2
    assert s.applies_to == (2, 3)
    assert s.rule_ids == frozenset({"LA102", "LA101"})  # slug resolved to its id
    assert s.reason == "pinned for the benchmark"
    assert s.covers("LA102", [3]) and not s.covers("LA102", [4]) and not s.covers("LA103", [3])


def test_python_directive_inside_a_string_is_not_a_suppression() -> None:
    found, problems = parse(
        'HELP = "# llama-audit: ignore[LA101] is how you suppress"\n', "a.py")
    assert found == [] and problems == []


def test_bare_ignore_covers_every_rule_on_the_line() -> None:
    [s], _ = parse('x = "meta-llama/Llama-3.1-8B"  # llama-audit: ignore  legacy code\n', "a.py")
    assert s.rule_ids is None
    assert s.reason == "legacy code"
    assert s.covers("LA101", [1]) and s.covers("LA106", [1])


def test_directive_after_another_pragma_in_the_same_comment() -> None:
    [s], _ = parse('x = f()  # type: ignore  # llama-audit: ignore[LA102] why\n', "a.py")
    assert s.rule_ids == frozenset({"LA102"})


def test_prose_mentioning_the_tool_is_not_a_directive() -> None:
    found, problems = parse("# see the llama-audit: docs for details\n", "a.py")
    assert found == [] and problems == []


def test_unparsable_python_falls_back_to_line_comments() -> None:
    found, _ = parse('print "meta-llama/Llama-2-7b"  # llama-audit: ignore[LA101] py2\n'
                     'x = """unterminated\n', "old.py")
    assert [(s.line, s.rule_ids) for s in found] == [(1, frozenset({"LA101"}))]


@pytest.mark.parametrize(
    ("rel", "text", "line", "applies"),
    [
        ("values.yaml", "model: meta-llama/Llama-3.1-8B  # llama-audit: ignore[LA101] why\n",
         1, (1,)),
        ("values.yaml", "# llama-audit: ignore[LA101] why\nmodel: meta-llama/Llama-3.1-8B\n",
         1, (1, 2)),
        ("config.toml", 'model = "meta-llama/Llama-3.1-8B" # llama-audit: ignore[LA101] why\n',
         1, (1,)),
        ("run.sh", "vllm serve meta-llama/Llama-3.1-8B # llama-audit: ignore[LA101] why\n",
         1, (1,)),
        ("Dockerfile", "ENV X=1\n# llama-audit: ignore[LA101] why\nENV MODEL=meta-llama/x\n",
         2, (2, 3)),
        ("settings.ini", "; llama-audit: ignore[LA101] why\nmodel = meta-llama/x\n", 1, (1, 2)),
        ("README.md", "Uses meta-llama/x <!-- llama-audit: ignore[LA101] why -->\n", 1, (1,)),
        ("requirements.txt", "llama-models==0.1  # llama-audit: ignore[LA201] why\n", 1, (1,)),
    ],
)
def test_each_kind_uses_its_own_comment_syntax(rel: str, text: str, line: int,
                                               applies: tuple[int, ...]) -> None:
    [s], problems = parse(text, rel)
    assert problems == []
    assert (s.line, s.applies_to, s.reason) == (line, applies, "why")


def test_hash_must_start_a_comment_in_yaml() -> None:
    # '#' glued to a value is part of the value in YAML and shell, not a comment
    found, _ = parse("url: http://host/a#llama-audit: ignore[LA101]\n", "values.yaml")
    assert found == []


def test_markdown_heading_is_not_a_comment() -> None:
    found, _ = parse("# llama-audit: ignore[LA101] heading\n", "README.md")
    assert found == []


def test_notebook_code_cells_take_python_comments() -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# llama-audit: ignore[LA101] md\n"]},
            {"cell_type": "code", "source": [
                "import transformers\n",
                "m = 'meta-llama/Llama-3.1-8B'  # llama-audit: ignore[LA101] demo cell\n"]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    [s], problems = parse(json.dumps(notebook, indent=1), "nb.ipynb")
    assert problems == []
    assert (s.cell, s.line, s.applies_to, s.reason) == (1, 2, (2,), "demo cell")
    assert s.covers("LA101", [2], cell=1) and not s.covers("LA101", [2], cell=0)
    assert not s.covers("LA101", [2])  # a line of the raw file is not a line of the cell


def test_unknown_rule_is_kept_but_covers_nothing() -> None:
    [s], problems = parse("x = 1  # llama-audit: ignore[LA999, LA101] typo\n", "a.py")
    assert problems == []
    assert s.unknown_rules == ("LA999",)
    assert s.rule_ids == frozenset({"LA101"})
    [t], _ = parse("x = 1  # llama-audit: ignore[nope] typo\n", "a.py")
    assert t.rule_ids == frozenset() and not t.covers("LA101", [1])


@pytest.mark.parametrize(
    "comment",
    ["# llama-audit: ignroe[LA101]", "# llama-audit: disable", "# llama-audit: ignore(LA101)",
     "# llama-audit: ignore[]"],
)
def test_malformed_directives_are_problems_not_suppressions(comment: str) -> None:
    found, problems = parse(f"x = 1  {comment}\n", "a.py")
    assert found == []
    [problem] = problems
    assert (problem.line, problem.code) == (1, "suppression-invalid")


def test_missing_reason_is_empty() -> None:
    [s], _ = parse("x = 1  # llama-audit: ignore[LA101]\n", "a.py")
    assert s.reason == ""


def test_fix_notes_are_not_invalid_suppressions() -> None:
    found, problems = parse(
        "# llama-audit: todo[LA106] use tokenizer.apply_chat_template(messages)\n"
        'P = "<|begin_of_text|>{x}<|eot_id|>"\n', "app/prompts.py")
    assert found == []
    assert problems == []
