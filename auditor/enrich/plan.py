"""The replacement plan for one Llama model: size class, license facts, checked suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.details import Details
from auditor.enrich.candidates import Candidate, ReplacementPolicy, SizeClass
from auditor.enrich.checks import (
    Original,
    confirmed_only,
    context_check,
    exists_check,
    gated_check,
    license_check,
    modalities_check,
    parameters_check,
    runtime_check,
    tokens,
)
from auditor.enrich.facts import Fact, FactsResolver, ModelFacts
from auditor.enrich.licenses import LicenseFacts, LicenseTable, license_delta
from auditor.enrich.tasks import TaskTable
from auditor.types import Check, ModelRef, Suggestion

_BASE_VARIANTS = ("base", "vision-base", "code", "code-python")
_IMAGE_VARIANTS = ("vision-base", "vision-instruct", "guard-vision")


@dataclass(frozen=True, slots=True)
class Gap:
    family: str
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    ref: ModelRef
    original: Original
    size_class: SizeClass | None
    license: LicenseFacts
    suggestions: tuple[Suggestion, ...]
    gaps: tuple[Gap, ...]
    unconfirmed: tuple[tuple[str, str], ...]
    """Facts about the Llama model itself that the catalog marks unconfirmed."""
    note: str = ""

    def details(self) -> Details:
        """Compact per-finding facts: license, obligations, class, gaps, unconfirmed marks."""
        pairs = list(self.license.details())
        if self.size_class is not None:
            pairs.append(("replacement_class", self.size_class.label))
        elif self.note:
            pairs.append(("replacement_class", f"none: {self.note}"))
        if self.gaps:
            pairs.append(("replacement_gaps",
                          "; ".join(f"{g.family}: {g.reason}" for g in self.gaps)))
        if self.unconfirmed:
            pairs.append(("catalog_unconfirmed",
                          "; ".join(f"{name}: {why}" for name, why in self.unconfirmed)))
        return tuple(pairs)


class Planner:
    """Computes one plan per unique ``ModelRef`` (plans are cached by reference)."""

    def __init__(self, resolver: FactsResolver, policy: ReplacementPolicy,
                 licenses: LicenseTable, license_allow: Sequence[str],
                 prefer: str | None = None, tasks: TaskTable | None = None) -> None:
        if prefer is not None and prefer not in policy.families:
            raise ValueError(f"--prefer must be one of {', '.join(policy.families)}, "
                             f"not {prefer!r}")
        self.resolver = resolver
        self.policy = policy
        self.licenses = licenses
        self.allow = tuple(license_allow)
        self.prefer = prefer
        self.tasks = tasks
        self._plans: dict[tuple[ModelRef, tuple[str, ...]], Plan] = {}

    def plan(self, ref: ModelRef, tasks: tuple[str, ...] = ()) -> Plan:
        """The plan for ``ref`` used for ``tasks`` (``rules/tasks.toml`` ids): with tasks,
        each family offers first the candidates a fact says can do them, and every
        suggestion carries a ``task`` check."""
        key = (ref, tasks if self.tasks is not None else ())
        if key not in self._plans:
            self._plans[key] = self._plan(ref, key[1])
        return self._plans[key]

    def _plan(self, ref: ModelRef, tasks: tuple[str, ...]) -> Plan:
        original_facts = (self.resolver.facts(ref.canonical_id)
                          if ref.canonical_id and self.resolver.entry(ref.canonical_id)
                          else None)
        entry = original_facts.entry if original_facts is not None else None
        original = _original(ref, original_facts, self.resolver.snapshot_label)
        license_facts = self.licenses.for_model(ref, entry)
        unconfirmed = entry.unconfirmed if entry is not None else ()
        size_class = self.policy.class_for(ref, original.input_modalities)
        if size_class is None:
            why = ("the identifier does not say the model size" if ref.params_b is None
                   else f"no replacement class covers {ref.label()}")
            return Plan(ref, original, None, license_facts, (), (), unconfirmed, note=why)
        suggestions: list[Suggestion] = []
        gaps: list[Gap] = []
        for family in self.policy.ordered_families(self.prefer):
            label = self.policy.label(family)
            candidates = [c for c in size_class.candidates if c.family == family]
            if tasks and self.tasks is not None:
                table = self.tasks
                candidates.sort(key=lambda c: table.rank(_offered_id(ref, c), tasks))
            if not candidates:
                gaps.append(Gap(label, size_class.gap(family) or "no candidate in the policy"))
                continue
            for offered, candidate in enumerate(candidates, start=1):
                suggestion = self._suggest(ref, original, size_class, candidate, license_facts,
                                           tasks)
                suggestions.append(suggestion)
                # a candidate the runtime cannot name (no provider id, no Ollama tag) does not
                # end the family's list: the next one may be served there
                if (not any(check.passed is False for check in suggestion.checks)
                        and runtime_usable(suggestion)):
                    break
                if offered >= self.policy.max_per_family:
                    break
        # The plan's decision comes first: a candidate the finding's runtime can name, then
        # (with --prefer/--to) the preferred family, then the one that can do the job and
        # passes most checks; a stable sort keeps the policy's family order among equals.
        families = {c.hub_id: c.family for c in size_class.candidates}
        families.update({c.base_id: c.family for c in size_class.candidates if c.base_id})
        suggestions.sort(key=lambda s: _rank(s, families.get(s.hub_id), self.prefer))
        return Plan(ref, original, size_class, license_facts, tuple(suggestions), tuple(gaps),
                    unconfirmed)

    def _suggest(self, ref: ModelRef, original: Original, size_class: SizeClass,
                 candidate: Candidate, license_facts: LicenseFacts,
                 tasks: tuple[str, ...] = ()) -> Suggestion:
        hub_id = _offered_id(ref, candidate)
        facts = self.resolver.facts(hub_id)
        source = facts.source
        runtime_name, runtime = runtime_check(facts, facts.hub_id,
                                              self.policy.naming_for(ref.runtime), original,
                                              source)
        checks: tuple[Check, ...] = tuple(confirmed_only(c) for c in (
            exists_check(facts, source),
            license_check(facts, self.allow, self.licenses, source),
            gated_check(facts, source),
            parameters_check(facts, size_class, source),
            context_check(facts, original, source),
            modalities_check(facts, original, source),
            runtime,
        ))
        if tasks and self.tasks is not None:
            checks += (self.tasks.check(tasks, facts.hub_id, facts.entry, ref.family),)
        known = self.licenses.model_license(facts.license.value)
        delta = license_delta(license_facts, facts.license.value, known)
        return Suggestion(
            hub_id=facts.hub_id,
            family=facts.entry.family if facts.entry is not None else self.policy.label(
                candidate.family),
            runtime_name=runtime_name,
            reason=f"{_describe(facts)}: {size_class.why}. License: {delta}.",
            checks=checks,
            source=source,
            license=facts.license.value,
        )


_DISQUALIFYING = frozenset({"exists", "modalities", "task"})
"""Failed checks that mean the candidate cannot do the job at all (gone from the Hub, cannot
read the inputs the original reads, cannot do the task it is used for); others (license,
gating, size, context, runtime naming) are costs of the move."""


def _rank(suggestion: Suggestion, family: str | None,
          prefer: str | None) -> tuple[int, int, int, int, int]:
    failed = [check.name for check in suggestion.checks if check.passed is False]
    task = next((c for c in suggestion.checks if c.name == "task"), None)
    return (0 if runtime_usable(suggestion) else 1,
            0 if prefer is None or family == prefer else 1,
            sum(1 for name in failed if name in _DISQUALIFYING),
            0 if task is None or task.passed is True else 1, len(failed))


def _offered_id(ref: ModelRef, candidate: Candidate) -> str:
    """The checkpoint offered: the base one for a base-model finding, when there is one."""
    if ref.variant in _BASE_VARIANTS and candidate.base_id:
        return candidate.base_id
    return candidate.hub_id


def runtime_usable(suggestion: Suggestion) -> bool:
    """Whether the finding's runtime can name the suggestion: its runtime_format passed, or
    the name is known but not confirmed (a recorded name without a primary source, a
    provider's naming template); the decision then carries a warning to check the name."""
    check = next((c for c in suggestion.checks if c.name == "runtime_format"), None)
    if check is None:
        return False
    # unknown but named: a recorded name without a primary source, or a provider template;
    # a runtime with no name for it falls back to the Hub id
    return check.passed is True or (check.passed is None
                                    and suggestion.runtime_name != suggestion.hub_id)


def _original(ref: ModelRef, facts: ModelFacts | None, snapshot: str) -> Original:
    if facts is not None and facts.entry is not None:
        inputs = facts.input_modalities.value or _inputs_for(ref)
        context = facts.context_length
        label = facts.entry.hub_id
    else:
        inputs = _inputs_for(ref)
        context = Fact(None, snapshot, f"{ref.label()} has no catalog entry")
        label = ref.label()
    return Original(label=label, hub_id=ref.canonical_id, context_length=context,
                    input_modalities=tuple(inputs), runtime=ref.runtime, provider=ref.provider)


def _inputs_for(ref: ModelRef) -> tuple[str, ...]:
    if ref.variant in _IMAGE_VARIANTS or ref.family in ("Llama 4", "Llama Guard 4"):
        return ("text", "image")
    return ("text",)


def _describe(facts: ModelFacts) -> str:
    entry = facts.entry
    parts = [entry.family if entry is not None else facts.hub_id]
    total = facts.params_b_total.value
    active = facts.params_b_active.value
    if total is not None:
        size = f"{total:g}B"
        if active is not None and active != total:
            size += f" ({active:g}B active)"
        parts.append(size)
    if facts.context_length.value:
        parts.append(f"{tokens(facts.context_length.value)} context")
    if facts.input_modalities.value:
        parts.append("+".join(facts.input_modalities.value) + " input")
    return ", ".join(parts)
