"""The package table: which declared packages are Llama dependencies, of which class and why.

Read from the ``[[package]]`` and ``[package_classes]`` sections of ``rules/*.toml``. Names are
compared after PEP 503 normalisation, within one ecosystem (a row's ``ecosystem``, pypi by
default: an npm, Go, Cargo or Maven name is looked up among that ecosystem's rows only); an
exact name wins over the longest matching prefix, so ``llama-index-llms-meta`` can be a Llama
dependency inside the look-alike ``llama-index-*`` family.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.ruleset.load import RuleError, RuleSet

CLASSES = ("replace", "review", "keep", "lookalike")
ECOSYSTEMS = ("pypi", "npm", "golang", "cargo", "maven", "docker")
PYPI = "pypi"
LOOKALIKE = "lookalike"

_SEPARATORS = re.compile(r"[-_.]+")


def normalise(name: str) -> str:
    """PEP 503 normal form: lower case, runs of ``-``, ``_`` and ``.`` become one ``-``."""
    return _SEPARATORS.sub("-", name.strip()).lower()


@dataclass(frozen=True, slots=True)
class PackageClass:
    key: str
    label: str
    reason: str
    rule_id: str | None
    """None for look-alikes: they never become findings."""


@dataclass(frozen=True, slots=True)
class PackageEntry:
    pattern: str
    """The normalised name, or the normalised prefix when ``is_prefix``."""
    is_prefix: bool
    package_class: PackageClass
    reason: str
    sources: tuple[str, ...]
    ecosystem: str = PYPI


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the table says about one package name."""

    package: str
    """Normalised name."""
    entry: PackageEntry

    @property
    def class_key(self) -> str:
        return self.entry.package_class.key

    @property
    def rule_id(self) -> str | None:
        return self.entry.package_class.rule_id

    @property
    def reason(self) -> str:
        return self.entry.reason or self.entry.package_class.reason

    @property
    def reported(self) -> bool:
        return self.rule_id is not None


@dataclass(frozen=True, eq=False)
class PackageTable:
    exact: Mapping[tuple[str, str], PackageEntry]
    """(ecosystem, normalised name) → entry."""
    prefixes: tuple[PackageEntry, ...]
    """Longest first."""
    classes: Mapping[str, PackageClass]

    def lookup(self, name: str, ecosystem: str = PYPI) -> Verdict | None:
        """The table's verdict on ``name`` (any spelling) in ``ecosystem``, or None when that
        ecosystem does not list it."""
        package = normalise(name)
        entry = self.exact.get((ecosystem, package))
        if entry is None:
            entry = next((p for p in self.prefixes if p.ecosystem == ecosystem
                          and package.startswith(p.pattern)), None)
        return None if entry is None else Verdict(package, entry)

    def reported(self, name: str, ecosystem: str = PYPI) -> Verdict | None:
        """The verdict when ``name`` is a Llama dependency worth a finding, else None."""
        verdict = self.lookup(name, ecosystem)
        return verdict if verdict is not None and verdict.reported else None


@lru_cache(maxsize=8)
def package_table(ruleset: RuleSet) -> PackageTable:
    """Build and validate the table once per rule set; RuleError names the bad entry."""
    classes = _classes(ruleset.section_table("package_classes"), ruleset)
    exact: dict[tuple[str, str], PackageEntry] = {}
    prefixes: dict[tuple[str, str], PackageEntry] = {}
    for number, raw in enumerate(ruleset.section_list("package"), start=1):
        entry = _entry(raw, number, classes)
        # Later files (user rule directories) override the bundled entry of the same name.
        (prefixes if entry.is_prefix else exact)[(entry.ecosystem, entry.pattern)] = entry
    ordered = tuple(sorted(prefixes.values(), key=lambda e: (-len(e.pattern), e.pattern,
                                                             e.ecosystem)))
    return PackageTable(exact=exact, prefixes=ordered, classes=classes)


def _classes(raw: Mapping[str, Any], ruleset: RuleSet) -> dict[str, PackageClass]:
    classes: dict[str, PackageClass] = {}
    for key in CLASSES:
        table = raw.get(key)
        if not isinstance(table, dict):
            raise RuleError(f"[package_classes.{key}] is missing")
        rule_id = table.get("rule")
        if key == LOOKALIKE:
            if rule_id is not None:
                raise RuleError("[package_classes.lookalike] must not name a rule")
        elif not isinstance(rule_id, str) or rule_id not in ruleset.rules:
            raise RuleError(f"[package_classes.{key}].rule must name a defined rule, "
                            f"not {rule_id!r}")
        classes[key] = PackageClass(
            key=key,
            label=str(table.get("label", key)),
            reason=str(table.get("reason", "")),
            rule_id=rule_id if isinstance(rule_id, str) else None,
        )
    unknown = sorted(set(raw) - set(CLASSES))
    if unknown:
        raise RuleError(f"[package_classes] has unknown classes {unknown}; use {list(CLASSES)}")
    return classes


def _entry(raw: Mapping[str, Any], number: int, classes: Mapping[str, PackageClass]
           ) -> PackageEntry:
    label = raw.get("name") or raw.get("prefix") or "?"
    where = f"[[package]] {label!r} (entry {number} across the rule files)"
    name, prefix = raw.get("name"), raw.get("prefix")
    if (name is None) == (prefix is None):
        raise RuleError(f"{where}: give exactly one of 'name' or 'prefix'")
    pattern = name if name is not None else prefix
    if not isinstance(pattern, str) or not pattern.strip():
        raise RuleError(f"{where}: 'name'/'prefix' must be a non-empty string")
    class_key = raw.get("class")
    if class_key not in classes:
        raise RuleError(f"{where}: 'class' must be one of {list(CLASSES)}, not {class_key!r}")
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise RuleError(f"{where}: 'sources' must be a list of strings")
    unknown = sorted(set(raw) - {"name", "prefix", "class", "reason", "sources", "modules",
                                 "instead", "examples", "ecosystem"})
    if unknown:
        raise RuleError(f"{where}: unknown keys {unknown}")
    ecosystem = raw.get("ecosystem", PYPI)
    if ecosystem not in ECOSYSTEMS:
        raise RuleError(f"{where}: 'ecosystem' must be one of {list(ECOSYSTEMS)}, "
                        f"not {ecosystem!r}")
    return PackageEntry(
        pattern=normalise(pattern),
        is_prefix=prefix is not None,
        package_class=classes[str(class_key)],
        reason=str(raw.get("reason", "")),
        sources=tuple(sources),
        ecosystem=str(ecosystem),
    )
