"""The Python scanner's view of ``rules/python.toml``: loaders, APIs, markers, token ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..ruleset import RuleError, RuleSet


@dataclass(frozen=True)
class LoaderSpec:
    label: str
    callees: tuple[str, ...]
    args: tuple[str, ...]
    positions: tuple[int, ...]

    def matches(self, qualname: str) -> bool:
        return any(name_matches(pattern, qualname) for pattern in self.callees)


def name_matches(pattern: str, qualname: str) -> bool:
    """``*.x`` matches ``x`` or anything ending in ``.x``; otherwise exact."""
    if pattern.startswith("*."):
        tail = pattern[2:]
        return qualname == tail or qualname.endswith("." + tail)
    return qualname == pattern


@dataclass(frozen=True, eq=False)
class PythonTables:
    loaders: tuple[LoaderSpec, ...]
    llama_classes: frozenset[str]
    llama_class_modules: tuple[str, ...]
    meta_only_modules: tuple[str, ...]
    runtime_modules: tuple[str, ...]
    strong_markers: tuple[str, ...]
    context_markers: tuple[str, ...]
    llama2_markers: tuple[str, ...]
    context_lines: int
    token_ids: frozenset[int]
    token_context: re.Pattern[str]

    def module_rule(self, module: str) -> str | None:
        """The rule an import of ``module`` fires, if any."""
        for prefixes, rule in (
            (self.meta_only_modules, "LA104"),
            (self.llama_class_modules, "LA103"),
            (self.runtime_modules, "LA105"),
        ):
            for prefix in prefixes:
                if module == prefix or module.startswith(prefix + "."):
                    return rule
        return None


@lru_cache(maxsize=8)
def python_tables(ruleset: RuleSet) -> PythonTables:
    try:
        api = ruleset.section_table("python_api")
        markers = ruleset.section_table("prompt_markers")
        tokens = ruleset.section_table("special_tokens")
        loaders = tuple(
            LoaderSpec(
                label=str(item["label"]),
                callees=tuple(item["callee"]),
                args=tuple(item.get("args", [])),
                positions=tuple(int(p) for p in item.get("positions", [])),
            )
            for item in ruleset.section_list("loader")
        )
        return PythonTables(
            loaders=loaders,
            llama_classes=frozenset(api["llama_classes"]),
            llama_class_modules=tuple(api["llama_class_modules"]),
            meta_only_modules=tuple(api["meta_only_modules"]),
            runtime_modules=tuple(api["runtime_modules"]),
            strong_markers=tuple(markers["strong"]),
            context_markers=tuple(markers["context_only"]),
            llama2_markers=tuple(markers["llama2_markers"]),
            context_lines=int(markers["context_lines"]),
            token_ids=frozenset(int(i) for i in tokens["ids"]),
            token_context=re.compile(tokens["context_pattern"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuleError(f"python scanner tables are incomplete or invalid: {exc!r}") from exc
