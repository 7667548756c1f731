"""License facts: which Llama license a model is under, its obligations, and the delta to a
replacement's license. Data lives in ``rules/licenses.toml``; this module only reads it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.details import DetailKey, Details
from auditor.enrich.entries import CatalogEntry
from auditor.ruleset.load import RuleError, RuleSet
from auditor.types import ModelRef

# Family (as identify() names it) -> Hub license id, for models the catalog does not list
# (fine-tunes keep their base model's license whatever their own card says).
_FAMILY_LICENSE = {
    "Llama 1": "llama1",
    "Llama 2": "llama2",
    "Code Llama": "llama2",
    "Llama Guard 1": "llama2",
    "Llama 3": "llama3",
    "Llama Guard 2": "llama3",
    "Llama 3.1": "llama3.1",
    "Prompt Guard 1": "llama3.1",
    "Llama 3.2": "llama3.2",
    "Llama 3.3": "llama3.3",
    "Llama 4": "llama4",
    "Llama Guard 4": "llama4",
    "Prompt Guard 2": "llama4",
}
_MULTIMODAL_VARIANTS = ("vision-base", "vision-instruct", "guard-vision")


@dataclass(frozen=True, slots=True)
class Obligation:
    key: str
    short: str
    text: str


@dataclass(frozen=True, slots=True)
class LlamaLicense:
    id: str
    name: str
    version: str
    date: str
    aup: str
    obligations: tuple[Obligation, ...]
    eu_multimodal_clause: bool
    sources: tuple[str, ...]
    unconfirmed: str | None = None


@dataclass(frozen=True, slots=True)
class ModelLicense:
    id: str
    name: str
    open: bool
    summary: str


@dataclass(frozen=True, slots=True)
class LicenseFacts:
    """The license facts for one finding's model."""

    license: LlamaLicense | None
    """None when the Llama version cannot be told (e.g. ``llama-7b`` with no version)."""
    eu_multimodal: bool
    how_known: str
    """Why this license: the catalog entry, or the family of a derivative."""
    eu_text: str = ""

    @property
    def name(self) -> str:
        if self.license is None:
            return "a Llama community license (version not stated in the identifier)"
        return self.license.name

    def obligations_summary(self) -> str:
        if self.license is None:
            return ("700M MAU cap, Notice file and an acceptable-use policy in every Llama "
                    "version; attribution and naming duties from Llama 3 on")
        parts = [o.short for o in self.license.obligations]
        if self.eu_multimodal:
            parts.append("EU multimodal restriction")
        return "; ".join(parts)

    def details(self) -> Details:
        pairs: list[tuple[DetailKey, str]] = [("llama_license", self.name)]
        if self.license is not None:
            pairs.append(("llama_license_id", self.license.id))
        pairs.append(("license_obligations", self.obligations_summary()))
        if self.eu_multimodal and self.eu_text:
            pairs.append(("license_eu_multimodal", self.eu_text))
        if self.license is not None and self.license.unconfirmed:
            pairs.append(("llama_license_unconfirmed", self.license.unconfirmed))
        if self.license is not None and self.license.sources:
            pairs.append(("llama_license_source", self.license.sources[0]))
        return tuple(pairs)


@dataclass(frozen=True, eq=False)
class LicenseTable:
    llama: Mapping[str, LlamaLicense]
    models: Mapping[str, ModelLicense]
    eu_short: str
    eu_text: str

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> LicenseTable:
        return _table_for(ruleset)

    def for_model(self, ref: ModelRef, entry: CatalogEntry | None) -> LicenseFacts:
        license_id: str | None = None
        how = ""
        if entry is not None and entry.kind == "llama" and entry.license_label:
            license_id = entry.license_label
            how = f"catalog: {entry.hub_id} is under {license_id}"
            note = entry.unconfirmed_note("license")
            if note:
                how += f" (unconfirmed: {note})"
        if license_id is None or license_id not in self.llama:
            family_id = _FAMILY_LICENSE.get(ref.family)
            if ref.family == "Llama Guard 3" and ref.size in ("1B", "11B"):
                family_id = "llama3.2"  # Guard 3 1B / 11B Vision are built on Llama 3.2
            if family_id is not None:
                license_id = family_id
                how = f"{ref.family} models are under {family_id}"
        if ref.derivative and license_id is not None:
            how += "; derivatives keep their base model's license"
        llama = self.llama.get(license_id) if license_id else None
        multimodal = ref.variant in _MULTIMODAL_VARIANTS or ref.family in (
            "Llama 4", "Llama Guard 4") or bool(
            entry is not None and "image" in entry.input_modalities)
        eu = bool(llama is not None and llama.eu_multimodal_clause and multimodal)
        return LicenseFacts(license=llama, eu_multimodal=eu, how_known=how or "unknown",
                            eu_text=self.eu_text if eu else "")

    def model_license(self, license_id: str | None) -> ModelLicense | None:
        if not license_id:
            return None
        return self.models.get(license_id.lower())

    def is_llama(self, license_id: str | None) -> bool:
        return bool(license_id) and str(license_id).lower() in self.llama


def license_delta(facts: LicenseFacts, candidate_label: str | None,
                  candidate: ModelLicense | None) -> str:
    """One sentence: what changes when moving from the Llama license to the candidate's."""
    source = facts.name
    if candidate_label is None:
        return f"{source} → license not confirmed: check the model card before adopting"
    if candidate is None:
        return f"{source} → {candidate_label}: not a license this tool knows; read it first"
    if not candidate.open:
        return f"{source} → {candidate.name}: {candidate.summary}"
    dropped = _dropped(facts)
    return f"{source} → {candidate.name}: drops {dropped}"


def _dropped(facts: LicenseFacts) -> str:
    if facts.license is None:
        return "the Llama MAU cap, Notice and acceptable-use duties"
    parts = [o.short for o in facts.license.obligations]
    if facts.eu_multimodal:
        parts.append("the EU multimodal restriction")
    return ", ".join(parts)


@lru_cache(maxsize=8)
def _table_for(ruleset: RuleSet) -> LicenseTable:
    llama: dict[str, LlamaLicense] = {}
    for table in ruleset.section_list("llama_license"):
        lic = _parse_llama(table)
        llama[lic.id] = lic
    models: dict[str, ModelLicense] = {}
    for table in ruleset.section_list("model_license"):
        try:
            models[str(table["id"]).lower()] = ModelLicense(
                id=str(table["id"]), name=str(table["name"]), open=bool(table["open"]),
                summary=str(table["summary"]))
        except KeyError as exc:
            raise RuleError(f"[[model_license]] {table.get('id', '?')}: missing {exc}") from exc
    eu = ruleset.section_table("llama_license_eu")
    if not llama:
        raise RuleError("no [[llama_license]] tables found in the rules")
    return LicenseTable(llama=llama, models=models, eu_short=str(eu.get("short", "")),
                        eu_text=str(eu.get("text", "")))


def _parse_llama(table: Mapping[str, Any]) -> LlamaLicense:
    where = f"[[llama_license]] {table.get('id', '?')}"
    try:
        obligations = tuple(
            Obligation(key=str(o["key"]), short=str(o["short"]), text=str(o["text"]))
            for o in _list(table.get("obligations"), where)
        )
        return LlamaLicense(
            id=str(table["id"]),
            name=str(table["name"]),
            version=str(table["version"]),
            date=str(table["date"]),
            aup=str(table.get("aup", "")),
            obligations=obligations,
            eu_multimodal_clause=bool(table.get("eu_multimodal_clause", False)),
            sources=tuple(str(s) for s in table.get("sources", [])),
            unconfirmed=str(table["unconfirmed"]) if table.get("unconfirmed") else None,
        )
    except (KeyError, TypeError) as exc:
        raise RuleError(f"{where}: missing or invalid key {exc}") from exc


def _list(value: Any, where: str) -> Sequence[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise RuleError(f"{where}: 'obligations' must be a list of tables")
    return value
