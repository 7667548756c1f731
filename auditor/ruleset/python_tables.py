"""The Python scanner's view of ``rules/python.toml``: loaders, APIs, markers, token ids,
template names and the text that can make a finding at all."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet
from auditor.ruleset.rule_ids import LLAMA_CLASS, META_ONLY_MODULE, RUNTIME_MODULE


@dataclass(frozen=True)
class LoaderSpec:
    label: str
    callees: tuple[str, ...]
    args: tuple[str, ...]
    positions: tuple[int, ...]
    provider: str | None = None
    """The hosted provider whose SDK client the callee is: the model id is that provider's
    (``Cerebras().chat.completions.create(model="llama3.1-70b")``), named in its list."""

    def matches(self, qualname: str) -> bool:
        return any(name_matches(pattern, qualname) for pattern in self.callees)


def name_matches(pattern: str, qualname: str) -> bool:
    """``*.x`` matches ``x`` or anything ending in ``.x``; otherwise exact."""
    if pattern.startswith("*."):
        tail = pattern[2:]
        return qualname == tail or qualname.endswith("." + tail)
    return qualname == pattern


@dataclass(frozen=True, slots=True)
class AutoClass:
    """The transformers Auto class that replaces a Llama class, and the factory methods
    through which a use of the Llama class may be rewritten to it."""

    name: str
    methods: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class PythonTables:
    loaders: tuple[LoaderSpec, ...]
    llama_classes: frozenset[str]
    auto_classes: dict[str, AutoClass]
    """Llama class -> its Auto class; internals (``auto = "none"``) are not keys."""
    llama_class_modules: tuple[str, ...]
    meta_only_modules: tuple[str, ...]
    runtime_modules: tuple[str, ...]
    strong_markers: tuple[str, ...]
    context_markers: tuple[str, ...]
    llama2_markers: tuple[str, ...]
    context_lines: int
    token_ids: frozenset[int]
    token_context: re.Pattern[str]
    template_names: re.Pattern[str]
    """LA108: the names (keyword, parameter, target, key) that select a chat template."""
    template_values: re.Pattern[str]
    template_parts: re.Pattern[str] | None
    """LA108 in a template position: Llama's format as a part of a longer name."""
    template_enums: re.Pattern[str] | None
    """LA108: names of enums whose members name a chat format (``SeparatorStyle``)."""
    template_shared: re.Pattern[str] | None
    """Template names of families that use Llama 2's format as their own (Mistral)."""
    meta_only_hosts: tuple[str, ...]
    """LA104: hosts that serve only Meta's models (lower-case)."""
    lower_triggers: tuple[str, ...]
    """With the two below: text without which no Python finding can start. These are matched
    in the lower-cased source: the words ``identify`` requires in every model name (the Llama
    classes, modules and hosts all contain one; any that does not is listed too)."""
    exact_triggers: tuple[str, ...]
    """The prompt markers, matched as written."""
    number_triggers: tuple[str, ...]
    """The token ids in decimal, hexadecimal, octal and binary digits, matched in the
    lower-cased source with its underscores removed (``200_001``)."""
    loader_index: dict[str, tuple[LoaderSpec, ...]]
    """The loaders by the last dotted part of their callee patterns, in table order."""
    """Keywords whose string is text for people (help, description, example)."""

    def auto_class(self, llama_class: str) -> AutoClass | None:
        """The Auto class for a Llama class; None for internals with no Auto equivalent."""
        return self.auto_classes.get(llama_class)

    def loader_labelled(self, label: str) -> LoaderSpec | None:
        return next((spec for spec in self.loaders if spec.label == label), None)

    def loader_for(self, qualname: str) -> LoaderSpec | None:
        """The first loader whose callee pattern matches ``qualname``."""
        for spec in self.loader_index.get(qualname.rsplit(".", 1)[-1], ()):
            if spec.matches(qualname):
                return spec
        return None

    def module_rule(self, module: str) -> str | None:
        """The rule an import of ``module`` fires, if any."""
        for prefixes, rule in (
            (self.meta_only_modules, META_ONLY_MODULE),
            (self.llama_class_modules, LLAMA_CLASS),
            (self.runtime_modules, RUNTIME_MODULE),
        ):
            for prefix in prefixes:
                if module == prefix or module.startswith(prefix + "."):
                    return rule
        return None


def _loader_index(loaders: tuple[LoaderSpec, ...]) -> dict[str, tuple[LoaderSpec, ...]]:
    index: dict[str, list[LoaderSpec]] = {}
    for spec in loaders:
        for pattern in spec.callees:
            specs = index.setdefault(pattern.rsplit(".", 1)[-1], [])
            if spec not in specs:
                specs.append(spec)
    return {key: tuple(specs) for key, specs in index.items()}


def _llama_classes(ruleset: RuleSet) -> dict[str, AutoClass | None]:
    """``[[llama_class]]`` rows: each names its Auto class (or ``"none"``) and its use."""
    uses = ruleset.section_table("llama_class_uses")
    classes: dict[str, AutoClass | None] = {}
    for number, row in enumerate(ruleset.section_list("llama_class"), start=1):
        name, auto, use = row.get("name"), row.get("auto"), row.get("use")
        where = f"[[llama_class]] row {number} ({name or '?'})"
        unknown = sorted(set(row) - {"name", "auto", "use", "examples"})
        if unknown:
            raise RuleError(f"{where}: unknown keys {unknown}")
        if not isinstance(name, str) or not name:
            raise RuleError(f"{where}: 'name' must be the class name")
        if not isinstance(auto, str) or not (auto == "none" or "Auto" in auto):
            raise RuleError(f"{where}: 'auto' must name the Auto class that replaces it "
                            "(AutoModelForCausalLM...) or be \"none\" for an internal")
        if auto == "none":
            classes[name] = None
            continue
        if use not in uses:
            raise RuleError(f"{where}: 'use' must be one of {sorted(uses)} (the factory "
                            f"methods through which {auto} may be used)")
        classes[name] = AutoClass(auto, tuple(str(m) for m in uses[use]))
    return classes


def _meta_only_modules(api: dict[str, Any], ruleset: RuleSet) -> tuple[str, ...]:
    """``[python_api] meta_only_modules`` and the import ``modules`` of every ``replace``
    package row: importing a Meta-Llama-only package's module is LA104 wherever it is listed."""
    modules = [str(m) for m in api["meta_only_modules"]]
    for row in ruleset.section_list("package"):
        if row.get("class") == "replace":
            modules += [str(m) for m in row.get("modules", []) if str(m) not in modules]
    return tuple(modules)


def _lower_triggers(api: dict[str, Any], classes: Iterable[str],
                    hints: tuple[str, ...]) -> tuple[str, ...]:
    """``hints``: ``identify`` returns None for any text without one of these words
    (``[identify.grammar] hint_words``); the template values of LA108 require "llama" too."""
    named = [str(n).lower() for key in ("llama_class_modules",
                                        "meta_only_modules", "runtime_modules",
                                        "meta_only_hosts")
             for n in api.get(key, []) or []]
    named += [str(n).lower() for n in classes]
    return (*hints, *sorted({n for n in named if not any(h in n for h in hints)}))


@lru_cache(maxsize=8)
def python_tables(ruleset: RuleSet) -> PythonTables:
    try:
        api = ruleset.section_table("python_api")
        markers = ruleset.section_table("prompt_markers")
        tokens = ruleset.section_table("special_tokens")
        names = ruleset.section_table("prompt_template_names")
        token_ids = frozenset(int(i) for i in tokens["ids"])
        all_markers = (*markers["strong"], *markers["context_only"], *markers["llama2_markers"])
        classes = _llama_classes(ruleset)
        loaders = tuple(
            LoaderSpec(
                label=str(item["label"]),
                callees=tuple(item["callee"]),
                args=tuple(item.get("args", [])),
                positions=tuple(int(p) for p in item.get("positions", [])),
                provider=str(item["provider"]) if item.get("provider") else None,
            )
            for item in ruleset.section_list("loader")
        )
        return PythonTables(
            loaders=loaders,
            llama_classes=frozenset(classes),
            auto_classes={k: v for k, v in classes.items() if v is not None},
            llama_class_modules=tuple(api["llama_class_modules"]),
            meta_only_modules=_meta_only_modules(api, ruleset),
            runtime_modules=tuple(api["runtime_modules"]),
            strong_markers=tuple(markers["strong"]),
            context_markers=tuple(markers["context_only"]),
            llama2_markers=tuple(markers["llama2_markers"]),
            context_lines=int(markers["context_lines"]),
            token_ids=token_ids,
            token_context=re.compile(tokens["context_pattern"]),
            template_names=re.compile(names["names"]),
            template_values=re.compile(names["values"]),
            template_parts=re.compile(names["parts"]) if names.get("parts") else None,
            template_enums=re.compile(names["enums"]) if names.get("enums") else None,
            template_shared=re.compile(names["shared"]) if names.get("shared") else None,
            meta_only_hosts=tuple(str(h).lower() for h in api.get("meta_only_hosts", [])),
            lower_triggers=_lower_triggers(api, classes, tuple(
                str(w).lower()
                for w in ruleset.section_table("identify")["grammar"]["hint_words"])),
            exact_triggers=tuple(str(m) for m in all_markers),
            number_triggers=tuple(sorted({f"{i:{base}}" for i in token_ids
                                          for base in ("d", "x", "o", "b")})),
            loader_index=_loader_index(loaders),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuleError(f"python scanner tables are incomplete or invalid: {exc!r}") from exc
