"""What a Hub lookup answers: a ``HubRecord`` of facts or a ``HubProblem``, and the
``HubService`` interface the enrich stage asks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

# Problems that are answers about the repository (worth caching) rather than about the network.
DEFINITIVE_PROBLEMS = frozenset({"not-found", "gated"})


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class HubRecord:
    """What the Hub said about one repository, reduced to the facts the checks use."""

    repo_id: str
    endpoint: str
    fetched_at: str
    gated: bool | str | None = None
    """False, ``auto`` or ``manual`` as the Hub reports it."""
    license: str | None = None
    license_name: str | None = None
    params_total: int | None = None
    context_length: int | None = None
    context_key: str | None = None
    input_modalities: tuple[str, ...] = ()
    modality_evidence: str | None = None
    pipeline_tag: str | None = None
    tags: tuple[str, ...] = ()
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None
    last_modified: str | None = None
    cached: bool = False

    @property
    def source(self) -> str:
        label = f"live {self.endpoint} fetched {self.fetched_at}"
        return label + " (cache)" if self.cached else label

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "repo_id": self.repo_id,
            "endpoint": self.endpoint,
            "fetched_at": self.fetched_at,
            "gated": self.gated,
            "license": self.license,
            "license_name": self.license_name,
            "params_total": self.params_total,
            "context_length": self.context_length,
            "context_key": self.context_key,
            "input_modalities": list(self.input_modalities),
            "modality_evidence": self.modality_evidence,
            "pipeline_tag": self.pipeline_tag,
            "tags": list(self.tags),
            "base_models": list(self.base_models),
            "base_model_relation": self.base_model_relation,
            "last_modified": self.last_modified,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], cached: bool) -> HubRecord:
        return cls(
            repo_id=_text(data, "repo_id"),
            endpoint=_text(data, "endpoint"),
            fetched_at=_text(data, "fetched_at"),
            gated=data.get("gated"),
            license=data.get("license"),
            license_name=data.get("license_name"),
            params_total=data.get("params_total"),
            context_length=data.get("context_length"),
            context_key=data.get("context_key"),
            input_modalities=_texts(data, "input_modalities"),
            modality_evidence=data.get("modality_evidence"),
            pipeline_tag=data.get("pipeline_tag"),
            tags=_texts(data, "tags"),
            base_models=_texts(data, "base_models"),
            base_model_relation=data.get("base_model_relation"),
            last_modified=data.get("last_modified"),
            cached=cached,
        )


@dataclass(frozen=True)
class HubProblem:
    """A lookup that gave no metadata. ``kind`` is a short machine code (see ``DIAGNOSTIC``)."""

    repo_id: str
    kind: str
    """not-found, gated, rate-limited, timeout, unreachable, malformed, offline, invalid-id,
    http-error, skipped."""
    message: str
    endpoint: str
    fetched_at: str
    status: int | None = None
    cached: bool = False

    @property
    def definitive(self) -> bool:
        return self.kind in DEFINITIVE_PROBLEMS

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "problem",
            "repo_id": self.repo_id,
            "kind": self.kind,
            "message": self.message,
            "endpoint": self.endpoint,
            "fetched_at": self.fetched_at,
            "http_status": self.status,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], cached: bool) -> HubProblem:
        return cls(
            repo_id=_text(data, "repo_id"),
            kind=_text(data, "kind"),
            message=_text(data, "message"),
            endpoint=_text(data, "endpoint"),
            fetched_at=_text(data, "fetched_at"),
            status=_status(data.get("http_status")),
            cached=cached,
        )


HubAnswer = HubRecord | HubProblem


def _text(data: Mapping[str, Any], key: str) -> str:
    """A required string of a cached answer; anything else makes the entry unreadable."""
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is a {type(value).__name__}")
    return value


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} is not a list of strings")
    return tuple(value)


def _status(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError("http_status is not an integer")


class HubService(Protocol):
    """Anything that answers Hub lookups; the enrich stage only needs this."""

    @property
    def endpoint(self) -> str: ...

    @property
    def started_at(self) -> str: ...

    def lookup(self, repo_id: str) -> HubAnswer: ...
