"""The replacement policy from ``rules/replacements.toml``: size classes and ordered candidates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.identify.tables import NAMING_KINDS, provider_namings
from auditor.ruleset.load import RuleError, RuleSet
from auditor.types import ModelRef

__all__ = ["NAMING_KINDS", "Candidate", "ReplacementPolicy", "SizeClass"]


@dataclass(frozen=True, slots=True)
class Candidate:
    family: str
    """Policy family key: gemma, qwen, mistral."""
    hub_id: str
    base_id: str | None = None
    """The base (not instruction-tuned) checkpoint, offered for base-model findings."""


@dataclass(frozen=True, slots=True)
class SizeClass:
    id: str
    label: str
    why: str
    fit_total_b: tuple[float, float]
    fit_active_b_max: float | None
    candidates: tuple[Candidate, ...]
    families: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    params_b: tuple[float, float] | None = None
    requires_input: tuple[str, ...] = ()
    gaps: tuple[tuple[str, str], ...] = ()

    def matches(self, ref: ModelRef, inputs: Sequence[str]) -> bool:
        if self.families and ref.family not in self.families:
            return False
        if self.sizes and ref.size not in self.sizes:
            return False
        if self.variants and ref.variant not in self.variants:
            return False
        if self.params_b is not None:
            if ref.params_b is None:
                return False
            low, high = self.params_b
            if not low < ref.params_b <= high:
                return False
        return all(m in inputs for m in self.requires_input)

    def gap(self, family: str) -> str | None:
        for key, text in self.gaps:
            if key == family:
                return text
        return None

    def fit_text(self) -> str:
        low, high = self.fit_total_b
        text = f"{_num(low)}-{_num(high)}B total"
        if self.fit_active_b_max is not None:
            text += f", at most {_num(self.fit_active_b_max)}B active"
        return text


@dataclass(frozen=True, eq=False)
class ReplacementPolicy:
    families: tuple[str, ...]
    family_labels: Mapping[str, str]
    max_per_family: int
    runtimes: Mapping[str, str]
    classes: tuple[SizeClass, ...]

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> ReplacementPolicy:
        return _policy_for(ruleset)

    def class_for(self, ref: ModelRef, inputs: Sequence[str]) -> SizeClass | None:
        for size_class in self.classes:
            if size_class.matches(ref, inputs):
                return size_class
        return None

    def naming_for(self, runtime: str) -> str:
        """How suggestions are named for a runtime (a kind or a provider's template); runtimes
        no row names (a plain Hub id, a local name) get the Hub id."""
        return self.runtimes.get(runtime, "hub")

    def ordered_families(self, prefer: str | None) -> tuple[str, ...]:
        if prefer is None:
            return self.families
        return (prefer, *(f for f in self.families if f != prefer))

    def label(self, family: str) -> str:
        return self.family_labels.get(family, family)


@lru_cache(maxsize=8)
def _policy_for(ruleset: RuleSet) -> ReplacementPolicy:
    settings = ruleset.section_table("replacement_settings")
    families = _strings(settings.get("families"), "[replacement_settings] families")
    if not families:
        raise RuleError("[replacement_settings] families must list at least one family")
    labels = settings.get("family_labels", {})
    if not isinstance(labels, Mapping):
        raise RuleError("[replacement_settings.family_labels] must be a table")
    max_per_family = settings.get("max_per_family", 3)
    if not isinstance(max_per_family, int) or max_per_family < 1:
        raise RuleError("[replacement_settings] max_per_family must be a positive integer")
    runtimes = dict(ruleset.section_table("replacement_runtimes"))
    for runtime, kind in runtimes.items():
        if kind not in NAMING_KINDS:
            raise RuleError(f"[replacement_runtimes] {runtime} = {kind!r}: must be one of "
                            f"{', '.join(NAMING_KINDS)}")
    for runtime, naming in provider_namings(ruleset).items():
        if runtimes.setdefault(runtime, naming) != naming:
            raise RuleError(f"[replacement_runtimes] {runtime} = {runtimes[runtime]!r}, but its "
                            f"[[identify.provider]] row says naming = {naming!r}: keep one")
    classes = tuple(_parse_class(t, set(families)) for t in ruleset.section_list(
        "replacement_class"))
    if not classes:
        raise RuleError("no [[replacement_class]] tables found in the rules")
    seen: set[str] = set()
    for size_class in classes:
        if size_class.id in seen:
            raise RuleError(f"[[replacement_class]] id {size_class.id!r} is defined twice")
        seen.add(size_class.id)
    return ReplacementPolicy(
        families=families,
        family_labels={str(k): str(v) for k, v in labels.items()},
        max_per_family=max_per_family,
        runtimes={str(k): str(v) for k, v in runtimes.items()},
        classes=classes,
    )


def _parse_class(table: Mapping[str, Any], families: set[str]) -> SizeClass:
    where = f"[[replacement_class]] {table.get('id', '?')}"
    known = {"id", "label", "why", "families", "sizes", "variants", "params_b", "requires_input",
             "fit_total_b", "fit_active_b_max", "gaps", "candidate"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise RuleError(f"{where}: unknown keys {unknown}")
    for key in ("id", "label", "why"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise RuleError(f"{where}: {key!r} must be a non-empty string")
    candidates = []
    for raw in table.get("candidate", []):
        if not isinstance(raw, Mapping):
            raise RuleError(f"{where}: each candidate must be a table")
        family = raw.get("family")
        hub_id = raw.get("id")
        if family not in families:
            raise RuleError(f"{where}: candidate family {family!r} is not one of "
                            f"{sorted(families)}")
        if not isinstance(hub_id, str) or "/" not in hub_id:
            raise RuleError(f"{where}: candidate id {hub_id!r} must be a Hub repository id")
        base = raw.get("base")
        if base is not None and not isinstance(base, str):
            raise RuleError(f"{where}: candidate base must be a string")
        candidates.append(Candidate(family=str(family), hub_id=hub_id, base_id=base))
    gaps = table.get("gaps", {})
    if not isinstance(gaps, Mapping) or not all(isinstance(v, str) for v in gaps.values()):
        raise RuleError(f"{where}: gaps must map a family to a sentence")
    active = table.get("fit_active_b_max")
    if active is not None and not isinstance(active, (int, float)):
        raise RuleError(f"{where}: fit_active_b_max must be a number")
    return SizeClass(
        id=table["id"],
        label=table["label"],
        why=table["why"],
        fit_total_b=_range(table.get("fit_total_b"), f"{where} fit_total_b"),
        fit_active_b_max=float(active) if active is not None else None,
        candidates=tuple(candidates),
        families=_strings(table.get("families"), f"{where} families"),
        sizes=_strings(table.get("sizes"), f"{where} sizes"),
        variants=_strings(table.get("variants"), f"{where} variants"),
        params_b=_range(table["params_b"], f"{where} params_b") if "params_b" in table else None,
        requires_input=_strings(table.get("requires_input"), f"{where} requires_input"),
        gaps=tuple((str(k), str(v)) for k, v in gaps.items()),
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where} must be a list of strings")
    return tuple(value)


def _range(value: Any, where: str) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) for v in value) or value[0] > value[1]):
        raise RuleError(f"{where} must be [low, high] numbers")
    return float(value[0]), float(value[1])


def _num(value: float) -> str:
    return f"{value:g}"
