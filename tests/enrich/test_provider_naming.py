"""Every runtime's and provider's replacement naming: exact rows, one decision each.

A replacement is written the way the finding's runtime names models (Hub id, Ollama tag,
GGUF repo or file, MLX repo, the provider's own id, a LiteLLM route prefix kept). Where the
provider's own model list (as read for the catalog, primary sources only) has no fitting
replacement, the decision is "no replacement" and says so, naming the nearest runtimes.
"""

from __future__ import annotations

import pytest

from auditor.enrich import EnrichOptions, enrich
from auditor.enrich.decision import decide, routing_prefixes
from auditor.fix.plan import policy_families
from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from auditor.types import Category, Effort, Finding, Severity

RULES = load_ruleset()

SWAPPED = [
    ("meta-llama/Llama-3.1-8B-Instruct", "huggingface", "google/gemma-4-E4B-it",
     "google/gemma-4-E4B-it"),
    ("meta-llama/llama-3.3-70b-instruct", "huggingface", "google/gemma-4-31B-it",
     "google/gemma-4-31B-it"),
    ("llama3.1:8b", "ollama", "gemma4:e4b", "google/gemma-4-E4B-it"),
    ("ollama_chat/llama3.1:8b", "ollama", "ollama_chat/gemma4:e4b", "google/gemma-4-E4B-it"),
    ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "gguf", "unsloth/gemma-4-E4B-it-GGUF",
     "google/gemma-4-E4B-it"),
    ("models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "gguf",
     "models/gemma-4-E4B-it-Q4_K_M.gguf", "google/gemma-4-E4B-it"),
    ("meta/llama-3.2-90b-vision-instruct", "nvidia-nim", "mistralai/mistral-medium-3-5-128b",
     "mistralai/Mistral-Medium-3.5-128B"),
    ("nvidia_nim/meta/llama-3.1-70b-instruct", "nvidia-nim",
     "nvidia_nim/mistralai/mistral-medium-3-5-128b", "mistralai/Mistral-Medium-3.5-128B"),
    ("openrouter/meta-llama/llama-3.3-70b-instruct", "openrouter",
     "openrouter/mistralai/mistral-medium-3-5", "mistralai/Mistral-Medium-3.5-128B"),
]

NOT_ON_THE_PROVIDERS_LIST = [
    ("meta.llama3-1-70b-instruct-v1:0", "bedrock"),
    ("us.meta.llama4-scout-17b-instruct-v1:0", "bedrock"),
    ("groq/llama-3.3-70b-versatile", "groq"),
    ("llama-3.1-8b-instant", "groq"),
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "together"),
    ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "together"),
    ("accounts/fireworks/models/llama-v3p1-405b-instruct", "fireworks"),
    ("publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas", "vertex-ai"),
    ("vertex_ai/meta/llama-3.1-405b-instruct-maas", "vertex-ai"),
    ("azure_ai/Llama-3.3-70B-Instruct", "azure"),
    ("@cf/meta/llama-3.1-8b-instruct", "cloudflare"),
    ("cloudflare/@cf/meta/llama-3.1-8b-instruct", "cloudflare"),
    ("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3", "nvidia-nim"),
    ("databricks-meta-llama-3-3-70b-instruct", "databricks"),
    ("meta/meta-llama-3-8b-instruct", "replicate"),
]


def _decisions(identifiers: list[str]) -> dict[str, object]:
    findings = []
    for raw in identifiers:
        ref = identify(raw, RULES)
        assert ref is not None, raw
        findings.append(Finding(
            rule_id="LA101", category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
            effort=Effort.SWAP, path="app.py", line=1, column=1, end_line=1, end_column=1,
            message="m", snippet="s", identifier=raw, model=ref))
    enriched = enrich(findings, EnrichOptions(), ruleset=RULES).findings
    out: dict[str, object] = {}
    for finding in enriched:
        assert finding.identifier is not None
        out[finding.identifier] = decide(finding, routing_prefixes(RULES), None,
                                         policy_families(RULES))
    return out


def test_each_runtime_and_provider_gets_its_own_kind_of_name() -> None:
    decisions = _decisions([row[0] for row in SWAPPED])
    rows = [(raw, d.runtime, d.replacement, d.hub_id)  # type: ignore[attr-defined]
            for raw, d in decisions.items()]
    assert rows == SWAPPED


@pytest.mark.parametrize(("raw", "provider"), NOT_ON_THE_PROVIDERS_LIST)
def test_a_provider_without_a_listed_replacement_says_so_and_names_the_nearest_runtime(
        raw: str, provider: str) -> None:
    decision = _decisions([raw])[raw]
    assert decision.runtime == provider  # type: ignore[attr-defined]
    assert decision.replacement is None  # type: ignore[attr-defined]
    why: str = decision.why  # type: ignore[attr-defined]
    assert why.startswith(f"{provider} does not list ")
    assert why.endswith(
        f"on the model list the catalog read, so there is no {provider} id to write. Nearest "
        "runtimes that serve these models: their Hugging Face ids (vLLM, TGI, SGLang, Inference "
        f"Endpoints) or Ollama/GGUF builds. Check {provider}'s current model list first")


def test_mlx_without_a_recorded_repository_and_a_llama_only_api_are_left_with_reasons() -> None:
    decisions = _decisions(["mlx-community/Meta-Llama-3.1-8B-Instruct-4bit",
                            "meta_llama/Llama-3.3-70B-Instruct"])
    mlx = decisions["mlx-community/Meta-Llama-3.1-8B-Instruct-4bit"]
    assert (mlx.runtime, mlx.replacement) == ("mlx", None)  # type: ignore[attr-defined]
    assert mlx.why.startswith("no MLX repository recorded in the catalog; "  # type: ignore
                              "convert it with mlx_lm.convert")
    meta = decisions["meta_llama/Llama-3.3-70B-Instruct"]
    assert (meta.runtime, meta.replacement) == ("meta-llama-api", None)  # type: ignore
    assert meta.why.startswith("meta-llama-api serves only Llama models: move this call to "  # type: ignore
                               "a runtime or provider that serves ")
