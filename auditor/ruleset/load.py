"""Loading ``rules/*.toml``: rule metadata plus the data tables the scanners read.

A rules file holds ``[[rule]]`` tables (one per stable rule id) and any number of named
sections (``[identify]``, ``[[loader]]``, ``[[package]]`` ...) that the stage owning them
validates. Sections of the same name from several files are merged: arrays of tables are
concatenated, tables are merged key by key (a key defined twice is an error).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.errors import RuleError as RuleError
from auditor.types import Category, Effort, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


_RULE_ID = re.compile(r"^LA\d{3}$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class RuleCase:
    """One example of a rule, with the exact rows it must produce (Fixit's Valid/Invalid).

    ``expect`` holds this rule's findings in the snippet as (line, column, identifier), sorted;
    empty means the rule must not fire. ``fixed`` is the snippet after ``fix`` where the rule
    is fixable. Legacy ``match`` / ``no_match`` strings become cases whose ``expect`` is None
    ("fires somewhere") or empty.
    """

    code: str
    path: str
    expect: tuple[tuple[int, int, str], ...] | None
    fixed: str | None = None

    @property
    def fires(self) -> bool:
        return self.expect is None or bool(self.expect)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    slug: str
    title: str
    category: Category
    severity: Severity
    effort: Effort
    message: str
    why: str
    use_instead: str
    example_path: str
    match: tuple[str, ...]
    no_match: tuple[str, ...]
    source_file: str
    default_enabled: bool = True
    cases: tuple[RuleCase, ...] = ()

    def render_message(self, values: Mapping[str, object]) -> str:
        return self.message.format_map(_Blank(values))

    @property
    def help_anchor(self) -> str:
        return f"{self.id.lower()}-{self.slug}"


class _Blank(dict[str, object]):
    """format_map helper: unknown placeholders render as '?' instead of raising."""

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> object:
        return "?"


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Hashable by identity so per-ruleset tables can be cached."""

    rules: Mapping[str, Rule]
    sections: Mapping[str, Any]
    version: str
    files: tuple[str, ...] = field(default=())

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def resolve_rule_ref(self, ref: str) -> str | None:
        """Accept a rule id or a slug (suppressions take either)."""
        if ref.upper() in self.rules:
            return ref.upper()
        for rule in self.rules.values():
            if rule.slug == ref.lower():
                return rule.id
        return None

    def section_list(self, name: str) -> list[dict[str, Any]]:
        value = self.sections.get(name, [])
        if isinstance(value, dict):
            return [value]
        return list(value)

    def section_table(self, name: str) -> dict[str, Any]:
        value = self.sections.get(name, {})
        if not isinstance(value, dict):
            raise RuleError(f"section [{name}] must be a table, not an array of tables")
        return value


def bundled_rules_dir() -> Path:
    """Inside an installed wheel the rules live in ``auditor/rules``; in a checkout, ``rules/``."""
    here = Path(__file__).resolve().parents[1]
    installed = here / "rules"
    if installed.is_dir():
        return installed
    return here.parent / "rules"


def load_ruleset(extra_dirs: Iterable[Path] = ()) -> RuleSet:
    extra = tuple(str(Path(d).resolve()) for d in extra_dirs)
    return _load_cached(extra)


@lru_cache(maxsize=8)
def _load_cached(extra_dirs: tuple[str, ...]) -> RuleSet:
    files: list[Path] = sorted(bundled_rules_dir().glob("*.toml"))
    if not files:
        raise RuleError(f"no rule files found in {bundled_rules_dir()}")
    for directory in extra_dirs:
        path = Path(directory)
        if not path.is_dir():
            raise RuleError(f"rules directory {directory} does not exist")
        files.extend(sorted(path.glob("*.toml")))
    rules: dict[str, Rule] = {}
    sections: dict[str, Any] = {}
    digest = hashlib.sha256()
    for file in files:
        raw = file.read_bytes()
        digest.update(file.name.encode() + b"\0" + raw)
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(f"{file}: invalid TOML: {exc}") from exc
        for table in data.pop("rule", []):
            rule = _parse_rule(table, file)
            if rule.id in rules:
                raise RuleError(
                    f"{file}: rule {rule.id} is already defined in {rules[rule.id].source_file}"
                )
            rules[rule.id] = rule
        for name, value in data.items():
            _merge_section(sections, name, value, file)
    slugs: dict[str, str] = {}
    for rule in rules.values():
        if rule.slug in slugs:
            raise RuleError(f"{rule.source_file}: slug {rule.slug!r} is used by {slugs[rule.slug]}")
        slugs[rule.slug] = rule.id
    return RuleSet(
        rules=dict(sorted(rules.items())),
        sections=sections,
        version=digest.hexdigest()[:12],
        files=tuple(str(f) for f in files),
    )


def _merge_section(sections: dict[str, Any], name: str, value: Any, file: Path) -> None:
    """Merge one top-level section (or, recursively, a nested table) into ``sections``:
    arrays of tables are concatenated, tables merged key by key, a value defined twice is an
    error. So a user's file can add an ``[[identify.provider]]`` row to the bundled ones."""
    if name not in sections:
        sections[name] = value
        return
    current = sections[name]
    if isinstance(current, list) and isinstance(value, list):
        current.extend(value)
    elif isinstance(current, dict) and isinstance(value, dict):
        for key, item in value.items():
            if key in current and not (isinstance(item, (dict, list))
                                       and type(item) is type(current[key])):
                raise RuleError(f"{file}: [{name}].{key} is defined in more than one rules file")
            _merge_section(current, key, item, file)
    else:
        raise RuleError(f"{file}: section {name!r} mixes a table and an array of tables")


_REQUIRED = ("id", "slug", "title", "category", "severity", "effort", "message", "why")


def _parse_rule(table: Mapping[str, Any], file: Path) -> Rule:
    where = f"{file}: rule {table.get('id', '?')}"
    for key in _REQUIRED:
        if not isinstance(table.get(key), str):
            raise RuleError(f"{where}: key {key!r} must be a string")
    known = set(_REQUIRED) | {"use_instead", "example_path", "match", "no_match", "default_enabled",
                              "case"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise RuleError(f"{where}: unknown keys {unknown}")
    rule_id = table["id"]
    if not _RULE_ID.match(rule_id):
        raise RuleError(f"{where}: id must look like LA123")
    if not _SLUG.match(table["slug"]):
        raise RuleError(f"{where}: slug must be lowercase words joined by '-'")
    try:
        category = Category(table["category"])
        severity = Severity(table["severity"])
        effort = Effort(table["effort"])
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from exc
    for key in ("match", "no_match"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RuleError(f"{where}: {key!r} must be a list of strings")
    example_path = str(table.get("example_path", "example.py"))
    cases = (*(_parse_case(c, where, example_path) for c in table.get("case", [])),
             *(RuleCase(code, example_path, None) for code in table.get("match", [])),
             *(RuleCase(code, example_path, ()) for code in table.get("no_match", [])))
    return Rule(
        id=rule_id,
        slug=table["slug"],
        title=table["title"],
        category=category,
        severity=severity,
        effort=effort,
        message=table["message"],
        why=table["why"],
        use_instead=str(table.get("use_instead", "")),
        example_path=example_path,
        match=tuple(c.code for c in cases if c.fires),
        no_match=tuple(c.code for c in cases if not c.fires),
        source_file=file.name,
        default_enabled=bool(table.get("default_enabled", True)),
        cases=cases,
    )


def _parse_case(table: Any, where: str, example_path: str) -> RuleCase:
    if not isinstance(table, Mapping):
        raise RuleError(f"{where}: each [[rule.case]] must be a table")
    unknown = sorted(set(table) - {"code", "path", "expect", "fixed"})
    if unknown:
        raise RuleError(f"{where}: [[rule.case]] has unknown keys {unknown}")
    code, path, fixed = table.get("code"), table.get("path", example_path), table.get("fixed")
    if not isinstance(code, str) or not isinstance(path, str):
        raise RuleError(f"{where}: [[rule.case]] needs 'code' (and 'path') strings")
    if fixed is not None and not isinstance(fixed, str):
        raise RuleError(f"{where}: [[rule.case]] 'fixed' must be a string")
    expect = table.get("expect")
    if not isinstance(expect, list) or not all(_is_row(row) for row in expect):
        raise RuleError(f"{where}: [[rule.case]] 'expect' must list [line, column, identifier] "
                        f"rows (empty: the rule must not fire), not {expect!r}")
    rows = tuple(sorted((int(r[0]), int(r[1]), str(r[2])) for r in expect))
    return RuleCase(code=code, path=path, expect=rows, fixed=fixed)


def _is_row(row: Any) -> bool:
    return (isinstance(row, list) and len(row) == 3 and isinstance(row[0], int)
            and isinstance(row[1], int) and isinstance(row[2], str))
