"""Text and JSON views of plans and catalogs for the ``suggest`` and ``catalog`` commands.

Pure functions returning strings or plain data; the CLI chooses the stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.enrich.checks import tokens
from auditor.enrich.entries import Catalog, CatalogEntry
from auditor.enrich.query import Query
from auditor.enrich.refresh import Change
from auditor.types import Check, Diagnostic, Suggestion
from auditor.util.json_text import dumps_indented

_MARK = {True: "[ok]  ", False: "[FAIL]", None: "[?]   "}


def suggest_text(query: Query, catalog_source: str, online: bool,
                 diagnostics: Sequence[Diagnostic]) -> str:
    plan = query.plan
    ref = query.ref
    lines = [f"Model:    {ref.label()}  ({_how_named(query)})"]
    if query.lineage is not None:
        lines.append(f"Lineage:  {query.lineage.describe()}")
    if online:
        lines.append(f"Catalog:  {catalog_source}")
    else:
        lines.append(f"Catalog:  {catalog_source} (offline: checks come from the snapshot, "
                     "not the live Hub; add --online to check live)")
    lines.append(f"License:  {plan.license.name}")
    lines.append(f"          obligations: {plan.license.obligations_summary()}")
    if plan.license.eu_multimodal:
        lines.append(f"          EU: {plan.license.eu_text}")
    for name, why in plan.unconfirmed:
        lines.append(f"          unconfirmed in catalog: {name}: {why}")
    if plan.size_class is None:
        lines.append(f"Class:    none: {plan.note}")
        lines.append("")
        lines.append("No replacement plan: give a sized model id (e.g. meta-llama/Llama-3.1-8B-"
                     "Instruct) to get suggestions.")
        return "\n".join(lines + _diagnostic_lines(diagnostics)) + "\n"
    lines.append(f"Class:    {plan.size_class.label}; candidates must fit "
                 f"{plan.size_class.fit_text()}")
    lines.append("")
    lines.append("Replacements:")
    for number, suggestion in enumerate(plan.suggestions, start=1):
        lines.extend(_suggestion_lines(number, suggestion))
    if plan.gaps:
        lines.append("")
        lines.append("No fitting candidate:")
        for gap in plan.gaps:
            lines.append(f"  {gap.family}: {gap.reason}")
    return "\n".join(lines + _diagnostic_lines(diagnostics)) + "\n"


def _how_named(query: Query) -> str:
    ref = query.ref
    parts = [f"runtime {ref.runtime}"]
    if ref.provider and ref.provider != ref.runtime:
        parts.append(f"provider {ref.provider}")
    if ref.canonical_id:
        parts.append(f"Meta repo {ref.canonical_id}")
    if ref.derivative:
        parts.append("derivative")
    return "; ".join(parts)


def _suggestion_lines(number: int, suggestion: Suggestion) -> list[str]:
    failed = sum(1 for c in suggestion.checks if c.passed is False)
    unknown = sum(1 for c in suggestion.checks if c.passed is None)
    if failed == 0 and unknown == 0:
        verdict = "all checks pass"
    else:
        verdict = ", ".join(p for p in (f"{failed} failed" if failed else "",
                                        f"{unknown} not decided" if unknown else "") if p)
    lines = [
        "",
        f"  {number}. {suggestion.family}: {suggestion.hub_id}   ({verdict})",
        f"     use:  {suggestion.runtime_name}",
        f"     why:  {suggestion.reason}",
        f"     checks from {suggestion.source}:",
    ]
    width = max(len(c.name) for c in suggestion.checks) if suggestion.checks else 0
    lines.extend(_check_line(check, width) for check in suggestion.checks)
    return lines


def _check_line(check: Check, width: int) -> str:
    return f"       {_MARK[check.passed]} {check.name:<{width}}  {check.detail}"


def _diagnostic_lines(diagnostics: Sequence[Diagnostic]) -> list[str]:
    if not diagnostics:
        return []
    lines = ["", "Hub diagnostics:"]
    lines.extend(f"  {d.code}: {d.message}" for d in diagnostics)
    return lines


def suggest_dict(query: Query, catalog_date: str, catalog_source: str,
                 diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    plan = query.plan
    license_facts = plan.license
    return {
        "query": query.raw,
        "model": query.ref.to_dict(),
        "lineage": query.lineage.describe() if query.lineage else None,
        "catalog": {"date": catalog_date, "source": catalog_source},
        "license": {
            "name": license_facts.name,
            "id": license_facts.license.id if license_facts.license else None,
            "obligations": [
                {"key": o.key, "short": o.short, "text": o.text}
                for o in (license_facts.license.obligations if license_facts.license else ())
            ],
            "eu_multimodal": license_facts.eu_multimodal,
            "how_known": license_facts.how_known,
            "sources": list(license_facts.license.sources) if license_facts.license else [],
        },
        "size_class": None if plan.size_class is None else {
            "id": plan.size_class.id,
            "label": plan.size_class.label,
            "fit": plan.size_class.fit_text(),
        },
        "unconfirmed": dict(plan.unconfirmed),
        "suggestions": [s.to_dict() for s in plan.suggestions],
        "gaps": [{"family": g.family, "reason": g.reason} for g in plan.gaps],
        "diagnostics": [{"path": d.path, "code": d.code, "message": d.message}
                        for d in diagnostics],
    }


def to_json(data: Any) -> str:
    return dumps_indented(data) + "\n"


def filter_entries(catalog: Catalog, family: str | None) -> list[CatalogEntry]:
    if not family:
        return list(catalog.entries)
    needle = family.casefold()
    return [e for e in catalog.entries
            if needle in e.family.casefold() or needle in e.vendor.casefold()
            or needle == e.kind]


def catalog_text(catalog: Catalog, entries: Sequence[CatalogEntry]) -> str:
    lines = [f"Catalog: {catalog.source}; {len(entries)} of {len(catalog.entries)} entries",
             "Fields marked * are unconfirmed (see 'unconfirmed:'); sources follow each entry.",
             ""]
    for entry in entries:
        lines.extend(_entry_lines(entry))
    return "\n".join(lines[:-1]) + "\n"


def _entry_lines(entry: CatalogEntry) -> list[str]:
    def mark(name: str, text: str) -> str:
        return text + ("*" if entry.unconfirmed_note(name) else "")

    params = "?" if entry.params_b_total is None else f"{entry.params_b_total:g}B"
    if entry.params_b_active is not None and entry.params_b_active != entry.params_b_total:
        params += f"/{entry.params_b_active:g}B active"
    context = tokens(entry.context_length) if entry.context_length else "?"
    gated = {True: "gated", False: "not gated", None: "gated?"}[entry.gated]
    exists = "" if entry.exists is not False else "  NOT ON HUB"
    head = (f"{entry.hub_id}  [{entry.family}, {entry.kind}, {entry.variant}]{exists}")
    facts = [
        mark("params_b_total", params),
        mark("context_length", context),
        mark("input_modalities", "+".join(entry.input_modalities) or "?"),
        mark("license", entry.license_label or "license?"),
        mark("gated", gated),
        mark("release_date", f"released {entry.release_date or '?'}"),
    ]
    lines = [head, "    " + " | ".join(facts)]
    naming = []
    if entry.ollama_tag:
        naming.append(mark("ollama_tag", f"ollama {entry.ollama_tag}"))
    if entry.gguf_repos:
        naming.append(mark("gguf_repos", "gguf " + ", ".join(entry.gguf_repos)))
    if entry.mlx_repos:
        naming.append(mark("mlx_repos", "mlx " + ", ".join(entry.mlx_repos)))
    for provider, model_id in entry.hosted:
        naming.append(mark("hosted", f"{provider} {model_id}"))
    if naming:
        lines.append("    " + " | ".join(naming))
    for name, why in entry.unconfirmed:
        lines.append(f"    unconfirmed: {name}: {why}")
    lines.append(f"    metadata: {entry.metadata_source}")
    for source in entry.sources:
        lines.append(f"    source: {source}")
    lines.append("")
    return lines


def catalog_dict(catalog: Catalog, entries: Sequence[CatalogEntry]) -> dict[str, Any]:
    return {
        "snapshot_date": catalog.snapshot_date,
        "source": catalog.source,
        "entries": [e.to_dict() for e in entries],
    }


def verify_text(catalog_source: str, live_source: str, checked: int,
                changes: Sequence[Change], diagnostics: Sequence[Diagnostic]) -> str:
    lines = [f"Verified {checked} catalog entries of {catalog_source}",
             f"against {live_source}", ""]
    groups = (
        ("changed", "Changed on the Hub", "No fact changed on the Hub."),
        ("filled", "Not known before, now read from the Hub", ""),
        ("confirmed", "Unconfirmed facts now confirmed by the Hub", ""),
    )
    for kind, title, empty in groups:
        selected = [c for c in changes if c.kind == kind]
        if selected:
            lines.append(f"{title} ({len(selected)}):")
            lines.extend(f"  {c.describe()}" for c in selected)
            lines.append("")
        elif empty:
            lines.extend([empty, ""])
    return "\n".join(lines[:-1] + _diagnostic_lines(diagnostics)) + "\n"
