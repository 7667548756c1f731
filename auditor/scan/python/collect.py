"""Reading a parsed module into what the Python rules need, in one walk.

First every statement is read (not its expressions): scopes, name bindings, docstrings,
imports. That is enough to know which lines are live (``live``). Then the statements
are replayed in order and the expressions of live ones are walked, recording string
expressions, calls, uses of Llama-specific names and integers in a stop-token context. What
they resolve to is decided later (``resolve``), when every binding is known.

The order of the replay and what each node contributes follow the libcst visitor this
replaces, so results are unchanged: the enclosing assignment target, keyword, parameter or dict
key of a string (its "names"); a class's ``self.x`` attributes; and the names libcst visited
as ``Name`` nodes where ``ast`` has plain strings (definition, parameter, keyword and
attribute names) are checked against the imports too.

This module holds the two stages and the replay; imports and name uses are read by ``names``,
expressions walked by ``expressions``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from auditor.ruleset.python_tables import PythonTables
from auditor.scan.python.expressions import (
    STRING_TYPES,
    ExpressionWalker,
    optional_arg,
    parameter_defaults,
)
from auditor.scan.python.literals import literal_pieces
from auditor.scan.python.live import Binding, LiveLines, live_lines, may_hold_text
from auditor.scan.python.names import NAME, SPACE, qualified_name
from auditor.scan.python.positions import SourceIndex
from auditor.scan.python.records import (
    ANNOTATION,
    ApiUse,
    CallRecord,
    Collection,
    Scope,
    StringUnit,
    TokenUse,
)


def collect(tree: ast.Module, index: SourceIndex, tables: PythonTables, *,
            prune: bool = True) -> Collection:
    """Read ``tree``. ``prune=False`` walks every expression, live or not: the same result,
    only slower (tests check that pruning loses nothing)."""
    return _Collector(tree, index, tables, prune=prune).run()


# Replay events, in the order libcst visited them.
_IMPORT, _STATEMENT, _ASSIGN, _ANN_ASSIGN, _EXPRESSIONS, _FUNCTION, _FUNCTION_END, _CLASS, \
    _CLASS_END, _HANDLER_END, _GLOBAL = range(11)

Event = tuple[int, ast.AST, Scope, str, object]

_PLAIN_STATEMENTS = frozenset({ast.Expr, ast.Return, ast.Pass, ast.AugAssign, ast.Raise,
                               ast.Assert, ast.Delete, ast.Break, ast.Continue})
"""Statements with no body, binding or import: their expressions are walked when live."""


@dataclass(frozen=True)
class _Block:
    first: int
    last: int
    after: int
    """Index of the first event after the block's own."""
    imports: bool
    """Does the block import anything (imports count wherever they are)?"""


_AFTER_DEF = re.compile(rf"(?:async{SPACE}+)?def{SPACE}+{NAME}")
_AFTER_CLASS = re.compile(rf"class{SPACE}+{NAME}")
_AFTER_AS = re.compile(rf"(?:{SPACE}|[\r\n)])*as{SPACE}+{NAME}")


class _Collector(ExpressionWalker):
    def __init__(self, tree: ast.Module, index: SourceIndex, tables: PythonTables, *,
                 prune: bool) -> None:
        self.prune = prune
        self.tree = tree
        self.index = index
        self.tables = tables
        self.module_scope = Scope("module", "", None)
        self.class_scopes: list[Scope] = []
        self.events: list[Event] = []
        self.import_events: list[int] = []
        self.blocks: dict[int, _Block] = {}
        """Event index of each def/class -> its lines and where its events end."""
        self.bindings: list[Binding] = []
        self.docstrings: set[int] = set()
        self.imports: dict[str, str] = {}
        self.units: list[StringUnit] = []
        self.calls: list[CallRecord] = []
        self.api_uses: list[ApiUse] = []
        self.tokens: list[TokenUse] = []
        self.consumed: set[int] = set()
        self.live = LiveLines(())
        self._rules: dict[str, str | None] = {}

    def run(self) -> Collection:
        self._note_docstring(self.tree.body, block=None)
        self._statements(self.tree.body, self.module_scope, "")
        self.live = live_lines(self.index, self.tables, self.bindings,
                               self._llama_import_names()) if self.prune else \
            LiveLines(range(1, len(self.index.starts) + 1))
        handlers: dict[int, Callable[[Any, Scope, str, Any], None]] = {
            _IMPORT: self._import, _STATEMENT: self._statement, _ASSIGN: self._assign,
            _ANN_ASSIGN: self._ann_assign, _EXPRESSIONS: self._expressions,
            _FUNCTION: self._function_start, _FUNCTION_END: self._function_end,
            _CLASS: self._class_start, _CLASS_END: self._class_end,
            _HANDLER_END: self._handler_end, _GLOBAL: self._global,
        }
        events = self.events if self.live else [self.events[i] for i in self.import_events]
        covers = self.live.covers
        position = 0
        while position < len(events):
            kind, node, scope, context, extra = events[position]
            block = self.blocks.get(position) if self.live else None
            if block is not None and not block.imports and not covers(block.first, block.last):
                position = block.after  # nothing in this def or class can start a finding
                continue
            handlers[kind](node, scope, context, extra)
            position += 1
        return Collection(self.module_scope, self.imports, self.class_scopes, self.units,
                          self.calls, self.api_uses, self.tokens)

    # -- stage 1: statements --------------------------------------------------------------
    def _statements(self, body: list[ast.stmt], scope: Scope, context: str) -> None:
        events = self.events
        for stmt in body:
            kind = type(stmt)
            if kind in _PLAIN_STATEMENTS:
                events.append((_STATEMENT, stmt, scope, context, None))
            elif kind is ast.Assign:
                assign = cast(ast.Assign, stmt)
                value = assign.value
                names: list[str] = []
                for target in assign.targets:
                    if type(target) is ast.Name:  # the common case, inline
                        name = target.id
                        scope.bindings.setdefault(name, []).append(value)
                        names.append(name)
                    else:
                        names.extend(self._bind(scope, target, value))
                if names and may_hold_text(value):
                    self.bindings.append((names, value))
                events.append((_ASSIGN, stmt, scope, context, names))
            else:
                self._statement_of(stmt, scope, context)

    def _statement_of(self, stmt: ast.stmt, scope: Scope, context: str) -> None:
        events = self.events
        if isinstance(stmt, ast.AnnAssign):
            names: list[str] = []
            if stmt.value is not None:
                names = self._bind(scope, stmt.target, stmt.value)
                if names and may_hold_text(stmt.value):
                    self.bindings.append((names, stmt.value))
            events.append((_ANN_ASSIGN, stmt, scope, context, names))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.import_events.append(len(events))
            events.append((_IMPORT, stmt, scope, context, None))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(stmt, scope, context)
        elif isinstance(stmt, ast.ClassDef):
            self._class(stmt, scope, context)
        elif isinstance(stmt, (ast.If, ast.While)):
            events.append((_EXPRESSIONS, stmt, scope, context, (stmt.test,)))
            self._statements(stmt.body, scope, context)
            self._statements(stmt.orelse, scope, context)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            events.append((_EXPRESSIONS, stmt, scope, context, (stmt.target, stmt.iter)))
            self._statements(stmt.body, scope, context)
            self._statements(stmt.orelse, scope, context)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            events.append((_EXPRESSIONS, stmt, scope, context, tuple(
                e for item in stmt.items
                for e in (item.context_expr, item.optional_vars) if e is not None)))
            self._statements(stmt.body, scope, context)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":  # 3.11+
            block = cast(ast.Try, stmt)  # TryStar has the same fields
            self._statements(block.body, scope, context)
            for handler in block.handlers:
                self._statements(handler.body, scope, context)
                events.append((_HANDLER_END, handler, scope, context, None))
            self._statements(block.orelse, scope, context)
            self._statements(block.finalbody, scope, context)
        elif isinstance(stmt, ast.Match):
            events.append((_EXPRESSIONS, stmt, scope, context, (stmt.subject, *(
                e for case in stmt.cases for e in (case.pattern, case.guard) if e is not None
            ))))
            for case in stmt.cases:
                self._statements(case.body, scope, context)
        elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
            events.append((_GLOBAL, stmt, scope, context, None))
        else:
            events.append((_STATEMENT, stmt, scope, context, None))

    def _block(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
               start: int, imports_before: int) -> None:
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        self.blocks[start] = _Block(first, node.end_lineno or node.lineno, len(self.events),
                                    len(self.import_events) > imports_before)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                  context: str) -> None:
        inner = Scope("function", node.name, scope)
        inner_context = f"{context}.{node.name}" if context else node.name
        defaults = parameter_defaults(node.args)
        if defaults:
            for arg in (*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs):
                default = defaults.get(id(arg))  # libcst's order: params, kw-only, pos-only
                if default is not None:
                    inner.bindings.setdefault(arg.arg, []).append(default)
                    if may_hold_text(default):
                        self.bindings.append(([arg.arg], default))
        start, imports_before = len(self.events), len(self.import_events)
        self.events.append((_FUNCTION, node, inner, inner_context, defaults))
        self._note_docstring(node.body, block=node)
        self._statements(node.body, inner, inner_context)
        self.events.append((_FUNCTION_END, node, inner, inner_context, None))
        self._block(node, start, imports_before)

    def _class(self, node: ast.ClassDef, scope: Scope, context: str) -> None:
        inner = Scope("class", node.name, scope)
        self.class_scopes.append(inner)
        inner_context = f"{context}.{node.name}" if context else node.name
        start, imports_before = len(self.events), len(self.import_events)
        self.events.append((_CLASS, node, inner, inner_context, None))
        self._note_docstring(node.body, block=node)
        self._statements(node.body, inner, inner_context)
        self.events.append((_CLASS_END, node, inner, inner_context, None))
        self._block(node, start, imports_before)

    def _note_docstring(self, body: list[ast.stmt], block: ast.stmt | None) -> None:
        """A body's first statement, a string, is its docstring. libcst looked for one in a
        module and in an indented block, not in ``def f(): "..."`` written on one line."""
        if not body or not isinstance(body[0], ast.Expr):
            return
        value = body[0].value
        if isinstance(value, ast.JoinedStr):
            # An implicit concatenation with an f-string in it counted; an f-string alone not.
            pieces = literal_pieces(self.index.text, *self.index.node_offsets(value))
            if pieces is None or len(pieces) < 2:
                return
        elif not (isinstance(value, ast.Constant) and isinstance(value.value, STRING_TYPES)):
            return
        if block is not None:
            first = body[0]
            line_start = self.index.starts[first.lineno - 1]
            if self.index.text[line_start:self.index.node_offsets(first)[0]].strip():
                return  # the body follows the colon on the header's line
        self.docstrings.add(id(value))

    def _bind(self, scope: Scope, target: ast.expr, value: ast.expr) -> list[str]:
        if isinstance(target, ast.Name):
            scope.bindings.setdefault(target.id, []).append(value)
            return [target.id]
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
        ):
            owner = scope.enclosing_class()
            if owner is not None:
                owner.attributes.setdefault(target.attr, []).append(value)
            return [target.attr]
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            names: list[str] = []
            for t_el, v_el in zip(target.elts, value.elts, strict=False):
                names.extend(self._bind(scope, _unstarred(t_el), _unstarred(v_el)))
            return names
        return []


    def _llama_import_names(self) -> set[str]:
        """Local names that every later use of reports (a Llama class, a Meta-only module)."""
        names: set[str] = set()
        for position in self.import_events:
            node = self.events[position][1]
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname is not None and self._name_rule(alias.name) is not None:
                        names.add(alias.asname)
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                for alias in node.names:
                    if self._name_rule(qualified_name(module, alias.name)) is not None:
                        names.add(alias.asname or alias.name)
        return names

    # -- stage 2: replay ------------------------------------------------------------------
    def _statement(self, node: ast.stmt, scope: Scope, context: str, extra: None) -> None:
        if self._is_live(node):
            self._walk(node, (), scope, context)

    def _assign(self, node: ast.Assign, scope: Scope, context: str, names: list[str]) -> None:
        if self._is_live(node):
            bound = " ".join(names)
            for target in node.targets:
                self._walk(target, (bound,), scope, context)
            self._walk(node.value, (bound,), scope, context)

    def _ann_assign(self, node: ast.AnnAssign, scope: Scope, context: str,
                    names: list[str]) -> None:
        if self._is_live(node):
            bound = " ".join(names)
            self._walk(node.target, (bound,), scope, context)
            self._walk(node.annotation, (bound, ANNOTATION), scope, context)
            if node.value is not None:
                self._walk(node.value, (bound,), scope, context)

    def _expressions(self, node: ast.stmt, scope: Scope, context: str,
                     roots: tuple[ast.expr | ast.pattern, ...]) -> None:
        for root in roots:
            if self._is_live(root):
                self._walk(root, (), scope, context)

    def _function_start(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                        context: str, defaults: dict[int, ast.expr]) -> None:
        if node.name in self.imports:
            self._written_name(node.name, self.index.node_offsets(node)[0], _AFTER_DEF, context)
        args = node.args
        for param in (*args.args, *optional_arg(args.vararg), *args.kwonlyargs,
                      *optional_arg(args.kwarg), *args.posonlyargs):  # libcst's order
            self._parameter_name(param, context)
            if param.annotation is not None and self._is_live(param.annotation):
                self._walk(param.annotation, (param.arg, ANNOTATION), scope, context)
            default = defaults.get(id(param))
            if default is not None and self._is_live(default):
                self._walk(default, (param.arg,), scope, context)

    def _function_end(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                      context: str, extra: None) -> None:
        for decorator in node.decorator_list:
            if self._is_live(decorator):
                self._walk(decorator, (), scope, context)
        if node.returns is not None and self._is_live(node.returns):
            self._walk(node.returns, (ANNOTATION,), scope, context)

    def _class_start(self, node: ast.ClassDef, scope: Scope, context: str, extra: None) -> None:
        if node.name in self.imports:
            self._written_name(node.name, self.index.node_offsets(node)[0], _AFTER_CLASS,
                               context)

    def _class_end(self, node: ast.ClassDef, scope: Scope, context: str, extra: None) -> None:
        for base in node.bases:
            if self._is_live(base):
                self._walk(base, ("",), scope, context)
        for keyword in node.keywords:
            if self._is_live(keyword):
                self._walk(keyword, (), scope, context)
        for decorator in node.decorator_list:
            if self._is_live(decorator):
                self._walk(decorator, (), scope, context)

    def _handler_end(self, node: ast.ExceptHandler, scope: Scope, context: str,
                     extra: None) -> None:
        if node.type is not None and self._is_live(node.type):
            self._walk(node.type, (), scope, context)
        if node.name is not None and node.name in self.imports:
            after = self.index.node_offsets(node.type if node.type is not None else node)[1]
            self._written_name(node.name, after, _AFTER_AS, context)

    def _global(self, node: ast.Global | ast.Nonlocal, scope: Scope, context: str,
                extra: None) -> None:
        start, end = self.index.node_offsets(node)
        start += len("global" if isinstance(node, ast.Global) else "nonlocal")
        for name in node.names:
            if name in self.imports:
                found = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)").search(
                    self.index.text, start, end)
                if found is not None:
                    self._name_at(name, found.start(), context)


def _unstarred(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node
