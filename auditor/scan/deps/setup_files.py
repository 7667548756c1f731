"""setup.cfg and setup.py.

setup.cfg is read line by line (configparser gives no positions) and checked with configparser
for the errors setuptools would raise. setup.py is parsed with ``ast`` (in ``isolate``'s
worker) and never run: only
literal values of ``install_requires`` / ``extras_require`` / ``setup_requires`` /
``tests_require`` count, including a module-level name bound once to a literal. Anything
computed is reported as a diagnostic instead of guessed.
"""

from __future__ import annotations

import ast
import configparser
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from auditor import isolate
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.deps.common import narrow
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.deps.pep508 import Pep508Error, parse_pep508
from auditor.scan.deps.salvage import salvage
from auditor.scan.python.literals import literal_pieces
from auditor.scan.python.positions import SourceIndex
from auditor.scan.text.positions import LineIndex
from auditor.types import SourceFile, Span

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

@dataclass(frozen=True)
class _Literal:
    """A string literal of a dependency list: its value, span and, when it is one plain string
    token, its source text (``None`` otherwise)."""

    value: str
    span: Span
    raw: str | None


@dataclass(frozen=True)
class _SetupRead:
    """What ``setup(...)`` calls declare: (literal, context, group), and (keyword, line) of
    each part that is computed."""

    found: list[tuple[_Literal, str, str]]
    dynamic: list[tuple[str, int | None]]


@dataclass(frozen=True)
class _SyntaxProblem:
    message: str
    line: int | None


class _SetupCalls:
    """Module-level single assignments of literals, and every ``setup(...)`` call."""

    def __init__(self, tree: ast.Module) -> None:
        self.bindings: dict[str, list[ast.expr]] = {}
        self.calls: list[ast.Call] = []
        stack: list[tuple[ast.AST, int]] = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                depth += 1
            elif isinstance(node, ast.Assign) and depth == 0:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.bindings.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AnnAssign) and depth == 0:
                if node.value is not None and isinstance(node.target, ast.Name):
                    self.bindings.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                # ``REQS += [...]``: no longer a single literal
                self.bindings.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else "")
                if name == "setup":
                    self.calls.append(node)
            stack.extend((child, depth) for child in reversed(list(ast.iter_child_nodes(node))))


@dataclass
class _Values:
    """What a keyword's value resolves to: literal strings, and the parts that are computed."""

    literals: list[tuple[str, ast.Constant]] = field(default_factory=list)
    dynamic: list[ast.AST] = field(default_factory=list)

    def extend(self, other: _Values) -> None:
        self.literals.extend(other.literals)
        self.dynamic.extend(other.dynamic)


MAX_DEPTH = 8


class _Reader:
    """Literal values only: strings, lists/tuples/sets of them, ``+``, and module constants."""

    def __init__(self, bindings: dict[str, list[ast.expr]]) -> None:
        self.bindings = bindings

    def _resolve(self, node: ast.expr, depth: int) -> ast.expr | None:
        while isinstance(node, ast.Name) and depth < MAX_DEPTH:
            bound = self.bindings.get(node.id, [])
            if len(bound) != 1:
                return None
            node, depth = bound[0], depth + 1
        return node

    def strings(self, node: ast.expr, depth: int = 0) -> _Values:
        """The requirement strings of a list/tuple literal (or one multi-line string)."""
        out = _Values()
        resolved = self._resolve(node, depth)
        if resolved is None or depth > MAX_DEPTH:
            out.dynamic.append(node)
        elif isinstance(resolved, ast.Constant) and isinstance(resolved.value, str):
            out.literals.append((resolved.value, resolved))
        elif isinstance(resolved, (ast.List, ast.Tuple, ast.Set)):
            for element in resolved.elts:  # a starred element unpacks a literal list too
                inner = element.value if isinstance(element, ast.Starred) else element
                out.extend(self.strings(inner, depth + 1))
        elif isinstance(resolved, ast.BinOp) and isinstance(resolved.op, ast.Add):
            out.extend(self.strings(resolved.left, depth + 1))
            out.extend(self.strings(resolved.right, depth + 1))
        else:
            out.dynamic.append(node)
        return out

    def extras(self, node: ast.expr) -> tuple[list[tuple[str, _Values]], _Values]:
        """Per extra, its values; plus whatever part of the dict is not literal."""
        rest = _Values()
        resolved = self._resolve(node, 0)
        if not isinstance(resolved, ast.Dict):
            rest.dynamic.append(node)
            return [], rest
        out = []
        for key, value in zip(resolved.keys, resolved.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                out.append((key.value, self.strings(value)))
            else:
                rest.dynamic.append(key if key is not None else value)
        return out, rest


def read_setup_py(text: str, context: object = None) -> _SetupRead | _SyntaxProblem:
    """Parse setup.py and read its ``setup(...)`` calls (runs in ``isolate``'s worker)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as exc:
        return _SyntaxProblem(str(exc.msg), exc.lineno)
    except ValueError as exc:  # NUL bytes
        return _SyntaxProblem(str(exc), None)
    visitor = _SetupCalls(tree)
    reader = _Reader(visitor.bindings)
    found: list[tuple[tuple[str, ast.Constant], str, str]] = []
    dynamic: list[tuple[str, int | None]] = []
    for call in visitor.calls:
        for keyword in call.keywords:
            name = keyword.arg or ""
            if name in REQUIRES_KEYS:
                values = reader.strings(keyword.value)
                found.extend((lit, f"setup.{name}", _group_for(name)) for lit in values.literals)
                dynamic.extend((name, _line(node)) for node in values.dynamic)
            elif name == EXTRAS_KEY:
                extras, rest = reader.extras(keyword.value)
                dynamic.extend((name, _line(node)) for node in rest.dynamic)
                for extra, values in extras:
                    found.extend((lit, f"setup.extras_require.{extra}", extra)
                                 for lit in values.literals)
                    dynamic.extend((f"{name}[{extra!r}]", _line(node))
                                   for node in values.dynamic)
    index = SourceIndex(text)
    literals = []
    for (value, node), context_name, group in found:
        start, end = index.node_offsets(node)
        pieces = literal_pieces(text, start, end)
        raw = text[start:end] if pieces is not None and len(pieces) == 1 else None
        literals.append((_Literal(value, index.span(start, end), raw), context_name, group))
    return _SetupRead(literals, dynamic)


def _line(node: ast.AST) -> int | None:
    line = getattr(node, "lineno", None)
    return line if isinstance(line, int) else None


def scan_setup_py(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Literal dependency lists of ``setup(...)``; setup.py is parsed, never executed."""
    outcome = isolate.too_large(text) or isolate.run_isolated(
        read_setup_py, text, None, ctx.parse_timeout_seconds)
    if isinstance(outcome, isolate.AnalysisError):
        if outcome.type_name != "RecursionError":
            raise isolate.AnalysisFailed(outcome)
        outcome = isolate.ParseRefused("too-deep", "not analysed: nesting too deep")
    if isinstance(outcome, isolate.ParseRefused):
        return salvage(file, text, package_table(ctx.ruleset), Problem(
            "invalid-python", f"{outcome.message}; its dependencies were not read"),
            lockfile=False)
    if isinstance(outcome, _SyntaxProblem):
        return salvage(file, text, package_table(ctx.ruleset), Problem(
            "invalid-python",
            f"not valid Python 3 ({outcome.message}); its dependencies were not read",
            line=outcome.line), lockfile=False)
    read: _SetupRead = outcome
    problems: list[Problem] = []
    index = LineIndex(text)
    decls: list[Declaration] = []
    for keyword, line in read.dynamic:
        problems.append(Problem(
            "dynamic-dependencies",
            f"part of {keyword} is computed when setup.py runs; only literal values are "
            "read (setup.py is never executed)", line=line))
    for literal, context, group in read.found:
        for item, span in _items(literal, index):
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


def _items(literal: _Literal, index: LineIndex) -> Iterator[tuple[str, Span]]:
    """Each requirement in a string literal (one, or one per line) with its span.

    A plain string's requirement is located exactly; when the written form cannot be mapped
    back (escapes, implicit concatenation) the whole literal's span is used.
    """
    whole = literal.span
    line, end_line = whole.line, whole.end_line
    column0, end_column0 = whole.column - 1, whole.end_column - 1
    raw = literal.raw
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
