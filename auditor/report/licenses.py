"""License exposure: which Llama licenses a result touches and what each obliges.

The facts live in ``data/llama_licenses.toml`` with their sources. A finding's license comes
from its ``license`` detail when a scanner or the catalog recorded one, else from the model
family; models that are Llama architecture only (TinyLlama) carry no Llama license.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import AuditResult, Category, Finding, ModelRef

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_DATA = Path(__file__).resolve().parent / "data" / "llama_licenses.toml"


@dataclass(frozen=True, slots=True)
class LlamaLicense:
    id: str
    name: str
    hf_license: str
    obligations: tuple[str, ...]
    sources: tuple[str, ...]
    release: str | None = None
    unconfirmed: bool = False


@dataclass(frozen=True, slots=True)
class LicenseTable:
    licenses: dict[str, LlamaLicense]
    by_family: dict[str, str]
    common_facts: tuple[str, ...]
    common_sources: tuple[str, ...]

    def for_model(self, model: ModelRef) -> LlamaLicense | None:
        if not model.meta_weights:
            return None
        key = self.by_family.get(f"{model.family}|{model.size}") if model.size else None
        key = key or self.by_family.get(model.family)
        return self.licenses.get(key) if key else None

    def for_finding(self, finding: Finding) -> LlamaLicense | None:
        recorded = finding.detail("license")
        if recorded and recorded in self.licenses:
            return self.licenses[recorded]
        return self.for_model(finding.model) if finding.model else None


@dataclass(frozen=True, slots=True)
class LicenseExposure:
    """One Llama license the result depends on, with the findings that bring it in."""

    license: LlamaLicense
    findings: tuple[Finding, ...]
    families: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({_where(f) for f in self.findings}))


@lru_cache(maxsize=1)
def license_table() -> LicenseTable:
    data: dict[str, Any] = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    licenses = {
        str(entry["id"]): LlamaLicense(
            id=str(entry["id"]),
            name=str(entry["name"]),
            hf_license=str(entry["hf_license"]),
            obligations=tuple(str(o) for o in entry["obligations"]),
            sources=tuple(str(s) for s in entry["sources"]),
            release=entry.get("release"),
            unconfirmed=bool(entry.get("unconfirmed", False)),
        )
        for entry in data["license"]
    }
    common = data.get("common", {})
    return LicenseTable(
        licenses=licenses,
        by_family={str(k): str(v) for k, v in data["license_of_family"].items()},
        common_facts=tuple(str(f) for f in common.get("facts", [])),
        common_sources=tuple(str(s) for s in common.get("sources", [])),
    )


def license_exposure(result: AuditResult) -> list[LicenseExposure]:
    """Licenses in the order of the table (oldest release first), each with its findings."""
    table = license_table()
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        found = table.for_finding(finding)
        if found is not None:
            grouped.setdefault(found.id, []).append(finding)
    exposures = []
    for license_id, lic in table.licenses.items():
        findings = grouped.get(license_id)
        if not findings:
            continue
        families = sorted({f.model.family for f in findings if f.model is not None})
        exposures.append(LicenseExposure(lic, tuple(findings), tuple(families)))
    return exposures


def license_findings(result: AuditResult) -> tuple[Finding, ...]:
    """Findings about license files and notices themselves (category ``license``)."""
    return tuple(f for f in result.findings if f.category is Category.LICENSE)


def _where(finding: Finding) -> str:
    return f"{finding.root}/{finding.path}" if finding.root not in ("", ".") else finding.path
