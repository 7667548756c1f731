"""Snapshot files: a dated catalog as JSON, bundled or written by ``catalog refresh``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.enrich.entries import (
    CATALOG_FORMAT,
    CATALOG_FORMAT_VERSION,
    Catalog,
    CatalogEntry,
    CatalogError,
    KnownDerivative,
)
from auditor.util.files import write_atomically

BUNDLED_SNAPSHOT_DATE = "2026-11-22"
BUNDLED_SNAPSHOT_NAME = f"snapshot-{BUNDLED_SNAPSHOT_DATE}.json"

_KNOWN_KEYS = {
    "format", "format_version", "snapshot_date", "source", "endpoint", "fetched_at", "method",
    "entries", "derivatives",
}


def load_bundled() -> Catalog:
    """The snapshot shipped inside the package: works with no network and no cache."""
    return _load_bundled_cached()


@lru_cache(maxsize=1)
def _load_bundled_cached() -> Catalog:
    resource = resources.files("auditor.enrich").joinpath("data").joinpath(
        BUNDLED_SNAPSHOT_NAME)
    try:
        text = resource.read_text(encoding="utf-8")
    except OSError as exc:  # a broken install, not a user error
        raise CatalogError(f"bundled snapshot {BUNDLED_SNAPSHOT_NAME} is missing: {exc}") from exc
    return parse_snapshot(text, f"bundled {BUNDLED_SNAPSHOT_NAME}")


def load_snapshot(path: Path) -> Catalog:
    """A snapshot file written by ``llama-audit catalog refresh``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(f"catalog file {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read catalog file {path}: {exc}") from exc
    return parse_snapshot(text, str(path))


def parse_snapshot(text: str, where: str) -> Catalog:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    return catalog_from_dict(data, where)


def catalog_from_dict(data: Any, where: str) -> Catalog:
    if not isinstance(data, Mapping) or data.get("format") != CATALOG_FORMAT:
        raise CatalogError(f"{where}: not a llama-audit catalog (missing format "
                           f"{CATALOG_FORMAT!r})")
    version = data.get("format_version")
    if version != CATALOG_FORMAT_VERSION:
        raise CatalogError(f"{where}: catalog format_version {version!r} is not supported "
                           f"(this tool reads {CATALOG_FORMAT_VERSION})")
    date = data.get("snapshot_date")
    if not isinstance(date, str) or not date:
        raise CatalogError(f"{where}: 'snapshot_date' must be a date string")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise CatalogError(f"{where}: 'entries' must be a non-empty list")
    entries = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_entries, start=1):
        hub_id = raw.get("hub_id") if isinstance(raw, Mapping) else None
        entry = CatalogEntry.from_dict(raw, f"{where}: entry {number} ({hub_id or '?'})")
        if entry.hub_id.lower() in seen:
            raise CatalogError(f"{where}: entry {number} repeats hub_id {entry.hub_id!r}")
        seen.add(entry.hub_id.lower())
        if not entry.metadata_source:
            entry = replace(entry, metadata_source=f"snapshot {date}")
        entries.append(entry)
    raw_derivatives = data.get("derivatives") or []
    if not isinstance(raw_derivatives, list):
        raise CatalogError(f"{where}: 'derivatives' must be a list")
    derivatives = tuple(
        KnownDerivative.from_dict(raw, f"{where}: derivative {number}")
        for number, raw in enumerate(raw_derivatives, start=1)
    )
    source = data.get("source")
    return Catalog(
        snapshot_date=date,
        source=source if isinstance(source, str) and source else f"snapshot {date}",
        entries=tuple(entries),
        derivatives=derivatives,
        endpoint=_opt_str(data.get("endpoint")),
        fetched_at=_opt_str(data.get("fetched_at")),
        method=_opt_str(data.get("method")) or "",
        extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
    )


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": CATALOG_FORMAT,
        "format_version": CATALOG_FORMAT_VERSION,
        "snapshot_date": catalog.snapshot_date,
        "source": catalog.source,
        "endpoint": catalog.endpoint,
        "fetched_at": catalog.fetched_at,
        "method": catalog.method,
    }
    data.update(catalog.extra)
    data["entries"] = [entry.to_dict() for entry in catalog.entries]
    data["derivatives"] = [d.to_dict() for d in catalog.derivatives]
    return data


def write_snapshot(catalog: Catalog, path: Path) -> None:
    """Write atomically: a failed write leaves no half-written snapshot behind."""
    text = json.dumps(catalog_to_dict(catalog), indent=1, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise CatalogError(f"cannot write catalog file {path}: {exc.strerror or exc}") from exc


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
