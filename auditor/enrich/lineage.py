"""Lineage: is a repository derived from a Llama model?

Offline, the catalog's known derivatives and the name patterns of ``identify`` answer. Online,
the Hub card's ``base_model`` (and ``base_model_relation``: finetune, adapter, quantized,
merge) is followed up to a depth limit until a Llama model is reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from auditor.enrich.entries import Catalog
from auditor.enrich.hub_records import HubRecord, HubService
from auditor.identify.models import identify
from auditor.ruleset.load import RuleSet
from auditor.types import ModelRef

DEFAULT_MAX_DEPTH = 5
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def looks_like_repo_id(text: str) -> bool:
    return bool(_REPO_ID.match(text.strip())) and not text.strip().startswith(("./", "../"))


@dataclass(frozen=True, slots=True)
class LineageStep:
    repo_id: str
    relation: str | None
    """How the previous repository relates to this one (finetune, quantized...)."""


@dataclass(frozen=True, slots=True)
class Lineage:
    start: str
    steps: tuple[LineageStep, ...]
    llama_base: str | None
    """The Llama repository reached, or None."""
    how: str
    """``catalog``, ``name pattern`` or ``live Hub cards``."""
    note: str = ""

    def describe(self) -> str:
        chain = self.start
        for step in self.steps:
            chain += f" → {step.repo_id}" + (f" ({step.relation})" if step.relation else "")
        verdict = "Llama-derived" if self.llama_base else "no Llama base found"
        text = f"{chain}: {verdict} ({self.how})"
        return text + (f"; {self.note}" if self.note else "")


def trace_offline(repo_id: str, catalog: Catalog, ruleset: RuleSet) -> Lineage | None:
    """The catalog's known derivatives first, then ``identify``'s name patterns."""
    known = catalog.derivative(repo_id)
    if known is not None:
        note = "; ".join(f"{k}: {v}" for k, v in known.unconfirmed)
        return Lineage(repo_id, (LineageStep(known.base_model, known.relation),),
                       known.base_model, "catalog", f"unconfirmed {note}" if note else "")
    ref = identify(repo_id, ruleset)
    if ref is not None and ref.derivative and ref.meta_weights and ref.canonical_id:
        return Lineage(repo_id, (LineageStep(ref.canonical_id, None),), ref.canonical_id,
                       "name pattern", "the name says which Llama model it builds on; "
                       "use --online to confirm from the Hub card")
    return None


def trace_online(repo_id: str, catalog: Catalog, hub: HubService, ruleset: RuleSet,
                 max_depth: int = DEFAULT_MAX_DEPTH) -> Lineage:
    """Follow ``cardData.base_model`` on the live Hub until a Llama model or a dead end."""
    steps: list[LineageStep] = []
    seen = {repo_id.lower()}
    current = repo_id
    for _ in range(max_depth):
        answer = hub.lookup(current)
        if not isinstance(answer, HubRecord):
            return Lineage(repo_id, tuple(steps), None, "live Hub cards",
                           f"stopped at {current}: {answer.message}")
        if not answer.base_models:
            return Lineage(repo_id, tuple(steps), None, "live Hub cards",
                           f"{current} names no base_model")
        parent = _pick_parent(answer.base_models, catalog, ruleset)
        steps.append(LineageStep(parent, answer.base_model_relation))
        if _is_llama(parent, catalog, ruleset):
            return Lineage(repo_id, tuple(steps), parent, "live Hub cards")
        if parent.lower() in seen:
            return Lineage(repo_id, tuple(steps), None, "live Hub cards",
                           f"base_model cycle at {parent}")
        seen.add(parent.lower())
        current = parent
    return Lineage(repo_id, tuple(steps), None, "live Hub cards",
                   f"stopped after {max_depth} base_model steps")


def derived_ref(lineage: Lineage, raw: str, catalog: Catalog,
                ruleset: RuleSet) -> ModelRef | None:
    """The ModelRef of a repository that lineage shows is a Llama derivative."""
    if lineage.llama_base is None:
        return None
    base = identify(lineage.llama_base, ruleset)
    if base is None:
        return None
    runtime = "gguf" if "gguf" in raw.lower() else "mlx" if raw.lower().startswith(
        "mlx-community/") else "huggingface"
    entry = catalog.get(lineage.llama_base)
    if entry is not None and entry.kind == "llama":
        # the catalog knows the base exactly; the name alone can mislead (variant, provider)
        base = replace(base, variant=entry.variant, params_b=entry.params_b_total,
                       active_params_b=entry.params_b_active)
    return replace(base, derivative=True, runtime=runtime, canonical_id=lineage.llama_base,
                   provider=None)


def _pick_parent(bases: tuple[str, ...], catalog: Catalog, ruleset: RuleSet) -> str:
    """Merges list several bases: follow a Llama one when there is one."""
    for base in bases:
        if _is_llama(base, catalog, ruleset):
            return base
    return bases[0]


def _is_llama(repo_id: str, catalog: Catalog, ruleset: RuleSet) -> bool:
    entry = catalog.get(repo_id)
    if entry is not None:
        return entry.kind == "llama"
    ref = identify(repo_id, ruleset)
    return ref is not None and ref.meta_weights and not ref.derivative
