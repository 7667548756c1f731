"""The Python scanner: one libcst parse and one visitor pass per file.

The visitor records what it sees (string expressions, calls, imports, names, integers, name
bindings) and resolves everything when the module ends, when every constant is known. Only
nodes that produced a hit get positions (see ``positions.py``).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ..cst_names import dotted_name, root_name
from ..identify import identify
from ..model import ModelRef
from ..ruleset import RuleSet
from .base import Hit, Problem, ScanContext, ScanOutput, SourceFile
from .lines import identify_tokens, scan_lines
from .positions import Span, node_spans
from .python_screen import CodeTables, code_tables, could_produce_findings
from .python_tables import PythonTables, python_tables

MAX_VALUES = 8
MAX_DEPTH = 12
UNKNOWN = "{}"

_ANNOTATION = "<annotation>"

StringNode = cst.SimpleString | cst.ConcatenatedString | cst.FormattedString


@dataclass(frozen=True)
class Value:
    """A resolved string: its text (unknown parts as ``{}``) and the literals it came from."""

    text: str
    literals: tuple[int, ...] = ()


@dataclass
class Scope:
    kind: str  # module | class | function
    name: str
    parent: Scope | None
    bindings: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    attributes: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    """For classes: ``self.x = ...`` assignments made in its methods."""

    def enclosing_class(self) -> Scope | None:
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class":
                return scope
            scope = scope.parent
        return None


@dataclass
class _StringUnit:
    node: cst.BaseExpression
    scope: Scope
    context: str
    docstring: bool
    names: str = ""
    """The assignment target, keyword or dict key the string is the value of."""


@dataclass
class _CallRecord:
    node: cst.Call
    scope: Scope
    context: str


@dataclass
class _ApiUse:
    node: cst.CSTNode
    rule_id: str
    identifier: str
    context: str


@dataclass
class _TokenUse:
    node: cst.Integer
    value: int
    context: str


_SKIPPED_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header",
    "footer", "trailing_whitespace", "newline", "colon", "dot", "equal", "operator",
})
"""Whitespace, comments and punctuation: nothing a rule reads (plus every ``whitespace*``)."""
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_HANDLERS: dict[tuple[type, type], tuple[Callable[..., Any] | None,
                                         Callable[..., Any] | None]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(node_type)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node_type)
                      if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace"))
        _CHILD_FIELDS[node_type] = names
    return names


def walk(root: cst.CSTNode, visitor: object) -> None:
    """Pre-order walk calling ``visit_<Type>``/``leave_<Type>`` on ``visitor``.

    libcst's own ``visit`` rebuilds every node it passes (it is built for transformers), which
    costs more than the parse. This walk only reads fields, skips whitespace and punctuation,
    and keeps libcst's contract: ``visit_X`` returning False skips the children.
    """
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    visitor_type = type(visitor)
    while stack:
        node, leaving = stack.pop()
        node_type = type(node)
        handlers = _HANDLERS.get((visitor_type, node_type))
        if handlers is None:
            name = node_type.__name__
            handlers = (getattr(visitor_type, f"visit_{name}", None),
                        getattr(visitor_type, f"leave_{name}", None))
            _HANDLERS[(visitor_type, node_type)] = handlers
        enter, leave = handlers
        if leaving:
            if leave is not None:
                leave(visitor, node)
            continue
        if enter is not None and enter(visitor, node) is False:
            continue
        if leave is not None:
            stack.append((node, True))
        children: list[cst.CSTNode] = []
        for field_name in _child_fields(node_type):
            value = getattr(node, field_name)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (list, tuple)):
                children.extend(v for v in value if isinstance(v, cst.CSTNode))
        stack.extend((child, False) for child in reversed(children))


class _Collector:
    def __init__(self, tables: PythonTables) -> None:
        self.tables = tables
        self.module_scope = Scope("module", "", None)
        self.scope = self.module_scope
        self.context_names: list[str] = []
        self.imports: dict[str, str] = {}
        self.units: list[_StringUnit] = []
        self.calls: list[_CallRecord] = []
        self.api_uses: list[_ApiUse] = []
        self.tokens: list[_TokenUse] = []
        self.value_context: list[str] = []
        self.consumed: set[int] = set()
        self.docstrings: set[int] = set()
        self.class_scopes: list[Scope] = []

    # -- scopes -------------------------------------------------------------------------------
    @property
    def context(self) -> str:
        return ".".join(self.context_names)

    def visit_Module(self, node: cst.Module) -> None:
        self._note_docstring(node.body)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope = Scope("class", node.name.value, self.scope)
        self.class_scopes.append(self.scope)
        self.context_names.append(node.name.value)
        if isinstance(node.body, cst.IndentedBlock):
            self._note_docstring(node.body.body)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop_scope()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope = Scope("function", node.name.value, self.scope)
        self.context_names.append(node.name.value)
        for param in itertools.chain(node.params.params, node.params.kwonly_params,
                                     node.params.posonly_params):
            if param.default is not None:
                self.scope.bindings.setdefault(param.name.value, []).append(param.default)
        if isinstance(node.body, cst.IndentedBlock):
            self._note_docstring(node.body.body)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop_scope()

    def _pop_scope(self) -> None:
        if self.scope.parent is not None:
            self.scope = self.scope.parent
        self.context_names.pop()

    def _note_docstring(self, body: Sequence[cst.BaseStatement]) -> None:
        if not body:
            return
        first = body[0]
        if isinstance(first, cst.SimpleStatementLine) and first.body:
            stmt = first.body[0]
            if isinstance(stmt, cst.Expr) and isinstance(stmt.value, (cst.SimpleString,
                                                                      cst.ConcatenatedString)):
                self.docstrings.add(id(stmt.value))

    # -- bindings -----------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        names: list[str] = []
        for target in node.targets:
            names.extend(self._bind(target.target, node.value))
        self.value_context.append(" ".join(names))

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self.value_context.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        names = self._bind(node.target, node.value) if node.value is not None else []
        self.value_context.append(" ".join(names))

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        self.value_context.pop()

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> list[str]:
        if isinstance(target, cst.Name):
            self.scope.bindings.setdefault(target.value, []).append(value)
            return [target.value]
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
        ):
            owner = self.scope.enclosing_class()
            if owner is not None:
                owner.attributes.setdefault(target.attr.value, []).append(value)
            return [target.attr.value]
        if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            names: list[str] = []
            for t_el, v_el in zip(target.elements, value.elements, strict=False):
                names.extend(self._bind(t_el.value, v_el.value))
            return names
        return []

    def visit_Param(self, node: cst.Param) -> None:
        self.value_context.append(node.name.value)

    def leave_Param(self, original_node: cst.Param) -> None:
        self.value_context.pop()

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.value_context.append(_ANNOTATION)  # Literal["llama2"] is a type, not a value

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self.value_context.pop()

    def visit_Arg(self, node: cst.Arg) -> None:
        self.value_context.append(node.keyword.value if node.keyword is not None else "")

    def leave_Arg(self, original_node: cst.Arg) -> None:
        self.value_context.pop()

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = node.key
        self.value_context.append(
            str(key.evaluated_value) if isinstance(key, cst.SimpleString) else ""
        )

    def leave_DictElement(self, original_node: cst.DictElement) -> None:
        self.value_context.pop()

    # -- imports and Llama-specific names -----------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            module = dotted_name(alias.name)
            if module is None:
                continue
            local = alias.asname.name if alias.asname is not None else None
            if isinstance(local, cst.Name):
                self.imports[local.value] = module
            else:
                top = module.split(".")[0]
                self.imports[top] = top
            rule = self.tables.module_rule(module)
            if rule is not None:
                self.api_uses.append(_ApiUse(alias.name, rule, module, self.context))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = dotted_name(node.module) if node.module is not None else ""
        module = "." * len(node.relative) + (module or "")
        module_rule = self.tables.module_rule(module)
        if module_rule is not None and node.module is not None:
            self.api_uses.append(_ApiUse(node.module, module_rule, module, self.context))
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            qualified = f"{module}.{name}" if module and not module.endswith(".") else module + name
            local = alias.asname.name if alias.asname is not None else None
            local_name = local.value if isinstance(local, cst.Name) else name
            self.imports[local_name] = qualified
            if module_rule is None:
                sub_rule = self.tables.module_rule(qualified)
                if sub_rule is not None:
                    self.api_uses.append(_ApiUse(alias.name, sub_rule, qualified, self.context))
                    continue
            if name in self.tables.llama_classes and module_rule != "LA103":
                self.api_uses.append(_ApiUse(alias.name, "LA103", name, self.context))
        return False

    def visit_Name(self, node: cst.Name) -> None:
        qualified = self.imports.get(node.value)
        if qualified is None:
            return
        if qualified.rsplit(".", 1)[-1] in self.tables.llama_classes:
            self.api_uses.append(_ApiUse(node, "LA103", qualified.rsplit(".", 1)[-1],
                                         self.context))
        elif self.tables.module_rule(qualified) == "LA104":
            # Every use of a Meta-only client (LlamaAPIClient(...)) is a blocker, like LA103.
            self.api_uses.append(_ApiUse(node, "LA104", qualified, self.context))

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value in self.tables.llama_classes:
            root = root_name(node)
            if root is not None and root in self.imports:
                self.api_uses.append(_ApiUse(node, "LA103", node.attr.value, self.context))
                return False
        return True

    # -- calls, strings, integers -------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(_CallRecord(node, self.scope, self.context))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._unit(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._unit(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._unit(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Add) and _has_string_operand(node):
            self._unit(node)

    def _unit(self, node: cst.BaseExpression) -> None:
        if id(node) in self.consumed:
            return
        for part in _string_parts(node):
            self.consumed.add(id(part))
        self.units.append(_StringUnit(node, self.scope, self.context, id(node) in self.docstrings,
                                      " ".join(self.value_context[-2:])))

    def visit_Integer(self, node: cst.Integer) -> None:
        try:
            value = int(node.value.replace("_", ""), 0)
        except ValueError:
            return
        if value in self.tables.token_ids:
            names = " ".join(self.value_context[-3:])
            if self.tables.token_context.search(names):
                self.tokens.append(_TokenUse(node, value, self.context))


def _has_string_operand(node: cst.BinaryOperation) -> bool:
    for side in (node.left, node.right):
        if isinstance(side, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return True
        if isinstance(side, cst.BinaryOperation) and isinstance(side.operator, cst.Add) and \
                _has_string_operand(side):
            return True
    return False


def _string_parts(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """The node and the string sub-expressions it subsumes (reported as one unit)."""
    yield node
    if isinstance(node, cst.ConcatenatedString) or (
        isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)
    ):
        yield from _string_parts(node.left)
        yield from _string_parts(node.right)






class _Resolver:
    """Evaluates expressions to string values through the recorded bindings."""

    def __init__(self, collector: _Collector) -> None:
        self.collector = collector

    def values(self, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[Value]:
        if depth > MAX_DEPTH:
            return []
        if isinstance(node, cst.SimpleString):
            try:
                evaluated = node.evaluated_value
            except Exception:  # libcst raises for odd escapes; treat as not a string
                return []
            if isinstance(evaluated, bytes):
                return []
            return [Value(evaluated, (id(node),))]
        if isinstance(node, cst.ConcatenatedString):
            return self._join(self.values(node.left, scope, depth + 1),
                              self.values(node.right, scope, depth + 1))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.values(node.left, scope, depth + 1) or [Value(UNKNOWN)]
            right = self.values(node.right, scope, depth + 1) or [Value(UNKNOWN)]
            return self._join(left, right)
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, scope, depth)
        if isinstance(node, cst.Name):
            return self._lookup(node.value, scope, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, cst.Call):
            return self._env_default(node, scope, depth)
        if isinstance(node, cst.IfExp):
            return (self.values(node.body, scope, depth + 1)
                    + self.values(node.orelse, scope, depth + 1))[:MAX_VALUES]
        if isinstance(node, cst.BooleanOperation):
            return (self.values(node.left, scope, depth + 1)
                    + self.values(node.right, scope, depth + 1))[:MAX_VALUES]
        if isinstance(node, cst.Subscript):
            return self._subscript(node, scope, depth)
        return []

    def _join(self, left: list[Value], right: list[Value]) -> list[Value]:
        if not left or not right:
            return []
        return [Value(a.text + b.text, a.literals + b.literals)
                for a, b in itertools.islice(itertools.product(left, right), MAX_VALUES)]

    def _fstring(self, node: cst.FormattedString, scope: Scope, depth: int) -> list[Value]:
        results = [Value("", (id(node),))]
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                results = [Value(v.text + part.value, v.literals) for v in results]
            elif isinstance(part, cst.FormattedStringExpression):
                inner = self.values(part.expression, scope, depth + 1) or [Value(UNKNOWN)]
                results = self._join(results, inner)
        return results

    def _lookup(self, name: str, scope: Scope, depth: int) -> list[Value]:
        current: Scope | None = scope
        while current is not None:
            if current.kind != "class" or current is scope:
                bound = current.bindings.get(name)
                if bound:
                    return self._from_bindings(bound, current, depth)
            current = current.parent
        return []

    def _from_bindings(
        self, bound: list[cst.BaseExpression], scope: Scope, depth: int
    ) -> list[Value]:
        out: list[Value] = []
        for expr in bound:
            out.extend(self.values(expr, scope, depth + 1))
            if len(out) >= MAX_VALUES:
                break
        return out[:MAX_VALUES]

    def _attribute(self, node: cst.Attribute, scope: Scope, depth: int) -> list[Value]:
        owner_name = node.value.value if isinstance(node.value, cst.Name) else None
        attr = node.attr.value
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
            for cls_scope in self._class_scopes(owner_name):
                bound = cls_scope.bindings.get(attr)
                if bound:
                    return self._from_bindings(bound, cls_scope, depth)
        return []

    def _class_scopes(self, name: str) -> list[Scope]:
        return [s for s in self.collector.class_scopes if s.name == name]

    def _env_default(self, node: cst.Call, scope: Scope, depth: int) -> list[Value]:
        callee = dotted_name(node.func) or ""
        if not (callee.endswith("environ.get") or callee.endswith("getenv")
                or callee in ("getenv", "get")):
            return []
        default: cst.BaseExpression | None = None
        positional = [a for a in node.args if a.keyword is None and not a.star]
        if len(positional) >= 2:
            default = positional[1].value
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                default = arg.value
        return self.values(default, scope, depth + 1) if default is not None else []

    def _subscript(self, node: cst.Subscript, scope: Scope, depth: int) -> list[Value]:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return []
        key_values = self.values(node.slice[0].slice.value, scope, depth + 1)
        if not key_values or not isinstance(node.value, cst.Name):
            return []
        out: list[Value] = []
        current: Scope | None = scope
        while current is not None and not out:
            for expr in current.bindings.get(node.value.value, []):
                if isinstance(expr, cst.Dict):
                    for element in expr.elements:
                        if isinstance(element, cst.DictElement) and isinstance(
                                element.key, cst.SimpleString):
                            key = element.key.evaluated_value
                            if any(k.text == key for k in key_values):
                                out.extend(self.values(element.value, current, depth + 1))
            current = current.parent
        return out[:MAX_VALUES]

    def callee_name(self, func: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
        """Qualified dotted name of a callee, through imports and ``x = Class()`` bindings."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(func, cst.Name):
            imported = self.collector.imports.get(func.value)
            if imported is not None:
                return imported
            constructed = self._constructed(func.value, scope, depth)
            return constructed if constructed is not None else func.value
        if isinstance(func, cst.Attribute):
            base = self.callee_name(func.value, scope, depth + 1)
            return f"{base}.{func.attr.value}" if base is not None else None
        if isinstance(func, cst.Call):
            inner = self.callee_name(func.func, scope, depth + 1)
            return f"{inner}()" if inner is not None else None
        return None

    def _constructed(self, name: str, scope: Scope, depth: int) -> str | None:
        current: Scope | None = scope
        while current is not None:
            for expr in current.bindings.get(name, []):
                if isinstance(expr, cst.Call):
                    inner = self.callee_name(expr.func, current, depth + 1)
                    if inner is not None:
                        return f"{inner}()"
            current = current.parent
        return None


@dataclass
class _PendingHit:
    node: cst.CSTNode
    rule_id: str
    identifier: str
    model: ModelRef | None
    context: str
    message_values: tuple[tuple[str, str], ...] = ()
    offset: tuple[int, int, int] | None = None
    """(line delta, column, length) of a token inside a multi-line string literal."""
    anchor: cst.CSTNode | None = None
    """The literal that names the model, when written inside a call that spans lines: the
    finding is reported on the literal's line (the line to change), not the call's first."""


def scan_python(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Scan Python source; on a parse failure, fall back to the line scanner.

    libcst runs in an isolated worker (``parse_guard``): a file that is too large or too deep
    for it, crashes it or overruns ``ctx.parse_timeout_seconds`` is line-scanned instead, with
    a diagnostic saying why.
    """
    from . import parse_guard as guard

    def line_scan(code: str, message: str) -> ScanOutput:
        return ScanOutput(hits=scan_lines(text, ctx.ruleset),
                          problems=[Problem(code, f"{message}; identifiers found by the line "
                                                  "scanner")],
                          parsed=False)

    refused = guard.screen(text)
    if refused is not None:
        return line_scan(refused.code, refused.message)
    if not could_produce_findings(text, ctx.ruleset):
        return ScanOutput()
    outcome = guard.run_isolated(guard.analyse_python, text, ctx.ruleset,
                                 ctx.parse_timeout_seconds)
    if isinstance(outcome, guard.ParseRefused):
        return line_scan(outcome.code, outcome.message)
    if isinstance(outcome, guard.AnalysisError):
        if outcome.type_name == "RecursionError":
            return line_scan("too-deep", "not analysed: nesting too deep")
        if outcome.type_name in ("ParserSyntaxError", "ValueError"):
            return _fallback(text, ctx.ruleset, f"{outcome.type_name}: {outcome.message}")
        raise guard.AnalysisFailed(outcome)
    hits: list[Hit] = outcome
    return ScanOutput(hits=hits)


def _first_line(message: str) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else "unknown parse error"


def _fallback(text: str, ruleset: RuleSet, reason: str) -> ScanOutput:
    hits = scan_lines(text, ruleset)
    return ScanOutput(
        hits=hits,
        problems=[Problem("parse-error",
                          f"not valid Python 3 ({reason}); identifiers found by the line scanner")],
        parsed=False,
    )


def analyse_module(module: cst.Module, ruleset: RuleSet) -> list[Hit]:
    tables = python_tables(ruleset)
    collector = _Collector(tables)
    walk(module, collector)
    resolver = _Resolver(collector)
    pending: list[_PendingHit] = []
    loader_literals: set[int] = set()

    for call in collector.calls:
        pending.extend(_loader_hits(call, resolver, tables, ruleset, loader_literals))

    context_marker_units: list[_PendingHit] = []
    for unit in collector.units:
        if unit.docstring:
            continue
        pending.extend(_unit_hits(unit, resolver, tables, ruleset, loader_literals,
                                  context_marker_units))

    for use in collector.api_uses:
        pending.append(_PendingHit(use.node, use.rule_id, use.identifier, None, use.context))
    for token in collector.tokens:
        pending.append(_PendingHit(token.node, "LA107", str(token.value), None, token.context))

    if not pending and not context_marker_units:
        return []
    spans = node_spans(module, [p.node for p in pending + context_marker_units]
                       + [p.anchor for p in pending if p.anchor is not None])
    hits = [_to_hit(p, spans) for p in pending if id(p.node) in spans]
    llama2_lines = [h.line for h in hits if h.rule_id == "LA106"
                    and h.identifier in tables.llama2_markers]
    for candidate in context_marker_units:
        span = spans.get(id(candidate.node))
        if span is None:
            continue
        if any(abs(span[0] - line) <= tables.context_lines for line in llama2_lines):
            hits.append(_to_hit(candidate, spans))
    return hits


def _to_hit(pending: _PendingHit, spans: dict[int, Span]) -> Hit:
    line, column, end_line, end_column = spans[id(pending.node)]
    anchor = spans.get(id(pending.anchor)) if pending.anchor is not None else None
    if anchor is not None and anchor[0] > line:
        line, column, end_line, end_column = anchor
    if pending.offset is not None:
        delta, col, length = pending.offset
        line = line + delta
        column = col if delta else column + col
        end_line, end_column = line, column + length
    return Hit(
        rule_id=pending.rule_id,
        line=line,
        column=column + 1,
        end_line=end_line,
        end_column=end_column + 1,
        identifier=pending.identifier,
        model=pending.model,
        context=pending.context,
        message_values=pending.message_values,
    )


def _loader_hits(
    call: _CallRecord, resolver: _Resolver, tables: PythonTables, ruleset: RuleSet,
    loader_literals: set[int],
) -> list[_PendingHit]:
    qualname = resolver.callee_name(call.node.func, call.scope)
    if qualname is None:
        return []
    spec = next((s for s in tables.loaders if s.matches(qualname)), None)
    if spec is None:
        return []
    candidates: list[cst.BaseExpression] = []
    positional = [a for a in call.node.args if a.keyword is None and not a.star]
    for name in spec.args:
        for arg in call.node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                candidates.append(arg.value)
    for index in spec.positions:
        if index < len(positional):
            candidates.append(positional[index].value)
    for expr in candidates:
        for value in resolver.values(expr, call.scope):
            ref = identify(value.text, ruleset)
            if ref is None or not ref.meta_weights:
                continue
            direct = {lit for lit in value.literals if _is_within(expr, lit)}
            loader_literals.update(direct)
            loader_literals.add(id(expr))
            return [_PendingHit(call.node, "LA102", value.text, ref, call.context,
                                (("loader", spec.label),), anchor=_first_literal(expr, direct))]
    return []


def _first_literal(expr: cst.BaseExpression, literal_ids: set[int]) -> cst.CSTNode | None:
    """The first of the given literals written inside ``expr`` (source order)."""
    if not literal_ids:
        return None
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if id(node) in literal_ids:
            return node
        if isinstance(node, (cst.Name, cst.Lambda)):
            continue
        stack.extend(reversed(node.children))
    return None


def _is_within(expr: cst.BaseExpression, literal_id: int) -> bool:
    """Was the literal written inside ``expr`` (not behind a name bound elsewhere)?"""
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if id(node) == literal_id:
            return True
        if isinstance(node, (cst.Name, cst.Lambda)):
            continue
        stack.extend(node.children)
    return False


def _unit_hits(
    unit: _StringUnit, resolver: _Resolver, tables: PythonTables, ruleset: RuleSet,
    loader_literals: set[int], context_marker_units: list[_PendingHit],
) -> list[_PendingHit]:
    node = unit.node
    values = resolver.values(node, unit.scope)
    if not values:
        return []
    hits: list[_PendingHit] = []
    skip_identifiers = id(node) in loader_literals or any(
        lit in loader_literals for v in values for lit in v.literals
    )
    seen: set[str] = set()
    for value in values:
        text = value.text
        if not skip_identifiers and "\n" not in text and not any(c.isspace() for c in text):
            ref = identify(text, ruleset)
            if ref is not None and _bare_tag_out_of_context(ref, text, unit.names):
                ref = None
            if ref is not None and text not in seen:
                seen.add(text)
                rule = "LA101" if ref.meta_weights else "LA109"
                hits.append(_PendingHit(node, rule, text, ref, unit.context))
                continue
        if not skip_identifiers and isinstance(node, cst.SimpleString) and \
                any(c.isspace() for c in text):
            hits.extend(_token_hits(node, text, ruleset, unit.context, seen,
                                    f"{unit.names} {text}"))
    written = _written_text(node)
    code = code_tables(ruleset)
    if isinstance(node, cst.SimpleString):
        hits.extend(_template_name_hits(node, values[0].text, unit, code))
    lowered = written.lower()
    host = next((h for h in code.meta_only_hosts if h in lowered), None)
    if host is not None:
        hits.append(_PendingHit(node, "LA104", host, None, unit.context))
    marker = next((m for m in tables.strong_markers if m in written), None)
    if marker is not None:
        hits.append(_PendingHit(node, "LA106", marker, None, unit.context))
    else:
        context_marker = next((m for m in tables.context_markers if m in written), None)
        if context_marker is not None:
            context_marker_units.append(
                _PendingHit(node, "LA106", context_marker, None, unit.context))
    return hits


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _template_name_hits(
    node: cst.SimpleString, text: str, unit: _StringUnit, code: CodeTables
) -> list[_PendingHit]:
    """LA108: a Llama chat template chosen by name (``prompt_style="llama2"``)."""
    names = unit.names.split()
    if not names or not code.template_values.fullmatch(text):
        return []
    name = names[-1]  # the nearest name: the keyword, parameter, target or key itself
    if not code.template_names.search(_CAMEL_BOUNDARY.sub("_", name)):
        return []
    return [_PendingHit(node, "LA108", text, None, unit.context, (("key", name),))]


_MODEL_CONTEXT = re.compile(r"(?i)model|llm|ollama|tag|checkpoint|engine|deploy|name|repo|chat|"
                            r"generat|embed|pull|serve")
_NOT_MODEL_CONTEXT = re.compile(r"(?i)type|rope|arch|family|format|template|scaling|mapping")


def _bare_tag_out_of_context(ref: ModelRef, text: str, names: str) -> bool:
    """A bare Ollama name ("llama3") is a model only where the code says so: in a loader, or as
    the value of something named like a model. Elsewhere it is usually a format or type key."""
    if ref.runtime != "ollama" or ":" in text or "/" in text:
        return False
    return not _MODEL_CONTEXT.search(names) or bool(_NOT_MODEL_CONTEXT.search(names))


def _written_text(node: cst.CSTNode) -> str:
    """The literal text written inside a string unit (names are not followed): markers count
    where they are typed, not where a variable holding them is used."""
    if isinstance(node, cst.SimpleString):
        return node.value
    if isinstance(node, cst.FormattedStringText):
        return node.value
    if isinstance(node, (cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation)):
        return "".join(_written_text(child) for child in node.children)
    return ""


def _token_hits(
    node: cst.SimpleString, text: str, ruleset: RuleSet, context: str, seen: set[str],
    names: str,
) -> list[_PendingHit]:
    """Identifiers inside a longer string (a shell command, a sentence): one hit each. A bare
    Ollama name counts only when the string or its name says "model" (``ollama pull llama3``,
    not "the `llama2` prompt style")."""
    hits: list[_PendingHit] = []
    raw = node.value
    search_from = 0
    for _start, _end, token, ref in identify_tokens(text, ruleset):
        if token in seen or _bare_tag_out_of_context(ref, token, names):
            continue
        seen.add(token)
        at = raw.find(token, search_from)
        offset: tuple[int, int, int] | None = None
        if at >= 0:
            before = raw[:at]
            delta = before.count("\n")
            column = at - (before.rfind("\n") + 1) if delta else at
            offset = (delta, column, len(token))
            search_from = at + len(token)
        rule = "LA101" if ref.meta_weights else "LA109"
        hits.append(_PendingHit(node, rule, token, ref, context, offset=offset))
    return hits
