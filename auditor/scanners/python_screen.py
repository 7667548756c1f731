"""A semantic prefilter for Python: can this module produce a finding at all?

The byte prefilter lets through every file that says "llama" anywhere, comments and
docstrings included; in a framework such as transformers most of those produce nothing.
The stdlib ``ast`` parser is several times faster than libcst, so one ``ast`` pass decides
whether the libcst scan is worth running. The screen is conservative: it answers True for
anything the full scanner could report (and whenever it cannot parse the file itself).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..identify import identify
from ..ruleset import RuleError, RuleSet
from .python_tables import PythonTables, python_tables

_HINTS = ("llama", "vicuna", "guard")
_FRAGMENT_EDGES = ("-", "_", "/", ".", ":")


def could_produce_findings(source: str, ruleset: RuleSet) -> bool:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return True  # the full scanner reports the problem and falls back
    tables = python_tables(ruleset)
    docstrings: set[int] = set()
    in_join: set[int] = set()
    for node in _walk(tree):
        if isinstance(node, _SCOPES):
            _note_docstring(node, docstrings)
        elif isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
        ):
            in_join.update(id(child) for child in ast.iter_child_nodes(node))
        elif isinstance(node, ast.Constant):
            if _constant_fires(node, tables, ruleset, id(node) in docstrings,
                               id(node) in in_join):
                return True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if _import_fires(node, tables):
                return True
        elif isinstance(node, ast.Name):
            if node.id in tables.llama_classes:
                return True
        elif isinstance(node, ast.Attribute) and node.attr in tables.llama_classes:
            return True
    return False


@dataclass(frozen=True, eq=False)
class CodeTables:
    """The rules/python.toml tables that ``python_tables`` does not carry: LA108's template
    names and values, LA104's Meta-only hosts. Shared by this screen and the scanner."""

    template_names: re.Pattern[str]
    template_values: re.Pattern[str]
    meta_only_hosts: tuple[str, ...]


@lru_cache(maxsize=8)
def code_tables(ruleset: RuleSet) -> CodeTables:
    try:
        names = ruleset.section_table("prompt_template_names")
        api = ruleset.section_table("python_api")
        return CodeTables(
            template_names=re.compile(names["names"]),
            template_values=re.compile(names["values"]),
            meta_only_hosts=tuple(str(h).lower() for h in api.get("meta_only_hosts", [])),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise RuleError(f"[prompt_template_names] is incomplete or invalid: {exc!r}") from exc


_SCOPES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """Pre-order walk over child fields (``ast.walk`` pays for generators per node and
    visits every shared ``Load()`` context)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        node_type = type(node)
        names = _CHILD_FIELDS.get(node_type)
        if names is None:
            names = tuple(n for n in node_type._fields if n not in ("ctx", "type_comment"))
            _CHILD_FIELDS[node_type] = names
        for name in names:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(v for v in reversed(value) if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)


def _note_docstring(node: ast.AST, docstrings: set[int]) -> None:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        docstrings.add(id(body[0].value))


def _constant_fires(
    node: ast.Constant, tables: PythonTables, ruleset: RuleSet, docstring: bool, joined: bool
) -> bool:
    value = node.value
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in tables.token_ids
    if not isinstance(value, str) or docstring:
        return False
    if any(marker in value for marker in tables.strong_markers):
        return True
    if any(marker in value for marker in tables.context_markers):
        return True
    lowered = value.lower()
    if not any(hint in lowered for hint in _HINTS):
        return False
    if joined or value.startswith(_FRAGMENT_EDGES) or value.endswith(_FRAGMENT_EDGES):
        return True  # a piece of an identifier that constant resolution may complete
    if any(ch.isspace() for ch in value):
        return True  # tokens inside longer strings are identified one by one
    code = code_tables(ruleset)
    if code.template_values.fullmatch(value) or any(h in lowered for h in code.meta_only_hosts):
        return True  # LA108 template names, LA104 hosts
    return identify(value, ruleset) is not None


def _import_fires(node: ast.Import | ast.ImportFrom, tables: PythonTables) -> bool:
    if isinstance(node, ast.Import):
        return any(tables.module_rule(alias.name) is not None for alias in node.names)
    module = node.module or ""
    if node.level == 0 and tables.module_rule(module) is not None:
        return True
    for alias in node.names:
        if alias.name in tables.llama_classes:
            return True
        if node.level == 0 and tables.module_rule(f"{module}.{alias.name}") is not None:
            return True
    return False
