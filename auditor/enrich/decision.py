"""The one decision per model reference that every output and ``fix`` use.

``decide`` turns an enriched finding into a ``Decision``: the replacement written in the
finding's own runtime format (Hugging Face id, Ollama tag, GGUF repo or file, MLX repo, a
hosted provider's id, with any LiteLLM route prefix kept), why, and the checks; or no
replacement and why. The planner already orders a finding's suggestions so that the decision
is the first one; ``decide`` only names it for the identifier as written. ``scan``'s reports,
``llama-audit plan`` and ``fix`` all call it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from auditor.enrich.naming import Shaped, shape
from auditor.enrich.plan import runtime_usable
from auditor.ruleset.load import RuleSet
from auditor.types import Check, Effort, Finding, Suggestion

_QUANTISED_RELATIONS = ("quantized", "quantised", "re-upload", "reupload")


@dataclass(frozen=True, slots=True)
class Decision:
    identifier: str
    runtime: str
    model: str
    """The Llama model's label (``Llama 3.1 8B instruct``)."""
    replacement: str | None
    """What to write where the identifier is written; None: nothing is swapped."""
    hub_id: str | None
    family: str | None
    why: str
    checks: tuple[Check, ...] = ()
    warnings: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    task: str = ""
    """What the model is used for (the finding's ``task`` detail: fim, tools, vision, guard,
    embeddings, joined by ``+``); "" for plain chat or completion. Part of the plan's key."""


def routing_prefixes(ruleset: RuleSet) -> tuple[str, ...]:
    """LiteLLM-style ``provider/`` prefixes from the identify tables, lower-cased."""
    table = ruleset.section_table("identify").get("litellm_prefixes", {})
    if not isinstance(table, Mapping):
        return ()
    return tuple(f"{str(name).lower()}/" for name in table)


def decide(finding: Finding, prefixes: Sequence[str], prefer: str | None = None,
           family_of: Mapping[str, str] | None = None) -> Decision | None:
    """The decision for one enriched finding; None when it names no Llama model."""
    model = finding.model
    if model is None or not finding.identifier or not model.meta_weights:
        return None
    task_ids = finding.detail("task") or ""
    base = Decision(identifier=finding.identifier, runtime=model.runtime, model=model.label(),
                    replacement=None, hub_id=None, family=None, why="", task=task_ids)
    role = finding.detail("role")  # set when where the string sits decided it
    if role is not None and role != "model-reference":
        return _none(base, f"it is a {role}, not a model reference: nothing is swapped")
    reason = fine_tune_reason(finding)
    if reason is not None:
        return _none(base, reason)
    if not finding.suggestions:
        why = finding.detail("replacement_class") or "no replacement class fits it"
        return _none(base, f"the catalog has no replacement for {model.label()} "
                     f"({why.removeprefix('none: ')})")
    first = finding.suggestions[0]
    runtime = _check(first, "runtime_format")
    if runtime is None or not runtime_usable(first):
        problems = [(s.hub_id, _runtime_problem(s, model.runtime)) for s in finding.suggestions
                    if not runtime_usable(s)]
        return _none(base, summarise_problems(problems), first)
    shaped = shape(finding.identifier, model, first.runtime_name, prefixes)
    if not isinstance(shaped, Shaped):
        return _none(base, f"{first.hub_id}: {shaped.reason}", first)
    task = _check(first, "task")
    if task is not None and task.passed is False:
        return _none(base, f"no candidate in the catalog is known to do the job {model.label()} "
                     f"does here ({task.detail})", first)
    warnings: list[str] = []
    if task is not None and (task.passed is None or "guard" in task_ids.split("+")):
        warnings.append(f"{first.hub_id}: {task.detail}")
    family = (family_of or {}).get(first.hub_id.lower())
    if prefer is not None and family is not None and family != prefer:
        warnings.append(f"no usable {prefer} replacement for {model.label()}; "
                        f"used {first.family}")
    if runtime.passed is not True:
        warnings.append(f"the {model.runtime} name {first.runtime_name} is not confirmed "
                        f"({runtime.detail}): check it exists before merging")
    warnings.extend(f"{first.hub_id} failed its {c.name} check: {c.detail}"
                    for c in first.checks if c.passed is False)
    return Decision(identifier=finding.identifier, runtime=model.runtime, model=model.label(),
                    replacement=shaped.text, hub_id=first.hub_id, family=first.family,
                    why=first.reason, checks=first.checks, warnings=tuple(warnings),
                    steps=shaped.steps, task=task_ids)


def fine_tune_reason(finding: Finding) -> str | None:
    """Why a derivative must not get the catalog's base-model replacement, or None.

    Quantisations and re-uploads (GGUF, MLX, catalog lineage ``quantized``) swap like the
    original; a fine-tune would lose what it was tuned for.
    """
    model = finding.model
    if model is None or not model.derivative or model.runtime in ("gguf", "mlx"):
        return None
    lineage = (finding.detail("lineage") or "").lower()
    if any(word in lineage for word in _QUANTISED_RELATIONS):
        return None
    return (f"it is a derivative of {model.label().removesuffix(' (derivative)')} (a fine-tune "
            "or merge): pick its replacement yourself and pass --model OLD=NEW")


def summarise_problems(problems: Sequence[tuple[str, str]]) -> str:
    """One sentence per kind of problem: details that differ only in the Hub id are merged
    ("... for a, b or c")."""
    groups: dict[str, list[str]] = {}
    for hub_id, detail in problems:
        template = detail.replace(hub_id, "\0") if hub_id in detail else detail
        groups.setdefault(template, []).append(hub_id)
    parts = []
    for template, ids in groups.items():
        unique = list(dict.fromkeys(ids))
        joined = unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]
        parts.append(template.replace("\0", joined))
    return "; ".join(parts)


def _none(base: Decision, why: str, first: Suggestion | None = None) -> Decision:
    return Decision(identifier=base.identifier, runtime=base.runtime, model=base.model,
                    replacement=None, hub_id=None, family=None, why=why,
                    checks=first.checks if first is not None else (), task=base.task)


def _runtime_problem(suggestion: Suggestion, runtime: str) -> str:
    check = _check(suggestion, "runtime_format")
    if check is None:
        return f"{suggestion.hub_id} has no name for {runtime}"
    return check.detail


def _check(suggestion: Suggestion, name: str) -> Check | None:
    return next((c for c in suggestion.checks if c.name == name), None)


def truthful_effort(finding: Finding, prefixes: Sequence[str]) -> Finding:
    """"swap" only where ``fix`` can swap: a model reference the plan leaves (the provider's
    own list has no id for the replacement, no candidate fits) is "adapt", with the plan's
    reason as what a person must decide."""
    if finding.effort is not Effort.SWAP:
        return finding
    decision = decide(finding, prefixes)
    if decision is None or decision.replacement is not None:
        return finding
    details = finding.details
    if finding.detail("decide") is None:
        details = (*details, ("decide", decision.why))
    return replace(finding, effort=Effort.ADAPT, details=details)
