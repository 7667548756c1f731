"""The role of a string in Python code, from where it sits in the syntax tree.

The rows are ``rules/python.toml``'s ``[[role]]`` (read by ``scan/roles.py``). From the
string outwards through f-strings, ``+``, lists, tuples and sets: the nearest call it is an
argument of decides (callee and argument; an argparse/click option's ``default`` or
``choices`` by the option's name), or a comparison with a name, or being a dict key; else the
nearest name it is the value of. Parents are computed once per file, only when asked.
"""

from __future__ import annotations

import ast

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
        self._parents: dict[int, ast.AST] | None = None

    def parent(self, node: ast.AST) -> ast.AST | None:
        if self._parents is None:
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
                break
            if not isinstance(parent, _THROUGH):
                break
            child, parent = parent, self.parent(parent)
        name = names.split()[-1] if names.split() else ""
        found = self._first(lambda row: row.names is not None and bool(row.names.search(name)))
        return found if found is not None else Role.MODEL_REFERENCE

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
            return None
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
