"""One model's facts for the checks: live Hub metadata where we have it, the snapshot otherwise.

Every fact carries its origin (``live ...`` or the snapshot label) and, for snapshot facts
the sources did not confirm, the ``unconfirmed`` note, so checks can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from auditor.enrich.entries import Catalog, CatalogEntry
from auditor.enrich.hub_records import HubProblem, HubRecord, HubService

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    value: T
    origin: str
    """``live <endpoint> fetched <time>`` or the snapshot label."""
    unconfirmed: str | None = None
    evidence: str | None = None
    """Which Hub field said so (``config.max_position_embeddings``), for live facts."""

    @property
    def live(self) -> bool:
        return self.origin.startswith("live ")


@dataclass(frozen=True, slots=True)
class ModelFacts:
    hub_id: str
    entry: CatalogEntry | None
    exists: Fact[bool | None]
    license: Fact[str | None]
    gated: Fact[bool | str | None]
    params_b_total: Fact[float | None]
    params_b_active: Fact[float | None]
    context_length: Fact[int | None]
    input_modalities: Fact[tuple[str, ...]]
    source: str
    """The suggestion's metadata source: live fetch time, or the snapshot label."""
    problem: HubProblem | None = None
    record: HubRecord | None = None


class FactsResolver:
    """Answers ``facts(hub_id)`` once per repository; collects Hub problems as it goes."""

    def __init__(self, catalog: Catalog, hub: HubService | None = None) -> None:
        self.catalog = catalog
        self.hub = hub
        self._facts: dict[str, ModelFacts] = {}
        self.problems: list[HubProblem] = []
        self.live_answers = 0
        """Lookups the Hub (or the cache of an earlier live run) answered."""

    @property
    def snapshot_label(self) -> str:
        return self.catalog.source

    def entry(self, hub_id: str | None) -> CatalogEntry | None:
        return self.catalog.get(hub_id)

    def facts(self, hub_id: str) -> ModelFacts:
        key = hub_id.lower()
        if key not in self._facts:
            self._facts[key] = self._resolve(hub_id)
        return self._facts[key]

    def _resolve(self, hub_id: str) -> ModelFacts:
        entry = self.catalog.get(hub_id)
        snap = self.snapshot_label
        offline = _from_entry(hub_id, entry, snap)
        if self.hub is None:
            return offline
        answer = self.hub.lookup(entry.hub_id if entry is not None else hub_id)
        if isinstance(answer, HubRecord):
            self.live_answers += 1
            return _from_record(answer, entry, offline)
        self.problems.append(answer)
        if answer.definitive:
            self.live_answers += 1
        if answer.kind == "not-found":
            return replace(offline, exists=Fact(False, _live(answer)), problem=answer,
                                  source=_live(answer))
        if answer.kind == "gated":
            # a 401/403 says nothing about existence: "could not check", never "found"
            return replace(
                offline,
                exists=Fact(None, _live(answer), answer.message.split(":", 1)[0]),
                gated=Fact(True, _live(answer)),
                problem=answer,
                source=_live(answer),  # the facts the Hub hid keep their snapshot origin
            )
        return replace(offline, problem=answer,
                              source=f"{snap} (live lookup failed: {answer.kind})")


def _live(problem: HubProblem) -> str:
    return f"live {problem.endpoint} fetched {problem.fetched_at}"


def _from_entry(hub_id: str, entry: CatalogEntry | None, snap: str) -> ModelFacts:
    if entry is None:
        missing = f"{hub_id} is not in the catalog"
        return ModelFacts(
            hub_id=hub_id, entry=None,
            exists=Fact(None, snap, missing), license=Fact(None, snap, missing),
            gated=Fact(None, snap, missing), params_b_total=Fact(None, snap, missing),
            params_b_active=Fact(None, snap, missing), context_length=Fact(None, snap, missing),
            input_modalities=Fact((), snap, missing), source=snap,
        )
    note = entry.unconfirmed_note
    exists_note = note("exists") or note("hub_id")
    return ModelFacts(
        hub_id=entry.hub_id,
        entry=entry,
        exists=Fact(None if exists_note and entry.exists else entry.exists, snap, exists_note),
        license=Fact(entry.license_label, snap, note("license")),
        gated=Fact(entry.gated, snap, note("gated")),
        params_b_total=Fact(entry.params_b_total, snap, note("params_b_total")),
        params_b_active=Fact(entry.params_b_active, snap,
                             note("params_b_active") or note("params_b_total")),
        context_length=Fact(entry.context_length, snap, note("context_length")),
        input_modalities=Fact(entry.input_modalities, snap, note("input_modalities")),
        source=snap,
    )


def _from_record(record: HubRecord, entry: CatalogEntry | None,
                 offline: ModelFacts) -> ModelFacts:
    live = record.source
    license_label = record.license_name if record.license == "other" and record.license_name \
        else record.license
    license_fact: Fact[str | None] = (Fact(license_label, live) if license_label
                                      else offline.license)
    gated: Fact[bool | str | None] = (Fact(record.gated, live) if record.gated is not None
                                      else offline.gated)
    total = offline.params_b_total
    active = offline.params_b_active
    if record.params_total:
        live_total = round(record.params_total / 1e9, 2)
        dense = entry is not None and entry.params_b_active == entry.params_b_total
        total = Fact(live_total, live, evidence="safetensors.total")
        if dense or entry is None:
            active = Fact(live_total, live, evidence="safetensors.total")
    context: Fact[int | None] = (Fact(record.context_length, live, evidence=record.context_key)
                                 if record.context_length else offline.context_length)
    modalities = (Fact(record.input_modalities, live, evidence=record.modality_evidence)
                  if record.input_modalities else offline.input_modalities)
    return ModelFacts(
        hub_id=record.repo_id,
        entry=entry,
        exists=Fact(True, live),
        license=license_fact,
        gated=gated,
        params_b_total=total,
        params_b_active=active,
        context_length=context,
        input_modalities=modalities,
        source=live,
        record=record,
    )


