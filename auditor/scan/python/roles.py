"""The role of a string in Python code, from where it sits in the syntax tree.

The rows are ``rules/python.toml``'s ``[[role]]`` (read by ``scan/roles.py``). From the
string outwards through f-strings, ``+``, lists, tuples and sets: the nearest call it is an
argument of decides (callee and argument; an argparse/click option's ``default`` or
``choices`` by the option's name), or a comparison with a name, or being a dict key; else the
nearest name it is the value of. Parents are computed once per file, only when asked.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from auditor.ruleset.load import RuleSet
from auditor.scan.roles import RoleTables, role_tables
from auditor.types import Role

_THROUGH = (ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.List, ast.Tuple, ast.Set,
            ast.Starred, ast.IfExp)
_OPTION_CALLS = frozenset({"add_argument", "option", "Option", "argument"})
_OPTION_ARGS = frozenset({"default", "choices"})


class PythonRoles:
    def __init__(self, tree: ast.AST, ruleset: RuleSet) -> None:
        self.tree = tree
        self.tables: RoleTables = role_tables(ruleset)
        self.signals: tuple[TaskSignal, ...] = task_signals(ruleset)
        self._parents: dict[int, ast.AST] | None = None
        self._descents = 0
        """Parents looked up by descending; past a few, the whole-tree map is cheaper."""

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node that holds ``node``: found by descending through the children whose
        source span contains it (a few nodes per level) for the first few look-ups, else from
        a map of the whole tree (built once: many look-ups, or nodes without a position)."""
        if self._parents is None:
            self._descents += 1
            found = _descend_to_parent(self.tree, node) if self._descents <= 32 else None
            if found is not None:
                return found
            self._parents = {id(child): parent for parent in ast.walk(self.tree)
                             for child in ast.iter_child_nodes(parent)}
        return self._parents.get(id(node))

    def role_of(self, node: ast.AST, names: str) -> Role:
        """The role of the string expression ``node``; ``names``: the names it is the value
        of, nearest last (the scanner's ``StringUnit.names``)."""
        child, parent = node, self.parent(node)
        while parent is not None:
            if isinstance(parent, ast.keyword) or (
                    isinstance(parent, ast.Call) and child is not parent.func):
                call = self.parent(parent) if isinstance(parent, ast.keyword) else parent
                if isinstance(call, ast.Call):
                    found = self._call_role(call, parent, child)
                    if found is not None:
                        return found
                break
            if isinstance(parent, ast.Compare):
                found = self._compare_role(parent, child)
                if found is not None:
                    return found
                break
            if isinstance(parent, ast.Dict):
                if any(key is child for key in parent.keys):
                    found = self._first(lambda row: row.dict_key)
                    if found is not None:
                        return found
                elif _value_key(parent, child) == "choices":  # field(metadata={"choices": [...]})
                    return Role.OPTION_VALUE
                break
            if not isinstance(parent, _THROUGH):
                break
            child, parent = parent, self.parent(parent)
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            found = self._class_attribute_role(parent)
            if found is not None:
                return found
        if _is_prose(node):
            return Role.DOCUMENTATION
        name = names.split()[-1] if names.split() else ""
        found = self._first(lambda row: row.names is not None and bool(row.names.search(name)))
        return found if found is not None else Role.MODEL_REFERENCE

    def _class_attribute_role(self, assign: ast.Assign | ast.AnnAssign) -> Role | None:
        """``name: str = "llama2"`` in the body of ``class Llama2ChatConversation``."""
        owner = self.parent(assign)
        if not isinstance(owner, ast.ClassDef):
            return None
        targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
        attributes = [t.id for t in targets if isinstance(t, ast.Name)]
        return self._first(lambda row: row.classes is not None and row.attributes is not None
                           and bool(row.classes.search(owner.name))
                           and any(row.attributes.search(a) for a in attributes))

    def task_of(self, node: ast.AST) -> str | None:
        """The tasks (``rules/tasks.toml`` ids joined by ``+``) the call a string is an
        argument of shows: ``generate(model=..., suffix=...)`` is fim, ``tools=`` tools,
        ``images=`` or an image content part vision, an ``embed`` call embeddings."""
        call: ast.AST | None = node  # a loader call's finding sits on the call itself
        if not isinstance(node, ast.Call):
            child, call = node, self.parent(node)
            while call is not None and isinstance(call, (*_THROUGH, ast.keyword)):
                child, call = call, self.parent(call)
            if not isinstance(call, ast.Call) or child is call.func:
                return None
        assert isinstance(call, ast.Call)
        found = [s.task for s in self.signals if s.shown_by(call)]
        return "+".join(dict.fromkeys(found)) or None

    def compared_names(self, node: ast.AST) -> str:
        """The names a string is compared with (``kwargs["model"] == "llama3.1"``: model)."""
        parent = self.parent(node)
        if not isinstance(parent, ast.Compare):
            return ""
        return " ".join(_last_name(o) for o in (parent.left, *parent.comparators)
                        if o is not node)

    def _first(self, test: object) -> Role | None:
        for row in self.tables.rows:
            if test(row):  # type: ignore[operator]
                return row.role
        return None

    def _call_role(self, call: ast.Call, holder: ast.AST, child: ast.AST) -> Role | None:
        callee = _last_name(call.func)
        if isinstance(holder, ast.keyword):
            argument = holder.arg or ""
        else:
            positional = [a for a in call.args if not isinstance(a, ast.Starred)]
            index = next((i for i, a in enumerate(positional) if a is child), -1)
            argument = f"#{index}" if index >= 0 else "*"
        if callee in _OPTION_CALLS and argument in _OPTION_ARGS:
            options = [a.value for a in call.args
                       if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            for row in self.tables.rows:
                if row.options is not None and any(row.options.match(o) for o in options):
                    return row.role
            return Role.OPTION_VALUE if argument == "choices" or _has_choices(call) else None
        if callee == "Choice" or (callee == "field" and argument == "default"
                                  and _has_choices(call)):
            return Role.OPTION_VALUE  # click.Choice([...]); a dataclass field's default
        for row in self.tables.rows:
            if row.takes(callee, argument):
                return row.role
        return None

    def _compare_role(self, compare: ast.Compare, child: ast.AST) -> Role | None:
        others = [o for o in (compare.left, *compare.comparators) if o is not child]
        for row in self.tables.rows:
            if row.compared is None:
                continue
            compared = row.compared
            if any(compared.search(_last_name(o)) and (row.owners is None or any(
                    row.owners.search(owner) for owner in _owners(o))) for o in others):
                return row.role
        return None


def _value_key(mapping: ast.Dict, value: ast.AST) -> str | None:
    """The constant key under which ``value`` sits in a dict display."""
    for key, item in zip(mapping.keys, mapping.values, strict=True):
        if item is value:
            return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) \
                else None
    return None


def _has_choices(call: ast.Call) -> bool:
    """Does an option call give its accepted values (``choices=[...]``,
    ``type=click.Choice([...])``, a dataclass field's ``metadata={"choices": [...]}``)? Its
    default must then stay one of them."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "choices":
            return True
        if keyword.arg == "type" and isinstance(value, ast.Call) and \
                _last_name(value.func) == "Choice":
            return True
        if keyword.arg == "metadata" and isinstance(value, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "choices" for k in value.keys):
            return True
    return False


def _owners(node: ast.AST) -> list[str]:
    """The names an attribute or subscript is read from (``self.model.config.model_type``:
    config, model, self)."""
    found: list[str] = []
    current = node.value if isinstance(node, (ast.Attribute, ast.Subscript)) else None
    while current is not None:
        name = _last_name(current)
        if name:
            found.append(name)
        current = current.value if isinstance(current, (ast.Attribute, ast.Subscript)) \
            else None
    return found


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    return ""


@dataclass(frozen=True, slots=True)
class TaskSignal:
    """One ``[[task]]`` row's call signals."""

    task: str
    keywords: frozenset[str]
    calls: frozenset[str]
    tokens: tuple[str, ...]
    content_types: frozenset[str]

    def shown_by(self, call: ast.Call) -> bool:
        if _last_name(call.func) in self.calls:
            return True
        if any(k.arg in self.keywords and not _is_none(k.value) for k in call.keywords):
            return True
        if not self.tokens and not self.content_types and not self.keywords:
            return False
        for argument in (*call.args, *(k.value for k in call.keywords)):
            for inner in ast.walk(argument):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and \
                        any(t in inner.value for t in self.tokens):
                    return True
                if isinstance(inner, ast.Dict) and _shown_in_dict(inner, self):
                    return True
        return False


@lru_cache(maxsize=8)
def task_signals(ruleset: RuleSet) -> tuple[TaskSignal, ...]:
    """The call signals of ``rules/tasks.toml``'s ``[[task]]`` rows, in row order."""
    out = []
    for row in ruleset.section_list("task"):
        out.append(TaskSignal(
            task=str(row["id"]), keywords=frozenset(row.get("call_keywords", ())),
            calls=frozenset(row.get("calls", ())), tokens=tuple(row.get("tokens", ())),
            content_types=frozenset(row.get("content_types", ()))))
    return tuple(out)


def _shown_in_dict(node: ast.Dict, signal: TaskSignal) -> bool:
    """A message dict with the signal's key (``{"images": [...]}``) or content-part type
    (``{"type": "image_url", ...}``)."""
    for key, value in zip(node.keys, node.values, strict=True):
        if not isinstance(key, ast.Constant):
            continue
        if key.value in signal.keywords and not _is_none(value):
            return True
        if key.value == "type" and isinstance(value, ast.Constant) and \
                value.value in signal.content_types:
            return True
    return False


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


_SENTENCE_END = re.compile(r"[a-z]\.\s+[A-Z]")


def _is_prose(node: ast.AST) -> bool:
    """A string of several sentences (help or description text passed positionally, a
    paragraph) names models for people to read; a command line (``--option``) is not prose."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return False
    text = node.value
    return (len(text.split()) >= 12 and len(_SENTENCE_END.findall(text)) >= 2
            and " --" not in text)


def _span(node: ast.AST) -> tuple[int, int, int, int] | None:
    end_line = getattr(node, "end_lineno", None)
    end_col = getattr(node, "end_col_offset", None)
    if end_line is None or end_col is None:
        return None
    return node.lineno, node.col_offset, end_line, end_col  # type: ignore[attr-defined]


def _descend_to_parent(tree: ast.AST, node: ast.AST) -> ast.AST | None:
    """``node``'s parent through positions only; None when a level has no child whose span
    contains it (nodes without positions, such as ``ast.arguments``, lie in between)."""
    target = _span(node)
    if target is None or node is tree:
        return None
    current = tree
    while True:
        step = None
        for child in ast.iter_child_nodes(current):
            if child is node:
                return current
            span = _span(child)
            if span is not None and span[:2] <= target[:2] and target[2:] <= span[2:]:
                step = child
                break
        if step is None:
            return None
        current = step
