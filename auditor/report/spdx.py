"""SPDX 2.3 JSON: the scanned project and the Llama packages and models it depends on.

Validated with spdx-tools in the tests:

- each scan root is a package (``primaryPackagePurpose: SOURCE``) the document describes;
- each Llama package (a dependency finding) is a ``LIBRARY`` package with its version when every
  manifest pins the same exact one, and its purl as a ``PACKAGE-MANAGER`` external reference;
- each Llama model named is an ``OTHER`` package: download location ``https://huggingface.co/ID``
  for a Hub id (else ``NOASSERTION``), declared license the ``LicenseRef-`` of its Llama
  license (its name, version and sources in ``hasExtractedLicensingInfos``) or ``NOASSERTION``;
- the project ``DEPENDS_ON`` each package and model found in it.

Reruns are byte-identical: ``documentNamespace`` is derived from the content (the same digest
as the CycloneDX serial number) and ``created`` is the catalog date of the knowledge the scan
used (``tool.catalog_date``, midnight UTC), or 1970-01-01 when the result has none — never the
clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from auditor.report.bom_identity import (
    HF_ID,
    content_uuid,
    model_ref_key,
    package_identity,
    package_key,
)
from auditor.report.effort import finding_root
from auditor.report.licenses import license_of, license_table
from auditor.report.roots import root_names
from auditor.report.summary import join_root
from auditor.types import AuditResult, Category, Finding
from auditor.util.json_text import dumps_indented

SPDX_VERSION = "SPDX-2.3"
NOASSERTION = "NOASSERTION"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REF_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def render_spdx(result: AuditResult) -> str:
    return dumps_indented(spdx_document(result)) + "\n"


def created(result: AuditResult) -> str:
    """The document's creation time: the catalog date, so the same result gives the same text."""
    date = result.tool.catalog_date or ""
    return f"{date}T00:00:00Z" if _DATE.match(date) else "1970-01-01T00:00:00Z"


def spdx_document(result: AuditResult) -> dict[str, Any]:
    names = root_names(result)
    projects = {root: f"SPDXRef-Project-{n}" for n, root in enumerate(result.roots, start=1)}
    models: dict[str, list[Finding]] = {}
    packages: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.category is Category.DEPENDENCY:
            packages.setdefault(package_key(finding), []).append(finding)
        elif finding.model is not None:
            models.setdefault(model_ref_key(finding), []).append(finding)

    spdx_packages: list[dict[str, Any]] = [
        {"name": names[root], "SPDXID": ref, "downloadLocation": NOASSERTION,
         "filesAnalyzed": False, "primaryPackagePurpose": "SOURCE",
         "comment": f"scan root {root!r}"}
        for root, ref in projects.items()]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                      "relatedSpdxElement": ref} for ref in projects.values()]
    licenses: dict[str, dict[str, Any]] = {}
    table = license_table()
    for number, key in enumerate(sorted(packages), start=1):
        ref = f"SPDXRef-Package-{number}"
        spdx_packages.append(_package(ref, key, packages[key]))
        relationships += _depends(packages[key], ref, projects, result)
    for number, key in enumerate(sorted(models), start=1):
        ref = f"SPDXRef-Model-{number}"
        findings = models[key]
        license_ref = NOASSERTION
        found = license_of(findings[0], table)[0] if table is not None else None
        if found is not None:
            license_ref = "LicenseRef-" + _REF_UNSAFE.sub("-", found.id).strip("-")
            sources = [s for s in found.sources if s.startswith("https://")]
            info: dict[str, Any] = {
                "licenseId": license_ref, "name": found.name,
                "extractedText": f"{found.name}, dated {found.date}: "
                                 "the Meta Llama license that governs this model; the full "
                                 "text is at the source(s) named here."}
            if sources:
                info["seeAlsos"] = sources
            licenses[license_ref] = info
        spdx_packages.append(_model(ref, findings, license_ref))
        relationships += _depends(findings, ref, projects, result)

    document: dict[str, Any] = {
        "spdxVersion": SPDX_VERSION,
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"llama-audit of {', '.join(names[r] for r in result.roots) or 'nothing'}",
        "documentNamespace": f"https://spdx.org/spdxdocs/llama-audit-{content_uuid(result)}",
        "creationInfo": {
            "created": created(result),
            "creators": [f"Tool: {result.tool.name}-{result.tool.version}"],
            "comment": "Llama packages and models found by llama-audit (rules "
                       f"{result.tool.rules_version}); created is the catalog date.",
        },
        "documentDescribes": list(projects.values()),
        "packages": spdx_packages,
        "relationships": relationships,
    }
    if licenses:
        document["hasExtractedLicensingInfos"] = [licenses[k] for k in sorted(licenses)]
    return document


def _package(ref: str, key: str, findings: list[Finding]) -> dict[str, Any]:
    identity = package_identity(key, findings)
    package: dict[str, Any] = {"name": identity.name, "SPDXID": ref}
    if identity.version:
        package["versionInfo"] = identity.version
    package.update({
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "primaryPackagePurpose": "LIBRARY",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                          "referenceLocator": identity.purl.to_string()}],
        "comment": _where(findings),
    })
    return package


def _model(ref: str, findings: list[Finding], license_ref: str) -> dict[str, Any]:
    first = findings[0]
    model = first.model
    assert model is not None
    written = (first.identifier or model.canonical_id or model.label()).strip()
    written = written.removeprefix("./")
    hf = HF_ID.match(written) if model.runtime == "huggingface" else None
    package: dict[str, Any] = {
        "name": written,
        "SPDXID": ref,
        "downloadLocation": f"https://huggingface.co/{written}" if hf else NOASSERTION,
        "filesAnalyzed": False,
        "primaryPackagePurpose": "OTHER",
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": license_ref,
        "description": f"{model.label()} (Meta Llama model, {model.runtime})",
    }
    if hf:
        purl = f"pkg:huggingface/{hf.group('org')}/{hf.group('name')}"
        package["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER",
                                    "referenceType": "purl", "referenceLocator": purl}]
    package["comment"] = _where(findings)
    return package


def _where(findings: Iterable[Finding]) -> str:
    places = sorted({(f.root, f.path, f.line, f.rule_id) for f in findings})
    return "found at " + "; ".join(
        f"{join_root(root, path)}:{line} ({rule})" for root, path, line, rule in places)


def _depends(findings: list[Finding], ref: str, projects: dict[str, str],
             result: AuditResult) -> list[dict[str, str]]:
    roots = sorted({finding_root(f, result) for f in findings} & set(projects),
                   key=list(projects).index)
    return [{"spdxElementId": projects[root], "relationshipType": "DEPENDS_ON",
             "relatedSpdxElement": ref} for root in roots]
