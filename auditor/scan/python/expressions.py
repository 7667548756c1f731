"""The walk of one expression: string units, calls, Llama-specific names and stop-token
integers, in the order libcst visited them (the collector's second stage)."""

from __future__ import annotations

import ast

from auditor.ruleset.rule_ids import LLAMA_CLASS, RUNTIME_MODULE
from auditor.scan.python.literals import literal_pieces
from auditor.scan.python.live import LiveLines
from auditor.scan.python.names import NameUses
from auditor.scan.python.positions import Located
from auditor.scan.python.records import (
    ApiUse,
    CallRecord,
    Chain,
    Scope,
    StringUnit,
    TokenUse,
    formatted_values,
)

_NO_DEFAULTS: dict[int, ast.expr] = {}
STRING_TYPES = (str, bytes)
_SKIPPED_FIELDS = frozenset({"ctx", "type_comment"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


class ExpressionWalker(NameUses):
    """Walks expressions where a finding can start (``live``), recording what they hold."""

    live: LiveLines
    calls: list[CallRecord]
    tokens: list[TokenUse]
    units: list[StringUnit]
    consumed: set[int]
    docstrings: set[int]

    def _is_live(self, node: Located) -> bool:
        return self.live.covers(node.lineno, node.end_lineno or node.lineno)

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
                if isinstance(node.value, STRING_TYPES):
                    self._unit(node, names, scope, context, chain)
                elif type(node.value) is int and node.value in self.tables.token_ids and \
                        self.tables.token_context.search(" ".join(names)):
                    self.tokens.append(TokenUse(node, node.value, context, chain))
            elif isinstance(node, ast.Attribute):
                if node.attr in self.tables.llama_classes and \
                        _root_name(node) in self.imports:
                    self.api_uses.append(ApiUse(node, LLAMA_CLASS, node.attr, context, chain))
                    continue
                dotted = _dotted_use(node, self.imports)
                if dotted is not None and not chain and not any(
                        part in self.tables.llama_classes for part in dotted.split(".")):
                    rule = self._module_rule(dotted)
                    if rule == RUNTIME_MODULE and "llama" not in (_root_name(node) or "").lower():
                        rule = None  # Gemma4ChatHandler.from_pretrained: no Llama name used
                    if rule is not None:
                        # transformers.models.llama.modeling_llama.apply_rotary_pos_emb(...)
                        self.api_uses.append(ApiUse(node, rule, dotted, context, chain))
                        continue
                if node.attr in self.imports and not chain:
                    self._name_at(node.attr, self._attribute_name_start(node), context)
                push((node.value, names, chain))
            elif isinstance(node, ast.Call):
                self.calls.append(CallRecord(node, scope, context, chain))
                spread = not chain and node.lineno != node.end_lineno
                option = _option_name(node)  # add_argument("--model", default="llama3")
                keyword_names = names if option is None else _pushed(names, option)
                for keyword in reversed(node.keywords):
                    if not spread or self._is_live(keyword):
                        push((keyword, keyword_names, chain))
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
            elif isinstance(node, ast.Compare) and _is_lookup(node):
                # "llama-2-70b-chat" in scores.index: a name looked up in data, not a use
                for compared in reversed(node.comparators):
                    push((compared, names, chain))
            elif isinstance(node, ast.Subscript) and _is_string(node.slice):
                push((node.value, names, chain))  # scores["llama-2-70b-chat"]: a lookup
            elif isinstance(node, ast.Dict):
                spread = not chain and node.lineno != node.end_lineno
                table = _is_number_table(node)
                for key, value in reversed(list(zip(node.keys, node.values, strict=True))):
                    if table and key is not None and _is_string(key):
                        continue  # {"llama-2-7b-chat": 31, ...}: names indexing numbers (data)
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
                defaults = parameter_defaults(node.args)
                args = node.args
                for param in reversed((*args.args, *optional_arg(args.vararg), *args.kwonlyargs,
                                       *optional_arg(args.kwarg), *args.posonlyargs)):
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
        if not isinstance(key, ast.Constant) or not isinstance(key.value, STRING_TYPES):
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


def optional_arg(arg: ast.arg | None) -> tuple[ast.arg, ...]:
    return (arg,) if arg is not None else ()


def parameter_defaults(args: ast.arguments) -> dict[int, ast.expr]:
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


def _dotted_use(node: ast.Attribute, imports: dict[str, str]) -> str | None:
    """``a.b.c`` written on an imported module ``a``, as the qualified name it reaches."""
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name) or value.id not in imports:
        return None
    return ".".join([imports[value.id], *reversed(parts)])


def _option_name(node: ast.Call) -> str | None:
    """``--model`` of ``add_argument("--model", ...)`` / ``click.option("-m", "--model")``:
    the option whose default and choices the keywords give (\"model\" then names them)."""
    options = [a.value for a in node.args
               if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value[:1] == "-"]
    return max(options, key=len).lstrip("-") if options else None


def _is_lookup(node: ast.Compare) -> bool:
    """``"name" in container`` (not a literal list of choices)."""
    return _is_string(node.left) and all(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) \
        and not any(isinstance(c, (ast.List, ast.Tuple, ast.Set, ast.Constant))
                    for c in node.comparators)


def _is_number(node: ast.expr | None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_number_table(node: ast.Dict) -> bool:
    """A mapping of at least three entries whose values are all numbers: an index, a score
    or price table keyed by model names, which is data about the models."""
    return len(node.values) >= 3 and all(_is_number(v) for v in node.values)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, STRING_TYPES))


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
