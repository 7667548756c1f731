"""Catalog entries: what is known about one Hub repository, where each fact came from.

A catalog is a dated set of entries (Llama models and replacement candidates) plus known
derivative repositories. Facts the sources did not confirm are named in an entry's
``unconfirmed`` map with the reason, and stay marked until a live Hub check confirms them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.enrich.hub_ids import is_valid_model_id
from auditor.errors import CatalogError as CatalogError

CATALOG_FORMAT = "llama-audit-catalog"
CATALOG_FORMAT_VERSION = 1

KINDS = ("llama", "replacement", "other")


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One Hub repository and its facts. ``None`` means not known."""

    hub_id: str
    vendor: str
    family: str
    kind: str
    """``llama`` (Meta Llama), ``replacement`` (a candidate), ``other`` (listed, neither)."""
    variant: str
    params_b_total: float | None = None
    params_b_active: float | None = None
    context_length: int | None = None
    input_modalities: tuple[str, ...] = ()
    license: str | None = None
    """The license id as the Hub names it (``apache-2.0``, ``llama3.1``, ``other``)."""
    license_name: str | None = None
    """The Hub's ``license_name`` when ``license`` is ``other`` (``llama4``, ``modified-mit``)."""
    gated: bool | None = None
    exists: bool | None = True
    release_date: str | None = None
    based_on: str | None = None
    ollama_tag: str | None = None
    gguf_repos: tuple[str, ...] = ()
    mlx_repos: tuple[str, ...] = ()
    hosted: tuple[tuple[str, str], ...] = ()
    """(provider, model id) pairs for hosted providers known to serve this model."""
    unavailable_runtimes: tuple[str, ...] = ()
    """Runtimes known not to offer this model (e.g. no Ollama library tag)."""
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    unconfirmed: tuple[tuple[str, str], ...] = ()
    """(field, why) for facts no primary source confirmed."""
    notes: str = ""
    metadata_source: str = ""
    """Where the Hub facts came from: ``snapshot 2026-11-22`` or ``live <endpoint> <time>``."""
    last_modified: str | None = None

    @property
    def license_label(self) -> str | None:
        """The most specific license name: ``license_name`` when the id is ``other``."""
        if self.license == "other" and self.license_name:
            return self.license_name
        return self.license

    def unconfirmed_note(self, name: str) -> str | None:
        for key, note in self.unconfirmed:
            if key == name:
                return note
        return None

    def hosted_id(self, provider: str) -> str | None:
        for name, model_id in self.hosted:
            if name == provider:
                return model_id
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "hub_id": self.hub_id,
            "vendor": self.vendor,
            "family": self.family,
            "kind": self.kind,
            "variant": self.variant,
            "based_on": self.based_on,
            "params_b_total": self.params_b_total,
            "params_b_active": self.params_b_active,
            "context_length": self.context_length,
            "input_modalities": list(self.input_modalities),
            "license": self.license,
            "license_name": self.license_name,
            "gated": self.gated,
            "exists": self.exists,
            "release_date": self.release_date,
            "ollama_tag": self.ollama_tag,
            "gguf_repos": list(self.gguf_repos),
            "mlx_repos": list(self.mlx_repos),
            "hosted": dict(self.hosted),
            "unavailable_runtimes": list(self.unavailable_runtimes),
            "aliases": list(self.aliases),
            "sources": list(self.sources),
            "unconfirmed": dict(self.unconfirmed),
            "notes": self.notes,
            "metadata_source": self.metadata_source,
            "last_modified": self.last_modified,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> CatalogEntry:
        reader = _Reader(data, where)
        kind = reader.text("kind")
        if kind not in KINDS:
            raise CatalogError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        hub_id = reader.text("hub_id")
        if not is_valid_model_id(hub_id):
            # a replacement id is written into code by fix: only the Hub's id grammar passes
            raise CatalogError(f"{where}: hub_id is not a Hub repository id (owner/name)")
        return cls(
            hub_id=hub_id,
            vendor=reader.text("vendor"),
            family=reader.text("family"),
            kind=kind,
            variant=reader.text("variant"),
            based_on=reader.opt_text("based_on"),
            params_b_total=reader.opt_number("params_b_total"),
            params_b_active=reader.opt_number("params_b_active"),
            context_length=reader.opt_int("context_length"),
            input_modalities=reader.texts("input_modalities"),
            license=reader.opt_text("license"),
            license_name=reader.opt_text("license_name"),
            gated=reader.opt_bool("gated"),
            exists=reader.opt_bool("exists", default=True),
            release_date=reader.opt_text("release_date"),
            ollama_tag=reader.opt_text("ollama_tag"),
            gguf_repos=reader.texts("gguf_repos"),
            mlx_repos=reader.texts("mlx_repos"),
            hosted=reader.pairs("hosted"),
            unavailable_runtimes=reader.texts("unavailable_runtimes"),
            aliases=reader.texts("aliases"),
            sources=reader.texts("sources"),
            unconfirmed=reader.pairs("unconfirmed"),
            notes=reader.opt_text("notes") or "",
            metadata_source=reader.opt_text("metadata_source") or "",
            last_modified=reader.opt_text("last_modified"),
        )


@dataclass(frozen=True, slots=True)
class KnownDerivative:
    """A repository known to be derived from a catalog Llama model (offline lineage)."""

    repo_id: str
    base_model: str
    relation: str
    """finetune, adapter, quantized, merge or re-upload."""
    sources: tuple[str, ...] = ()
    notes: str = ""
    unconfirmed: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "repo_id": self.repo_id,
            "base_model": self.base_model,
            "relation": self.relation,
            "sources": list(self.sources),
            "notes": self.notes,
        }
        if self.unconfirmed:
            data["unconfirmed"] = dict(self.unconfirmed)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> KnownDerivative:
        reader = _Reader(data, where)
        return cls(
            repo_id=reader.text("repo_id"),
            base_model=reader.text("base_model"),
            relation=reader.text("relation"),
            sources=reader.texts("sources"),
            notes=reader.opt_text("notes") or "",
            unconfirmed=reader.pairs("unconfirmed"),
        )


@dataclass(frozen=True, eq=False)
class Catalog:
    """A dated catalog. Lookups are case-insensitive and follow aliases (old repo names)."""

    snapshot_date: str
    source: str
    """Label for reports: ``bundled snapshot 2026-11-22``, or a refreshed snapshot's label."""
    entries: tuple[CatalogEntry, ...]
    derivatives: tuple[KnownDerivative, ...] = ()
    endpoint: str | None = None
    fetched_at: str | None = None
    method: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Other top-level keys of the file, written back unchanged."""
    _index: dict[str, CatalogEntry] = field(init=False, repr=False, default_factory=dict)
    _derivative_index: dict[str, KnownDerivative] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for entry in self.entries:
            for key in (entry.hub_id, *entry.aliases):
                self._index.setdefault(key.lower(), entry)
        for derivative in self.derivatives:
            self._derivative_index[derivative.repo_id.lower()] = derivative

    def get(self, hub_id: str | None) -> CatalogEntry | None:
        if not hub_id:
            return None
        return self._index.get(hub_id.lower())

    def derivative(self, repo_id: str) -> KnownDerivative | None:
        return self._derivative_index.get(repo_id.lower())

    def with_entries(self, entries: Sequence[CatalogEntry], **changes: Any) -> Catalog:
        values: dict[str, Any] = {
            "snapshot_date": self.snapshot_date,
            "source": self.source,
            "entries": tuple(entries),
            "derivatives": self.derivatives,
            "endpoint": self.endpoint,
            "fetched_at": self.fetched_at,
            "method": self.method,
            "extra": self.extra,
        }
        values.update(changes)
        return Catalog(**values)


class _Reader:
    """Typed access to one JSON object, with errors that name the file and the entry."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        if not isinstance(data, Mapping):
            raise CatalogError(f"{where}: expected an object, got {type(data).__name__}")
        self.data = data
        self.where = where

    def _fail(self, key: str, expected: str) -> CatalogError:
        value = self.data.get(key)
        return CatalogError(f"{self.where}: {key!r} must be {expected}, got {value!r}")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value:
            raise self._fail(key, "a non-empty string")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a string or null")
        return value

    def opt_number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(key, "a number or null")
        return float(value)

    def opt_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer or null")
        return value

    def opt_bool(self, key: str, default: bool | None = None) -> bool | None:
        if key not in self.data:
            return default
        value = self.data[key]
        if value is not None and not isinstance(value, bool):
            raise self._fail(key, "true, false or null")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return tuple(value)

    def pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self.data.get(key, {})
        if value is None:
            return ()
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self._fail(key, "an object of strings")
        return tuple(value.items())
