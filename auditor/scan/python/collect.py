"""Reading a parsed module into what the Python rules need, in one walk.

First every statement is read (not its expressions): scopes, name bindings, docstrings,
imports. That is enough to know which lines are live (``python_live``). Then the statements
are replayed in order and the expressions of live ones are walked, recording string
expressions, calls, uses of Llama-specific names and integers in a stop-token context. What
they resolve to is decided later (``python_resolve``), when every binding is known.

The order of the replay and what each node contributes follow the libcst visitor this
replaces, so results are unchanged: the enclosing assignment target, keyword, parameter or dict
key of a string (its "names"); a class's ``self.x`` attributes; and the names libcst visited
as ``Name`` nodes where ``ast`` has plain strings (definition, parameter, keyword and
attribute names) are checked against the imports too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from auditor.ruleset.python_tables import PythonTables
from auditor.ruleset.rule_ids import LLAMA_CLASS, META_ONLY_MODULE
from auditor.scan.python.literals import literal_pieces
from auditor.scan.python.live import Binding, LiveLines, live_lines, may_hold_text
from auditor.scan.python.positions import Located, SourceIndex
from auditor.scan.python.records import (
    ANNOTATION,
    ApiUse,
    CallRecord,
    Chain,
    Collection,
    Scope,
    StringUnit,
    TokenUse,
    Where,
    formatted_values,
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

_NO_DEFAULTS: dict[int, ast.expr] = {}
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


_SKIPPED_FIELDS = frozenset({"ctx", "type_comment"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_STRING_TYPES = (str, bytes)
_SPACE = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))"
_NAME = r"([^\W\d]\w*)"
_AFTER_DEF = re.compile(rf"(?:async{_SPACE}+)?def{_SPACE}+{_NAME}")
_AFTER_CLASS = re.compile(rf"class{_SPACE}+{_NAME}")
_AFTER_AS = re.compile(rf"(?:{_SPACE}|[\r\n)])*as{_SPACE}+{_NAME}")
_IDENTIFIER = re.compile(_NAME)
_DOTTED = re.compile(rf"{_NAME}(?:{_SPACE}*\.{_SPACE}*{_NAME})*")
_FROM_MODULE = re.compile(rf"from{_SPACE}*(?:\.{_SPACE}*)*")


class _Collector:
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
        defaults = _defaults(node.args)
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
        elif not (isinstance(value, ast.Constant) and isinstance(value.value, _STRING_TYPES)):
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
                    if self._name_rule(_qualified(module, alias.name)) is not None:
                        names.add(alias.asname or alias.name)
        return names

    # -- stage 2: replay ------------------------------------------------------------------
    def _is_live(self, node: Located) -> bool:
        return self.live.covers(node.lineno, node.end_lineno or node.lineno)

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
        for param in (*args.args, *_optional(args.vararg), *args.kwonlyargs,
                      *_optional(args.kwarg), *args.posonlyargs):  # libcst's order
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

    # -- imports --------------------------------------------------------------------------
    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope, context: str,
                extra: None) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
                rule = self._module_rule(alias.name)
                if rule is not None:
                    self.api_uses.append(ApiUse(self._dotted_at(alias), rule, alias.name,
                                                context))
            return
        module = "." * node.level + (node.module or "")
        module_rule = self._module_rule(module)
        if module_rule is not None and node.module is not None:
            self.api_uses.append(ApiUse(self._from_module_at(node), module_rule, module,
                                        context))
        for alias in node.names:
            name = alias.name
            if name == "*":
                return
            qualified = _qualified(module, name)
            self.imports[alias.asname or name] = qualified
            if module_rule is None:
                sub_rule = self._module_rule(qualified)
                if sub_rule is not None:
                    self.api_uses.append(ApiUse(self._dotted_at(alias), sub_rule, qualified,
                                                context))
                    continue
            if name in self.tables.llama_classes and module_rule != LLAMA_CLASS:
                self.api_uses.append(ApiUse(self._dotted_at(alias), LLAMA_CLASS, name, context))

    def _dotted_at(self, alias: ast.alias) -> tuple[int, int]:
        """Where an imported name (``a.b.c``, without ``as x``) is written."""
        start = self.index.node_offsets(alias)[0]
        found = _DOTTED.match(self.index.text, start)
        return (start, found.end() if found else start)

    def _from_module_at(self, node: ast.ImportFrom) -> tuple[int, int]:
        """Where the module of ``from a.b import c`` is written."""
        start = self.index.node_offsets(node)[0]
        after = _FROM_MODULE.match(self.index.text, start)
        start = after.end() if after else start
        found = _DOTTED.match(self.index.text, start)
        return (start, found.end() if found else start)

    # -- names ----------------------------------------------------------------------------
    def _module_rule(self, module: str) -> str | None:
        return _module_rule(self.tables, module)

    def _name_rule(self, qualified: str) -> str | None:
        """The rule every use of a name imported as ``qualified`` fires, if any."""
        if qualified in self._rules:
            return self._rules[qualified]
        rule: str | None = None
        if qualified.rsplit(".", 1)[-1] in self.tables.llama_classes:
            rule = LLAMA_CLASS
        elif self._module_rule(qualified) == META_ONLY_MODULE:
            # Every use of a Meta-only client (LlamaAPIClient(...)) is a blocker, like LA103.
            rule = META_ONLY_MODULE
        self._rules[qualified] = rule
        return rule

    def _name_use(self, name: str, where: Where, context: str, chain: Chain) -> None:
        qualified = self.imports.get(name)
        if qualified is None:
            return
        rule = self._name_rule(qualified)
        if rule == LLAMA_CLASS:
            self.api_uses.append(ApiUse(where, rule, qualified.rsplit(".", 1)[-1], context,
                                        chain))
        elif rule == META_ONLY_MODULE:
            self.api_uses.append(ApiUse(where, rule, qualified, context, chain))

    def _name_at(self, name: str, start: int, context: str) -> None:
        """A name written at ``start`` that libcst visited as a Name node."""
        found = _IDENTIFIER.match(self.index.text, start)
        self._name_use(name, (start, found.end() if found else start), context, ())

    def _parameter_name(self, param: ast.arg, context: str) -> None:
        if param.arg in self.imports:
            self._name_at(param.arg, self.index.node_offsets(param)[0], context)

    def _written_name(self, name: str, start: int, pattern: re.Pattern[str],
                      context: str) -> None:
        found = pattern.match(self.index.text, start)
        if found is not None:
            self._name_at(name, found.start(1), context)

    # -- expressions ----------------------------------------------------------------------
    def _walk(self, root: ast.AST, value_context: tuple[str, ...], scope: Scope,
              context: str) -> None:
        """Pre-order walk of one expression (or simple statement). ``value_context``: the
        innermost names (at most three) the expression is the value of. The elements of a
        container that spans lines are walked only where they are live (a long mapping that
        names Llama once is read for that entry)."""
        stack: list[tuple[ast.AST, tuple[str, ...], Chain]] = [(root, value_context, ())]
        push = stack.append
        while stack:
            node, names, chain = stack.pop()
            if isinstance(node, ast.Name):
                self._name_use(node.id, node, context, chain)
            elif isinstance(node, ast.Constant):
                if isinstance(node.value, _STRING_TYPES):
                    self._unit(node, names, scope, context, chain)
                elif type(node.value) is int and node.value in self.tables.token_ids and \
                        self.tables.token_context.search(" ".join(names)):
                    self.tokens.append(TokenUse(node, node.value, context, chain))
            elif isinstance(node, ast.Attribute):
                if node.attr in self.tables.llama_classes and \
                        _root_name(node) in self.imports:
                    self.api_uses.append(ApiUse(node, LLAMA_CLASS, node.attr, context, chain))
                    continue
                if node.attr in self.imports and not chain:
                    self._name_at(node.attr, self._attribute_name_start(node), context)
                push((node.value, names, chain))
            elif isinstance(node, ast.Call):
                self.calls.append(CallRecord(node, scope, context, chain))
                spread = not chain and node.lineno != node.end_lineno
                for keyword in reversed(node.keywords):
                    if not spread or self._is_live(keyword):
                        push((keyword, names, chain))
                for arg in reversed(node.args):
                    if not spread or self._is_live(arg):
                        push((arg, _pushed(names, ""), chain))
                push((node.func, names, chain))
            elif isinstance(node, ast.keyword):
                if node.arg is not None and node.arg in self.imports and not chain:
                    self._name_at(node.arg, self.index.node_offsets(node)[0], context)
                push((node.value, _pushed(names, node.arg or ""), chain))
            elif isinstance(node, ast.JoinedStr):
                self._unit(node, names, scope, context, chain)
                fields = formatted_values(node)
                for number in range(len(fields) - 1, -1, -1):
                    push((fields[number].value, names, (*chain, (node, number))))
            elif isinstance(node, ast.BinOp):
                if isinstance(node.op, ast.Add) and _has_string_operand(node):
                    self._unit(node, names, scope, context, chain)
                push((node.right, names, chain))
                push((node.left, names, chain))
            elif isinstance(node, ast.Dict):
                spread = not chain and node.lineno != node.end_lineno
                for key, value in reversed(list(zip(node.keys, node.values, strict=True))):
                    if spread and not self.live.covers((key or value).lineno,
                                                       value.end_lineno or value.lineno):
                        continue  # an entry on lines where nothing can start
                    if key is None:  # **spread
                        push((value, names, chain))
                    else:
                        element = _pushed(names, self._key_name(key))
                        push((value, element, chain))
                        push((key, element, chain))
            elif isinstance(node, ast.Lambda):
                push((node.body, names, chain))
                defaults = _defaults(node.args)
                args = node.args
                for param in reversed((*args.args, *_optional(args.vararg), *args.kwonlyargs,
                                       *_optional(args.kwarg), *args.posonlyargs)):
                    default = defaults.get(id(param))
                    if default is not None:
                        push((default, _pushed(names, param.arg), chain))
                    if not chain:
                        self._parameter_name(param, context)
            elif isinstance(node, (ast.List, ast.Tuple, ast.Set)) and not chain and \
                    node.lineno != node.end_lineno:
                for item in reversed(node.elts):
                    if self._is_live(item):
                        push((item, names, chain))
            else:
                for child in reversed(_children(node)):
                    push((child, names, chain))

    def _attribute_name_start(self, node: ast.Attribute) -> int:
        text = self.index.text
        start = self.index.node_offsets(node)[1]
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        return start

    def _key_name(self, key: ast.expr) -> str:
        """A dict key's text when it is one plain string literal (libcst's SimpleString)."""
        if not isinstance(key, ast.Constant) or not isinstance(key.value, _STRING_TYPES):
            return ""
        pieces = literal_pieces(self.index.text, *self.index.node_offsets(key))
        if pieces is not None and len(pieces) != 1:
            return ""
        return str(key.value)

    def _unit(self, node: ast.expr, names: tuple[str, ...], scope: Scope, context: str,
              chain: Chain) -> None:
        if id(node) in self.consumed:
            return
        self.consumed.update(map(id, _string_parts(node)))
        self.units.append(StringUnit(node, scope, context, id(node) in self.docstrings,
                                     " ".join(names[-2:]), chain))


def _optional(arg: ast.arg | None) -> tuple[ast.arg, ...]:
    return (arg,) if arg is not None else ()


def _defaults(args: ast.arguments) -> dict[int, ast.expr]:
    """``id(parameter)`` -> its default value."""
    if not args.defaults and not args.kw_defaults:
        return _NO_DEFAULTS
    positional = [*args.posonlyargs, *args.args]
    defaults = {id(arg): default for arg, default in zip(
        positional[len(positional) - len(args.defaults):], args.defaults, strict=True)}
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            defaults[id(arg)] = default
    return defaults


@lru_cache(maxsize=65536)
def _module_rule(tables: PythonTables, module: str) -> str | None:
    """``tables.module_rule``, remembered: the same modules are imported everywhere."""
    return tables.module_rule(module)


def _qualified(module: str, name: str) -> str:
    return f"{module}.{name}" if module and not module.endswith(".") else module + name


def _unstarred(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node


def _pushed(names: tuple[str, ...], name: str) -> tuple[str, ...]:
    return (*names[-2:], name)


def _children(node: ast.AST) -> list[ast.AST]:
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = _CHILD_FIELDS[type(node)] = tuple(
            f for f in type(node)._fields if f not in _SKIPPED_FIELDS)
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
    return out


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, _STRING_TYPES))


def _has_string_operand(node: ast.BinOp) -> bool:
    """Is a string literal among the operands of this ``+`` chain?"""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        for side in (current.left, current.right):  # type: ignore[attr-defined]
            if _is_string(side):
                return True
            if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Add):
                stack.append(side)
    return False


def _string_parts(node: ast.expr) -> list[ast.expr]:
    """The node and what it subsumes (reported as one unit): every operand of a ``+``."""
    parts: list[ast.expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        parts.append(current)
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            stack.extend((current.right, current.left))
    return parts
