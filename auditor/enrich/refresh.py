"""``catalog refresh`` and ``catalog verify``: re-read every catalog entry from the live Hub.

Refresh overlays what the Hub says (license, gated, parameter count, context length, input
modalities, existence, last modification) on each entry and clears the ``unconfirmed`` marks
of the fields the Hub confirmed. Facts the Hub does not carry (Ollama tags, GGUF repositories,
release dates, active parameters of mixture-of-experts models) keep their snapshot values and
marks. Verify computes the same and lists the differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor.enrich.entries import Catalog, CatalogEntry
from auditor.enrich.hub_records import HubProblem, HubRecord, HubService


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the catalog and the live Hub.

    ``kind``: ``changed`` (the Hub contradicts a known value), ``filled`` (the catalog did
    not know the value) or ``confirmed`` (unconfirmed marks the Hub now confirms).
    """

    hub_id: str
    kind: str
    field: str
    old: Any = None
    new: Any = None
    note: str = ""

    def describe(self) -> str:
        if self.kind == "confirmed":
            return f"{self.hub_id}: {self.note}"
        text = f"{self.hub_id}: {self.field} {_show(self.old)} → {_show(self.new)}"
        return text + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class RefreshOutcome:
    catalog: Catalog
    live: int
    gated: int
    not_found: int
    failed: int
    problems: tuple[HubProblem, ...]


def refresh_catalog(catalog: Catalog, hub: HubService) -> RefreshOutcome:
    """A new catalog whose entries carry live Hub facts where the Hub answered."""
    entries: list[CatalogEntry] = []
    problems: list[HubProblem] = []
    live = gated = not_found = failed = 0
    for entry in catalog.entries:
        answer = hub.lookup(entry.hub_id)
        if isinstance(answer, HubRecord):
            entries.append(apply_record(entry, answer))
            live += 1
            continue
        problems.append(answer)
        if answer.kind == "not-found":
            not_found += 1
            entries.append(replace(entry, exists=False, metadata_source=_live(answer),
                                   unconfirmed=_drop(entry.unconfirmed, ("exists", "hub_id"))))
        elif answer.kind == "gated":
            gated += 1
            # a 401/403 does not confirm the repository exists: only that access is refused
            entries.append(replace(
                entry, gated=True,
                metadata_source=f"{_live(answer)}: gated, metadata not visible; other facts "
                f"from {catalog.source}",
                unconfirmed=_drop(entry.unconfirmed, ("gated",))))
        else:
            failed += 1
            entries.append(entry)
    fetched_at = hub.started_at
    date = fetched_at[:10]
    refreshed = catalog.with_entries(
        entries,
        snapshot_date=date,
        source=f"snapshot {date} (refreshed from {hub.endpoint})",
        endpoint=hub.endpoint,
        fetched_at=fetched_at,
        method=(f"Refreshed live from {hub.endpoint} at {fetched_at} with llama-audit catalog "
                f"refresh ({live + gated + not_found} of {len(entries)} entries answered), "
                f"starting from: {catalog.source}. " + catalog.method).strip(),
    )
    return RefreshOutcome(refreshed, live, gated, not_found, failed, tuple(problems))


def apply_record(entry: CatalogEntry, record: HubRecord) -> CatalogEntry:
    """Overlay live Hub facts on an entry; clear the marks of the fields they confirm."""
    confirmed: list[str] = ["exists", "hub_id"]
    changes: dict[str, Any] = {"exists": True, "metadata_source": record.source,
                               "last_modified": record.last_modified}
    if record.license:
        changes["license"] = record.license
        changes["license_name"] = record.license_name if record.license == "other" else None
        confirmed.append("license")
    if record.gated is not None:
        changes["gated"] = record.gated is not False
        confirmed.append("gated")
    if record.params_total:
        total = round(record.params_total / 1e9, 2)
        if entry.params_b_active in (None, entry.params_b_total):
            changes["params_b_active"] = total
            confirmed.append("params_b_active")
        changes["params_b_total"] = total
        confirmed.append("params_b_total")
    if record.context_length:
        changes["context_length"] = record.context_length
        confirmed.append("context_length")
    if record.input_modalities:
        changes["input_modalities"] = record.input_modalities
        confirmed.append("input_modalities")
    changes["unconfirmed"] = _drop(entry.unconfirmed, confirmed)
    return replace(entry, **changes)


def diff_catalogs(old: Catalog, new: Catalog) -> list[Change]:
    """What the live Hub changed, filled in or confirmed, entry by entry, in catalog order."""
    changes: list[Change] = []
    fields = ("exists", "license", "license_name", "gated", "params_b_total", "params_b_active",
              "context_length", "input_modalities")
    for before in old.entries:
        after = new.get(before.hub_id)
        if after is None:
            continue
        for name in fields:
            was = getattr(before, name)
            now = getattr(after, name)
            if not _differs(was, now):
                continue
            kind = "filled" if was in (None, ()) else "changed"
            changes.append(Change(before.hub_id, kind, name, was, now, _why(before, name)))
        cleared = [k for k, _ in before.unconfirmed if after.unconfirmed_note(k) is None]
        if cleared:
            changes.append(Change(before.hub_id, "confirmed", "unconfirmed",
                                  note=f"now confirmed by the Hub: {', '.join(cleared)}"))
    return changes


def _why(entry: CatalogEntry, name: str) -> str:
    note = entry.unconfirmed_note(name)
    return f"snapshot value was unconfirmed: {note}" if note else ""


def _differs(old: Any, new: Any) -> bool:
    """Parameter counts differ when they disagree by more than 10%: catalogs round (9B)."""
    if isinstance(old, float) or isinstance(new, float):
        if old is None or new is None:
            return old is not new
        return abs(float(old) - float(new)) > max(0.05, 0.10 * abs(float(old)))
    return bool(old != new)


def _drop(pairs: Sequence[tuple[str, str]], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in pairs if k not in names)


def _live(problem: HubProblem) -> str:
    return f"live {problem.endpoint} fetched {problem.fetched_at}"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "+".join(value) if value else "(none)"
    if value is None:
        return "(unknown)"
    return str(value)
