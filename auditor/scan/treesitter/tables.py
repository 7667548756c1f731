"""The rows of ``rules/sources.toml``: which calls carry a model (``[[source_loader]]``),
which imports tie code to a Llama-named package (``[[source_import]]``) and which calls select
Llama's chat format by name (``[[source_template]]``), per language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet
from auditor.ruleset.rule_ids import LLAMA_CLASS, META_ONLY_MODULE, RUNTIME_MODULE

IMPORT_RULES = {"runtime": RUNTIME_MODULE, "meta-only": META_ONLY_MODULE,
                "llama-specific": LLAMA_CLASS}


@dataclass(frozen=True)
class Loader:
    callee: str
    """The callee's last name (``groq``, ``ChatOllama``, ``create``, ``modelId``);
    ``createOpenAI()`` for a call of what ``createOpenAI(...)`` returns."""
    args: tuple[int, ...]
    keys: frozenset[str]
    """Object, struct, keyword or named-argument keys that carry the model."""
    label: str


@dataclass(frozen=True)
class ImportRow:
    module: str
    """A module path or its prefix (ending in ``/``, ``.`` or ``::``)."""
    rule_id: str


@dataclass(frozen=True)
class TemplateRow:
    callee: str
    """The called or constructed name's last part (``Llama3ChatWrapper``,
    ``resolveChatWrapper``)."""
    args: tuple[int, ...]
    keys: frozenset[str]
    """With no args and no keys the call itself selects the format (a class named after it);
    else the string at these positions or keys names the template."""
    values: frozenset[str]
    """Template names this API knows besides ``[prompt_template_names] values``."""
    label: str

    @property
    def by_class(self) -> bool:
        return not self.args and not self.keys


@dataclass(frozen=True)
class SourceTables:
    loaders: Mapping[tuple[str, str], tuple[Loader, ...]]
    """(language, callee) → rows."""
    imports: Mapping[str, tuple[ImportRow, ...]]
    """language → rows, longest module first."""
    templates: Mapping[tuple[str, str], TemplateRow] = field(default_factory=dict)
    """(language, callee) → the call that selects a Llama chat format."""

    def import_rule(self, language: str, module: str) -> ImportRow | None:
        for row in self.imports.get(language, ()):
            if module == row.module or (row.module[-1:] in "/.:" and module.startswith(
                    row.module)) or module.startswith(row.module + "/") or module.startswith(
                    row.module + "::") or module.startswith(row.module + "."):
                return row
        return None


def _strings(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: '{key}' must be a list of strings")
    return list(value)


@lru_cache(maxsize=8)
def source_tables(ruleset: RuleSet) -> SourceTables:
    loaders: dict[tuple[str, str], list[Loader]] = {}
    for number, raw in enumerate(ruleset.section_list("source_loader"), start=1):
        where = f"[[source_loader]] #{number} ({raw.get('callee', '?')})"
        callee, label = raw.get("callee"), raw.get("label")
        if not isinstance(callee, str) or not isinstance(label, str):
            raise RuleError(f"{where}: 'callee' and 'label' must be strings")
        args = raw.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, int) for a in args):
            raise RuleError(f"{where}: 'args' must be a list of integers")
        row = Loader(callee, tuple(args), frozenset(_strings(raw, "keys", where)), label)
        for language in _strings(raw, "languages", where):
            loaders.setdefault((language, callee), []).append(row)
    imports: dict[str, list[ImportRow]] = {}
    for number, raw in enumerate(ruleset.section_list("source_import"), start=1):
        where = f"[[source_import]] #{number} ({raw.get('module', '?')})"
        module, kind = raw.get("module"), raw.get("class")
        if not isinstance(module, str) or kind not in IMPORT_RULES:
            raise RuleError(f"{where}: needs 'module' and a 'class' of {sorted(IMPORT_RULES)}")
        for language in _strings(raw, "languages", where):
            imports.setdefault(language, []).append(ImportRow(module, IMPORT_RULES[str(kind)]))
    return SourceTables(
        loaders={k: tuple(v) for k, v in loaders.items()},
        imports={k: tuple(sorted(v, key=lambda r: -len(r.module))) for k, v in imports.items()},
        templates=_templates(ruleset))


def _templates(ruleset: RuleSet) -> dict[tuple[str, str], TemplateRow]:
    rows: dict[tuple[str, str], TemplateRow] = {}
    for number, raw in enumerate(ruleset.section_list("source_template"), start=1):
        where = f"[[source_template]] #{number} ({raw.get('callee', '?')})"
        callee, label = raw.get("callee"), raw.get("label")
        args = raw.get("args", [])
        if not isinstance(callee, str) or not isinstance(label, str) or not isinstance(
                args, list) or not all(isinstance(a, int) for a in args):
            raise RuleError(f"{where}: needs 'callee' and 'label' strings, 'args' integers")
        row = TemplateRow(callee, tuple(args), frozenset(_strings(raw, "keys", where)),
                          frozenset(_strings(raw, "values", where)), label)
        for language in _strings(raw, "languages", where):
            rows[(language, callee)] = row
    return rows
