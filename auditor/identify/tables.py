"""The ``[identify]`` tables of ``rules/models.toml``, validated and compiled once per ruleset.

Everything ``identify`` knows is here as data: Meta's orgs, look-alikes, provider id formats
(each with how the provider names models), Ollama names, derivatives, the naming grammar
(hint words, version, guard and instruct patterns) and codenames.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet

NAMING_KINDS = ("hub", "ollama", "gguf", "mlx", "hosted", "none")
"""How a runtime names a replacement (see ``[replacement_runtimes]``); a provider row may
also give a template such as ``"accounts/acme/models/{name_lower}"``, or say ``unrecorded``."""

UNRECORDED = "unrecorded"
"""A provider row's explicit "how it names models is not recorded": its own id where the
catalog has one, else the Hub id with a check that says the naming is unknown (the ``hosted``
path of the runtime check), never silently a Hub id."""


@dataclass(frozen=True)
class Provider:
    provider: str
    runtime: str
    pattern: re.Pattern[str]
    naming: str


@dataclass(frozen=True)
class Derivative:
    pattern: re.Pattern[str]
    family: str
    variant: str


@dataclass(frozen=True)
class Codename:
    word: str
    family: str
    size: str


@dataclass(frozen=True)
class Grammar:
    hint_words: tuple[str, ...]
    path_words: tuple[str, ...]
    not_model_files: tuple[str, ...]
    version: re.Pattern[str]
    version_after_size: re.Pattern[str]
    guard: re.Pattern[str]
    prompt_guard: re.Pattern[str]
    unnumbered_guard_version: str
    instruct: re.Pattern[str]


@dataclass(frozen=True, eq=False)
class IdentifyTables:
    meta_orgs: frozenset[str]
    llama1_orgs: frozenset[str]
    lookalikes: tuple[re.Pattern[str], ...]
    architecture_only: tuple[re.Pattern[str], ...]
    grammar: Grammar
    codenames: tuple[Codename, ...]
    litellm_prefixes: tuple[tuple[str, str], ...]
    providers: tuple[Provider, ...]
    provider_suffixes: tuple[tuple[str, str], ...]
    org_runtimes: Mapping[str, str]
    ollama_names: Mapping[str, Mapping[str, Any]]
    derivatives: tuple[Derivative, ...]
    params: Mapping[str, tuple[float, float]]
    canonical: Mapping[str, str]

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> IdentifyTables:
        return tables_for(ruleset)

    def codename_in(self, text: str) -> Codename | None:
        return next((c for c in self.codenames if c.word in text), None)


@lru_cache(maxsize=8)
def tables_for(ruleset: RuleSet) -> IdentifyTables:
    table = ruleset.section_table("identify")
    try:
        prefixes = sorted(table["litellm_prefixes"].items(), key=lambda kv: -len(kv[0]))
        return IdentifyTables(
            meta_orgs=frozenset(o.lower() for o in table["meta_orgs"]),
            llama1_orgs=frozenset(o.lower() for o in table.get("llama1_orgs", [])),
            lookalikes=tuple(re.compile(p) for p in table["lookalikes"]),
            architecture_only=tuple(re.compile(p) for p in table["architecture_only"]),
            grammar=_grammar(table["grammar"]),
            codenames=tuple(Codename(str(word).lower(), str(c["family"]), str(c["size"]))
                            for word, c in table["codenames"].items()),
            litellm_prefixes=tuple((k.lower() + "/", v) for k, v in prefixes),
            providers=tuple(_provider(number, p)
                            for number, p in enumerate(table["provider"], start=1)),
            provider_suffixes=tuple(table["provider_suffixes"].items()),
            org_runtimes={k.lower(): v for k, v in table["org_runtimes"].items()},
            ollama_names=table["ollama_names"],
            derivatives=tuple(
                Derivative(re.compile(d["pattern"], re.IGNORECASE), d["family"], d["variant"])
                for d in table.get("derivative", [])
            ),
            params={k: (float(v[0]), float(v[1])) for k, v in table["params"].items()},
            canonical=table["canonical"],
        )
    except (KeyError, TypeError, re.error) as exc:
        raise RuleError(f"[identify] section is incomplete or invalid: {exc!r}") from exc


def _grammar(table: Mapping[str, Any]) -> Grammar:
    return Grammar(
        hint_words=tuple(str(w).lower() for w in table["hint_words"]),
        path_words=tuple(str(w).lower() for w in table["path_words"]),
        not_model_files=tuple(str(w).lower() for w in table["not_model_files"]),
        version=re.compile(table["version"]),
        version_after_size=re.compile(table["version_after_size"]),
        guard=re.compile(table["guard"]),
        prompt_guard=re.compile(table["prompt_guard"]),
        unnumbered_guard_version=str(table["unnumbered_guard_version"]),
        instruct=re.compile(table["instruct_words"]),
    )


def _provider(number: int, row: Mapping[str, Any]) -> Provider:
    name = row.get("provider", "?")
    naming = row.get("naming")
    if not isinstance(naming, str) or not naming:
        raise RuleError(
            f"[[identify.provider]] row {number} ({name}) has no 'naming': say how {name} names "
            f"models: one of {', '.join(NAMING_KINDS)}, a template such as "
            "\"accounts/acme/models/{name_lower}\", or \"unrecorded\" when it is not known")
    if naming not in (*NAMING_KINDS, UNRECORDED) and not is_naming_template(naming):
        raise RuleError(f"[[identify.provider]] row {number} ({name}): naming {naming!r} must "
                        f"be one of {', '.join(NAMING_KINDS)}, {UNRECORDED!r} or a template "
                        "with {hub_id}, {org}, {name} or {name_lower}")
    return Provider(str(row["provider"]), str(row["runtime"]),
                    re.compile(row["pattern"], re.IGNORECASE), naming)


def is_naming_template(naming: str) -> bool:
    return any(f"{{{key}}}" in naming for key in ("hub_id", "org", "name", "name_lower"))


def name_by_template(template: str, hub_id: str) -> str:
    """A replacement's Hub id written in a provider's own format."""
    org, _, name = hub_id.partition("/")
    return template.format(hub_id=hub_id, org=org, name=name, name_lower=name.lower())


def provider_namings(ruleset: RuleSet) -> dict[str, str]:
    """Runtime -> naming, from the provider rows (one runtime, one naming)."""
    namings: dict[str, str] = {}
    for provider in tables_for(ruleset).providers:
        known = namings.setdefault(provider.runtime, provider.naming)
        if known != provider.naming:
            raise RuleError(f"[[identify.provider]] {provider.provider}: runtime "
                            f"{provider.runtime} is named both {known!r} and "
                            f"{provider.naming!r}")
    return namings
