"""The one list of primary sources a catalog fact may cite.

A fact is primary when it comes from the model's own Hugging Face page or API, the vendor's
docs or model card, or the runtime's or provider's own model list. Aggregators, mirrors, blogs
and other tools' docs are not: a fact they alone back is marked unconfirmed, and every check
that rests on an unconfirmed fact shows as unknown (``[?]``), never as passed.
``tests/enrich/test_sources.py`` checks every source of the bundled snapshot against this list.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PRIMARY_SOURCES: tuple[tuple[str, str, str], ...] = (
    # (host, path prefix or "", what it is)
    ("huggingface.co", "", "Hugging Face model pages, API and collections"),
    ("ai.google.dev", "", "Google's Gemma docs and model cards"),
    ("deepmind.google", "", "Google DeepMind model pages"),
    ("qwenlm.github.io", "", "the Qwen team's blog and release notes"),
    ("qwen.ai", "", "the Qwen team's site"),
    ("qwen.readthedocs.io", "", "the Qwen team's documentation"),
    ("mistral.ai", "", "Mistral AI's site"),
    ("docs.mistral.ai", "", "Mistral AI's documentation and model list"),
    ("llama.com", "", "Meta's Llama site, licenses and model cards"),
    ("www.llama.com", "", "Meta's Llama site"),
    ("ai.meta.com", "", "Meta AI"),
    ("github.com", "meta-llama/", "Meta's Llama repositories"),
    ("github.com", "QwenLM/", "the Qwen team's repositories"),
    ("github.com", "google-deepmind/", "Google DeepMind's repositories"),
    ("github.com", "mistralai/", "Mistral AI's repositories"),
    ("raw.githubusercontent.com", "meta-llama/", "Meta's Llama repositories"),
    ("raw.githubusercontent.com", "QwenLM/", "the Qwen team's repositories"),
    ("raw.githubusercontent.com", "mistralai/", "Mistral AI's repositories"),
    ("ollama.com", "", "the Ollama model library"),
    ("lmstudio.ai", "", "LM Studio's model catalog"),
    ("docs.vllm.ai", "", "vLLM's supported-models documentation"),
    ("docs.aws.amazon.com", "", "Amazon Bedrock's model list and model cards"),
    ("console.groq.com", "", "Groq's model list"),
    ("docs.together.ai", "", "Together AI's model list"),
    ("github.com", "togethercomputer/skills/", "Together AI's serverless catalog (own repo)"),
    ("docs.fireworks.ai", "", "Fireworks AI's documentation"),
    ("fireworks.ai", "/models/", "Fireworks AI's model library"),
    ("cloud.google.com", "", "Google Cloud Vertex AI documentation"),
    ("docs.cloud.google.com", "", "Google Cloud Vertex AI documentation"),
    ("learn.microsoft.com", "", "Microsoft Azure AI Foundry documentation"),
    ("ai.azure.com", "", "Azure AI Foundry model catalog"),
    ("github.com", "MicrosoftDocs/azure-ai-docs/", "the source of Microsoft's Azure AI docs"),
    ("developers.cloudflare.com", "", "Cloudflare Workers AI model list"),
    ("github.com", "cloudflare/cloudflare-docs/", "the source of Cloudflare's docs and model list"),
    ("build.nvidia.com", "", "NVIDIA's API catalog"),
    ("docs.nvidia.com", "", "NVIDIA NIM documentation"),
    ("docs.api.nvidia.com", "", "NVIDIA NIM API reference"),
    ("openrouter.ai", "", "OpenRouter's model list"),
    ("docs.litellm.ai", "", "LiteLLM's provider documentation"),
)


def is_primary(url: str) -> bool:
    """Whether ``url`` is on the primary list (host exact, path under the prefix)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    path = parts.path
    for allowed, prefix, _ in PRIMARY_SOURCES:
        if host != allowed:
            continue
        if not prefix or path.lstrip("/").lower().startswith(prefix.strip("/").lower()):
            return True
    return False


def hosts(urls: tuple[str, ...] | list[str]) -> list[str]:
    return sorted({(urlsplit(u).hostname or u) for u in urls})
