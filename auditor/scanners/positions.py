"""Exact positions for a handful of libcst nodes, without whole-module metadata.

libcst's ``MetadataWrapper`` + ``PositionProvider`` records a range for every node of the
module (and by default deep-copies it first): several times the cost of the parse. A scanner
only needs the positions of the few nodes that produced a finding, so this runs the module's
code generation once with a state that counts lines and columns and records ranges for the
requested nodes only. Ranges follow ``PositionProvider``: syntactic, 1-based lines, 0-based
columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")

Span = tuple[int, int, int, int]
"""(start line, start column, end line, end column): lines 1-based, columns 0-based."""


@dataclass
class _TargetedPositionState(CodegenState):
    targets: frozenset[int] = frozenset()
    line: int = 1
    column: int = 0
    pending: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    found: dict[int, Span] = field(default_factory=dict)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def _advance(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets:
            self.pending.setdefault(key, []).append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets:
            start = self.pending[key].pop()
            if key not in self.found:
                self.found[key] = (start[0], start[1], self.line, self.column)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        key = id(node)
        if key not in self.targets:
            yield
            return
        start = (self.line, self.column)
        try:
            yield
        finally:
            self.found[key] = (start[0], start[1], self.line, self.column)


def node_spans(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
    """Map ``id(node)`` to its span for each of ``nodes`` (which must belong to ``module``)."""
    targets = frozenset(id(n) for n in nodes)
    if not targets:
        return {}
    state = _TargetedPositionState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        targets=targets,
    )
    module._codegen(state)
    return state.found
