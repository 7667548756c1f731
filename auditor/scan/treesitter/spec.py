"""What the common walker needs to know about one language: its grammar and node types.

Each language family module (javascript, golang, rust, jvm) fills one ``LanguageSpec`` per
grammar; the walker (``walker.py``) reads every language the same way from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from tree_sitter import Language, Node, Parser


@dataclass(frozen=True, eq=False)
class LanguageSpec:
    """Compared and hashed by identity: one object per grammar."""

    name: str
    """The language's name in ``rules/sources.toml`` rows (javascript, go, rust, java, kotlin)."""
    grammar: Callable[[], object]
    """The grammar wheel's ``language()`` function (a capsule tree-sitter wraps)."""
    strings: frozenset[str]
    """String literal node types."""
    content: frozenset[str] = frozenset({"string_fragment", "string_content", "escape_sequence",
                                         "interpreted_string_literal_content",
                                         "raw_string_literal_content",
                                         "multiline_string_fragment"})
    """Children of a string literal that are its text."""
    substitutions: frozenset[str] = frozenset()
    """Children of a string literal that are substitutions (``${x}``, ``$x``)."""
    calls: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Call node type: (field naming the callee, field naming the arguments); "" = by position:
    the first named child is the callee, the last named child the arguments."""
    declarators: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Declaration node type: (field naming the name, field naming the value)."""
    pairs: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Key/value node type: (index of the key among named children, index of the value)."""
    pair_operators: dict[str, frozenset[str]] = field(default_factory=dict)
    """Key/value node types that are infix expressions: the operator (the named child between
    key and value) that makes one a pair (Kotlin's ``"eos" to 128009``; ``1 until n`` is not)."""
    imports: frozenset[str] = frozenset()
    """Import node types: their text names a module."""
    wrappers: frozenset[str] = frozenset()
    """Expressions whose first argument is the value (``aws.String(x)``, ``&T{}``)."""
    numbers: frozenset[str] = frozenset()
    """Integer literal node types (a Llama special token id, LA107)."""


@cache
def parser_for(spec: LanguageSpec) -> Parser:
    return Parser(Language(spec.grammar()))


def field_or_child(node: Node, name: str, index: int) -> Node | None:
    """The child in field ``name``, or the named child at ``index`` (negative from the end)."""
    if name:
        return node.child_by_field_name(name)
    named = node.named_children
    if not named or not -len(named) <= index < len(named):
        return None
    return named[index]
