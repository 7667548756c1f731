"""CycloneDX 1.6 ML-BOM: the Llama models and Llama packages a codebase depends on.

Built with cyclonedx-python-lib (validated with its JSON validator in the tests):

- each Llama model reference is a ``machine-learning-model`` component, with a
  ``pkg:huggingface/...`` purl when it is written as a Hugging Face id, the Llama license that
  governs it, a model card (``modelCard``: task, architecture family, inputs and outputs, which
  the library cannot model yet, so it is added to the serialised JSON) and the suggested
  replacements as ``llama-audit:replacement:N:*`` properties;
- each Llama package is a ``library`` component with a ``pkg:pypi``, ``pkg:npm``,
  ``pkg:golang``, ``pkg:cargo`` or ``pkg:maven`` purl (the manifest's ecosystem);
- each scan root is an ``application`` that depends on what was found in it;
- every place a component is referenced is an evidence occurrence (file and line).

The output is reproducible: no timestamp, and a serial number derived from the content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.license import DisjunctiveLicense
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from auditor.details import DetailKey
from auditor.report.bom_identity import (
    HF_ID,
    content_uuid,
    model_ref_key,
    package_identity,
    package_key,
)
from auditor.report.effort import finding_root
from auditor.report.licenses import license_of, license_table
from auditor.report.summary import check_mark, join_root
from auditor.types import AuditResult, Category, Finding, ModelRef, Suggestion
from auditor.util.json_text import dumps_indented

SCHEMA_VERSION = SchemaVersion.V1_6
PROPERTY_PREFIX = "llama-audit"
_PACKAGE_DETAILS: tuple[DetailKey, ...] = (
    "direct", "class", "constraint", "manifest", "pulled_in_by", "group", "marker", "extras",
    "include_chain", "reason")
"""Dependency-scanner details carried over as ``llama-audit:*`` properties."""


@dataclass
class _Entry:
    """Findings that name one component, gathered before the component is built."""

    key: str
    findings: list[Finding] = field(default_factory=list)


def render_cyclonedx(result: AuditResult) -> str:
    bom, cards = build_bom(result)
    text = make_outputter(bom, OutputFormat.JSON, SCHEMA_VERSION).output_as_string(indent=2)
    data: dict[str, Any] = json.loads(text)
    data.get("metadata", {}).pop("timestamp", None)
    for component in data.get("components", []):
        card = cards.get(component.get("bom-ref", ""))
        if card:
            component["modelCard"] = card
        occurrences = component.get("evidence", {}).get("occurrences")
        if occurrences:
            # the library orders occurrences by object identity; make the output stable
            occurrences.sort(key=lambda o: (o["location"], o.get("line", 0),
                                            o.get("additionalContext", "")))
    return dumps_indented(data) + "\n"


def build_bom(result: AuditResult) -> tuple[Bom, dict[str, dict[str, Any]]]:
    """The BOM, plus model cards by bom-ref to add to its JSON form."""
    models: dict[str, _Entry] = {}
    packages: dict[str, _Entry] = {}
    for finding in result.findings:
        if finding.model is not None and finding.category is not Category.DEPENDENCY:
            key = model_ref_key(finding)
            models.setdefault(key, _Entry(key)).findings.append(finding)
        elif finding.category is Category.DEPENDENCY:
            key = package_key(finding)
            packages.setdefault(key, _Entry(key)).findings.append(finding)

    bom = Bom(serial_number=content_uuid(result))
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name=result.tool.name,
                  version=result.tool.version, bom_ref=f"tool/{result.tool.name}")
    )
    cards: dict[str, dict[str, Any]] = {}
    by_root: dict[str, list[Component]] = {root: [] for root in result.roots}
    for key in sorted(models):
        entry = models[key]
        component, card = _model_component(entry, result)
        bom.components.add(component)
        cards[str(component.bom_ref.value)] = card
        for root in _roots_of(entry, result):
            by_root.setdefault(root, []).append(component)
    for key in sorted(packages):
        entry = packages[key]
        component = _package_component(entry, result)
        bom.components.add(component)
        for root in _roots_of(entry, result):
            by_root.setdefault(root, []).append(component)

    top = Component(
        type=ComponentType.APPLICATION,
        name=result.roots[0] if len(result.roots) == 1 else f"{len(result.roots)} repositories",
        bom_ref="scan",
        properties=[Property(name=f"{PROPERTY_PREFIX}:root", value=r) for r in result.roots],
    )
    bom.metadata.component = top
    if len(result.roots) == 1:
        bom.register_dependency(top, by_root.get(result.roots[0], []))
    else:
        root_components = []
        for number, root in enumerate(result.roots, start=1):
            app = Component(type=ComponentType.APPLICATION, name=root, bom_ref=f"root/{number}",
                            properties=[Property(name=f"{PROPERTY_PREFIX}:root", value=root)])
            bom.components.add(app)
            bom.register_dependency(app, by_root.get(root, []))
            root_components.append(app)
        bom.register_dependency(top, root_components)
    return bom, cards


def _model_component(entry: _Entry, result: AuditResult) -> tuple[Component, dict[str, Any]]:
    first = entry.findings[0]
    model = first.model
    assert model is not None
    written = (first.identifier or model.canonical_id or model.label()).strip()
    hf = HF_ID.match(written) if model.runtime == "huggingface" else None
    properties = _model_properties(model)
    properties += _replacement_properties(_suggestions(entry.findings))
    references = []
    if hf is not None:
        references.append(ExternalReference(type=ExternalReferenceType.MODEL_CARD,
                                            url=XsUri(f"https://huggingface.co/{written}")))
    elif model.canonical_id:
        references.append(ExternalReference(
            type=ExternalReferenceType.MODEL_CARD,
            url=XsUri(f"https://huggingface.co/{model.canonical_id}"),
            comment=f"model card of {model.canonical_id}, the Meta model this most likely is",
        ))
    component = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=f"model/{entry.key}",
        group=hf.group("org") if hf else None,
        name=hf.group("name") if hf else written,
        description=f"{model.label()} (Meta Llama model, {model.runtime})",
        purl=(PackageURL(type="huggingface", namespace=hf.group("org"), name=hf.group("name"))
              if hf else None),
        licenses=_model_licenses(first),
        external_references=references,
        properties=properties,
        evidence=ComponentEvidence(occurrences=_occurrences(entry.findings, result)),
    )
    return component, model_card(model)


def model_card(model: ModelRef) -> dict[str, Any]:
    """What is known about the model from its name: task, architecture, inputs, outputs."""
    vision = "vision" in model.variant
    guard = "guard" in model.variant
    parameters: dict[str, Any] = {
        "task": "text-classification" if guard else
                ("image-text-to-text" if vision else "text-generation"),
        "architectureFamily": "llama",
        "modelArchitecture": " ".join(p for p in (model.family, model.size) if p),
        "inputs": [{"format": "text"}] + ([{"format": "image"}] if vision else []),
        "outputs": [{"format": "text"}],
    }
    card: dict[str, Any] = {"modelParameters": parameters}
    facts = []
    if model.params_b is not None:
        facts.append({"name": f"{PROPERTY_PREFIX}:params-billions", "value": f"{model.params_b:g}"})
    if model.active_params_b is not None:
        facts.append({"name": f"{PROPERTY_PREFIX}:active-params-billions",
                      "value": f"{model.active_params_b:g}"})
    if facts:
        card["properties"] = facts
    return card


def _model_properties(model: ModelRef) -> list[Property]:
    values = [
        ("family", model.family),
        ("variant", model.variant),
        ("size", model.size),
        ("runtime", model.runtime),
        ("provider", model.provider),
        ("canonical-id", model.canonical_id),
        ("derivative", "true" if model.derivative else "false"),
        ("meta-weights", "true" if model.meta_weights else "false"),
    ]
    return [Property(name=f"{PROPERTY_PREFIX}:{name}", value=value)
            for name, value in values if value]


def _replacement_properties(suggestions: Iterable[Suggestion]) -> list[Property]:
    properties = []
    for number, suggestion in enumerate(suggestions, start=1):
        prefix = f"{PROPERTY_PREFIX}:replacement:{number}"
        checks = "; ".join(f"{c.name}={check_mark(c.passed)}" for c in suggestion.checks)
        values = [
            ("hub-id", suggestion.hub_id),
            ("runtime-name", suggestion.runtime_name),
            ("family", suggestion.family),
            ("license", suggestion.license),
            ("reason", suggestion.reason),
            ("checks", checks),
            ("source", suggestion.source),
        ]
        properties += [Property(name=f"{prefix}:{name}", value=value)
                       for name, value in values if value]
    return properties


def _suggestions(findings: Iterable[Finding]) -> list[Suggestion]:
    seen: dict[tuple[str, str], Suggestion] = {}
    for finding in findings:
        for suggestion in finding.suggestions:
            seen.setdefault((suggestion.hub_id, suggestion.runtime_name), suggestion)
    return list(seen.values())


def _model_licenses(finding: Finding) -> list[DisjunctiveLicense]:
    table = license_table()
    found = license_of(finding, table)[0] if table is not None else None
    if found is None:
        return []
    url = next((s for s in found.sources if s.startswith("https://")), None)
    return [DisjunctiveLicense(name=found.name, url=XsUri(url) if url else None)]


def _package_component(entry: _Entry, result: AuditResult) -> Component:
    first = entry.findings[0]
    identity = package_identity(entry.key, entry.findings)
    properties = [
        Property(name=f"{PROPERTY_PREFIX}:rule", value=rule)
        for rule in sorted({f.rule_id for f in entry.findings})
    ]
    properties.append(Property(name=f"{PROPERTY_PREFIX}:effort", value=first.effort.value))
    properties.append(Property(name=f"{PROPERTY_PREFIX}:severity", value=first.severity.value))
    for key in _PACKAGE_DETAILS:
        for value in sorted({v for f in entry.findings if (v := f.detail(key))}):
            name = f"{PROPERTY_PREFIX}:{key.replace('_', '-')}"
            properties.append(Property(name=name, value=value))
    return Component(
        type=ComponentType.LIBRARY,
        bom_ref=(f"pkg/pypi/{entry.key}" if identity.ecosystem == "pypi"
                 else f"pkg/{entry.key}"),
        name=identity.name,
        version=identity.version,
        purl=identity.purl,
        description=first.message,
        properties=properties,
        evidence=ComponentEvidence(occurrences=_occurrences(entry.findings, result)),
    )


def _occurrences(findings: Iterable[Finding], result: AuditResult) -> list[Occurrence]:
    seen = {}
    for finding in findings:
        where = join_root(finding_root(finding, result), finding.path)
        context = f"{finding.rule_id}: {finding.message}"
        if finding.cell is not None:
            context += f" (notebook cell {finding.cell}, line {finding.cell_line})"
        seen[(where, finding.line, finding.rule_id)] = Occurrence(
            location=where, line=finding.line, symbol=finding.identifier,
            additional_context=context,
        )
    return list(seen.values())


def _roots_of(entry: _Entry, result: AuditResult) -> list[str]:
    return sorted({finding_root(f, result) for f in entry.findings})
