"""identify(): one raw string to a canonical Llama reference, or None."""

from __future__ import annotations

import pytest

from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset

RULES = load_ruleset()

# raw, family, size, variant, runtime, canonical id (None = not in the table)
POSITIVE = [
    ("meta-llama/Llama-3.1-8B-Instruct", "Llama 3.1", "8B", "instruct", "huggingface",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("meta-llama/Meta-Llama-3-70B", "Llama 3", "70B", "base", "huggingface",
     "meta-llama/Meta-Llama-3-70B"),
    ("codellama/CodeLlama-34b-Python-hf", "Code Llama", "34B", "code-python", "huggingface",
     "meta-llama/CodeLlama-34b-Python-hf"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "Llama 2", "7B", "instruct", "gguf",
     "meta-llama/Llama-2-7b-chat-hf"),
    ("unsloth/llama-3-8b-bnb-4bit", "Llama 3", "8B", "base", "huggingface",
     "meta-llama/Meta-Llama-3-8B"),
    ("NousResearch/Hermes-3-Llama-3.1-8B", "Llama 3.1", "8B", "instruct", "huggingface",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("llama3.1:8b", "Llama 3.1", "8B", "instruct", "ollama", "meta-llama/Llama-3.1-8B-Instruct"),
    ("llama3.2", "Llama 3.2", "3B", "instruct", "ollama", "meta-llama/Llama-3.2-3B-Instruct"),
    ("codellama", "Code Llama", "7B", "code-instruct", "ollama",
     "meta-llama/CodeLlama-7b-Instruct-hf"),
    ("llama-guard3", "Llama Guard 3", "8B", "guard", "ollama", "meta-llama/Llama-Guard-3-8B"),
    ("llama3.2-vision:90b", "Llama 3.2", "90B", "vision-instruct", "ollama",
     "meta-llama/Llama-3.2-90B-Vision-Instruct"),
    ("llama4:maverick", "Llama 4", "17B-128E", "instruct", "ollama",
     "meta-llama/Llama-4-Maverick-17B-128E-Instruct"),
    ("llama-2-13b-chat.Q5_K_M.gguf", "Llama 2", "13B", "instruct", "gguf",
     "meta-llama/Llama-2-13b-chat-hf"),
    ("./models/Meta-Llama-3.1-70B-Instruct-Q5_K_M.gguf", "Llama 3.1", "70B", "instruct", "gguf",
     "meta-llama/Llama-3.1-70B-Instruct"),
    ("meta.llama3-1-70b-instruct-v1:0", "Llama 3.1", "70B", "instruct", "bedrock",
     "meta-llama/Llama-3.1-70B-Instruct"),
    ("us.meta.llama4-scout-17b-instruct-v1:0", "Llama 4", "17B-16E", "instruct", "bedrock",
     "meta-llama/Llama-4-Scout-17B-16E-Instruct"),
    ("meta/llama-3.3-70b-instruct-maas", "Llama 3.3", "70B", "instruct", "vertex-ai",
     "meta-llama/Llama-3.3-70B-Instruct"),
    # Vertex AI resource names, short and full: not a derivative of some "publishers" org
    ("publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas", "Llama 4", "17B-128E",
     "instruct", "vertex-ai", "meta-llama/Llama-4-Maverick-17B-128E-Instruct"),
    ("projects/acme/locations/us-central1/publishers/meta/models/llama-3.3-70b-instruct-maas",
     "Llama 3.3", "70B", "instruct", "vertex-ai", "meta-llama/Llama-3.3-70B-Instruct"),
    # NVIDIA NIM container images: the image names the model, the registry path is kept whole
    ("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3", "Llama 3.1", "8B", "instruct", "nvidia-nim",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("nvcr.io/nim/meta/llama3-70b-instruct:latest", "Llama 3", "70B", "instruct", "nvidia-nim",
     "meta-llama/Meta-Llama-3-70B-Instruct"),
    ("Meta-Llama-3.1-405B-Instruct", "Llama 3.1", "405B", "instruct", "model-name",
     "meta-llama/Llama-3.1-405B-Instruct"),
    ("llama-3.3-70b-versatile", "Llama 3.3", "70B", "instruct", "groq",
     "meta-llama/Llama-3.3-70B-Instruct"),
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Llama 3.3", "70B", "instruct", "together",
     "meta-llama/Llama-3.3-70B-Instruct"),
    ("meta-llama/Llama-2-7b-hf", "Llama 2", "7B", "base", "huggingface",
     "meta-llama/Llama-2-7b-hf"),
    ("togethercomputer/llama-2-7b-chat", "Llama 2", "7B", "instruct", "together",
     "meta-llama/Llama-2-7b-chat-hf"),
    ("accounts/fireworks/models/llama-v3p1-405b-instruct", "Llama 3.1", "405B", "instruct",
     "fireworks", "meta-llama/Llama-3.1-405B-Instruct"),
    ("meta/meta-llama-3-8b-instruct", "Llama 3", "8B", "instruct", "replicate",
     "meta-llama/Meta-Llama-3-8B-Instruct"),
    ("@cf/meta/llama-3.1-8b-instruct", "Llama 3.1", "8B", "instruct", "cloudflare",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("databricks-meta-llama-3-3-70b-instruct", "Llama 3.3", "70B", "instruct", "databricks",
     "meta-llama/Llama-3.3-70B-Instruct"),
    ("meta/llama-3.2-90b-vision-instruct", "Llama 3.2", "90B", "vision-instruct", "nvidia-nim",
     "meta-llama/Llama-3.2-90B-Vision-Instruct"),
    ("ollama/llama3.1", "Llama 3.1", "8B", "instruct", "ollama",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("groq/llama-3.1-8b-instant", "Llama 3.1", "8B", "instruct", "groq",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("bedrock/meta.llama3-3-70b-instruct-v1:0", "Llama 3.3", "70B", "instruct", "bedrock",
     "meta-llama/Llama-3.3-70B-Instruct"),
    ("mlx-community/Meta-Llama-3.1-8B-Instruct-4bit", "Llama 3.1", "8B", "instruct", "mlx",
     "meta-llama/Llama-3.1-8B-Instruct"),
    ("meta-llama/Prompt-Guard-86M", "Prompt Guard 1", "86M", "prompt-guard", "huggingface",
     "meta-llama/Prompt-Guard-86M"),
    ("meta-llama/Llama-Guard-3-11B-Vision", "Llama Guard 3", "11B", "guard-vision",
     "huggingface", "meta-llama/Llama-Guard-3-11B-Vision"),
    ("lmsys/vicuna-13b-v1.5", "Llama 2", "13B", "instruct", "huggingface",
     "meta-llama/Llama-2-13b-chat-hf"),
    ("https://huggingface.co/meta-llama/Llama-3.2-1B/resolve/main/config.json", "Llama 3.2",
     "1B", "base", "huggingface", "meta-llama/Llama-3.2-1B"),
]


@pytest.mark.parametrize(("raw", "family", "size", "variant", "runtime", "canonical"), POSITIVE)
def test_identifies(raw: str, family: str, size: str, variant: str, runtime: str,
                    canonical: str | None) -> None:
    ref = identify(raw, RULES)
    assert ref is not None, raw
    assert (ref.family, ref.size, ref.variant, ref.runtime, ref.canonical_id) == (
        family, size, variant, runtime, canonical)
    assert ref.meta_weights


def test_derivatives_are_marked() -> None:
    assert identify("NousResearch/Hermes-3-Llama-3.1-8B", RULES).derivative  # type: ignore[union-attr]
    assert not identify("meta-llama/Llama-3.1-8B", RULES).derivative  # type: ignore[union-attr]
    for hosted in ("publishers/meta/models/llama-3.3-70b-instruct-maas",
                   "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3"):
        assert not identify(hosted, RULES).derivative, hosted  # type: ignore[union-attr]


def test_provider_is_kept_from_litellm_prefix() -> None:
    ref = identify("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", RULES)
    assert ref is not None and ref.provider == "together"


def test_tinyllama_is_architecture_only() -> None:
    ref = identify("TinyLlama/TinyLlama-1.1B-Chat-v1.0", RULES)
    assert ref is not None and not ref.meta_weights


@pytest.mark.parametrize("raw", [
    "llama", "LLaMA", "llama_index", "llama-index-llms-ollama", "LlamaIndex", "llama_parse",
    "llama-cloud", "ollama", "ollama/ollama:latest", "exllamav2", "llama_cpp", "llama-cpp-python",
    "llama.cpp", "llama-stack", "llama_models", "llama-api-client", "llamafactory", "Llama 3",
    "meta-llama", "LlamaForCausalLM", "Llama4ForCausalLM", "my_llama3_utils", "llamafile",
    "mistralai/Mistral-7B-Instruct-v0.3", "google/gemma-4-E2B-it", "Qwen/Qwen3.5-9B",
    "Llama-3.1-", "", " ", "a" * 400,
])
def test_not_a_llama_model(raw: str) -> None:
    assert identify(raw, RULES) is None


@pytest.mark.parametrize("raw", [
    "examples/ebft/llama-3b-ebft-strided-fft.yaml", "configs/llama-3-8b-lora.yml",
    "llama2_7b_chat.json", "data/llama-3.1-8b-eval.jsonl", "scripts/llama-3-8b-sft.sh",
    "llama-3-70b-instruct.md", "Llama-3.2-1B.ipynb",
])
def test_a_config_script_or_document_named_after_llama_is_not_a_model(raw: str) -> None:
    """A command that opens it (``axolotl train examples/llama-3b-fft.yaml``) would break if
    it were rewritten to a Hub id."""
    assert identify(raw, RULES) is None


@pytest.mark.parametrize(("raw", "size"), [
    ("models/llama-2-7b.Q4_K_M.gguf", "7B"), ("./llama-3-8b/ggml-model-q4_0.bin", "8B"),
    ("meta-llama/Llama-3.1-8B-Instruct", "8B"),
])
def test_a_weights_file_or_a_hub_id_still_is(raw: str, size: str) -> None:
    ref = identify(raw, RULES)
    assert ref is not None and ref.size == size


def test_ollama_tag_with_upper_case_quantisation() -> None:
    ref = identify("llama3.2:3b-instruct-q4_K_M", RULES)
    assert ref is not None and (ref.runtime, ref.size) == ("ollama", "3B")


# Versions are a number pattern ([identify.grammar] in rules/models.toml), not a list: releases
# the tables have never seen are read with their own number, never as an older one.
# raw, family, size, variant, runtime, canonical id, derivative
UNSEEN_VERSIONS = [
    ("meta-llama/Llama-Guard-5-8B", "Llama Guard 5", "8B", "guard", "huggingface", None, False),
    ("meta-llama/Llama-Guard-12-1B", "Llama Guard 12", "1B", "guard", "huggingface", None,
     False),
    ("meta-llama/Llama-Prompt-Guard-3-86M", "Prompt Guard 3", "86M", "prompt-guard",
     "huggingface", None, False),
    ("meta-llama/Llama-7", "Llama 7", None, "base", "huggingface", None, False),
    ("meta-llama/Llama-7-70B-Instruct", "Llama 7", "70B", "instruct", "huggingface", None,
     False),
    ("llama-7-8b", "Llama 7", "8B", "base", "model-name", None, False),
    ("acme/Llama-5.1-8B-Instruct-GGUF", "Llama 5.1", "8B", "instruct", "gguf", None, True),
    # not an Ollama library name (yet): a model name with a size
    ("llama5:8b", "Llama 5", "8B", "base", "model-name", None, False),
    # still read as before: the number after "guard" is a size, or no number at all
    ("meta-llama/LlamaGuard-7b", "Llama Guard 1", "7B", "guard", "huggingface",
     "meta-llama/LlamaGuard-7b", False),
    ("meta-llama/Meta-Llama-Guard-2-8B", "Llama Guard 2", "8B", "guard", "huggingface",
     "meta-llama/Meta-Llama-Guard-2-8B", False),
    ("huggyllama/llama-65b", "Llama 1", "65B", "base", "huggingface", None, True),
    ("llama-65b", "Llama (version not stated)", "65B", "base", "model-name", None, False),
    # the size first, the version after it as "v" and a number
    ("llama13b-v2-chat", "Llama 2", "13B", "instruct", "model-name",
     "meta-llama/Llama-2-13b-chat-hf", False),
    ("llama-7b-v2", "Llama 2", "7B", "base", "model-name", "meta-llama/Llama-2-7b-hf", False),
    ("acme/llama70b-v2-chat:" + "0f" * 32, "Llama 2", "70B", "instruct", "replicate",
     "meta-llama/Llama-2-70b-chat-hf", False),
    ("replicate/llama70b-v2-chat", "Llama 2", "70B", "instruct", "replicate",
     "meta-llama/Llama-2-70b-chat-hf", False),
]


@pytest.mark.parametrize(("raw", "family", "size", "variant", "runtime", "canonical",
                          "derivative"), UNSEEN_VERSIONS)
def test_versions_are_a_grammar(raw: str, family: str | None, size: str | None,
                                variant: str | None, runtime: str | None,
                                canonical: str | None, derivative: bool | None) -> None:
    ref = identify(raw, RULES)
    if family is None:
        assert ref is None
        return
    assert ref is not None, raw
    assert (ref.family, ref.size, ref.variant, ref.runtime, ref.canonical_id,
            ref.derivative) == (family, size, variant, runtime, canonical, derivative)


def test_bare_family_name_is_not_a_model() -> None:
    """``Llama-7`` names the Llama 7 family, not a model one can load (as ``llama-3.1`` does)."""
    assert identify("Llama-7", RULES) is None
    assert identify("llama-3.1", RULES) is None


@pytest.mark.parametrize(("raw", "size"), [
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "17B-16E"),
    ("meta-llama/Llama-4-Maverick-17B-128E", "17B-128E"),
    ("llama4:maverick", "17B-128E"),
    ("llama4:scout", "17B-16E"),
    ("acme/llama-scout-instruct", "17B-16E"),
])
def test_codenames_are_data(raw: str, size: str) -> None:
    ref = identify(raw, RULES)
    assert ref is not None and (ref.family, ref.size) == ("Llama 4", size)
