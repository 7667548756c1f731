"""Chat formats chosen through an enum: ``SeparatorStyle.LLAMA2`` (LA108).

A template registry names its formats as members of an enum (``class SeparatorStyle(Enum):
LLAMA2 = auto()``), passes them to templates (``sep_style=SeparatorStyle.LLAMA2``) and renders
each in a branch (``elif self.sep_style == SeparatorStyle.LLAMA2:``). Each of these is where the
Llama format is chosen. The enum's name must say it is a style, format or template
(``[prompt_template_names] enums``) and the member must name Llama's format (``values``):
``ModelType.LLAMA2`` is not a chat format. Read only when the source has a Llama word outside
a string that could be such a member (used through an owner so named, or defined in a class
so named), so most files cost a regular-expression search.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from auditor.ruleset.python_tables import PythonTables
from auditor.ruleset.rule_ids import ARCHITECTURE_CHECK, TEMPLATE_NAME_IN_CODE
from auditor.types import Role

_MEMBER_DEFINED = re.compile(r"(?im)^[ \t]+(?:meta_?)?llama\w*\s*[:=]")


@lru_cache(maxsize=4)
def _prechecks(enums: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The cheap tests before the tree is walked, from ``[prompt_template_names] enums``: a
    member used through an owner so named (``SeparatorStyle.LLAMA2``), a class so named."""
    owner = enums.removeprefix("(?i)")
    return (re.compile(rf"(?:{owner})\w*\s*\.\s*(?:meta_?)?\Z", re.IGNORECASE),
            re.compile(rf"^[ \t]*class\s+\w*(?:{owner})", re.IGNORECASE | re.MULTILINE))


_LLAMA = re.compile(r"(?i)llama")


def _used_through_owner(text: str, owner_before: re.Pattern[str]) -> bool:
    """Is some ``llama`` written right after ``<Owner>.``? Each occurrence looks back a short
    window (a pattern anchored at the owner would be tried at every word of the file)."""
    for start in _llama_starts(text):
        if start and text[start - 1] in "._ \t" and owner_before.search(
                text, max(0, start - 80), start):
            return True
    return False


def _member_defined(text: str) -> bool:
    """``_MEMBER_DEFINED.search(text)``, tried only at the lines holding ``llama``."""
    tried = -1
    for start in _llama_starts(text):
        line_start = text.rfind("\n", 0, start) + 1
        if line_start != tried:
            tried = line_start
            if _MEMBER_DEFINED.match(text, line_start):
                return True
    return False


def _llama_starts(text: str) -> Iterator[int]:
    """Where ``_LLAMA`` matches (in ASCII text, found in the lower-cased text: the same
    places, several times faster than a case-insensitive pattern)."""
    if not text.isascii():
        yield from (found.start() for found in _LLAMA.finditer(text))
        return
    lowered = text.lower()
    at = lowered.find("llama")
    while at >= 0:
        yield at
        at = lowered.find("llama", at + 1)


_LLAMA2 = re.compile(r"(?i)llama[-_]?2")


@dataclass(frozen=True)
class StyleUse:
    """One enum member named after Llama's chat format, where it is written."""

    node: ast.AST
    identifier: str
    """``Owner.MEMBER``."""
    key: str
    """The enum's name."""
    context: str


def may_use_styles(text: str, tables: PythonTables) -> bool:
    """The cheap test before ``style_uses`` walks the tree (False: it finds nothing)."""
    enums = tables.template_enums
    if enums is None:
        return False
    used, enum_class = _prechecks(enums.pattern)
    return _used_through_owner(text, used) or bool(_member_defined(text)
                                                   and enum_class.search(text))


def style_uses(tree: ast.Module, text: str, tables: PythonTables) -> list[StyleUse]:
    """Every definition and use of a chat-format enum member named after Llama."""
    enums = tables.template_enums
    if enums is None or not may_use_styles(text, tables):
        return []
    values = tables.template_values
    uses: list[StyleUse] = []
    skip: set[int] = set()  # nodes inside a template registered under another family's name
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Call) and _registers_shared(node, tables):
            skip.update(id(inner) for inner in ast.walk(node))
        elif isinstance(node, ast.ClassDef) and enums.search(node.name):
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else (
                    [statement.target] if isinstance(statement, ast.AnnAssign) else [])
                for target in targets:
                    if isinstance(target, ast.Name) and values.fullmatch(target.id):
                        uses.append(StyleUse(target, f"{node.name}.{target.id}", node.name,
                                             node.name))
        elif isinstance(node, ast.Attribute) and values.fullmatch(node.attr):
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else (
                owner.id if isinstance(owner, ast.Name) else "")
            if name and enums.search(name):
                uses.append(StyleUse(node, f"{name}.{node.attr}", name, ""))
    return uses


def _registers_shared(call: ast.Call, tables: PythonTables) -> bool:
    """Does the call name its template after a family that uses Llama 2's format as its own
    (``Conversation(name="mistral", ...)``)?"""
    shared = tables.template_shared
    if shared is None:
        return False
    named = [k.value for k in call.keywords if k.arg == "name"] + call.args[:1]
    return any(isinstance(v, ast.Constant) and isinstance(v.value, str)
               and shared.match(v.value) for v in named)


def is_llama2(identifier: str) -> bool:
    """Does a template chosen by name select the Llama 2 format (``[INST]`` is then Llama's)?"""
    return bool(_LLAMA2.search(identifier))


def may_name_template(text: str, tables: PythonTables) -> bool:
    """Can ``text`` name Llama's chat format: as a whole (``llama3``) or, in a template
    position, as a part (``meta-llama-3.1-sp``)?"""
    parts = tables.template_parts
    return tables.template_values.fullmatch(text) is not None or (
        parts is not None and parts.search(text) is not None)


def name_rule(role: Role | None, text: str, tables: PythonTables) -> str | None:
    """The rule of a string that names Llama's format by its role: a template selection
    (LA108, the name as a whole or a part) or an architecture check (LA110, a bare family
    name); None for any other role."""
    if role is Role.ARCHITECTURE and tables.template_values.fullmatch(text):
        return ARCHITECTURE_CHECK
    if role is Role.TEMPLATE_SELECTION and may_name_template(text, tables):
        return TEMPLATE_NAME_IN_CODE
    return None
