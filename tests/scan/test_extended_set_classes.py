"""The classes of misses and false alarms the extended accuracy set showed (issue 18): each
snippet is written for this test in the shape real repositories use; each asserts the exact
findings (rule, line, column, identifier) of one file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.scan.test_accuracy_regressions import findings

# --- llama.cpp: every use of the runtime, however the model path is given ----------------


def test_llama_cpp_uses_are_reported_like_the_import(tmp_path: Path) -> None:
    text = (
        "import llama_cpp\n"
        "from llama_cpp import Llama\n"
        "from llama_cpp.llama_chat_format import Gemma4ChatHandler\n"
        "llm: Llama\n"
        "llm = Llama(model_path=args.model)\n"
        "handler = Gemma4ChatHandler.from_pretrained(repo_id=REPO)\n"
        "tok = llama_cpp.llama_tokenizer.LlamaHFTokenizer.from_pretrained(TOKENIZER)\n"
    )
    assert findings(tmp_path, "app.py", text) == [
        ("LA105", 1, 8, "llama_cpp"),
        ("LA105", 2, 6, "llama_cpp"),
        ("LA105", 3, 6, "llama_cpp.llama_chat_format"),
        ("LA105", 4, 6, "llama_cpp.Llama"),
        ("LA105", 5, 7, "llama_cpp.Llama"),
        ("LA105", 7, 7, "llama_cpp.llama_tokenizer.LlamaHFTokenizer.from_pretrained"),
    ]


def test_llama_cpp_server_run_from_shell_but_not_a_quoted_argument(tmp_path: Path) -> None:
    text = (
        "#!/bin/sh\n"
        "python3 -m llama_cpp.server --n_ctx 4096 --model $MODEL &\n"
        'pkill -f "python3 -m llama_cpp.server"\n'
        'CMAKE_ARGS="-DLLAMA_METAL=on" pip3 install llama-cpp-python==$version --no-cache-dir\n'
    )
    assert findings(tmp_path, "run.sh", text) == [
        ("LA105", 2, 12, "llama_cpp.server"),
        ("LA203", 4, 44, "llama-cpp-python"),
    ]


def test_notebook_pip_install_continued_over_lines(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": ["!pip install --upgrade \\\n", "  \"huggingface-hub>=0.23.0\" \\\n",
                       "  llama-cpp-python \\\n", "  --extra-index-url https://example.org/whl\n"]}
    notebook = {"cells": [cell], "metadata": {"language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, indent=1)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "llama-cpp-python" in row)
    rows = findings(tmp_path, "setup.ipynb", text)
    assert [(rule, at, ident) for rule, at, _, ident in rows] == [
        ("LA203", line, "llama-cpp-python")]


# --- Llama-only modules: each Llama name of a multi-line import, uses through the module ---


def test_llama_module_names_on_their_own_lines(tmp_path: Path) -> None:
    text = (
        "import transformers.models.llama.modeling_llama\n"
        "from transformers.models.llama.modeling_llama import (\n"
        "    LlamaAttention,\n"
        "    rotate_half,\n"
        ")\n"
        "q = transformers.models.llama.modeling_llama.apply_rotary_pos_emb(q, k, cos, sin)\n"
    )
    assert findings(tmp_path, "patch.py", text) == [
        ("LA103", 1, 8, "transformers.models.llama.modeling_llama"),
        ("LA103", 2, 6, "transformers.models.llama.modeling_llama"),
        ("LA103", 3, 5, "transformers.models.llama.modeling_llama.LlamaAttention"),
        ("LA103", 6, 5, "transformers.models.llama.modeling_llama.apply_rotary_pos_emb"),
    ]


# --- Meta's Llama API host in a settings file -------------------------------------------


def test_meta_api_host_in_settings(tmp_path: Path) -> None:
    text = ('api-endpoint:\n'
            '  api_base: "https://api.llama.com/v1"\n'
            '  api_key: "llama_api_key"\n'
            '  notes: "https://example.org/api.llama.com/faq"\n')
    assert findings(tmp_path, "config.yaml", text) == [("LA104", 2, 22, "api.llama.com")]


# --- data about models is not a use of them ---------------------------------------------


def test_number_tables_and_lookups_by_model_name_are_data(tmp_path: Path) -> None:
    text = (
        "MODEL_IDS = {\n"
        '    "gpt-4-0613": 0,\n'
        '    "llama-2-13b-chat": 1,\n'
        '    "llama-2-70b-chat": 2,\n'
        "}\n"
        'if "llama-2-70b-chat" in elo.index:\n'
        '    elo += 1082 - elo[MODEL_IDS["llama-2-70b-chat"]]\n'
        'WEAK = {"model": "llama-2-70b-chat", "max_tokens": 1}\n'
        'if model in ["llama-2-70b-chat", "gpt-4"]:\n'
        "    pass\n"
    )
    assert findings(tmp_path, "router.py", text) == [
        ("LA101", 8, 18, "llama-2-70b-chat"),
        ("LA101", 9, 14, "llama-2-70b-chat"),
    ]


def test_credential_placeholder_is_not_a_model(tmp_path: Path) -> None:
    text = 'ollama_model: "llama3"\nopenai:\n  api_key: "llama3"\n'
    assert findings(tmp_path, "config.yaml", text) == [("LA301", 1, 16, "llama3")]


# --- data files, help text and Llama architecture with other weights ---------------------


def test_data_files_named_after_llama_are_not_models(tmp_path: Path) -> None:
    text = (
        'PDF = "data/llama2.pdf"\n'
        'BLOG = "llama3.1_blog.pdf"\n'
        'ANSWERS = "model_answer/llama-13b.jsonl"\n'
        'RESULTS = "results/llama-2-7b-chat.csv"\n'
        'SCORES = "llama-2-7b-chat.json"\n'
        'CONFIG = "meta-llama/Llama-2-7b-chat-hf/config.json"\n'
        'WEIGHTS = "models/llama-2-7b-chat.Q4_K_M.gguf"\n'
    )
    assert findings(tmp_path, "paths.py", text) == [
        ("LA101", 6, 10, "meta-llama/Llama-2-7b-chat-hf/config.json"),
        ("LA101", 7, 11, "models/llama-2-7b-chat.Q4_K_M.gguf"),
    ]
    shell = "wget https://example.org/paper.pdf -O data/llama2.pdf\n"
    assert findings(tmp_path, "get.sh", shell) == []


def test_help_text_and_descriptions_are_docs(tmp_path: Path) -> None:
    text = (
        "from pydantic import Field\n"
        "model: str = Field(description=\"Model to use. Example: 'llama2-uncensored'\")\n"
        "parser.add_argument('--model', default='llama3:8b', help='Ollama model, e.g. llama3:8b')\n"
    )
    # the option's default is the model; the sentences are documentation (info, kept by fix)
    assert findings(tmp_path, "cli.py", text) == [
        ("LA101", 2, 57, "llama2-uncensored"), ("LA101", 3, 40, "llama3:8b"),
        ("LA101", 3, 78, "llama3:8b")]
    from auditor.scan.runner import scan_paths

    severities = [(f.line, f.column, f.severity.value, f.role.value if f.role else None)
                  for f in scan_paths([tmp_path]).findings]
    assert severities == [(2, 57, "info", "documentation"), (3, 40, "high", "model-reference"),
                          (3, 78, "info", "documentation")]


def test_every_docs_keyword_is_documentation(tmp_path: Path) -> None:
    from auditor.scan.runner import scan_paths

    text = "".join(f"f({keyword}='pass llama3.1:8b here')\n"
                   for keyword in ("summary", "usage", "epilog", "doc", "examples"))
    (tmp_path / "kw.py").write_text(text, encoding="utf-8")
    rows = [(f.line, f.severity.value, f.role.value if f.role else None)
            for f in scan_paths([tmp_path]).findings]
    assert rows == [(line, "info", "documentation") for line in range(1, 6)]


def test_llama_architecture_with_other_weights_is_info(tmp_path: Path) -> None:
    text = ('OPEN = "openlm-research/open_llama_7b"\n'
            'TINY = "TinyLlama/TinyLlama-1.1B-Chat-v1.0"\n')
    assert findings(tmp_path, "ids.py", text) == [
        ("LA109", 1, 8, "openlm-research/open_llama_7b"),
        ("LA109", 2, 8, "TinyLlama/TinyLlama-1.1B-Chat-v1.0"),
    ]


def test_option_default_is_read_with_the_option_name(tmp_path: Path) -> None:
    text = (
        "parser.add_argument('--model', default='llama3', help='the model')\n"
        "parser.add_argument('--model_type', default='llama3')\n"
        "parser.add_argument('--style', default='llama3')\n"
    )
    # --model names a model; --model_type selects a chat template by name (a role); --style
    # is neither
    assert findings(tmp_path, "cli.py", text) == [("LA101", 1, 40, "llama3"),
                                                  ("LA108", 2, 45, "llama3")]
