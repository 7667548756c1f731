"""What one Python module offers to and takes from other modules of its repository.

The cross-module pass (``scan.crossmodule``) joins these: a module's *definitions* are its
module-level constants that hold strings (``MODEL_ID = "meta-llama/..."``, a dict or tuple of
them: ``LLAMA3_3 = {"model": "groq/llama-3.3-70b-versatile"}``); its *uses* are loader
arguments (the same loader table as ``scanner``) that are names the module does not bind
itself but imports (``from .constants import MODEL_ID``, ``import pkg.constants as c;
c.MODEL_ID``, ``LLAMA3_3["model"]``, ``**LLAMA3_3``, a name from ``from x import *``).
The text is only parsed (``ast``), never imported or run; the analysis runs in ``isolate``'s
worker like the scanner's.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.scan.python.collect import collect
from auditor.scan.python.locate import Locator
from auditor.scan.python.positions import SourceIndex
from auditor.scan.python.records import Scope
from auditor.scan.python.resolve import Resolver

WHOLE = ""
"""The key of a definition's own value (a string, or an element of a tuple or list)."""


@dataclass(frozen=True)
class Use:
    """A loader argument naming something another module defines."""

    ref: str
    """Dotted name through the module's imports (``.constants.MODEL_ID``, ``pkg.c.X``), or
    the bare name when it can only come from a ``from x import *``."""
    keys: tuple[str, ...]
    """Which part of the definition: ``(WHOLE,)``, a subscript key, or the loader's keyword
    names for ``**NAME``."""
    starred: bool
    """The name is bound by none of the module's imports: look it up in its ``*`` imports."""
    line: int
    column: int
    end_line: int
    end_column: int
    context: str
    loader: str


@dataclass(frozen=True)
class ModuleLinks:
    definitions: dict[str, dict[str, tuple[str, ...]]]
    """Module-level name -> key (``WHOLE`` or a dict key) -> the strings it can hold."""
    imports: dict[str, str]
    """Module-level local name -> dotted name imported (leading dots: relative)."""
    stars: tuple[str, ...]
    """Modules of ``from x import *``, in source order (leading dots: relative)."""
    uses: tuple[Use, ...]


def module_links(text: str, ruleset: RuleSet) -> ModuleLinks | None:
    """The module's definitions, imports and uses; None when it is not valid Python."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    tables = python_tables(ruleset)
    index = SourceIndex(text)
    collection = collect(tree, index, tables, prune=False)
    resolver = Resolver(collection, index)
    imports, stars = _module_imports(tree)
    definitions = _definitions(collection.module_scope, resolver)
    shadowed = _function_bound_names(tree)
    locator = Locator(index)
    uses: list[Use] = []
    for call in collection.calls:
        func = call.node.func
        if isinstance(func, ast.Attribute) and func.attr not in tables.loader_index:
            continue
        qualname = resolver.callee_name(func, call.scope)
        spec = tables.loader_for(qualname) if qualname is not None else None
        if spec is None:
            continue
        candidates: list[tuple[ast.expr, tuple[str, ...]]] = []
        positional = [a for a in call.node.args if not isinstance(a, ast.Starred)]
        for keyword in call.node.keywords:
            if keyword.arg in spec.args:
                candidates.append((keyword.value, (WHOLE,)))
            elif keyword.arg is None:
                candidates.append((keyword.value, spec.args))
        candidates.extend((positional[i], (WHOLE,)) for i in spec.positions
                          if i < len(positional))
        for expr, keys in candidates:
            if resolver.values(expr, call.scope):
                continue  # the module binds it: the scanner reports it (or knows it is not)
            found = _reference(expr, keys, call.scope, collection.imports, bool(stars),
                               shadowed.get(id(call.node), frozenset()))
            if found is None:
                continue
            ref, ref_keys, starred = found
            span = locator.span(call.node, call.chain)
            uses.append(Use(ref, ref_keys, starred, span.line, span.column, span.end_line,
                            span.end_column, call.context, spec.label))
    return ModuleLinks(definitions, imports, tuple(stars), tuple(uses))


def _module_imports(tree: ast.Module) -> tuple[dict[str, str], list[str]]:
    imports: dict[str, str] = {}
    stars: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    stars.append(module)
                else:
                    imports[alias.asname or alias.name] = _qualified(module, alias.name)
    return imports, stars


def _qualified(module: str, name: str) -> str:
    return f"{module}.{name}" if module and not module.endswith(".") else module + name


def _definitions(scope: Scope, resolver: Resolver) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, bound in scope.bindings.items():
        parts: dict[str, list[str]] = {}
        for expr in bound:
            if isinstance(expr, ast.Dict):
                for key, value in zip(expr.keys, expr.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        parts.setdefault(key.value, []).extend(
                            v.text for v in resolver.values(value, scope))
            elif isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
                for element in expr.elts:
                    parts.setdefault(WHOLE, []).extend(
                        v.text for v in resolver.values(element, scope))
            else:
                parts.setdefault(WHOLE, []).extend(v.text for v in resolver.values(expr, scope))
        kept = {key: tuple(dict.fromkeys(texts)) for key, texts in parts.items() if texts}
        if kept:
            out[name] = kept
    return out


def _reference(expr: ast.expr, keys: tuple[str, ...], scope: Scope, imports: dict[str, str],
               has_stars: bool, shadowed: frozenset[str]
               ) -> tuple[str, tuple[str, ...], bool] | None:
    """(dotted reference, keys, through a ``*`` import) of a name the module imports."""
    if isinstance(expr, ast.Subscript) and keys == (WHOLE,):
        key = expr.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        return _reference(expr.value, (key.value,), scope, imports, has_stars, shadowed)
    parts: list[str] = []
    node = expr
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id in shadowed or _bound(node.id, scope):
        return None
    parts.reverse()
    if node.id in imports:
        return ".".join([imports[node.id], *parts]), keys, False
    if has_stars and not parts:
        return node.id, keys, True
    return None


def _bound(name: str, scope: Scope) -> bool:
    current: Scope | None = scope
    while current is not None:
        if name in current.bindings:
            return True
        current = current.parent
    return False


def _function_bound_names(tree: ast.Module) -> dict[int, frozenset[str]]:
    """For each call inside a function: the names its enclosing functions bind (parameters,
    assignments, loop and ``with`` targets, local imports), which shadow module imports."""
    out: dict[int, frozenset[str]] = {}

    def visit(node: ast.AST, bound: frozenset[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, bound | _locals(child))
                continue
            if isinstance(child, ast.Call) and bound:
                out[id(child)] = bound
            visit(child, bound)

    visit(tree, frozenset())
    return out


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> frozenset[str]:
    args = function.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    body: list[ast.AST] = list(function.body) if isinstance(function.body, list) \
        else [function.body]
    stack = body
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        stack.extend(ast.iter_child_nodes(node))
    names.difference_update(_declared_global(function))
    return frozenset(names)


def _declared_global(function: ast.AST) -> set[str]:
    return {name for node in ast.walk(function) if isinstance(node, ast.Global)
            for name in node.names}
