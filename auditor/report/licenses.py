"""License exposure: which Llama licenses a result touches and what each obliges.

The facts (names, obligations, sources) are the catalog's, read from ``rules/licenses.toml``
through ``auditor.enrich.licenses``. A finding's license comes from the license details the
catalog or a scanner recorded on it, else from its model's family.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.details import DetailKey
from auditor.enrich.licenses import LicenseTable, LlamaLicense
from auditor.report.summary import join_root
from auditor.ruleset.load import RuleError, load_ruleset
from auditor.types import AuditResult, Finding

_LICENSE_DETAILS: tuple[DetailKey, ...] = ("llama_license_id", "llama_license", "license")
"""Finding details that may name the license, by id (``llama3.1``) or by name."""


@dataclass(frozen=True, slots=True)
class LicenseExposure:
    """One Llama license the result depends on, with the findings that bring it in."""

    license: LlamaLicense
    findings: tuple[Finding, ...]
    families: tuple[str, ...]
    eu_multimodal: bool
    """A multimodal model falls under the license's EU restriction."""

    def files(self, *, with_root: bool = True) -> tuple[str, ...]:
        """The files that bring the license in, prefixed by their root if asked."""
        return tuple(sorted({join_root(f.root, f.path) if with_root else f.path
                             for f in self.findings}))


def license_table() -> LicenseTable | None:
    """The installed license facts; None if the rules cannot be read (reports still render)."""
    try:
        return LicenseTable.from_ruleset(load_ruleset())
    except RuleError:
        return None


def license_of(finding: Finding, table: LicenseTable) -> tuple[LlamaLicense | None, bool]:
    """The Llama license a finding brings in, and whether the EU multimodal clause applies."""
    for key in _LICENSE_DETAILS:
        value = finding.detail(key)
        if value:
            found = _lookup(value, table)
            if found is not None:
                return found, bool(finding.detail("license_eu_multimodal"))
    if finding.model is None or not finding.model.meta_weights:
        return None, False
    facts = table.for_model(finding.model, None)
    return facts.license, facts.eu_multimodal


def license_exposure(result: AuditResult) -> list[LicenseExposure]:
    """Licenses oldest release first, each with the findings that bring it in."""
    table = license_table()
    if table is None:
        return []
    grouped: dict[str, list[Finding]] = {}
    eu: dict[str, bool] = {}
    for finding in result.findings:
        found, multimodal = license_of(finding, table)
        if found is not None:
            grouped.setdefault(found.id, []).append(finding)
            eu[found.id] = eu.get(found.id, False) or multimodal
    exposures = []
    for license_id in sorted(grouped, key=lambda i: (table.llama[i].date, i)):
        findings = grouped[license_id]
        families = sorted({f.model.family for f in findings if f.model is not None})
        exposures.append(LicenseExposure(table.llama[license_id], tuple(findings),
                                         tuple(families), eu[license_id]))
    return exposures


def eu_restriction_text() -> str:
    table = license_table()
    return table.eu_text if table is not None else ""


def _lookup(value: str, table: LicenseTable) -> LlamaLicense | None:
    wanted = value.strip().casefold()
    for lic in table.llama.values():
        if wanted in (lic.id.casefold(), lic.name.casefold()):
            return lic
    return None
