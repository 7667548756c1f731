"""The plan file: one decision per model reference, as TOML or JSON a person can edit.

``decisions_for`` collects the decisions of enriched findings (one per identifier and runtime,
with every place it is written); ``dump_plan`` writes them, ``load_plan`` reads them back
(``fix --plan``, ``report --plan``). The format is documented in docs/replacements.md.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import tomlkit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from auditor.enrich.decision import Decision, decide
from auditor.errors import CatalogError
from auditor.types import Finding, Suggestion
from auditor.util.json_text import dumps_indented

PLAN_FORMAT = "llama-audit-plan"
PLAN_VERSION = 1
_HEADER = ("llama-audit plan: one decision per model reference. Edit 'replacement' (write it "
           "as the code should say it; \"\" leaves the reference alone) and run "
           "'llama-audit fix --plan FILE'. Fields other than identifier, runtime and "
           "replacement are for the reader.")


class PlanFileError(CatalogError):
    """An unreadable or malformed plan file."""


@dataclass(frozen=True, slots=True)
class PlannedReference:
    decision: Decision
    locations: tuple[str, ...]
    """``path:line:column`` of every finding with this identifier and runtime."""


@dataclass(frozen=True, slots=True)
class PlanFile:
    references: tuple[PlannedReference, ...]
    catalog: str = ""
    prefer: str | None = None

    def lookup(self, identifier: str, runtime: str, task: str = "") -> Decision | None:
        """The decision for a reference used for ``task``; a row without a task answers
        for every task (a plan written before tasks were recorded, or edited by hand)."""
        key = (identifier.casefold(), runtime)
        found = None
        for ref in self.references:
            if (ref.decision.identifier.casefold(), ref.decision.runtime) == key:
                if ref.decision.task == task:
                    return ref.decision
                if not ref.decision.task and found is None:
                    found = ref.decision
        return found


def plan_key(finding: Finding) -> tuple[str, str, str] | None:
    """identifier (case-folded), runtime and task: one decision each."""
    if finding.model is None or not finding.identifier:
        return None
    return finding.identifier.casefold(), finding.model.runtime, finding.detail("task") or ""


def decisions_for(findings: Sequence[Finding], prefixes: Sequence[str], prefer: str | None,
                  family_of: Mapping[str, str], catalog: str = "") -> PlanFile:
    """The plan of enriched findings, in the findings' order."""
    order: list[tuple[str, str, str]] = []
    decisions: dict[tuple[str, str, str], Decision] = {}
    where: dict[tuple[str, str, str], list[str]] = {}
    for finding in findings:
        key = plan_key(finding)
        if key is None:
            continue
        decision = decide(finding, prefixes, prefer, family_of)
        if decision is None:
            continue
        if key not in decisions:
            order.append(key)
            decisions[key] = decision
            where[key] = []
        where[key].append(f"{finding.path}:{finding.line}:{finding.column}")
    return PlanFile(tuple(PlannedReference(decisions[k], tuple(where[k])) for k in order),
                    catalog, prefer)


def _as_dict(ref: PlannedReference) -> dict[str, Any]:
    d = ref.decision
    row: dict[str, Any] = {
        "identifier": d.identifier,
        "runtime": d.runtime,
        **({"task": d.task} if d.task else {}),
        "model": d.model,
        "replacement": d.replacement or "",
        "hub_id": d.hub_id or "",
        "family": d.family or "",
        "why": d.why,
        "checks": [f"{c.name}: {_mark(c.passed)} {c.detail}" for c in d.checks],
    }
    if d.warnings:
        row["warnings"] = list(d.warnings)
    if d.steps:
        row["steps"] = list(d.steps)
    row["locations"] = list(ref.locations)
    return row


def dump_plan(plan: PlanFile, fmt: str) -> str:
    """The plan as ``toml`` or ``json`` text."""
    head: dict[str, Any] = {"format": PLAN_FORMAT, "format_version": PLAN_VERSION,
                            "catalog": plan.catalog}
    if plan.prefer:
        head["prefer"] = plan.prefer
    rows = [_as_dict(ref) for ref in plan.references]
    if fmt == "json":
        return dumps_indented({"_comment": _HEADER, **head, "decision": rows}) + "\n"
    doc = tomlkit.document()
    doc.add(tomlkit.comment(_HEADER))
    for key, value in head.items():
        doc.add(key, value)
    table = tomlkit.aot()
    for row in rows:
        table.append(tomlkit.item(row))
    doc.add("decision", table)
    text = tomlkit.dumps(doc)
    return text if text.endswith("\n") else text + "\n"


def load_plan(text: str, name: str) -> PlanFile:
    """Parse a plan file (TOML, or JSON when it starts with ``{``). Raises PlanFileError."""
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlanFileError(f"{name}: not a plan file ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"{name}: not a plan file (format must be {PLAN_FORMAT!r}; write "
                            "one with 'llama-audit plan PATHS -o plan.toml')")
    if data.get("format_version") != PLAN_VERSION:
        raise PlanFileError(f"{name}: format_version {data.get('format_version')!r} is not "
                            f"{PLAN_VERSION}")
    rows = data.get("decision", [])
    if not isinstance(rows, list):
        raise PlanFileError(f"{name}: 'decision' must be a list of tables")
    refs = []
    seen: set[tuple[str, str, str]] = set()
    for number, row in enumerate(rows, start=1):
        refs.append(_row(row, f"{name}: decision {number}", seen))
    prefer = data.get("prefer")
    return PlanFile(tuple(refs), str(data.get("catalog", "")),
                    prefer if isinstance(prefer, str) else None)


def _row(row: Any, where: str, seen: set[tuple[str, str, str]]) -> PlannedReference:
    if not isinstance(row, dict):
        raise PlanFileError(f"{where} must be a table")
    for field in ("identifier", "runtime", "replacement"):
        if not isinstance(row.get(field), str):
            raise PlanFileError(f"{where}: {field!r} must be a string")
    identifier, runtime = row["identifier"].strip(), row["runtime"].strip()
    if not identifier:
        raise PlanFileError(f"{where}: 'identifier' is empty")
    task = row.get("task", "")
    if not isinstance(task, str):
        raise PlanFileError(f"{where}: 'task' must be a string")
    key = (identifier.casefold(), runtime, task.strip())
    if key in seen:
        used = f", used for {task}" if task else ""
        raise PlanFileError(f"{where}: {identifier!r} ({runtime}{used}) is decided twice")
    seen.add(key)
    replacement = row["replacement"].strip()
    if any(c.isspace() for c in replacement) or any(c in replacement for c in "\"'`\\"):
        raise PlanFileError(f"{where}: the replacement {replacement!r} must not contain "
                            "spaces, quotes or backslashes")
    why = str(row["why"]) if isinstance(row.get("why"), str) else ""
    hub_id = str(row["hub_id"]) if isinstance(row.get("hub_id"), str) else ""
    if not replacement:
        # computed without a replacement: its reason; cleared by a person: theirs to explain
        why = f"the plan leaves it alone: {why}" if why and not hub_id else (
            "the plan leaves it alone")
    decision = Decision(identifier=identifier, runtime=runtime,
                        model=str(row.get("model", "")), replacement=replacement or None,
                        hub_id=hub_id or None, family=str(row.get("family", "")) or None,
                        why=why, task=task.strip())
    locations = row.get("locations", [])
    return PlannedReference(decision, tuple(str(x) for x in locations)
                            if isinstance(locations, list) else ())


def apply_to_findings(findings: Sequence[Finding], plan: PlanFile,
                      name: str) -> tuple[Finding, ...]:
    """Findings as ``report --plan`` shows them: the plan's replacement first among each
    finding's suggestions (an edited one the catalog did not suggest is added, unchecked);
    a reference the plan leaves alone keeps no suggestion and says why in its details."""
    out = []
    for finding in findings:
        key = plan_key(finding)
        decision = plan.lookup(*key) if key is not None else None
        if decision is None:
            out.append(finding)
            continue
        if decision.replacement is None:
            out.append(replace(finding, suggestions=(), details=(
                *finding.details, ("plan", f"left alone in {name}: {decision.why}"))))
            continue
        chosen = next((s for s in finding.suggestions if s.hub_id == decision.hub_id
                       and decision.replacement.endswith(s.runtime_name)), None)
        if chosen is None:
            chosen = Suggestion(hub_id=decision.replacement, family="edited plan",
                                runtime_name=decision.replacement,
                                reason=f"chosen in the plan {name} (not checked)")
        rest = tuple(s for s in finding.suggestions if s is not chosen)
        out.append(replace(finding, suggestions=(chosen, *rest), details=(
            *finding.details, ("plan", f"{decision.replacement} per {name}"))))
    return tuple(out)


def _mark(passed: bool | None) -> str:
    return {True: "[ok]", False: "[x]", None: "[?]"}[passed]


__all__ = ["PLAN_FORMAT", "PlanFile", "PlanFileError", "PlannedReference", "apply_to_findings",
           "decisions_for", "dump_plan", "load_plan", "plan_key"]
