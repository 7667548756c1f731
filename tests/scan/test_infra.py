"""Infrastructure files: Dockerfile, compose, Modelfile, shell, Makefile, CI, Terraform."""

from __future__ import annotations

from pathlib import Path

from auditor.discover.walk import classify
from auditor.scan.infra import modelfile_instructions
from auditor.types import FileKind, Hit
from tests.kinds_helpers import scan_text


def _found(hits: list[Hit]) -> list[tuple[str, int, int, str | None]]:
    return [(h.rule_id, h.line, h.column, h.identifier) for h in hits]


def test_infra_files_are_classified() -> None:
    for rel in ("Dockerfile", "deploy/Dockerfile.gpu", "api.dockerfile", "Containerfile",
                "Modelfile", "docker-compose.yml", "compose.prod.yaml", "run.sh", "Makefile",
                "rules.mk", ".github/workflows/ci.yml", ".gitlab-ci.yml", "main.tf",
                "prod.tfvars", "k8s/deployment.yaml", "charts/bot/values.yaml",
                "helm/values-prod.yaml", ".circleci/config.yml", "Jenkinsfile", "action.yml"):
        assert classify(rel) is FileKind.INFRA, rel
    for rel in ("config/settings.yaml", "deploy/settings.yaml", "values.json"):
        assert classify(rel) is FileKind.CONFIG, rel
    for rel in ("LICENSE", "MODEL_LICENSE", "LLAMA_LICENSE.txt", "NOTICE", "USE_POLICY.md"):
        assert classify(rel) is FileKind.TEXT, rel


def test_dockerfile(tmp_path: Path) -> None:
    text = (
        "# syntax=docker/dockerfile:1 (llama3 base)\n"
        "FROM ollama/ollama:0.5.7\n"
        "RUN ollama serve & sleep 5 \\\n"
        "    # comment inside the RUN: llama2\n"
        "    && ollama pull llama3.1:8b  # and not llama3.2\n"
        'CMD ["vllm", "serve", "meta-llama/Llama-3.2-3B-Instruct"]\n'
        "FROM nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3\n"
        "LABEL description=\"serves llama3.3:70b\"\n"
    )
    out, _ = scan_text(tmp_path, "Dockerfile", text)
    assert _found(out.hits) == [
        ("LA302", 5, 20, "llama3.1:8b"),
        ("LA302", 6, 24, "meta-llama/Llama-3.2-3B-Instruct"),
        ("LA302", 7, 6, "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3"),
        ("LA302", 8, 27, "llama3.3:70b"),
    ]
    assert {h.context for h in out.hits} == {"RUN", "CMD", "FROM", "LABEL"}


def test_compose_look_alikes(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  llamacpp:\n"
        "    image: ghcr.io/ggml-org/llama.cpp:server-cuda\n"
        "  ollama:\n"
        "    image: ollama/ollama\n"
        "    entrypoint: [\"/bin/sh\", \"-c\", \"ollama serve & sleep 3; ollama pull llama3.2\"]\n"
        "  index:\n"
        "    environment:\n"
        "      LLAMA_INDEX_CACHE_DIR: /cache\n"
        "      CHAT_MODEL: 'llama3.1:8b'\n"
    )
    out, _ = scan_text(tmp_path, "docker-compose.yaml", text)
    assert _found(out.hits) == [("LA302", 6, 72, "llama3.2"),
                                ("LA302", 10, 20, "llama3.1:8b")]


def test_modelfile(tmp_path: Path) -> None:
    text = (
        "FROM ./weights/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf\n"
        "ADAPTER ./lora/adapter.gguf\n"
        'PARAMETER stop "<|eot_id|>"\n'
        'TEMPLATE """<|begin_of_text|>{{ .Prompt }}"""\n'
        "LICENSE \"\"\"\nMETA LLAMA 3 COMMUNITY LICENSE AGREEMENT\n\"\"\"\n"
    )
    out, _ = scan_text(tmp_path, "Modelfile", text)
    assert _found(out.hits) == [
        ("LA303", 1, 6, "./weights/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"),
        ("LA401", 2, 9, "./lora/adapter.gguf"),
        ("LA106", 3, 17, "<|eot_id|>"),
        ("LA106", 4, 13, "<|begin_of_text|>"),
        ("LA410", 6, 1, "META LLAMA 3 COMMUNITY LICENSE"),
    ]
    adapter = out.hits[1]
    assert adapter.model is not None and adapter.model.family == "Llama 3.1"
    assert dict(adapter.details)["base_model"] == "./weights/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
    assert dict(out.hits[4].details)["license"] == "llama3"


def test_modelfile_not_llama(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "Modelfile",
                       "FROM qwen3:8b\nADAPTER ./a.gguf\n"
                       'TEMPLATE """[INST] {{ .Prompt }} [/INST]"""\n')
    assert out.hits == []


def test_modelfile_instructions_keep_offsets() -> None:
    text = 'FROM x\nSYSTEM """two\nlines"""\n  PARAMETER stop "y"\n'
    items = modelfile_instructions(text)
    assert [(i.word, i.argument, text[i.start:i.start + 3]) for i in items] == [
        ("FROM", "x", "x\nS"), ("SYSTEM", "two\nlines", "two"), ("PARAMETER", 'stop "y"', "sto"),
    ]


def test_shell_script(tmp_path: Path) -> None:
    text = (
        "#!/bin/sh\n"
        "# llama2 is not used any more\n"
        'MODEL="${MODEL:-meta-llama/Llama-3.1-8B-Instruct}"\n'
        "ollama run llama3.2:1b 'say #hi'  # llama3\n"
        "echo '# not a comment: llama3.3:70b'\n"
        "python -m vllm.entrypoints.openai.api_server --model=meta-llama/Llama-3.2-1B\n"
    )
    out, _ = scan_text(tmp_path, "scripts/serve.sh", text)
    assert _found(out.hits) == [
        ("LA302", 3, 17, "meta-llama/Llama-3.1-8B-Instruct"),
        ("LA302", 4, 12, "llama3.2:1b"),
        ("LA302", 5, 24, "llama3.3:70b"),
        ("LA302", 6, 54, "meta-llama/Llama-3.2-1B"),
    ]


def test_makefile_targets_are_context(tmp_path: Path) -> None:
    text = "MODEL := llama3.1:8b\n\nserve: deps ## runs llama3\n\tollama run $(MODEL)\n" \
           "\tvllm serve meta-llama/Llama-3.2-1B\n"
    out, _ = scan_text(tmp_path, "Makefile", text)
    assert [(h.line, h.context, h.identifier) for h in out.hits] == [
        (1, "", "llama3.1:8b"), (5, "serve", "meta-llama/Llama-3.2-1B")]


def test_workflows(tmp_path: Path) -> None:
    text = (
        "jobs:\n  test:\n    steps:\n      - run: |\n          # llama3 was the default\n"
        "          ollama pull llama3.2:3b\n"
        "      - uses: ollama/setup-ollama@v1\n"
        "        with:\n          model: llama3.1\n"
    )
    out, _ = scan_text(tmp_path, ".github/workflows/eval.yaml", text)
    assert _found(out.hits) == [("LA302", 6, 23, "llama3.2:3b"), ("LA302", 9, 18, "llama3.1")]


def test_terraform(tmp_path: Path) -> None:
    text = (
        'resource "aws_bedrockagent_agent" "bot" {\n'
        '  foundation_model = "us.meta.llama3-2-11b-instruct-v1:0" # vision\n'
        "  # foundation_model = \"meta.llama3-8b-instruct-v1:0\"\n"
        '  /* also "meta.llama3-70b-instruct-v1:0"\n'
        '     and more */ description = "uses vertex_ai/meta/llama-3.1-405b-instruct-maas"\n'
        "}\n"
    )
    out, _ = scan_text(tmp_path, "infra/bedrock.tf", text)
    assert _found(out.hits) == [
        ("LA302", 2, 23, "us.meta.llama3-2-11b-instruct-v1:0"),
        ("LA302", 5, 38, "vertex_ai/meta/llama-3.1-405b-instruct-maas"),
    ]
    assert {h.context for h in out.hits} == {"resource.aws_bedrockagent_agent.bot"}
