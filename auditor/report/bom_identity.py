"""What both bills of materials (CycloneDX and SPDX) say about a package or model: its purl,
its exact version, its ecosystem, and a serial derived from the result's content."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packageurl import PackageURL

from auditor.discover.filetypes import file_type
from auditor.types import AuditResult, FileKind, Finding

_PIN = re.compile(r"^\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*$")
HF_ID = re.compile(r"^(?P<org>[A-Za-z0-9][\w.-]*)/(?P<name>[\w.-]+)$")
"""A Hugging Face repository id: organisation and name."""


def model_ref_key(finding: Finding) -> str:
    """One component per model as written for one runtime (case-insensitive)."""
    model = finding.model
    assert model is not None
    written = (finding.identifier or model.canonical_id or model.label()).strip()
    if written.startswith("./"):
        written = written[2:]
    return f"{model.runtime}/{model.provider or '-'}/{written.casefold()}"


_ECOSYSTEMS = {"package.json": "npm", "npm-lock": "npm", "bun.lock": "npm",
               "pnpm-lock": "npm", "yarn.lock": "npm", "go.mod": "golang", "go.sum": "golang",
               "cargo.toml": "cargo", "cargo.lock": "cargo", "pom.xml": "maven",
               "gradle": "maven", "gradle.lockfile": "maven"}
"""A manifest's parser (``discover.filetypes``) to its purl type; anything else is pypi."""
_EXACT = re.compile(r"^v?\d[\w.+-]*$")


def purl_type(finding: Finding) -> str:
    """The purl type of a package finding's ecosystem (npm, golang, cargo, maven, docker,
    pypi)."""
    written = finding.detail("ecosystem")  # set where the manifest's type does not say it
    if written:
        return written
    return _ECOSYSTEMS.get(file_type(finding.detail("manifest") or finding.path).parser, "pypi")


def exact_other_version(findings: Iterable[Finding]) -> str | None:
    """An npm, Go, Cargo or Maven version written as one exact version, the same everywhere."""
    exact = [f for f in findings if file_type(f.detail("manifest") or f.path).parser
             not in ("cargo.toml",)]  # Cargo.toml's "0.3" means ^0.3
    locked = [f for f in exact if file_type(f.detail("manifest") or f.path).kind
              is FileKind.LOCKFILE]
    versions = {f.detail("constraint") or "" for f in locked or exact}
    version = next(iter(versions)) if len(versions) == 1 else ""
    return version if _EXACT.match(version) else None


def package_url(ecosystem: str, written: str, key: str, version: str | None) -> PackageURL:
    """``pkg:npm/%40scope/name``, ``pkg:golang/github.com/org/mod``, ``pkg:cargo/name``,
    ``pkg:maven/group/artifact``, ``pkg:docker/org/name?repository_url=ghcr.io``;
    ``pkg:pypi/<normalised>`` for Python."""
    namespace: str | None = None
    name = written
    if ecosystem == "pypi":
        name = key
    elif ecosystem == "maven" and ":" in written:
        namespace, name = written.split(":", 1)
    elif ecosystem in ("npm", "golang") and "/" in written:
        namespace, name = written.rsplit("/", 1)
    elif ecosystem == "docker":
        registry, _, path = written.partition("/")
        namespace, _, name = path.rpartition("/")
        return PackageURL(type=ecosystem, namespace=namespace or None, name=name,
                          version=version, qualifiers={"repository_url": registry})
    return PackageURL(type=ecosystem, namespace=namespace, name=name, version=version)


def package_name(finding: Finding) -> str:
    """PEP 503 normalised name (what pkg:pypi purls use)."""
    raw = finding.detail("package") or finding.identifier or finding.snippet
    return re.sub(r"[-_.]+", "-", raw.strip()).lower()


def exact_pinned_version(findings: Iterable[Finding]) -> str | None:
    """The version when every finding pins the same one (``==1.2.3`` or a lockfile version)."""
    versions = set()
    for finding in findings:
        pinned = _PIN.match(finding.detail("constraint") or "")
        versions.add(pinned.group(1) if pinned else None)
    return next(iter(versions)) if len(versions) == 1 else None


def content_uuid(result: AuditResult) -> uuid.UUID:
    """Same result, same serial: derived from what the BOM says, not from the clock."""
    digest = hashlib.sha256()
    for part in (result.tool.name, result.tool.version, result.tool.rules_version,
                 result.tool.catalog_date or "", *result.roots):
        digest.update(part.encode() + b"\0")
    for finding in result.findings:
        digest.update(f"{finding.root}\0{finding.path}\0{finding.line}\0{finding.fingerprint}\n"
                      .encode())
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:llama-audit:{digest.hexdigest()}")


def package_key(finding: Finding) -> str:
    """One component per package: the PEP 503 name for Python, ``ecosystem/name`` else."""
    ecosystem = purl_type(finding)
    if ecosystem == "pypi":
        return package_name(finding)
    return f"{ecosystem}/{finding.detail('package') or finding.identifier}"


@dataclass(frozen=True, slots=True)
class PackageIdentity:
    ecosystem: str
    name: str
    version: str | None
    purl: PackageURL


def package_identity(key: str, findings: Sequence[Finding]) -> PackageIdentity:
    """The name, exact version and purl both bills of materials give the package ``key``."""
    first = findings[0]
    ecosystem = purl_type(first)
    version = exact_pinned_version(findings)
    if ecosystem != "pypi" and version is None:
        version = exact_other_version(findings)
    name = key if ecosystem == "pypi" else (first.identifier or key)
    return PackageIdentity(ecosystem, name, version,
                           package_url(ecosystem, first.identifier or key, key, version))
