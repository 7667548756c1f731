"""Choosing replacements: ``--model OLD=NEW`` overrides first, then the catalog's suggestions.

A chooser answers one question per finding: what text replaces its Llama identifier, in the
same naming scheme (Hugging Face id for a Hugging Face id, Ollama tag for an Ollama tag...),
or why nothing can. Overrides need no catalog at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from auditor.enrich.decision import (
    Decision,
    decide,
    fine_tune_reason,
    routing_prefixes,
    summarise_problems,
)
from auditor.enrich.plan_file import PlanFile
from auditor.fix.model import Action, Choice, Chosen, NotChosen, Outcome, ReplacementChooser
from auditor.identify.models import identify
from auditor.ruleset.load import RuleSet
from auditor.types import Finding

FAMILIES = ("gemma", "qwen", "mistral")
_HUB_RUNTIMES = frozenset({"huggingface", "model-name", "vllm", "sagemaker", "openai-compatible"})


def parse_overrides(pairs: Sequence[str], ruleset: RuleSet) -> dict[str, str]:
    """``OLD=NEW`` strings to a table (OLD as written). Raises ValueError on bad input."""
    table: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new:
            raise ValueError(f"--model {pair!r}: write OLD=NEW, e.g. "
                             "meta-llama/Llama-3.1-8B-Instruct=Qwen/Qwen3.5-9B")
        ref = identify(new, ruleset)
        if ref is not None and ref.meta_weights:
            raise ValueError(f"--model {pair!r}: the replacement {new!r} is itself a Llama "
                             f"model ({ref.label()})")
        if any(c.isspace() for c in new) or any(c in new for c in "\"'`\\"):
            raise ValueError(f"--model {pair!r}: the replacement must not contain spaces, "
                             "quotes or backslashes")
        same = next((k for k in table if k.casefold() == old.casefold()), None)
        if same is not None and table[same] != new:
            raise ValueError(f"--model: {old!r} is given two replacements "
                             f"({table[same]!r} and {new!r})")
        table.setdefault(same or old, new)
    return table


class OverrideChooser:
    """Exact identifier matches (case-insensitive) from ``--model OLD=NEW``."""

    def __init__(self, overrides: Mapping[str, str]) -> None:
        self._table = {old.casefold(): new for old, new in overrides.items()}
        self._spelling = {old.casefold(): old for old in overrides}

    def __bool__(self) -> bool:
        return bool(self._table)

    def covers(self, finding: Finding) -> bool:
        return finding.identifier is not None and finding.identifier.casefold() in self._table

    def choose(self, finding: Finding) -> Choice:
        if not self.covers(finding):
            return NotChosen("no --model override names it")
        assert finding.identifier is not None
        new = self._table[finding.identifier.casefold()]
        runtime = finding.model.runtime if finding.model is not None else ""
        hub_id = new if runtime in _HUB_RUNTIMES and "/" in new else None
        return Chosen(text=new, hub_id=hub_id, origin="--model")

    def unused(self, findings: Iterable[Finding]) -> list[str]:
        """Overrides that matched no finding identifier (probably a typo)."""
        seen = {f.identifier.casefold() for f in findings if f.identifier}
        return sorted(self._spelling[old] for old in self._table if old not in seen)

    def not_applied(self, outcomes: Iterable[Outcome]) -> list[str]:
        """Overrides whose identifier some finding names but none that ``fix`` rewrote (a
        training config's base model is retrained, a label kept): said, not silently dropped."""
        named: set[str] = set()
        rewritten: set[str] = set()
        for outcome in outcomes:
            identifier = (outcome.finding.identifier or "").casefold()
            if identifier in self._table:
                named.add(identifier)
                if outcome.action is Action.REWRITTEN:
                    rewritten.add(identifier)
        return sorted(self._spelling[old] for old in named - rewritten)


class CatalogChooser:
    """Writes the plan's decision (``auditor.enrich.decision.decide``) for each finding.

    The findings must be enriched with the same ``prefer`` the plan used: the planner puts the
    decision first among a finding's suggestions, and ``decide`` names it for the identifier
    as written, exactly as ``llama-audit plan`` and the reports do.
    """

    def __init__(self, prefixes: Sequence[str], family_of: Mapping[str, str],
                 prefer: str | None = None) -> None:
        self.prefixes = tuple(prefixes)
        self.family_of = {k.lower(): v for k, v in family_of.items()}
        self.prefer = prefer

    def choose(self, finding: Finding) -> Choice:
        decision = decide(finding, self.prefixes, self.prefer, self.family_of)
        if decision is None:
            return NotChosen("no Llama model was identified in it")
        return from_decision(decision)


def from_decision(decision: Decision, origin: str = "catalog") -> Choice:
    """A plan decision as fix's choice: its replacement, or why nothing is swapped."""
    if decision.replacement is None:
        return NotChosen(decision.why)
    return Chosen(text=decision.replacement, hub_id=decision.hub_id, origin=origin,
                  warnings=decision.warnings, steps=decision.steps)


class PlanChooser:
    """The decisions of a plan file (``fix --plan FILE``); ``--model`` overrides still win."""

    def __init__(self, plan: PlanFile, name: str, overrides: OverrideChooser) -> None:
        self.plan = plan
        self.name = name
        self.overrides = overrides

    def choose(self, finding: Finding) -> Choice:
        if self.overrides.covers(finding):
            return self.overrides.choose(finding)
        if finding.model is None or not finding.identifier:
            return NotChosen("no Llama model was identified in it")
        decision = self.plan.lookup(finding.identifier, finding.model.runtime,
                                    finding.detail("task") or "")
        if decision is None:
            return NotChosen(f"{self.name} has no decision for '{finding.identifier}' "
                             f"({finding.model.runtime}): run 'llama-audit plan' again")
        return from_decision(decision, origin=f"plan {self.name}")


class ChainChooser:
    """Overrides first; derivatives that are fine-tunes are never swapped by the catalog."""

    def __init__(self, overrides: OverrideChooser, fallback: ReplacementChooser | None) -> None:
        self.overrides = overrides
        self.fallback = fallback

    def choose(self, finding: Finding) -> Choice:
        if self.overrides.covers(finding):
            return self.overrides.choose(finding)
        reason = fine_tune_reason(finding)
        if reason is not None:
            return NotChosen(reason)
        if self.fallback is None:
            return NotChosen("no --model override names it and the catalog is not in use")
        return self.fallback.choose(finding)


def policy_families(ruleset: RuleSet) -> dict[str, str]:
    """Hub id (lower-case) -> policy family (gemma/qwen/mistral), from the replacement policy."""
    out: dict[str, str] = {}
    for table in ruleset.section_list("replacement_class"):
        for candidate in table.get("candidate", []):
            if not isinstance(candidate, Mapping):
                continue
            family = str(candidate.get("family", ""))
            for key in ("id", "base"):
                hub_id = candidate.get(key)
                if isinstance(hub_id, str):
                    out.setdefault(hub_id.lower(), family)
    return out


__all__ = ["FAMILIES", "CatalogChooser", "ChainChooser", "OverrideChooser", "PlanChooser",
           "fine_tune_reason",
           "from_decision", "parse_overrides", "policy_families", "routing_prefixes",
           "summarise_problems"]
