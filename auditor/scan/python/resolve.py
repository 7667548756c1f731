"""Evaluating Python expressions to the strings they can hold, through the recorded bindings.

Constants are followed through module, class and function scopes, ``self.x`` / ``Cls.x``,
parameter defaults, f-strings, ``+``, conditional and boolean expressions, dict subscripts and
the default of ``os.environ.get``/``os.getenv``. Parts that cannot be known become ``{}``.
At most ``MAX_VALUES`` values are kept and ``MAX_DEPTH`` steps followed.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass

from auditor.scan.python.literals import all_fields, literal_pieces
from auditor.scan.python.live import is_environment_lookup
from auditor.scan.python.positions import SourceIndex
from auditor.scan.python.records import Collection, Scope, formatted_values

MAX_VALUES = 8
MAX_DEPTH = 12
UNKNOWN = "{}"


@dataclass(frozen=True)
class Value:
    """A resolved string: its text (unknown parts as ``{}``) and the literals it came from."""

    text: str
    literals: tuple[int, ...] = ()


class Resolver:
    """Evaluates expressions to string values through the recorded bindings."""

    def __init__(self, collection: Collection, index: SourceIndex) -> None:
        self.collection = collection
        self.index = index

    def values(self, node: ast.expr, scope: Scope, depth: int = 0) -> list[Value]:
        if depth > MAX_DEPTH:
            return []
        if isinstance(node, ast.Constant):
            return [Value(node.value, (id(node),))] if isinstance(node.value, str) else []
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, ast.Add):
                return []
            left = self.values(node.left, scope, depth + 1) or [Value(UNKNOWN)]
            right = self.values(node.right, scope, depth + 1) or [Value(UNKNOWN)]
            return _join(left, right)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, scope, depth)
        if isinstance(node, ast.Name):
            return self._lookup(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._env_default(node, scope, depth)
        if isinstance(node, ast.IfExp):
            return (self.values(node.body, scope, depth + 1)
                    + self.values(node.orelse, scope, depth + 1))[:MAX_VALUES]
        if isinstance(node, ast.BoolOp):
            return self._boolean(node.values, scope, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth)
        return []

    def _boolean(self, operands: list[ast.expr], scope: Scope, depth: int) -> list[Value]:
        """``a or b or c`` as libcst nests it, ``((a or b) or c)``: the depth each operand is
        reached at (and so the ``MAX_DEPTH`` cut) is unchanged."""
        if depth > MAX_DEPTH:
            return []
        *head, last = operands
        left = self._boolean(head, scope, depth + 1) if len(head) > 1 else \
            self.values(head[0], scope, depth + 1)
        return (left + self.values(last, scope, depth + 1))[:MAX_VALUES]

    def _fstring(self, node: ast.JoinedStr, scope: Scope, depth: int) -> list[Value]:
        """Text parts are read as written (escapes and ``{{`` kept), as they always were;
        when the source has none of those, ``ast``'s processed parts are the same text."""
        results = [Value("", (id(node),))]
        fields = formatted_values(node)
        written = self._written_parts(node, fields)
        if written is None:
            for part in node.values:
                if isinstance(part, ast.Constant):
                    results = [Value(v.text + str(part.value), v.literals) for v in results]
                elif isinstance(part, ast.FormattedValue):
                    inner = self.values(part.value, scope, depth + 1) or [Value(UNKNOWN)]
                    results = _join(results, inner)
            return results
        for text, field in written:
            if field is None:
                results = [Value(v.text + text, v.literals) for v in results]
            else:
                inner = self.values(fields[field].value, scope, depth + 1) or [Value(UNKNOWN)]
                results = _join(results, inner)
        return results

    def _written_parts(self, node: ast.JoinedStr, fields: list[ast.FormattedValue]
                       ) -> list[tuple[str, int | None]] | None:
        """The f-string's parts as written: (text, None) or ("", field index); None when
        ``ast``'s parts are the written text already (or the source cannot be read)."""
        start, end = self.index.node_offsets(node)
        source = self.index.text[start:end]
        if not any(s in source for s in ("\\", "{{", "}}", "\r")) and \
                not _has_debug_text(node):
            return None
        pieces = literal_pieces(self.index.text, start, end)
        if pieces is None or len(all_fields(pieces)) != len(fields):
            return None
        parts: list[tuple[str, int | None]] = []
        base = 0
        for piece in pieces:
            if not piece.is_f:
                value = ast.literal_eval(self.index.text[piece.start:piece.end])
                parts.append((str(value), None))
                continue
            for index, a, b in piece.parts:
                parts.append((self.index.text[a:b], None) if index < 0 else ("", base + index))
            base += len(piece.fields)
        return parts

    def _lookup(self, name: str, scope: Scope, depth: int) -> list[Value]:
        current: Scope | None = scope
        while current is not None:
            if current.kind != "class" or current is scope:
                bound = current.bindings.get(name)
                if bound:
                    return self._from_bindings(bound, current, depth)
            current = current.parent
        return []

    def _from_bindings(self, bound: list[ast.expr], scope: Scope, depth: int) -> list[Value]:
        out: list[Value] = []
        for expr in bound:
            out.extend(self.values(expr, scope, depth + 1))
            if len(out) >= MAX_VALUES:
                break
        return out[:MAX_VALUES]

    def _attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> list[Value]:
        owner_name = node.value.id if isinstance(node.value, ast.Name) else None
        attr = node.attr
        if owner_name in ("self", "cls"):
            owner = scope.enclosing_class()
            if owner is None:
                return []
            bound = owner.bindings.get(attr) or owner.attributes.get(attr)
            if bound:
                method_scope = scope if scope.kind == "function" else owner
                return self._from_bindings(bound, method_scope, depth)
            return []
        if owner_name is not None:
            for cls_scope in self.collection.class_scopes:
                if cls_scope.name == owner_name:
                    bound = cls_scope.bindings.get(attr)
                    if bound:
                        return self._from_bindings(bound, cls_scope, depth)
        return []

    def _env_default(self, node: ast.Call, scope: Scope, depth: int) -> list[Value]:
        if not is_environment_lookup(node):
            return []
        default: ast.expr | None = None
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) >= 2:
            default = positional[1]
        for keyword in node.keywords:
            if keyword.arg == "default":
                default = keyword.value
        return self.values(default, scope, depth + 1) if default is not None else []

    def _subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> list[Value]:
        if isinstance(node.slice, ast.Slice):
            return []
        key_values = self.values(node.slice, scope, depth + 1)
        if not key_values or not isinstance(node.value, ast.Name):
            return []
        out: list[Value] = []
        current: Scope | None = scope
        while current is not None and not out:
            for expr in current.bindings.get(node.value.id, []):
                if isinstance(expr, ast.Dict):
                    for key, value in zip(expr.keys, expr.values, strict=True):
                        if (isinstance(key, ast.Constant) and isinstance(key.value, str)
                                and any(k.text == key.value for k in key_values)
                                and self._one_piece(key)):
                            out.extend(self.values(value, current, depth + 1))
            current = current.parent
        return out[:MAX_VALUES]

    def _one_piece(self, node: ast.expr) -> bool:
        pieces = literal_pieces(self.index.text, *self.index.node_offsets(node))
        return pieces is None or len(pieces) == 1

    def callee_name(self, func: ast.expr, scope: Scope, depth: int = 0) -> str | None:
        """Qualified dotted name of a callee, through imports and ``x = Class()`` bindings."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(func, ast.Name):
            imported = self.collection.imports.get(func.id)
            if imported is not None:
                return imported
            constructed = self._constructed(func.id, scope, depth)
            return constructed if constructed is not None else func.id
        if isinstance(func, ast.Attribute):
            base = self.callee_name(func.value, scope, depth + 1)
            return f"{base}.{func.attr}" if base is not None else None
        if isinstance(func, ast.Call):
            inner = self.callee_name(func.func, scope, depth + 1)
            return f"{inner}()" if inner is not None else None
        return None

    def _constructed(self, name: str, scope: Scope, depth: int) -> str | None:
        current: Scope | None = scope
        while current is not None:
            for expr in current.bindings.get(name, []):
                if isinstance(expr, ast.Call):
                    inner = self.callee_name(expr.func, current, depth + 1)
                    if inner is not None:
                        return f"{inner}()"
            current = current.parent
        return None


def _join(left: list[Value], right: list[Value]) -> list[Value]:
    if not left or not right:
        return []
    return [Value(a.text + b.text, a.literals + b.literals)
            for a, b in itertools.islice(itertools.product(left, right), MAX_VALUES)]


def _has_debug_text(node: ast.JoinedStr) -> bool:
    """Could a part be the text of a self-documenting field (``f"{x=}"`` adds "x=")?"""
    return any(isinstance(a, ast.Constant) and str(a.value).rstrip().endswith("=")
               and isinstance(b, ast.FormattedValue) for a, b in itertools.pairwise(node.values))
