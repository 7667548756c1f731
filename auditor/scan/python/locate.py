"""Where a node of the parsed module is written, including inside f-string fields.

Outside f-strings ``ast`` positions are exact. Inside a replacement field Python 3.10 and 3.11
compute them from the expression's text, and have been known to get them wrong (multi-line
fields; text repeated earlier in the literal, where the search for it lands first). So such a
position is derived from the enclosing f-string, whose own position is right: its fields are
located in the source (``literals``), the field's expression is parsed again, and the
node is found in it by its path from the field's root. Only nodes that produced a finding are
located, so this costs nothing measurable; ``ast``'s position is the fallback.
"""

from __future__ import annotations

import ast

from auditor.scan.python.literals import all_fields, literal_pieces
from auditor.scan.python.positions import SourceIndex
from auditor.scan.python.records import Chain, Where, formatted_values
from auditor.types import Span


class Locator:
    def __init__(self, index: SourceIndex) -> None:
        self.index = index

    def offsets(self, where: Where, chain: Chain = ()) -> tuple[int, int]:
        """Character offsets of the start and end of ``where``."""
        if isinstance(where, tuple):
            return where
        if chain:
            derived = self._derived(where, chain)
            if derived is not None:
                return derived
        return self.index.node_offsets(where)  # type: ignore[arg-type]

    def span(self, where: Where, chain: Chain = ()) -> Span:
        return self.index.span(*self.offsets(where, chain))

    def first_piece(self, literal: ast.AST, chain: Chain = ()) -> tuple[int, int]:
        """Offsets of the first string token of a literal (``"a"`` of ``"a" "b"``)."""
        start, end = self.offsets(literal, chain)
        pieces = literal_pieces(self.index.text, start, end)
        return (pieces[0].start, pieces[0].end) if pieces else (start, end)

    def _derived(self, node: ast.AST, chain: Chain) -> tuple[int, int] | None:
        text = self.index.text
        joined_at = self.index.node_offsets(chain[0][0])
        for level, (joined, number) in enumerate(chain):
            pieces = literal_pieces(text, *joined_at)
            fields = formatted_values(joined)
            located = all_fields(pieces) if pieces is not None else []
            if len(located) != len(fields):
                return None
            field = located[number]
            source = "(" + text[field.start:field.end] + ")"
            try:
                reparsed = ast.parse(source, mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            target = chain[level + 1][0] if level + 1 < len(chain) else node
            path = _path(fields[number].value, target)
            found = _follow(reparsed, path) if path is not None else None
            if found is None:
                return None
            start, end = SourceIndex(source).node_offsets(found)  # type: ignore[arg-type]
            joined_at = (field.start + start - 1, field.start + end - 1)
        return joined_at


def chain_to(root: ast.AST, root_chain: Chain, target: ast.AST) -> Chain:
    """The chain of ``target``, a node inside ``root`` (whose chain is ``root_chain``)."""
    stack: list[tuple[ast.AST, Chain]] = [(root, root_chain)]
    while stack:
        node, chain = stack.pop()
        if node is target:
            return chain
        if isinstance(node, ast.JoinedStr):
            for number, field in enumerate(formatted_values(node)):
                stack.append((field.value, (*chain, (node, number))))
        else:
            stack.extend((child, chain) for child in ast.iter_child_nodes(node))
    return root_chain


def _path(root: ast.AST, target: ast.AST) -> list[int] | None:
    """Child indexes (``ast.iter_child_nodes`` order) leading from ``root`` to ``target``."""
    stack: list[tuple[ast.AST, list[int]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        stack.extend((child, [*path, number])
                     for number, child in enumerate(ast.iter_child_nodes(node)))
    return None


def _follow(root: ast.AST, path: list[int]) -> ast.AST | None:
    node = root
    for number in path:
        children = list(ast.iter_child_nodes(node))
        if number >= len(children):
            return None
        node = children[number]
    return node if hasattr(node, "lineno") else None
