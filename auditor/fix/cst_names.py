"""Dotted names of libcst expressions, for the fix codemod (scanning reads Python with `ast`)."""

from __future__ import annotations

import libcst as cst


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def root_name(node: cst.BaseExpression) -> str | None:
    """The leftmost name of an attribute chain (``a`` in ``a.b.c``), else None."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None
