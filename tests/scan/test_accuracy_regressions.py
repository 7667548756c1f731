"""Regressions for the misses and false positives the accuracy set (benchmarks/accuracy)
showed. Each snippet is written for this test, in the shape of what the real repositories do;
each asserts the exact findings (rule, line, column, identifier) of one file."""

from __future__ import annotations

from pathlib import Path

from auditor.scan.runner import scan_paths


def findings(tmp_path: Path, name: str, text: str) -> list[tuple[str, int, int, str | None]]:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    result = scan_paths([tmp_path])
    return [(f.rule_id, f.line, f.column, f.identifier) for f in result.findings
            if f.path == name]


# --- Python: a loader call spread over lines reports the line that names the model ---------

def test_multi_line_loader_call_reports_the_model_line(tmp_path: Path) -> None:
    text = (
        "import ollama\n"
        "\n"
        "answer = ollama.chat(\n"
        "    'llama3.1:8b',\n"
        "    messages=[],\n"
        ")\n"
        "code = ollama.generate(\n"
        "    model='codellama:7b-code',\n"
        "    prompt='def f():',\n"
        ")\n"
    )
    assert findings(tmp_path, "bot.py", text) == [
        ("LA102", 4, 5, "llama3.1:8b"),
        ("LA102", 8, 11, "codellama:7b-code"),
    ]


def test_single_line_loader_and_loader_through_a_name_keep_the_call_position(
        tmp_path: Path) -> None:
    text = (
        "from transformers import AutoModelForCausalLM\n"
        "BASE = 'meta-llama/Llama-3.1-8B-Instruct'\n"
        "m = AutoModelForCausalLM.from_pretrained('meta-llama/Llama-3.2-1B')\n"
        "n = AutoModelForCausalLM.from_pretrained(\n"
        "    BASE,\n"
        ")\n"
    )
    assert findings(tmp_path, "load.py", text) == [
        ("LA101", 2, 8, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA102", 3, 5, "meta-llama/Llama-3.2-1B"),
        ("LA102", 4, 5, "meta-llama/Llama-3.1-8B-Instruct"),
    ]


# --- Python: Meta's hosted Llama API ------------------------------------------------------

def test_meta_llama_api_client_uses_and_endpoint_are_reported(tmp_path: Path) -> None:
    text = (
        "from llama_api_client import LlamaAPIClient\n"
        "\n"
        "def connect(key):\n"
        "    return LlamaAPIClient(\n"
        "        api_key=key,\n"
        "        base_url='https://api.llama.com/v1/',\n"
        "    )\n"
    )
    assert findings(tmp_path, "client.py", text) == [
        ("LA104", 1, 6, "llama_api_client"),
        ("LA104", 4, 12, "llama_api_client.LlamaAPIClient"),
        ("LA104", 6, 18, "api.llama.com"),
    ]


def test_openai_client_pointed_at_the_llama_api_compat_endpoint(tmp_path: Path) -> None:
    text = (
        "from openai import OpenAI\n"
        "client = OpenAI(base_url='https://api.llama.com/compat/v1/')\n"
        "other = OpenAI(base_url='https://api.groq.com/openai/v1')\n"
    )
    assert findings(tmp_path, "compat.py", text) == [("LA104", 2, 26, "api.llama.com")]


# --- Python: a Llama chat template chosen by name (LA108) ---------------------------------

def test_template_selected_by_keyword_parameter_default_and_field(tmp_path: Path) -> None:
    text = (
        "from typing import Literal\n"
        "from pydantic import BaseModel, Field\n"
        "\n"
        "def answer(question, chatTemplate_name='llama'):\n"
        "    return question\n"
        "\n"
        "prompt = make_prompt(template_type='llama3', history=False)\n"
        "\n"
        "class ChatConfig(BaseModel):\n"
        "    prompt_format: Literal['plain', 'llama2', 'llama3'] = Field(\n"
        "        'llama2',\n"
        "        description='llama2 wraps turns in [INST] and <<SYS>>.',\n"
        "    )\n"
    )
    assert findings(tmp_path, "prompts.py", text) == [
        ("LA108", 4, 40, "llama"),
        ("LA108", 7, 36, "llama3"),
        ("LA108", 11, 9, "llama2"),
        ("LA106", 12, 21, "<<SYS>>"),
    ]


def test_a_template_name_compared_is_a_finding_a_list_is_not(tmp_path: Path) -> None:
    """Issue 18 item 1: comparing a template-selecting name with a Llama template name selects
    that template (LA108); a bare list of names selects nothing."""
    text = (
        "STYLES = ['default', 'llama2', 'llama3']\n"
        "\n"
        "def pick(prompt_style):\n"
        "    if prompt_style == 'llama2':\n"
        "        return 1\n"
        "    return {'template': 'mistral'}\n"
    )
    assert findings(tmp_path, "styles.py", text) == [("LA108", 4, 24, "llama2")]


def test_parameter_default_naming_a_model_is_a_model_reference(tmp_path: Path) -> None:
    text = (
        "def chat(question, model='llama3.1', prompt_format='llama3'):\n"
        "    return question\n"
    )
    assert findings(tmp_path, "chat.py", text) == [
        ("LA101", 1, 26, "llama3.1"),
        ("LA108", 1, 52, "llama3"),
    ]


def test_bare_ollama_name_inside_a_sentence_needs_a_model_context(tmp_path: Path) -> None:
    text = (
        "HELP = 'Use the `llama2` style for old prompts.'\n"
        "CMD = 'ollama pull llama3 && ollama serve'\n"
    )
    assert findings(tmp_path, "help.py", text) == [("LA101", 2, 20, "llama3")]


# --- Config and infrastructure ------------------------------------------------------------

def test_deployment_names_are_not_models_but_the_served_model_is(tmp_path: Path) -> None:
    text = (
        "inference:\n"
        "  servers:\n"
        "  - name: \"llama3\"\n"
        "    hfModelId: \"meta-llama/Llama-3.1-8B-Instruct\"\n"
        "    toolCallParser: \"llama3_json\"\n"
        "  - name: llama3.1\n"
        "    ollama_model: llama3.1\n"
        "  - name: \"llama3-8b-instruct\"\n"
        "    alias: llama3-8b-8192\n"
    )
    assert findings(tmp_path, "values.yaml", text) == [
        ("LA301", 4, 17, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA306", 5, 22, "llama3_json"),
        ("LA301", 7, 19, "llama3.1"),
        ("LA301", 9, 12, "llama3-8b-8192"),
    ]


def test_training_outputs_are_not_references_but_the_base_and_adapter_are(
        tmp_path: Path) -> None:
    text = (
        "model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct\n"
        "adapter_name_or_path: saves/llama3-8b/lora/sft\n"
        "finetuning_type: lora\n"
        "learning_rate: 1.0e-4\n"
        "template: llama3\n"
        "fsdp_transformer_layer_cls_to_wrap: LlamaDecoderLayer\n"
        "output_dir: saves/llama3-8b/lora/predict\n"
        "logging_dir: llama3-8b-logs\n"
    )
    assert findings(tmp_path, "train.yaml", text) == [
        ("LA401", 1, 21, "meta-llama/Meta-Llama-3-8B-Instruct"),
        ("LA401", 2, 23, "saves/llama3-8b/lora/sft"),
        ("LA306", 5, 11, "llama3"),
        ("LA304", 6, 37, "LlamaDecoderLayer"),
    ]


def test_a_directory_path_counts_only_under_a_model_key(tmp_path: Path) -> None:
    text = (
        "volume:\n"
        "  hostPath:\n"
        "    path: /data/llama3\n"
        "checkpointer:\n"
        "  checkpoint_dir: /tmp/Llama-3.2-1B-Instruct/\n"
        "mounts:\n"
        "  - ./models/llama-2-13b-chat.Q5_K_M.gguf\n"
    )
    assert findings(tmp_path, "settings.yaml", text) == [
        ("LA301", 5, 19, "/tmp/Llama-3.2-1B-Instruct/"),
        ("LA301", 7, 5, "./models/llama-2-13b-chat.Q5_K_M.gguf"),
    ]


def test_spring_style_placeholder_default_is_read(tmp_path: Path) -> None:
    text = "ollama:\n  llm_model: ${APP_OLLAMA_LLM_MODEL:llama3.1}\n"
    assert findings(tmp_path, "settings-docker.yaml", text) == [
        ("LA301", 2, 37, "llama3.1"),
    ]


def test_output_option_of_a_command_is_not_a_model(tmp_path: Path) -> None:
    text = (
        "#!/bin/sh\n"
        "accelerate launch train.py \\\n"
        "    --model_name_or_path meta-llama/Llama-3.2-3B-Instruct \\\n"
        "    --output_dir runs/llama3.2-3b-sft \\\n"
        "    --epochs 2\n"
    )
    assert findings(tmp_path, "train.sh", text) == [
        ("LA302", 3, 26, "meta-llama/Llama-3.2-3B-Instruct"),
    ]


def test_an_output_option_value_starting_with_dot_slash_or_quoted_is_not_a_model(
    tmp_path: Path,
) -> None:
    text = (
        "python qlora.py \\\n"
        "    --model_name_or_path meta-llama/Llama-2-7b-hf \\\n"
        "    --output_dir ./output/llama-2-guanaco-7b \\\n"
        '    --save_dir "/abs/llama3-8b-ft" --export_dir=\'./x/llama-3-8b\'\n'
    )
    assert findings(tmp_path, "finetune.sh", text) == [
        ("LA302", 2, 26, "meta-llama/Llama-2-7b-hf"),
    ]


def test_pip_install_in_a_dockerfile_uses_the_package_table(tmp_path: Path) -> None:
    text = (
        "FROM python:3.11\n"
        "RUN pip install --no-cache-dir -i https://pypi.org/simple -r requirements.txt "
        "llama-cpp-python==0.3.2\n"
        "RUN python3 -m pip install llama-index llama-parse \\\n"
        "    && pip install 'llama-stack-client>=0.7'\n"
    )
    assert findings(tmp_path, "Dockerfile", text) == [
        ("LA203", 2, 79, "llama-cpp-python"),
        ("LA202", 4, 21, "llama-stack-client"),
    ]


def test_a_file_whose_only_finding_is_a_template_name_is_not_screened_out(
        tmp_path: Path) -> None:
    text = "reply = render(question, chat_format='llama')\n"
    assert findings(tmp_path, "render.py", text) == [("LA108", 1, 38, "llama")]
