"""Roles: what a Llama-named string is, decided from where it sits (docs/detection.md#roles).

The knowledge is rows in ``rules/python.toml`` (``[[role]]``, ``[role_outcome]``,
``[fine_tune_names]``) and ``rules/files.toml`` (``[config_roles]``); this module reads them,
decides the role of a config value, and turns a role into the severity and effort a finding
gets. The Python scanner decides a string's role from the syntax tree in
``scan/python/roles.py`` with the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from auditor.details import Details
from auditor.ruleset.file_tables import file_tables, normalise_key
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import DOCS_CODE, TEMPLATE_BY_NAME, TEMPLATE_NAME_IN_CODE
from auditor.types import Effort, Hit, ModelRef, Role, Severity

ANY = "*"
FIRST_POSITIONAL = "#0"


@dataclass(frozen=True)
class RoleRow:
    """One ``[[role]]`` row of rules/python.toml."""

    role: Role
    calls: frozenset[str]
    args: frozenset[str]
    compared: re.Pattern[str] | None
    options: re.Pattern[str] | None
    names: re.Pattern[str] | None
    dict_key: bool
    examples: tuple[tuple[str, str], ...]
    owners: re.Pattern[str] | None = None
    """With ``compared``: one of the names the compared attribute is read from must match
    (``config`` of ``self.model.config.model_type``)."""
    classes: re.Pattern[str] | None = None
    """With ``attributes``: a class attribute of a class so named (``Llama2ChatConversation``)."""
    attributes: re.Pattern[str] | None = None

    def takes(self, callee: str, argument: str) -> bool:
        """Is a string passed to ``callee`` as ``argument`` (keyword or ``#N``) this role?"""
        if callee not in self.calls and ANY not in self.calls:
            return False
        return argument in self.args or ANY in self.args


@dataclass(frozen=True)
class RoleTables:
    rows: tuple[RoleRow, ...]
    outcomes: dict[Role, tuple[Severity, Effort]]
    messages: dict[Role, str]
    """``[role_outcome]`` messages: what a finding of that role says instead of its rule's."""
    reupload_name: re.Pattern[str]
    config_dataset_keys: frozenset[str]
    config_dataset_parents: frozenset[str]


def _pattern(value: object) -> re.Pattern[str] | None:
    return re.compile(str(value)) if value else None


@lru_cache(maxsize=8)
def role_tables(ruleset: RuleSet) -> RoleTables:
    rows = tuple(
        RoleRow(role=Role(row["role"]), calls=frozenset(row.get("calls", [])),
                args=frozenset(row.get("args", [])), compared=_pattern(row.get("compared")),
                options=_pattern(row.get("options")), names=_pattern(row.get("names")),
                dict_key=bool(row.get("dict_key", False)),
                examples=tuple((str(c), str(s)) for c, s in row.get("examples", [])),
                owners=_pattern(row.get("owners")), classes=_pattern(row.get("classes")),
                attributes=_pattern(row.get("attributes")))
        for row in ruleset.section_list("role"))
    outcomes = {Role(name): (Severity(value["severity"]), Effort(value["effort"]))
                for name, value in ruleset.section_table("role_outcome").items()}
    messages = {Role(name): str(value["message"])
                for name, value in ruleset.section_table("role_outcome").items()
                if "message" in value}
    config = ruleset.section_table("config_roles")
    return RoleTables(
        rows=rows, outcomes=outcomes, messages=messages,
        reupload_name=re.compile(str(ruleset.section_table("fine_tune_names")["reupload_name"])),
        config_dataset_keys=frozenset(normalise_key(k) for k in config.get("dataset", [])),
        config_dataset_parents=frozenset(normalise_key(k) for k in
                                         config.get("dataset_parents", [])))


def role_of_config_value(path: Sequence[str], is_key: bool, ruleset: RuleSet) -> Role:
    """The role of a config value from its key path (``[]`` marks a list item)."""
    if is_key:
        return Role.REGISTRY_KEY
    keys = [normalise_key(p) for p in path if p != "[]"]
    tables = role_tables(ruleset)
    files = file_tables(ruleset)
    last = keys[-1] if keys else ""
    if last in files.template_keys:
        return Role.TEMPLATE_SELECTION
    if last in files.output_keys:
        return Role.PATH
    if last in tables.config_dataset_keys or any(
            k in tables.config_dataset_parents for k in keys[:-1]):
        return Role.DATASET
    return Role.MODEL_REFERENCE


def default_role(rule_id: str, hit: Hit) -> Role | None:
    """The role of a hit whose scanner did not say: by its rule, or a model reference."""
    if hit.role is not None:
        return hit.role
    if rule_id in (TEMPLATE_NAME_IN_CODE, TEMPLATE_BY_NAME):
        return Role.TEMPLATE_SELECTION
    if rule_id == DOCS_CODE:
        return Role.DOCUMENTATION
    return Role.MODEL_REFERENCE if hit.model is not None else None


def decision(identifier: str | None, ref: ModelRef | None, ruleset: RuleSet) -> str | None:
    """What a person must decide before a derivative of Llama (or a model whose replacement
    works differently: ``[variant_decide]`` of rules/tasks.toml) can be replaced, or None.

    ``fix`` swaps Meta's models and their quantisations (GGUF, MLX) only: any other derivative
    is a fine-tune or distillation (its repository name is not Llama's own) or a re-upload
    whose origin must be checked, and its effort is adapt, not swap."""
    if ref is None or not identifier:
        return None
    by_variant = ruleset.section_table("variant_decide").get(ref.variant)
    if isinstance(by_variant, str):  # a guard model: its replacement answers differently
        return by_variant
    if not ref.derivative or ref.runtime in ("gguf", "mlx"):
        return None
    name = identifier.rsplit("/", 1)[-1]
    if role_tables(ruleset).reupload_name.match(name):
        return ("a copy of Llama under another name: check it is Meta's weights unchanged, then "
                "use the original's replacement")
    return ("a fine-tune of Llama, not Meta's weights: decide whether to fine-tune the "
            "replacement the same way or choose a comparable model")


def role_message(role: Role | None, details: Details, values: Mapping[str, object],
                 ruleset: RuleSet) -> str | None:
    """The message of a finding whose role, decided from where the string sits, is not a
    model reference (``[role_outcome]`` ``message``); None keeps the rule's."""
    if role is None or ("role", role.value) not in details:
        return None
    template = role_tables(ruleset).messages.get(role)
    return template.format_map(_Blank(values)) if template is not None else None


class _Blank(dict[str, object]):
    """format_map helper: unknown placeholders render as '?'."""

    def __missing__(self, key: str) -> object:
        return "?"


def role_outcome(role: Role | None, severity: Severity, effort: Effort, hit: Hit,
                 ruleset: RuleSet) -> tuple[Severity, Effort, Details]:
    """Severity, effort and extra details of a finding given its role. A role the scanner
    decided from the string's position sets them (``[role_outcome]``); a role implied by the
    rule (a docs code block is documentation) keeps the rule's own."""
    tables = role_tables(ruleset)
    if hit.role is not None and role in tables.outcomes:  # decided by where the string sits
        new_severity, new_effort = tables.outcomes[role]
        return new_severity, new_effort, (("role", role.value),)
    decide = decision(hit.identifier, hit.model, ruleset) if effort is Effort.SWAP else None
    if decide is not None:
        return severity, Effort.ADAPT, (("decide", decide),)
    return severity, effort, ()
