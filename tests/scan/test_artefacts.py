"""Model artefacts: adapter/checkpoint/tokenizer/generation configs and GGUF headers."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from auditor.discover.walk import DiscoverOptions
from auditor.scan.gguf import GgufError, parse_gguf_header, read_gguf_header
from auditor.scan.runner import ScanOptions, scan_paths
from auditor.types import Hit
from tests.gguf_writer import gguf_bytes, write_gguf
from tests.kinds_helpers import scan_text


def _found(hits: list[Hit]) -> list[tuple[str, int, int, str | None]]:
    return [(h.rule_id, h.line, h.column, h.identifier) for h in hits]


def test_adapter_config(tmp_path: Path) -> None:
    text = ('{\n  "base_model_name_or_path": "unsloth/llama-3-8b-Instruct-bnb-4bit",\n'
            '  "peft_type": "LORA",\n  "lora_alpha": 16\n}\n')
    out, _ = scan_text(tmp_path, "adapter_config.json", text)
    assert _found(out.hits) == [("LA401", 2, 31, "unsloth/llama-3-8b-Instruct-bnb-4bit")]
    hit = out.hits[0]
    assert hit.model is not None and hit.model.derivative and hit.model.family == "Llama 3"
    assert dict(hit.details) == {"key": "base_model_name_or_path", "peft_type": "LORA"}


def test_adapter_on_tinyllama_is_architecture_only(tmp_path: Path) -> None:
    text = '{"base_model_name_or_path": "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}\n'
    out, _ = scan_text(tmp_path, "adapter_config.json", text)
    assert [h.rule_id for h in out.hits] == ["LA109"]


@pytest.mark.parametrize(("text", "expected"), [
    ('{"_name_or_path": "meta-llama/Llama-3.2-1B", "model_type": "llama", '
     '"rope_scaling": {"rope_type": "llama3"}, "eos_token_id": 128001}',
     [("LA402", 1, 20, "meta-llama/Llama-3.2-1B")]),
    ('{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256}',
     [("LA402", 1, 21, "LlamaForCausalLM")]),
    ('{"_name_or_path": "./out", "architectures": ["MllamaForConditionalGeneration"], '
     '"model_type": "mllama", "text_config": {"vocab_size": 128256}}',
     [("LA402", 1, 47, "MllamaForConditionalGeneration")]),
    ('{"_name_or_path": "01-ai/Yi-6B", "model_type": "llama", "vocab_size": 64000}',
     [("LA304", 1, 49, "llama")]),
    ('{"model_type": "mistral", "architectures": ["MistralForCausalLM"], "note": "llama"}', []),
])
def test_checkpoint_config(tmp_path: Path, text: str,
                           expected: list[tuple[str, int, int, str]]) -> None:
    out, _ = scan_text(tmp_path, "ckpt/config.json", text)
    assert _found(out.hits) == expected


def test_checkpoint_vocabulary_evidence_is_explained(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "config.json").write_text(
        '{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256}')
    result = scan_paths([tmp_path / "repo"], ScanOptions())
    (finding,) = result.findings
    assert finding.message == ("Checkpoint config of Llama model 'LlamaForCausalLM' "
                               "(Llama 3.x (128256-token vocabulary))")
    assert finding.detail("evidence") == "vocab_size 128256 is Llama 3's tokenizer"


def test_a_config_json_that_is_not_a_checkpoint(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "app/config.json", '{"llm": {"model": "llama3.1:8b"}}')
    assert _found(out.hits) == [("LA301", 1, 20, "llama3.1:8b")]


@pytest.mark.parametrize(("template", "marker"), [
    ("{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>{% endfor %}",
     "<|start_header_id|>"),
    ("{{ bos_token }}[INST] <<SYS>>\\n{{ system }}\\n<</SYS>>\\n\\n{{ user }} [/INST]",
     "<<SYS>>"),
    ("<|header_start|>{{ m.role }}<|header_end|>", "<|header_start|>"),
])
def test_tokenizer_chat_template(tmp_path: Path, template: str, marker: str) -> None:
    text = ('{\n "bos_token": "<|begin_of_text|>",\n "chat_template": "' + template +
            '",\n "eos_token": "<|eot_id|>"\n}\n')
    out, _ = scan_text(tmp_path, "tokenizer_config.json", text)
    assert [(h.rule_id, h.line, h.identifier) for h in out.hits] == [("LA403", 3, marker)]


def test_tokenizer_template_list_and_mistral(tmp_path: Path) -> None:
    text = ('{"chat_template": [{"name": "default", "template": "[INST] {{ q }} [/INST]"},'
            ' {"name": "tool_use", "template": "<|python_tag|>{{ call }}<|eom_id|>"}]}')
    out, _ = scan_text(tmp_path, "tokenizer_config.json", text)
    assert [(h.rule_id, h.identifier) for h in out.hits] == [("LA403", "<|python_tag|>")]
    mistral = '{"chat_template": "[INST] {{ q }} [/INST]", "tokenizer_class": "LlamaTokenizer"}'
    out, _ = scan_text(tmp_path, "tokenizer_config.json", mistral)
    assert [h.rule_id for h in out.hits] == ["LA304"]  # the Llama tokenizer class, low


def test_generation_config(tmp_path: Path) -> None:
    text = ('{\n  "eos_token_id": [128001, 128008, 128009],\n  "pad_token_id": 128004,\n'
            '  "stop_token_ids": 200008\n}\n')
    out, _ = scan_text(tmp_path, "generation_config.json", text)
    assert _found(out.hits) == [("LA404", 2, 20, "128001, 128008, 128009"),
                                ("LA404", 4, 21, "200008")]
    out, _ = scan_text(tmp_path, "generation_config.json",
                       '{"eos_token_id": 2, "bos_token_id": 1, "llama": true}')
    assert out.hits == []


def test_gguf_header_parsing() -> None:
    data = gguf_bytes([("general.architecture", "llama"), ("llama.context_length", 8192),
                       ("tokenizer.ggml.tokens", ["a", "b"]), ("general.name", "X")])
    header = parse_gguf_header(data)
    assert (header.version, header.kv_count, header.complete) == (3, 4, True)
    assert header.metadata == {"general.architecture": "llama",
                               "llama.context_length": 8192, "general.name": "X"}
    early = parse_gguf_header(data, wanted=("general.architecture",))
    assert early.metadata == {"general.architecture": "llama"} and not early.complete
    truncated = parse_gguf_header(data[:80])
    assert truncated.metadata == {"general.architecture": "llama"} and not truncated.complete
    assert parse_gguf_header(gguf_bytes([("general.name", "Y")], version=1)).metadata == {
        "general.name": "Y"}
    big_endian = b"GGUF" + struct.pack(">IQQ", 3, 0, 1) + struct.pack(">Q", 1) + b"k" + \
        struct.pack(">IQ", 8, 2) + b"ok"
    assert parse_gguf_header(big_endian).metadata == {"k": "ok"}


@pytest.mark.parametrize(("data", "message"), [
    (b"PK\x03\x04", "not a GGUF file"),
    (b"GGUF\x09\x00\x00\x00" + b"\x00" * 16, "unsupported GGUF version 9"),
    (b"GGUF\x03\x00\x00\x00\x00", "truncated before the key/value count"),
    (gguf_bytes([("k", "v")])[:-3], "truncated inside the first key/value"),
    (gguf_bytes([("k", "v")]).replace(struct.pack("<I", 8), struct.pack("<I", 77)),
     "unknown GGUF value type 77"),
    (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 40),
     "not plausible"),
])
def test_malformed_gguf(data: bytes, message: str) -> None:
    with pytest.raises(GgufError, match=message):
        parse_gguf_header(data)


def test_gguf_read_is_bounded(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "m.gguf", [("general.architecture", "llama"),
                                            ("tokenizer.ggml.tokens", ["t"] * 300_000),
                                            ("general.name", "Meta Llama 3.1 8B Instruct")])
    header = read_gguf_header(path, 64 * 1024)
    assert header.metadata == {"general.architecture": "llama"} and not header.complete


def test_gguf_files_over_the_size_cap_are_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_gguf(repo / "weights" / "model.gguf",
               [("general.architecture", "llama4"),
                ("general.basename", "Llama-4-Scout"), ("general.size_label", "17B-16E"),
                ("general.finetune", "Instruct"), ("general.license", "llama4")],
               sparse_size=64 * 1024 * 1024)
    (repo / "big.json").write_bytes(b'{"model": "llama3.1:8b"}' + b" " * 2_000_000)
    result = scan_paths([repo], ScanOptions(discover=DiscoverOptions(max_file_size=1_000_000)))
    assert [(f.rule_id, f.path, f.identifier) for f in result.findings] == [
        ("LA405", "weights/model.gguf", "Llama-4-Scout-17B-16E-Instruct")]
    finding = result.findings[0]
    assert finding.model is not None and finding.model.family == "Llama 4"
    assert (finding.model.runtime, finding.model.size) == ("gguf", "17B-16E")
    assert finding.detail("license") == "llama4"
    assert [(d.path, d.code) for d in result.diagnostics] == [("big.json", "too-large")]


@pytest.mark.parametrize(("name", "metadata", "expected"), [
    ("a.gguf", [("general.architecture", "llama"),
                ("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.2-3B")],
     ("LA405", "https://huggingface.co/meta-llama/Llama-3.2-3B")),
    ("tiny.gguf", [("general.architecture", "llama"),
                   ("general.name", "TinyLlama 1.1B Chat v1.0")],
     ("LA109", "TinyLlama 1.1B Chat v1.0")),
    ("qwen.gguf", [("general.architecture", "qwen3"), ("general.name", "Qwen3 8B")], None),
    ("llama-3.2-1b-instruct-q4_k_m.gguf", [("general.architecture", "llama")],
     ("LA405", "llama-3.2-1b-instruct-q4_k_m.gguf")),
])
def test_gguf_identification(tmp_path: Path, name: str, metadata: list[tuple[str, str]],
                             expected: tuple[str, str] | None) -> None:
    out, _ = scan_text(tmp_path, name, gguf_bytes(metadata))
    assert [(h.rule_id, h.identifier) for h in out.hits] == ([expected] if expected else [])
    assert all((h.line, h.column) == (1, 1) for h in out.hits)
