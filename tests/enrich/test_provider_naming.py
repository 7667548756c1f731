"""Every runtime's and provider's replacement naming: exact rows, one decision each.

A replacement is written the way the finding's runtime names models (Hub id, Ollama tag,
GGUF repo or file, MLX repo, the provider's own id, a LiteLLM route prefix kept). Where the
provider's own model list (as read for the catalog, primary sources only) has no fitting
replacement, the decision is "no replacement" and says so, naming the nearest runtimes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.enrich import EnrichOptions, enrich
from auditor.enrich.decision import decide, routing_prefixes
from auditor.enrich.snapshot import load_bundled
from auditor.enrich.sources import is_primary
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
    ("llama-3.3-70b-versatile", "groq", "qwen/qwen3.6-27b", "Qwen/Qwen3.6-27B"),
    ("groq/llama-3.3-70b-versatile", "groq", "groq/qwen/qwen3.6-27b", "Qwen/Qwen3.6-27B"),
    ("azure_ai/Meta-Llama-3.1-405B-Instruct", "azure", "azure_ai/Mistral-Large-3",
     "mistralai/Mistral-Large-3-675B-Instruct-2512"),
    ("azure_ai/Llama-4-Maverick-17B-128E-Instruct-FP8", "azure", "azure_ai/Mistral-Large-3",
     "mistralai/Mistral-Large-3-675B-Instruct-2512"),
    ("@cf/meta/llama-4-scout-17b-16e-instruct", "cloudflare", "@cf/google/gemma-4-26b-a4b-it",
     "google/gemma-4-26B-A4B-it"),
    ("@cf/meta/llama-3.3-70b-instruct-fp8-fast", "cloudflare", "@cf/google/gemma-4-26b-a4b-it",
     "google/gemma-4-26B-A4B-it"),
    ("cloudflare/@cf/meta/llama-3.3-70b-instruct-fp8-fast", "cloudflare",
     "cloudflare/@cf/google/gemma-4-26b-a4b-it", "google/gemma-4-26B-A4B-it"),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "together", "Qwen/Qwen3.5-9B",
     "Qwen/Qwen3.5-9B"),
    ("together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "together",
     "together_ai/Qwen/Qwen3.5-9B", "Qwen/Qwen3.5-9B"),
    ("meta/llama-3.3-70b-instruct-maas", "vertex-ai", "google/gemma-4-26b-a4b-it-maas",
     "google/gemma-4-26B-A4B-it"),
    ("vertex_ai/meta/llama-3.3-70b-instruct-maas", "vertex-ai",
     "vertex_ai/google/gemma-4-26b-a4b-it-maas", "google/gemma-4-26B-A4B-it"),
    ("publishers/meta/models/llama-4-scout-17b-16e-instruct-maas", "vertex-ai",
     "publishers/google/models/gemma-4-26b-a4b-it-maas", "google/gemma-4-26B-A4B-it"),
    ("projects/p/locations/global/publishers/meta/models/llama-3.3-70b-instruct-maas",
     "vertex-ai", "projects/p/locations/global/publishers/google/models/gemma-4-26b-a4b-it-maas",
     "google/gemma-4-26B-A4B-it"),
]

NOT_ON_THE_PROVIDERS_LIST = [
    ("meta.llama3-1-70b-instruct-v1:0", "bedrock"),
    ("us.meta.llama4-scout-17b-instruct-v1:0", "bedrock"),
    ("llama-3.1-8b-instant", "groq"),
    ("groq/llama-3.1-8b-instant", "groq"),
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "together"),
    ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "together"),
    ("accounts/fireworks/models/llama-v3p1-405b-instruct", "fireworks"),
    ("publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas", "vertex-ai"),
    ("vertex_ai/meta/llama-3.1-405b-instruct-maas", "vertex-ai"),
    ("meta-llama/Llama-3.2-3B-Instruct-Turbo", "together"),
    ("azure_ai/Llama-3.3-70B-Instruct", "azure"),
    ("meta.llama3-3-70b-instruct-v1:0", "bedrock"),
    ("accounts/fireworks/models/llama-v3p3-70b-instruct", "fireworks"),
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


PROVIDER_IDS = [
    # (provider, Hub id, provider id, source on the provider's own domain)
    ("azure", "mistralai/Mistral-Large-3-675B-Instruct-2512", "Mistral-Large-3",
     "https://learn.microsoft.com/azure/ai-foundry/foundry-models/concepts/"
     "models-sold-directly-by-azure"),
    ("cloudflare", "Qwen/Qwen3.8-27B", "@cf/qwen/qwen3.8-27b",
     "https://developers.cloudflare.com/workers-ai/models/qwen3.8-27b/"),
    ("cloudflare", "google/gemma-4-26B-A4B-it", "@cf/google/gemma-4-26b-a4b-it",
     "https://developers.cloudflare.com/workers-ai/models/gemma-4-26b-a4b-it/"),
    ("groq", "Qwen/Qwen3.6-27B", "qwen/qwen3.6-27b",
     "https://console.groq.com/docs/model/qwen/qwen3.6-27b"),
    ("nvidia-nim", "mistralai/Mistral-Medium-3.5-128B", "mistralai/mistral-medium-3-5-128b",
     "https://docs.api.nvidia.com/nim/reference/mistralai-mistral-medium-3-5-128b"),
    ("openrouter", "mistralai/Mistral-Medium-3.5-128B", "mistralai/mistral-medium-3-5",
     "https://openrouter.ai/mistralai/mistral-medium-3-5/api"),
    ("together", "Qwen/Qwen3.5-9B", "Qwen/Qwen3.5-9B",
     "https://github.com/togethercomputer/skills/blob/665299de0b1f6ab8565b95df840cec000720560a/"
     "skills/together-ai/references/chat-completions/models.md"),
    ("vertex-ai", "google/gemma-4-26B-A4B-it", "google/gemma-4-26b-a4b-it-maas",
     "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/maas/google"),
]
OWN_PAGES = {"azure": "https://learn.microsoft.com/",
             "cloudflare": "https://developers.cloudflare.com/",
             "groq": "https://console.groq.com/", "nvidia-nim": "https://docs.api.nvidia.com/",
             "openrouter": "https://openrouter.ai/",
             "together": "https://github.com/togethercomputer/",
             "vertex-ai": "https://docs.cloud.google.com/"}


def test_every_provider_id_in_the_catalog_has_its_providers_page_and_a_date() -> None:
    entries = load_bundled().entries
    recorded = sorted((provider, e.hub_id, model_id, source)
                      for e in entries for provider, model_id in e.hosted
                      for source in e.sources
                      if source.startswith(OWN_PAGES.get(provider, "-")))
    assert recorded == sorted(PROVIDER_IDS)
    assert sum(len(e.hosted) for e in entries) == len(PROVIDER_IDS)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "replacements.md").read_text(
        encoding="utf-8")
    by_hub = {e.hub_id: e for e in entries}
    for provider, hub_id, model_id, source in PROVIDER_IDS:
        assert is_primary(source), source
        note = re.search(rf"\[{re.escape(provider)} id {re.escape(model_id)}: [^\]]*"
                         rf"{re.escape(source)}[^\]]*(\d{{4}}-\d{{2}}-\d{{2}})[^\]]*\]",
                         by_hub[hub_id].notes)
        assert note is not None, (provider, model_id)
        row = next(line for line in docs.splitlines() if f"| `{model_id}` |" in line)
        assert f"| {hub_id} |" in row and source in row, row
        assert re.search(r"\| \d{4}-\d{2}-\d{2} \(", row), row


def test_a_vertex_resource_path_keeps_its_location_with_a_step_to_check_it() -> None:
    raw = "projects/acme/locations/us-east5/publishers/meta/models/llama-3.3-70b-instruct-maas"
    decision = _decisions([raw])[raw]
    assert (decision.replacement, decision.steps) == (  # type: ignore[attr-defined]
        "projects/acme/locations/us-east5/publishers/google/models/gemma-4-26b-a4b-it-maas",
        ("the original names the location in 'projects/acme/locations/us-east5': check that "
         "google/gemma-4-26b-a4b-it-maas is served in that location (Vertex AI lists each "
         "model's regions)",))
