"""identify: one raw string in, a canonical Llama model reference (or None) out.

Pure and table-driven: every provider format, look-alike, default and the name grammar live
in ``rules/models.toml`` (read by ``identify.tables``; names are parsed by ``identify.names``).
The parser is deliberately strict about what counts as a model *identifier* (a token, not
prose), and lenient about how the name is spelled.
"""

from __future__ import annotations

import re
from functools import lru_cache

from auditor.identify.names import finish, parse_name, parse_ollama, runtime_for, with_provider
from auditor.identify.tables import IdentifyTables, Provider, tables_for
from auditor.ruleset.load import RuleSet
from auditor.types import ModelRef

__all__ = ["MAX_IDENTIFIER_LENGTH", "IdentifyTables", "identify", "is_directory_path",
           "is_lookalike", "with_provider"]

MAX_IDENTIFIER_LENGTH = 300

_CODE_NAME = re.compile(r"^(?=[A-Za-z0-9_]*_)[A-Za-z_][A-Za-z0-9_]*$|^[A-Z]?[a-z0-9]+[A-Z]\w*$")
_DOTTED_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*){2,}$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_VALID_CHARS = re.compile(r"^[\w.:/@+{}\-~]+$")


def identify(raw: str, ruleset: RuleSet) -> ModelRef | None:
    """Map a raw string to a Llama model reference, or None when it does not name one."""
    return _identify_cached(raw, tables_for(ruleset))


def is_lookalike(raw: str, ruleset: RuleSet) -> bool:
    lowered = raw.lower()
    return any(p.search(lowered) for p in tables_for(ruleset).lookalikes)


@lru_cache(maxsize=65536)
def _identify_cached(raw: str, tables: IdentifyTables) -> ModelRef | None:
    text = _clean(raw, tables)
    if text is None:
        return None
    lowered = text.lower()
    if any(p.search(lowered) for p in tables.lookalikes):
        return None
    for pattern in tables.architecture_only:
        if pattern.search(lowered):
            return ModelRef(
                family="TinyLlama",
                variant="base",
                runtime=runtime_for(lowered, None, tables),
                size="1.1B",
                params_b=1.1,
                active_params_b=1.1,
                derivative=True,
                meta_weights=False,
            )

    provider: str | None = None
    for prefix, name in tables.litellm_prefixes:
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            provider = name
            text = text[len(prefix):]
            lowered = lowered[len(prefix):]
            break

    for entry in tables.providers:
        match = _provider_match(text, entry)
        if match:
            ref = parse_name(match.group("name").lower(), tables, runtime=entry.runtime,
                              org=None, hosted=True)
            if ref is not None:
                return with_provider(ref, provider=provider or entry.provider)

    org, name = _split_org(lowered)
    if org is not None and org in tables.org_runtimes:
        runtime: str | None = tables.org_runtimes[org]
    else:
        runtime = None

    for derivative in tables.derivatives:
        found = derivative.pattern.search(lowered)
        if found:
            size = found.groupdict().get("size")
            label = f"{size}B" if size else None
            return finish(
                ModelRef(family=derivative.family, variant=derivative.variant,
                         runtime=runtime or runtime_for(lowered, org, tables), size=label,
                         derivative=True, provider=provider),
                tables,
            )

    base_name = text.split(":", 1)[0]
    if org is None and base_name == base_name.lower():  # Ollama names are lower-case ("Llama3"
        # is prose); the tag after ':' may carry upper-case quantisations such as q4_K_M
        ollama = parse_ollama(name, tables)
        if ollama is not None:
            keep = provider if provider not in (None, "ollama") else None
            return with_provider(ollama, provider=keep)

    ref = parse_name(name, tables, runtime=runtime, org=org, hosted=False)
    if ref is None:
        return None
    if provider is None:
        for suffix, hosted in tables.provider_suffixes:
            if name.endswith(suffix):
                provider = hosted
                break
    return with_provider(ref, provider=provider)


def _clean(raw: str, tables: IdentifyTables) -> str | None:
    text = raw.strip().strip("'\"`")
    if not text or len(text) > MAX_IDENTIFIER_LENGTH:
        return None
    lowered = text.lower()
    for host in ("huggingface.co/", "hf.co/"):
        at = lowered.find(host)
        if at >= 0:
            text = text[at + len(host):]
            text = re.split(r"/(?:resolve|blob|tree|raw)/", text)[0]
            for prefix in ("models/", "api/models/"):
                if text.lower().startswith(prefix):
                    text = text[len(prefix):]
            break
    if lowered.startswith("hf://"):
        text = text[5:]
    at = lowered.find("ollama.com/library/")
    if at >= 0:
        text = text[at + len("ollama.com/library/"):]
    text = text.rstrip("/.,;")
    if text.endswith(("-", "_")):
        return None  # a fragment that code joins with something else
    if _CODE_NAME.match(text) or _DOTTED_PATH.match(text):
        return None  # a Python name (llama4_text, Llama4TextConfig) or module path, not a model
    if not _VALID_CHARS.match(text):
        return None
    if not any(word in text.lower() for word in tables.grammar.hint_words):
        return None
    if (_is_path(text) and not text.lower().startswith(tuple(p for p, _ in tables.litellm_prefixes))
            and not any(_provider_match(text, entry) for entry in tables.providers)):
        # a path names its model in its last Llama-named part; a provider id that looks like
        # a path (a NIM container image, nvcr.io/nim/meta/...) is kept whole
        parts = [p for p in re.split(r"[/\\]", text) if p]
        named = [p for p in parts if any(w in p.lower() for w in tables.grammar.path_words)]
        if not named:
            return None
        text = named[-1]
    if text.lower().endswith(tables.grammar.not_model_files):
        return None  # a config, script or document named after Llama
    text = _PLACEHOLDER.sub("", text)
    return text or None


_WEIGHT_SUFFIXES = (".gguf", ".ggml", ".bin", ".safetensors", ".pth", ".pt", ".ckpt")


def is_directory_path(raw: str, ruleset: RuleSet) -> bool:
    """A filesystem path that is not a weights file: ``/data/llama3``, ``saves/llama3-8b/sft``.

    Such a path names a model only where the key or option says it does (``model_path``);
    elsewhere it is where something is written or mounted. A weights file (``.gguf``) and a
    Hub id (``org/name``, one slash) are not directory paths.
    """
    text = raw.strip().strip("'\"`")
    lowered = text.lower()
    if "://" in text or lowered.startswith(("hf.co/", "huggingface.co/")):
        return False
    if lowered.startswith(tuple(p for p, _ in tables_for(ruleset).litellm_prefixes)):
        return False  # a LiteLLM route (together_ai/meta-llama/...), not a path
    return _is_path(text) and not lowered.endswith(_WEIGHT_SUFFIXES)


def _is_path(text: str) -> bool:
    if text.startswith(("/", "./", "../", "~", ".\\")) or "\\" in text:
        return True
    if text.lower().endswith((".gguf", ".bin", ".safetensors", ".pth", ".pt")) and "/" in text:
        return True
    return text.count("/") >= 2 and not text.lower().startswith(("accounts/", "@", "publishers/"))


def _provider_match(text: str, entry: Provider) -> re.Match[str] | None:
    """``text`` as one of the provider's ids: whole, or behind the provider's own name as a
    routing prefix, as routers other than LiteLLM write it (instructor:
    ``fireworks/accounts/fireworks/models/...``)."""
    match = entry.pattern.match(text)
    if match is not None:
        return match
    head, slash, rest = text.partition("/")
    return entry.pattern.match(rest) if slash and head.lower() == entry.provider else None


def _split_org(lowered: str) -> tuple[str | None, str]:
    if "/" in lowered:
        org, _, name = lowered.partition("/")
        return org, name
    return None, lowered

