"""Choosing replacements: ``--model OLD=NEW`` overrides first, then the catalog's suggestions.

A chooser answers one question per finding: what text replaces its Llama identifier, in the
same naming scheme (Hugging Face id for a Hugging Face id, Ollama tag for an Ollama tag...),
or why nothing can. Overrides need no catalog at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from auditor.fix.model import Choice, Chosen, NotChosen, ReplacementChooser
from auditor.fix.naming import Shaped, shape
from auditor.identify.models import identify
from auditor.ruleset.load import RuleSet
from auditor.types import Check, Finding, Suggestion

FAMILIES = ("gemma", "qwen", "mistral")
_HUB_RUNTIMES = frozenset({"huggingface", "model-name", "vllm", "sagemaker", "openai-compatible"})
_QUANTISED_RELATIONS = ("quantized", "quantised", "re-upload", "reupload")


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


def routing_prefixes(ruleset: RuleSet) -> tuple[str, ...]:
    """LiteLLM-style ``provider/`` prefixes from the identify tables, lower-cased."""
    table = ruleset.section_table("identify").get("litellm_prefixes", {})
    if not isinstance(table, Mapping):
        return ()
    return tuple(f"{str(name).lower()}/" for name in table)


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


class CatalogChooser:
    """Picks among a finding's catalog suggestions (the findings must be enriched).

    A suggestion is usable only when the catalog can name it for the finding's runtime (its
    ``runtime_format`` check passed). With ``prefer`` the preferred family wins when it has a
    usable suggestion; otherwise, and without ``prefer``, the usable suggestion with the fewest
    failed checks wins, ties going to the catalog's order.
    """

    def __init__(self, prefixes: Sequence[str], family_of: Mapping[str, str],
                 prefer: str | None = None) -> None:
        self.prefixes = tuple(prefixes)
        self.family_of = {k.lower(): v for k, v in family_of.items()}
        self.prefer = prefer

    def choose(self, finding: Finding) -> Choice:
        model = finding.model
        if model is None or not finding.identifier:
            return NotChosen("no Llama model was identified in it")
        if not finding.suggestions:
            why = finding.detail("replacement_class") or "no replacement class fits it"
            return NotChosen(f"the catalog has no replacement for {model.label()} "
                             f"({why.removeprefix('none: ')})")
        usable: list[tuple[Suggestion, Shaped]] = []
        problems: list[tuple[str, str]] = []
        for suggestion in finding.suggestions:
            runtime = _check(suggestion, "runtime_format")
            if runtime is None or runtime.passed is not True:
                problems.append((suggestion.hub_id, runtime.detail if runtime is not None
                                 else f"{suggestion.hub_id} has no name for {model.runtime}"))
                continue
            shaped = shape(finding.identifier, model, suggestion.runtime_name, self.prefixes)
            if not isinstance(shaped, Shaped):
                problems.append((suggestion.hub_id, f"{suggestion.hub_id}: {shaped.reason}"))
                continue
            usable.append((suggestion, shaped))
        if not usable:
            return NotChosen(summarise_problems(problems))
        pool = usable
        warnings: list[str] = []
        if self.prefer is not None:
            preferred = [u for u in usable if self.family_of.get(u[0].hub_id.lower())
                         == self.prefer]
            if preferred:
                pool = preferred
            else:
                warnings.append(f"no usable {self.prefer} replacement for {model.label()}; "
                                f"used {usable[0][0].family}")
        suggestion, shaped = min(pool, key=lambda u: _failed_count(u[0]))
        warnings.extend(f"{suggestion.hub_id} failed its {c.name} check: {c.detail}"
                        for c in suggestion.checks if c.passed is False)
        return Chosen(text=shaped.text, hub_id=suggestion.hub_id, origin="catalog",
                      warnings=tuple(warnings), steps=shaped.steps)


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


def _check(suggestion: Suggestion, name: str) -> Check | None:
    return next((c for c in suggestion.checks if c.name == name), None)


def _failed_count(suggestion: Suggestion) -> int:
    return sum(1 for c in suggestion.checks if c.passed is False)


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
