"""What the Python scanner records about a module: scopes and the nodes rules look at."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

ANNOTATION = "<annotation>"
"""Pushed as the name of a type annotation: ``Literal["llama2"]`` is a type, not a value."""

Chain = tuple[tuple[ast.JoinedStr, int], ...]
"""The f-strings a node is written in, outermost first: (f-string, index of the replacement
field in ``formatted_values`` order)."""

Where = ast.AST | tuple[int, int]
"""A node, or character offsets in the source (for names ``ast`` keeps as strings)."""


@dataclass
class Scope:
    kind: str  # module | class | function
    name: str
    parent: Scope | None
    bindings: dict[str, list[ast.expr]] = field(default_factory=dict)
    attributes: dict[str, list[ast.expr]] = field(default_factory=dict)
    """For classes: ``self.x = ...`` assignments made in its methods."""

    def enclosing_class(self) -> Scope | None:
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class":
                return scope
            scope = scope.parent
        return None


@dataclass
class StringUnit:
    """A string expression reported as one: a literal, an f-string, or a ``+`` of them."""

    node: ast.expr
    scope: Scope
    context: str
    docstring: bool
    names: str
    """The assignment target, keyword, parameter or dict key the string is the value of."""
    chain: Chain


@dataclass
class CallRecord:
    node: ast.Call
    scope: Scope
    context: str
    chain: Chain


@dataclass
class ApiUse:
    where: Where
    rule_id: str
    identifier: str
    context: str
    chain: Chain = ()


@dataclass
class TokenUse:
    node: ast.Constant
    value: int
    context: str
    chain: Chain


@dataclass
class Collection:
    """Everything one module contributes to the Python rules."""

    module_scope: Scope
    imports: dict[str, str]
    class_scopes: list[Scope]
    units: list[StringUnit]
    calls: list[CallRecord]
    api_uses: list[ApiUse]
    tokens: list[TokenUse]


def formatted_values(joined: ast.JoinedStr) -> list[ast.FormattedValue]:
    """An f-string's replacement fields in source order, a format spec's after their own."""
    out: list[ast.FormattedValue] = []
    for value in joined.values:
        if isinstance(value, ast.FormattedValue):
            out.append(value)
            if isinstance(value.format_spec, ast.JoinedStr):
                out.extend(formatted_values(value.format_spec))
    return out
