"""``huggingface_hub.ModelInfo`` reduced to a ``HubRecord``: license, size, context length,
input modalities and base models, from whichever of the card, tags and config says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from auditor.enrich.hub_records import HubRecord, iso_utc

_PIPELINE_INPUTS: Mapping[str, tuple[str, ...]] = {
    "text-generation": ("text",),
    "text2text-generation": ("text",),
    "text-classification": ("text",),
    "token-classification": ("text",),
    "feature-extraction": ("text",),
    "image-text-to-text": ("text", "image"),
    "visual-question-answering": ("text", "image"),
    "video-text-to-text": ("text", "video"),
    "audio-text-to-text": ("text", "audio"),
    "any-to-any": ("text", "image", "audio"),
}
_TAG_INPUTS: Mapping[str, str] = {
    "vision": "image",
    "image-text-to-text": "image",
    "multimodal": "image",
    "audio": "audio",
    "audio-text-to-text": "audio",
    "video": "video",
    "video-text-to-text": "video",
}
_CONTEXT_KEYS = ("max_position_embeddings", "max_sequence_length", "seq_length", "n_positions",
                 "model_max_length")


def record_from_model_info(info: Any, *, endpoint: str, fetched_at: str) -> HubRecord:
    """Reduce a ``huggingface_hub.ModelInfo`` to the facts the checks and lineage use."""
    card = _card_dict(getattr(info, "card_data", None))
    tags = tuple(str(t) for t in (getattr(info, "tags", None) or ()))
    license_id = card.get("license")
    if not license_id:
        license_id = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
    safetensors = getattr(info, "safetensors", None)
    params = getattr(safetensors, "total", None) if safetensors is not None else None
    context, context_key = _context_length(getattr(info, "config", None),
                                           getattr(info, "gguf", None))
    pipeline = getattr(info, "pipeline_tag", None) or card.get("pipeline_tag")
    modalities, evidence = _input_modalities(pipeline, tags, getattr(info, "config", None))
    last_modified = getattr(info, "last_modified", None)
    return HubRecord(
        repo_id=str(info.id),
        endpoint=endpoint,
        fetched_at=fetched_at,
        gated=_gated(getattr(info, "gated", None)),
        license=_opt_text(license_id),
        license_name=_opt_text(card.get("license_name")),
        params_total=int(params) if isinstance(params, (int, float)) and params > 0 else None,
        context_length=context,
        context_key=context_key,
        input_modalities=modalities,
        modality_evidence=evidence,
        pipeline_tag=_opt_text(pipeline),
        tags=tags,
        base_models=_base_models(card.get("base_model")),
        base_model_relation=_opt_text(card.get("base_model_relation")),
        last_modified=iso_utc(last_modified) if isinstance(last_modified, datetime) else None,
    )


def _card_dict(card: Any) -> dict[str, Any]:
    if card is None:
        return {}
    if isinstance(card, Mapping):
        return dict(card)
    to_dict = getattr(card, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
        if isinstance(data, Mapping):
            return dict(data)
    raise TypeError(f"cardData is a {type(card).__name__}, not an object")


def _gated(value: Any) -> bool | str | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower()
    raise TypeError(f"gated is {value!r}")


def _base_models(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value if isinstance(v, str))
    raise TypeError(f"base_model is {value!r}")


def _context_length(config: Any, gguf: Any) -> tuple[int | None, str | None]:
    candidates: list[tuple[Mapping[str, Any], str]] = []
    if isinstance(config, Mapping):
        candidates.append((config, "config"))
        for nested in ("text_config", "llm_config", "language_config"):
            inner = config.get(nested)
            if isinstance(inner, Mapping):
                candidates.append((inner, f"config.{nested}"))
    for table, prefix in candidates:
        for key in _CONTEXT_KEYS:
            value = table.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value, f"{prefix}.{key}"
    if isinstance(gguf, Mapping):
        value = gguf.get("context_length")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value, "gguf.context_length"
    return None, None


def _input_modalities(pipeline: Any, tags: Sequence[str],
                      config: Any) -> tuple[tuple[str, ...], str | None]:
    found: list[str] = []
    evidence: list[str] = []
    if isinstance(pipeline, str) and pipeline in _PIPELINE_INPUTS:
        found.extend(_PIPELINE_INPUTS[pipeline])
        evidence.append(f"pipeline_tag {pipeline}")
    for tag in tags:
        modality = _TAG_INPUTS.get(tag)
        if modality:
            found.append(modality)
            evidence.append(f"tag {tag}")
    if isinstance(config, Mapping):
        for key, modality in (("vision_config", "image"), ("audio_config", "audio")):
            if key in config:
                found.append(modality)
                evidence.append(f"config.{key}")
    if not found:
        return (), None
    if "text" not in found:
        found.insert(0, "text")
    ordered = tuple(dict.fromkeys(m for m in ("text", "image", "video", "audio") if m in found))
    return ordered, ", ".join(dict.fromkeys(evidence))

def _opt_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
