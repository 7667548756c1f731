"""setup.cfg and setup.py.

setup.cfg is read line by line (configparser gives no positions) and checked with configparser
for the errors setuptools would raise. setup.py is parsed with libcst and never run: only
literal values of ``install_requires`` / ``extras_require`` / ``setup_requires`` /
``tests_require`` count, including a module-level name bound once to a literal. Anything
computed is reported as a diagnostic instead of guessed.
"""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from .. import parse_guard
from ..base import Problem, ScanContext, ScanOutput, SourceFile
from ..positions import node_spans
from .common import narrow
from .declarations import Declaration, declaration_hits
from .packages import package_table
from .pep508 import Pep508Error, parse_pep508
from .textpos import LineIndex, Span

REQUIRES_KEYS = ("install_requires", "setup_requires", "tests_require")
EXTRAS_KEY = "extras_require"

# -- setup.cfg ---------------------------------------------------------------------------------

_SECTION = re.compile(r"\[(?P<name>[^\]]+)\]")
_OPTION = re.compile(r"(?P<key>[^=:\s][^=:]*?)\s*[=:]\s*(?P<value>.*)$")


@dataclass
class _CfgValue:
    section: str
    key: str
    line: int
    items: list[tuple[str, int, int]] = field(default_factory=list)
    """(text, line, 1-based column) of the value's first line and each continuation line."""


def _cfg_values(text: str) -> Iterator[_CfgValue]:
    """Each ``key = value`` of the file with its continuation lines, configparser's rules."""
    section = ""
    current: _CfgValue | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if raw[:1] in " \t" and current is not None:
            current.items.append((stripped, number, len(raw) - len(raw.lstrip()) + 1))
            continue
        section_match = _SECTION.match(stripped)
        if section_match and raw[:1] == "[":
            if current is not None:
                yield current
            current = None
            section = section_match.group("name").strip()
            continue
        option = _OPTION.match(raw)
        if current is not None:
            yield current
        current = None
        if option is None:
            continue
        current = _CfgValue(section, option.group("key").strip().lower(), number)
        value = option.group("value").rstrip()
        if value:
            current.items.append((value, number, option.start("value") + 1))
    if current is not None:
        yield current


def _cfg_problems(text: str) -> list[Problem]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    try:
        parser.read_string(text)
    except configparser.MissingSectionHeaderError as exc:
        return [Problem("invalid-setup-cfg",
                        f"not valid INI: {exc.line.strip()!r} comes before any [section]",
                        line=exc.lineno)]
    except configparser.ParsingError as exc:
        lines = text.splitlines()
        return [Problem("invalid-setup-cfg",
                        f"not valid INI (setuptools would fail): cannot parse "
                        f"{lines[number - 1].strip() if 0 < number <= len(lines) else ''!r}",
                        line=number) for number, _ in exc.errors]
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as exc:
        message = exc.message.splitlines()[0] if hasattr(exc, "message") else str(exc)
        return [Problem("invalid-setup-cfg", f"not valid INI: {message}",
                        line=exc.lineno)]
    except configparser.Error as exc:
        return [Problem("invalid-setup-cfg", f"not valid INI: {exc}")]
    return []


def _requirement_items(value: _CfgValue) -> Iterator[tuple[str, int, int]]:
    """setuptools' list-semi: one item per line, or ``;``-separated on a single line."""
    if len(value.items) == 1 and value.items[0][1] == value.line:
        text, line, column = value.items[0]
        offset = 0
        for part in text.split(";"):
            lead = len(part) - len(part.lstrip())
            if part.strip():
                yield part.strip(), line, column + offset + lead
            offset += len(part) + 1
        return
    yield from value.items


def scan_setup_cfg(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    problems = _cfg_problems(text)
    decls: list[Declaration] = []
    for value in _cfg_values(text):
        if value.section == "options" and value.key in REQUIRES_KEYS:
            context, group = f"options.{value.key}", _group_for(value.key)
        elif value.section == "options.extras_require":
            context, group = f"options.extras_require.{value.key}", value.key
        else:
            continue
        for item, line, column in _requirement_items(value):
            if item.startswith("file:"):
                continue  # read from another file, which is scanned on its own
            try:
                req = parse_pep508(item)
            except Pep508Error as exc:
                problems.append(Problem("invalid-requirement",
                                        f"{context}: {item!r} is not a valid requirement: {exc}",
                                        line=line))
                continue
            span = Span(line, column + req.start, line, column + req.end)
            decls.append(Declaration(
                name=req.name, constraint=req.constraint, span=span, context=context,
                manifest=file.rel, group=group, marker=req.marker, extras=req.extras,
            ))
    return ScanOutput(hits=declaration_hits(decls, package_table(ctx.ruleset)),
                      problems=problems)


def _group_for(key: str) -> str:
    return {"setup_requires": "setup", "tests_require": "tests"}.get(key, "")


# -- setup.py ----------------------------------------------------------------------------------

class _SetupCalls(cst.CSTVisitor):
    """Module-level single assignments of literals, and every ``setup(...)`` call."""

    def __init__(self) -> None:
        super().__init__()
        self.bindings: dict[str, list[cst.BaseExpression]] = {}
        self.calls: list[cst.Call] = []
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.depth == 0:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.bindings.setdefault(target.target.value, []).append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.depth == 0 and node.value is not None and isinstance(node.target, cst.Name):
            self.bindings.setdefault(node.target.value, []).append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):  # ``REQS += [...]``: no longer a single literal
            self.bindings.setdefault(node.target.value, []).append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.value if isinstance(func, cst.Name) else (
            func.attr.value if isinstance(func, cst.Attribute) else "")
        if name == "setup":
            self.calls.append(node)


@dataclass
class _Literal:
    value: str
    node: cst.BaseExpression


@dataclass
class _Values:
    """What a keyword's value resolves to: literal strings, and the parts that are computed."""

    literals: list[_Literal] = field(default_factory=list)
    dynamic: list[cst.CSTNode] = field(default_factory=list)

    def extend(self, other: _Values) -> None:
        self.literals.extend(other.literals)
        self.dynamic.extend(other.dynamic)


MAX_DEPTH = 8


class _Reader:
    """Literal values only: strings, lists/tuples/sets of them, ``+``, and module constants."""

    def __init__(self, bindings: dict[str, list[cst.BaseExpression]]) -> None:
        self.bindings = bindings

    def _resolve(self, node: cst.BaseExpression, depth: int) -> cst.BaseExpression | None:
        while isinstance(node, cst.Name) and depth < MAX_DEPTH:
            bound = self.bindings.get(node.value, [])
            if len(bound) != 1:
                return None
            node, depth = bound[0], depth + 1
        return node

    def strings(self, node: cst.BaseExpression, depth: int = 0) -> _Values:
        """The requirement strings of a list/tuple literal (or one multi-line string)."""
        out = _Values()
        resolved = self._resolve(node, depth)
        if resolved is None or depth > MAX_DEPTH:
            out.dynamic.append(node)
        elif isinstance(resolved, (cst.SimpleString, cst.ConcatenatedString)):
            value = resolved.evaluated_value
            if isinstance(value, str):
                out.literals.append(_Literal(value, resolved))
            else:
                out.dynamic.append(node)
        elif isinstance(resolved, (cst.List, cst.Tuple, cst.Set)):
            for element in resolved.elements:  # a starred element unpacks a literal list too
                out.extend(self.strings(element.value, depth + 1))
        elif isinstance(resolved, cst.BinaryOperation) and isinstance(resolved.operator, cst.Add):
            out.extend(self.strings(resolved.left, depth + 1))
            out.extend(self.strings(resolved.right, depth + 1))
        else:
            out.dynamic.append(node)
        return out

    def extras(self, node: cst.BaseExpression) -> tuple[list[tuple[str, _Values]], _Values]:
        """Per extra, its values; plus whatever part of the dict is not literal."""
        rest = _Values()
        resolved = self._resolve(node, 0)
        if not isinstance(resolved, cst.Dict):
            rest.dynamic.append(node)
            return [], rest
        out = []
        for element in resolved.elements:
            key = element.key if isinstance(element, cst.DictElement) else None
            name = key.evaluated_value if isinstance(
                key, (cst.SimpleString, cst.ConcatenatedString)) else None
            if not isinstance(name, str):
                rest.dynamic.append(element)
                continue
            out.append((name, self.strings(element.value)))
        return out, rest


def scan_setup_py(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Literal dependency lists of ``setup(...)``; setup.py is parsed, never executed."""
    try:
        module = parse_guard.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError, MemoryError) as exc:
        message, line = _syntax_error(text, exc)
        return ScanOutput(problems=[Problem(
            "invalid-python", f"not valid Python 3 ({message}); its dependencies were not read",
            line=line)], parsed=False)
    visitor = _SetupCalls()
    module.visit(visitor)
    reader = _Reader(visitor.bindings)
    problems: list[Problem] = []
    found: list[tuple[_Literal, str, str]] = []
    dynamic: list[tuple[str, cst.CSTNode]] = []
    for call in visitor.calls:
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else ""
            if keyword in REQUIRES_KEYS:
                values = reader.strings(arg.value)
                found.extend((lit, f"setup.{keyword}", _group_for(keyword))
                             for lit in values.literals)
                dynamic.extend((keyword, node) for node in values.dynamic)
            elif keyword == EXTRAS_KEY:
                extras, rest = reader.extras(arg.value)
                dynamic.extend((keyword, node) for node in rest.dynamic)
                for extra, values in extras:
                    found.extend((lit, f"setup.extras_require.{extra}", extra)
                                 for lit in values.literals)
                    dynamic.extend((f"{keyword}[{extra!r}]", node) for node in values.dynamic)
    spans = node_spans(module, [lit.node for lit, _, _ in found] + [n for _, n in dynamic])
    index = LineIndex(text)
    decls: list[Declaration] = []
    for keyword, node in dynamic:
        line = spans[id(node)][0] if id(node) in spans else None
        problems.append(Problem(
            "dynamic-dependencies",
            f"part of {keyword} is computed when setup.py runs; only literal values are "
            "read (setup.py is never executed)", line=line))
    for literal, context, group in found:
        for item, span in _items(literal, spans[id(literal.node)], index):
            try:
                req = parse_pep508(item)
            except Pep508Error as exc:
                problems.append(Problem("invalid-requirement",
                                        f"{context}: {item!r} is not a valid requirement: {exc}",
                                        line=span.line))
                continue
            decls.append(Declaration(
                name=req.name, constraint=req.constraint,
                span=narrow(span, item, req.start, req.end), context=context,
                manifest=file.rel, group=group, marker=req.marker, extras=req.extras,
            ))
    return ScanOutput(hits=declaration_hits(decls, package_table(ctx.ruleset)),
                      problems=problems)


def _syntax_error(text: str, exc: Exception) -> tuple[str, int | None]:
    """The clearest reason and line for a parse failure.

    libcst reports tokenizer errors at 1:1; Python's own parser (``ast.parse`` only parses,
    it never runs anything) usually names the real line.
    """
    try:
        ast.parse(text)
    except SyntaxError as syntax:
        return str(syntax.msg), syntax.lineno
    except (ValueError, RecursionError, MemoryError):
        pass
    if isinstance(exc, cst.ParserSyntaxError):
        return exc.message, exc.raw_line
    return type(exc).__name__, None


def _items(literal: _Literal, node_span: tuple[int, int, int, int], index: LineIndex
           ) -> Iterator[tuple[str, Span]]:
    """Each requirement in a string literal (one, or one per line) with its span.

    A plain string's requirement is located exactly; when the written form cannot be mapped
    back (escapes, implicit concatenation) the whole literal's span is used.
    """
    line, column0, end_line, end_column0 = node_span
    whole = Span(line, column0 + 1, end_line, end_column0 + 1)
    node = literal.node
    raw = node.value if isinstance(node, cst.SimpleString) else None
    items = [part.strip() for part in literal.value.splitlines()]
    items = [part for part in items if part and not part.startswith("#")]
    if raw is not None and "\n" not in raw and len(items) == 1:
        prefix = len(raw) - len(raw.lstrip("rRbBuUfF"))
        quote = 3 if raw[prefix:prefix + 3] in ('"""', "'''") else 1
        start = column0 + 1 + prefix + quote
        width = len(raw) - prefix - 2 * quote
        yield items[0], narrow(Span(line, start, line, start + width), literal.value,
                               len(literal.value) - len(literal.value.lstrip()),
                               len(literal.value.rstrip()))
        return
    begin = index.starts[line - 1] + column0
    end = index.starts[end_line - 1] + end_column0 if end_line - 1 < len(index.starts) else begin
    cursor = begin
    for item in items:
        found = index.text.find(item, cursor, end) if raw is not None else -1
        if found < 0:
            yield item, whole
            continue
        cursor = found + len(item)
        yield item, index.span(found, cursor)
