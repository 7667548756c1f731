"""A ``HubRecord`` as the Hub (or the Hub cache) gave it, checked before anything uses it.

The id must be the one asked for (case aside) and match the Hub's grammar; base models that do
not match the grammar are dropped; every text field must be a string (or absent) and is
masked and neutralised; numbers must be numbers. A record that fails is refused (a reason),
never repaired into something plausible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from auditor.enrich.hub_ids import PART as _PART
from auditor.enrich.hub_ids import is_valid_model_id
from auditor.enrich.hub_records import HubRecord

_TEXT_FIELDS = ("license", "license_name", "context_key", "modality_evidence", "pipeline_tag",
                "base_model_relation", "last_modified")
_MODALITIES = frozenset({"text", "image", "video", "audio"})


def _int_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def checked_record(record: HubRecord, asked: str,
                   clean: Callable[[str], str]) -> HubRecord | str:
    """The record with clean text, or why it is refused."""
    if not is_valid_model_id(record.repo_id):
        return "its id is not a valid repository id"
    if record.repo_id.lower() != asked.lower():
        return "it answered for another repository"
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if value is not None and not isinstance(value, str):
            return f"{name} is a {type(value).__name__}"
    if not isinstance(record.endpoint, str) or not isinstance(record.fetched_at, str):
        return "endpoint or fetch time is not text"
    if not (record.gated is None or isinstance(record.gated, (bool, str))):
        return "gated is neither a boolean nor text"
    if not (_int_or_none(record.params_total) and _int_or_none(record.context_length)):
        return "a size is not a positive integer"
    for name in ("tags", "base_models", "input_modalities"):
        if not all(isinstance(v, str) for v in getattr(record, name)):
            return f"{name} holds a value that is not text"
    if not all(is_valid_model_id(b) or _PART.fullmatch(b) for b in record.base_models):
        return "a base_model is not a valid repository id"
    if not set(record.input_modalities) <= _MODALITIES:
        return "input_modalities holds an unknown modality"
    texts: dict[str, object] = {name: clean(getattr(record, name)) for name in _TEXT_FIELDS
                                if getattr(record, name) is not None}
    return replace(
        record, **texts,  # type: ignore[arg-type]
        gated=clean(record.gated) if isinstance(record.gated, str) else record.gated,
        endpoint=clean(record.endpoint), fetched_at=clean(record.fetched_at),
        tags=tuple(clean(t) for t in record.tags),
        base_models=tuple(b for b in record.base_models if is_valid_model_id(b)),
        # a one-part legacy name (gpt2) cannot lead to a Llama model; it is left out
    )
