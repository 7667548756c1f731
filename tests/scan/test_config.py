"""Config files: YAML, JSON, TOML, INI/cfg, .env, .properties."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from auditor.scan.documents.json_positions import JsonError, JString, parse_json
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit
from tests.kinds_helpers import scan_text


def _found(hits: list[Hit]) -> list[tuple[str, int, int, str | None]]:
    return [(h.rule_id, h.line, h.column, h.identifier) for h in hits]


def test_yaml_multi_document_anchors_and_merge_keys(tmp_path: Path) -> None:
    text = (
        "base: &base\n"
        "  model: meta-llama/Llama-3.1-8B-Instruct\n"
        "a:\n"
        "  <<: *base\n"
        "b: *base\n"
        "---\n"
        "model: 'llama3.2:3b'\n"
        "---\n"
        "model: \"groq/llama-3.3-70b-versatile\"\n"
    )
    out, _ = scan_text(tmp_path, "settings.yaml", text)
    # An anchored value is reported once, where it is written; quoted values after the quote.
    assert _found(out.hits) == [
        ("LA301", 2, 10, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA301", 7, 9, "llama3.2:3b"),
        ("LA301", 9, 9, "groq/llama-3.3-70b-versatile"),
    ]
    assert out.problems == []


def test_yaml_values_carry_key_path_and_confidence(tmp_path: Path) -> None:
    text = "llm:\n  providers:\n    - base_model: meta-llama/Llama-3.2-1B\n"
    out, _ = scan_text(tmp_path, "c.yaml", text)
    (hit,) = out.hits
    assert hit.context == "llm.providers[].base_model"
    assert dict(hit.details) == {"key": "llm.providers[].base_model", "confidence": "high"}
    out, _ = scan_text(tmp_path, "d.yaml", "notes: see Llama-3.1-8B-Instruct for details\n")
    assert dict(out.hits[0].details)["confidence"] == "medium"


def test_yaml_block_scalars_and_tokens_inside_values(tmp_path: Path) -> None:
    text = (
        "job:\n"
        "  command: vllm serve meta-llama/Llama-3.1-8B-Instruct --port 8000\n"
        "  script: |\n"
        "    # llama3 was the old default\n"
        "    ollama pull llama3.2:3b\n"
        "  env:\n"
        "    - MODEL=${MODEL:-meta-llama/Llama-3.2-1B-Instruct}\n"
    )
    out, _ = scan_text(tmp_path, "jobs.yaml", text)
    assert _found(out.hits) == [
        ("LA301", 2, 23, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA301", 5, 17, "llama3.2:3b"),
        ("LA301", 7, 22, "meta-llama/Llama-3.2-1B-Instruct"),
    ]


def test_bare_ollama_names_need_a_model_key(tmp_path: Path) -> None:
    text = "model: llama3\nformat: llama3\nfamily: llama2\nlabels: [llama3]\nollama_tag: llama3.1\n"
    out, _ = scan_text(tmp_path, "c.yaml", text)
    assert _found(out.hits) == [("LA301", 1, 8, "llama3"), ("LA301", 5, 13, "llama3.1")]


def test_yaml_custom_tags_are_inert(tmp_path: Path) -> None:
    text = "Model: !Sub 'meta-llama/Llama-3.1-8B-Instruct'\nRun: !!python/object:os.system x\n"
    out, _ = scan_text(tmp_path, "template.yaml", text)
    assert _found(out.hits) == [("LA301", 1, 14, "meta-llama/Llama-3.1-8B-Instruct")]


def test_yaml_alias_bomb_is_reported_not_expanded(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["llama3.1:8b", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    started = time.perf_counter()
    out, _ = scan_text(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert time.perf_counter() - started < 20  # generous: expanded it would never finish
    assert _found(out.hits) == [("LA301", 1, 11, "llama3.1:8b")]
    assert [p.code for p in out.problems] == ["yaml-alias-bomb"]


def test_yaml_recursive_alias_and_deep_nesting(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "loop.yaml", "a: &a [model: 'llama3.1:8b', *a]\n")
    assert _found(out.hits) == [("LA301", 1, 16, "llama3.1:8b")]
    assert [p.code for p in out.problems] == ["yaml-recursive-alias"]
    deep = "x: " + "[" * 150 + "'llama3.1:8b'" + "]" * 150 + "\nmodel: llama3.2:1b\n"
    out, _ = scan_text(tmp_path, "deep.yaml", deep)
    assert [(p.code, p.line) for p in out.problems] == [("too-deep", 1)]
    assert _found(out.hits) == [("LA301", 2, 8, "llama3.2:1b")]
    block = "- " * 200_000 + "x\n---\nmodel: llama3.1:8b\n"
    out, _ = scan_text(tmp_path, "block.yaml", block)
    assert [(p.code, p.line) for p in out.problems] == [("too-deep", 1)]
    assert _found(out.hits) == [("LA301", 3, 8, "llama3.1:8b")]
    deeper = "x: " + "[" * 2000 + "]" * 2000 + "\nmodel: llama3.1:8b\n"
    out, _ = scan_text(tmp_path, "deeper.yaml", deeper)
    assert [p.code for p in out.problems] == ["parse-error"]
    assert "nested too deeply" in out.problems[0].message
    assert _found(out.hits) == [("LA301", 2, 8, "llama3.1:8b")]


def test_kubernetes_manifest_in_a_config_file_is_infrastructure(tmp_path: Path) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: vllm\n"
        "      args: [\"--model=meta-llama/Llama-3.1-8B-Instruct\"]\n"
    )
    out, _ = scan_text(tmp_path, "serving/pod.yaml", text)
    assert _found(out.hits) == [("LA302", 6, 23, "meta-llama/Llama-3.1-8B-Instruct")]


def test_helm_template_falls_back_with_a_diagnostic(tmp_path: Path) -> None:
    text = "spec:\n  args:\n    {{- if .Values.big }}\n    - meta-llama/Llama-3.1-70B\n"
    out, _ = scan_text(tmp_path, "templates/deploy.yaml", text)
    assert [p.code for p in out.problems] == ["parse-error"]
    assert "template" in out.problems[0].message
    assert _found(out.hits) == [("LA301", 4, 7, "meta-llama/Llama-3.1-70B")]


@pytest.mark.parametrize(("name", "text", "rule"), [
    ("axolotl.yaml", "base_model: meta-llama/Meta-Llama-3-8B\nadapter: lora\nlora_r: 16\n"
                     "micro_batch_size: 2\n", "LA401"),
    ("sft.yaml", "model_name_or_path: meta-llama/Llama-3.2-1B\nlearning_rate: 2e-5\n"
                 "num_train_epochs: 1\n", "LA401"),
    ("peft.json", '{"base_model": "meta-llama/Llama-3.2-1B", "lora_alpha": 16, '
                  '"target_modules": ["q_proj"]}', "LA401"),
    ("serve.yaml", "model: meta-llama/Llama-3.2-1B\nlearning_rate: 2e-5\n", "LA301"),
])
def test_training_configs_bind_a_fine_tune(tmp_path: Path, name: str, text: str,
                                           rule: str) -> None:
    out, _ = scan_text(tmp_path, name, text)
    assert [h.rule_id for h in out.hits] == [rule]


def test_architecture_and_template_names(tmp_path: Path) -> None:
    text = ("model_type: LlamaForCausalLM\ntokenizer_type: LlamaTokenizer\nchat_template: llama3\n"
            "conv_template: llama-2\nrope_scaling:\n  rope_type: llama3\ntemplate: qwen3\n"
            "model_type: mistral\n")
    out, _ = scan_text(tmp_path, "train.yaml", text)
    assert _found(out.hits) == [
        ("LA304", 1, 13, "LlamaForCausalLM"),
        ("LA304", 2, 17, "LlamaTokenizer"),
        ("LA306", 3, 16, "llama3"),
        ("LA306", 4, 16, "llama-2"),
        ("LA304", 6, 14, "llama3"),
    ]


def test_prompt_markers_and_token_ids_in_config(tmp_path: Path) -> None:
    text = (
        'prompts:\n  llama2: "<s>[INST] <<SYS>>\\n{s}\\n<</SYS>>\\n{q} [/INST]"\n'
        '  mistral: "<s>[INST] {q} [/INST]"\n'
        "generation:\n  eos_token_id: [128001, 128009]\n  max_tokens: 128009\n"
    )
    out, _ = scan_text(tmp_path, "prompts.yaml", text)
    assert _found(out.hits) == [
        ("LA106", 2, 22, "<<SYS>>"),
        ("LA107", 5, 18, "128001"),
        ("LA107", 5, 26, "128009"),
    ]


def test_json_positions_with_escapes_and_keys(tmp_path: Path) -> None:
    text = ('{\n  "a": "tab\\there \\"quoted\\"", "model": "meta-llama/Llama-3.1-8B",\n'
            '  "models": {"meta-llama/Llama-3.2-1B": {"price": 1}},\n'
            '  "escaped": "meta-llama\\/Llama-3.2-3B"\n}\n')
    out, lines = scan_text(tmp_path, "prices.json", text, check_positions=False)
    column = lines[1].index("meta-llama") + 1
    assert _found(out.hits) == [
        ("LA301", 2, column, "meta-llama/Llama-3.1-8B"),
        ("LA301", 3, 15, "meta-llama/Llama-3.2-1B"),
        # written with an escaped slash: reported where the string starts
        ("LA301", 4, 15, "meta-llama/Llama-3.2-3B"),
    ]


def test_jsonc_comments(tmp_path: Path) -> None:
    text = '{\n  // the chat model\n  "model": "llama3.1:8b", /* old: llama2 */\n}\n'
    out, _ = scan_text(tmp_path, "settings.jsonc", text)
    assert _found(out.hits) == [("LA301", 3, 13, "llama3.1:8b")]
    assert out.problems == []


def test_toml_positions(tmp_path: Path) -> None:
    text = (
        'title = "x"\n'
        "[llm]\n"
        'model = "llama3.1:8b"  # comment llama2\n'
        "fallbacks = [\n  'meta-llama/Llama-3.2-1B-Instruct',\n  \"qwen3:8b\",\n]\n"
        'inline = { name = "groq/llama-3.3-70b-versatile", n = 1 }\n'
        'prompt = """\n<|start_header_id|>user<|end_header_id|>\n"""\n'
        "[[servers]]\nmodel = 'llama3.2:3b'\nwhen = 1979-05-27 07:32:00\n"
        "[tool.llama_index]\nllm = \"gpt-4o\"\n"
    )
    out, _ = scan_text(tmp_path, "app.toml", text)
    assert _found(out.hits) == [
        ("LA301", 3, 10, "llama3.1:8b"),
        ("LA301", 5, 4, "meta-llama/Llama-3.2-1B-Instruct"),
        ("LA301", 8, 20, "groq/llama-3.3-70b-versatile"),
        ("LA106", 10, 1, "<|start_header_id|>"),
        ("LA301", 13, 10, "llama3.2:3b"),
    ]
    assert out.problems == []


def test_ini_env_and_properties(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "svc.cfg",
                       "[llama_index]\nllm = openai\n[model]\nname = llama3.1:8b ; chat\n"
                       "extra =\n    meta-llama/Llama-3.2-1B\n")
    assert _found(out.hits) == [("LA301", 4, 8, "llama3.1:8b"),
                                ("LA301", 6, 5, "meta-llama/Llama-3.2-1B")]
    out, _ = scan_text(tmp_path, ".env.production",
                       "# llama2 is gone\nexport MODEL_ID='meta-llama/Llama-3.1-8B'\n"
                       "OLLAMA_MODEL=llama3.2:1b # small\n")
    assert _found(out.hits) == [("LA301", 2, 18, "meta-llama/Llama-3.1-8B"),
                                ("LA301", 3, 14, "llama3.2:1b")]
    out, _ = scan_text(tmp_path, "application.properties",
                       "! comment llama2\nai.model = llama3.1:70b\n"
                       "ai.fallback groq/llama-3.1-8b-instant\n")
    assert _found(out.hits) == [("LA301", 2, 12, "llama3.1:70b"),
                                ("LA301", 3, 13, "groq/llama-3.1-8b-instant")]


@pytest.mark.parametrize(("name", "text", "line", "found_line"), [
    ("bad.yaml", "a: [1\nmodel: meta-llama/Llama-3.1-8B\n", 2, 2),
    ("bad.json", '{"model": "llama3.1:8b",,}\n', 1, 1),
    ("bad.toml", 'model = "meta-llama/Llama-3.1-8B"\nmodel = "x"\n', 2, 1),
])
def test_broken_config_files(tmp_path: Path, name: str, text: str, line: int,
                             found_line: int) -> None:
    out, _ = scan_text(tmp_path, name, text)
    (problem,) = out.problems
    assert problem.code == "parse-error" and problem.line == line
    assert not out.parsed
    assert [(h.rule_id, h.line) for h in out.hits] == [("LA301", found_line)]


def test_json_parser_reports_where_it_stopped() -> None:
    with pytest.raises(JsonError) as info:
        parse_json('{"a": [1, 2,, 3]}')
    assert info.value.offset == 12
    with pytest.raises(JsonError):
        parse_json("[" * 500 + "]" * 500)
    node = parse_json('{"s": "a\\u00e9\\ud83d\\ude00b"}')
    value = node.members[0][1] if not isinstance(node, JString) else node  # type: ignore[union-attr]
    assert isinstance(value, JString) and value.value == "aé😀b"
    offsets = value.raw_offsets()
    assert [offsets[i] - value.start for i in range(len(value.value) + 1)] == [1, 2, 8, 20, 21]


def test_line_index_matches_splitlines() -> None:
    text = "a\r\nb\x0cc\n\nd"
    index = LineIndex(text)
    lines = text.splitlines()
    for offset in range(len(text)):
        line, column = index.position(offset)
        if text[offset] not in "\r\n\x0c":
            assert lines[line - 1][column - 1] == text[offset]
