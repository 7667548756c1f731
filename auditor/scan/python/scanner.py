"""The Python scanner: one stdlib ``ast`` parse and one walk per file.

``collect`` reads the module (statements everywhere, expressions where a finding can start)
and ``resolve`` evaluates what strings and loader arguments can hold once every binding is
known; this module turns that into hits. Only nodes that produced a hit get positions
(``locate``). Parse and analysis run in ``isolate``'s worker, with its time and memory
limits; a file Python cannot parse is read by the line scanner instead.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass

from auditor import isolate
from auditor.identify.models import identify, with_provider
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import (
    ARCHITECTURE_ONLY,
    META_ONLY_MODULE,
    MODEL_ID,
    MODEL_LOADER,
    PROMPT_FORMAT,
    SPECIAL_TOKEN_ID,
    TEMPLATE_NAME_IN_CODE,
)
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.python.collect import collect
from auditor.scan.python.literals import literal_pieces, written_text
from auditor.scan.python.locate import Locator, chain_to
from auditor.scan.python.positions import SourceIndex
from auditor.scan.python.preparse import cannot_find
from auditor.scan.python.records import CallRecord, Chain, StringUnit, Where
from auditor.scan.python.resolve import Resolver
from auditor.scan.python.roles import PythonRoles
from auditor.scan.python.styles import is_llama2, may_name_template, name_rule, style_uses
from auditor.scan.text.lines import identify_tokens, scan_lines
from auditor.types import Hit, ModelRef, Role, SourceFile

TOO_DEEP = "not parsed: brackets nested more than 200 deep (Python itself rejects this)"


@dataclass(frozen=True)
class NotPython:
    """Python could not parse the text: its message and line."""

    reason: str
    line: int | None
    too_deep: bool = False


def scan_python(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    """Scan Python source; when it cannot be analysed, fall back to the line scanner.

    The analysis runs in ``isolate``'s worker: a file too large for it, that crashes it or
    overruns ``ctx.parse_timeout_seconds`` is line-scanned instead, with a diagnostic saying
    why; so is a file that is not valid Python. One ``preparse`` clears is not parsed.
    """
    def line_scan(code: str, message: str, line: int | None = None) -> ScanOutput:
        return ScanOutput(hits=scan_lines(text, ctx.ruleset), parsed=False, problems=[
            Problem(code, f"{message}; identifiers found by the line scanner", line)])

    refused = isolate.too_large(text)
    if refused is not None:
        return line_scan(refused.code, refused.message)
    if cannot_find(text, ctx.ruleset):
        return ScanOutput()  # decided without a parse (``preparse``): not a parse failure
    outcome = isolate.run_isolated(analyse_source, text, ctx.ruleset,
                                   ctx.parse_timeout_seconds)
    if isinstance(outcome, isolate.ParseRefused):
        return line_scan(outcome.code, outcome.message)
    if isinstance(outcome, isolate.AnalysisError):
        if outcome.type_name == "RecursionError":
            return line_scan("too-deep", "not analysed: nesting too deep")
        raise isolate.AnalysisFailed(outcome)
    if isinstance(outcome, NotPython):
        if outcome.too_deep:
            return line_scan("too-deep", TOO_DEEP)
        return line_scan("parse-error", f"not valid Python 3 ({outcome.reason})", outcome.line)
    hits: list[Hit] = outcome
    return ScanOutput(hits=hits)


def analyse_source(text: str, ruleset: RuleSet) -> list[Hit] | NotPython:
    """Parse and analyse (runs in the worker: a parse of hostile text may need its limits)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like are not our report
            tree = ast.parse(text)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        return NotPython(f"{type(exc).__name__}: {message}", exc.lineno,
                         too_deep=message.startswith("too many nested parentheses"))
    except ValueError as exc:  # NUL bytes, unencodable surrogates
        return NotPython(f"{type(exc).__name__}: {exc}", None)
    return analyse_tree(tree, text, ruleset)


@dataclass
class _Pending:
    where: Where
    rule_id: str
    identifier: str
    model: ModelRef | None
    context: str
    message_values: tuple[tuple[str, str], ...] = ()
    offset: tuple[int, int, int] | None = None
    """(line delta, column, length) of a token inside a multi-line string literal."""
    anchor: tuple[int, int] | None = None
    """The literal that names the model, when written inside a call that spans lines: the
    finding is reported on the literal's line (the line to change), not the call's first."""
    chain: Chain = ()
    role: Role | None = None


class _Analysis:
    def __init__(self, tree: ast.Module, text: str, ruleset: RuleSet, prune: bool) -> None:
        self.ruleset = ruleset
        self.tables = python_tables(ruleset)
        self.index = SourceIndex(text)
        self.collection = collect(tree, self.index, self.tables, prune=prune)
        self.resolver = Resolver(self.collection, self.index)
        self.locator = Locator(self.index)
        self.roles = PythonRoles(tree, ruleset)
        self.styles = style_uses(tree, text, self.tables)
        self.loader_literals: set[int] = set()
        self.context_marker_units: list[_Pending] = []
        self.markers = (*self.tables.strong_markers, *self.tables.context_markers)

    def hits(self) -> list[Hit]:
        collection = self.collection
        pending: list[_Pending] = []
        for call in collection.calls:
            pending.extend(self._loader_hits(call))
        for unit in collection.units:
            pending.extend(() if unit.docstring else self._unit_hits(unit))  # docstrings: none
        for use in collection.api_uses:
            pending.append(_Pending(use.where, use.rule_id, use.identifier, None, use.context,
                                    chain=use.chain))
        for token in collection.tokens:
            pending.append(_Pending(token.node, SPECIAL_TOKEN_ID, str(token.value), None,
                                    token.context, chain=token.chain))
        pending.extend(_Pending(s.node, TEMPLATE_NAME_IN_CODE, s.identifier, None, s.context,
                                (("key", s.key),), role=Role.TEMPLATE_SELECTION)
                       for s in self.styles)
        hits = [self._to_hit(p) for p in pending]
        llama2_lines = [h.line for h in hits if (h.rule_id == PROMPT_FORMAT and h.identifier in
                        self.tables.llama2_markers) or (h.rule_id == TEMPLATE_NAME_IN_CODE
                                                        and is_llama2(h.identifier or ""))]
        for candidate in self.context_marker_units:
            line = self.locator.span(candidate.where, candidate.chain).line
            if any(abs(line - other) <= self.tables.context_lines for other in llama2_lines):
                hits.append(self._to_hit(candidate))
        return hits

    def _to_hit(self, pending: _Pending) -> Hit:
        span = self.locator.span(pending.where, pending.chain)
        if pending.anchor is not None:
            anchor = self.index.span(*pending.anchor)
            if anchor.line > span.line:
                span = anchor
        line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
        if pending.offset is not None:
            delta, offset_in_line, length = pending.offset
            line = line + delta
            column = offset_in_line + 1 if delta else column + offset_in_line
            end_line, end_column = line, column + length
        task = (self.roles.task_of(pending.where)
                if pending.model is not None and isinstance(pending.where, ast.AST) else None)
        return Hit(rule_id=pending.rule_id, line=line, column=column, end_line=end_line,
                   end_column=end_column, identifier=pending.identifier,
                   model=pending.model, context=pending.context,
                   message_values=pending.message_values, role=pending.role,
                   details=(("task", task),) if task else ())

    # -- LA102: loaders -------------------------------------------------------------------
    def _loader_hits(self, call: CallRecord) -> list[_Pending]:
        func = call.node.func
        if isinstance(func, ast.Attribute) and func.attr not in self.tables.loader_index:
            return []  # the callee's last part is the attribute: no loader ends so
        qualname = self.resolver.callee_name(func, call.scope)
        spec = self.tables.loader_for(qualname) if qualname is not None else None
        if spec is None:
            return []
        candidates: list[ast.expr] = []
        positional = [a for a in call.node.args if not isinstance(a, ast.Starred)]
        for name in spec.args:
            candidates.extend(k.value for k in call.node.keywords if k.arg == name)
        candidates.extend(positional[i] for i in spec.positions if i < len(positional))
        for expr in candidates:
            for value in self.resolver.values(expr, call.scope):
                ref = identify(value.text, self.ruleset)
                if ref is None or not ref.meta_weights:
                    continue
                ref = with_provider(ref, provider=spec.provider)
                direct = {lit for lit in value.literals if _is_within(expr, lit)}
                self.loader_literals.update(direct | {id(expr)})
                first = _first_literal(expr, direct)
                anchor = None if first is None else \
                    self.locator.first_piece(first, chain_to(expr, call.chain, first))
                return [_Pending(call.node, MODEL_LOADER, value.text, ref, call.context,
                                 (("loader", spec.label),), anchor=anchor, chain=call.chain,
                                 role=Role.MODEL_REFERENCE)]
        return []

    # -- strings --------------------------------------------------------------------------
    def _unit_hits(self, unit: StringUnit) -> list[_Pending]:
        node = unit.node
        values = self.resolver.values(node, unit.scope)
        if not values:
            return []
        hits: list[_Pending] = []
        skip_identifiers = id(node) in self.loader_literals or any(
            lit in self.loader_literals for v in values for lit in v.literals)
        simple: bool | None = None  # one plain string token (libcst's SimpleString)?
        seen: set[str] = set()
        role: Role | None = None  # decided once, for the first string that names Llama
        for value in values:
            text = value.text
            spaced = any(c.isspace() for c in text)
            if not skip_identifiers and "\n" not in text and not spaced:
                ref = identify(text, self.ruleset)
                if ref is not None or may_name_template(text, self.tables):
                    role = role or self.roles.role_of(node, unit.names)
                by_name = name_rule(role, text, self.tables) if text not in seen else None
                if by_name is not None:
                    seen.add(text)  # a template (LA108) or an architecture chosen by name
                    hits.append(_Pending(node, by_name, text, None, unit.context,
                                         (("key", unit.names.split()[-1] if unit.names.split()
                                           else "name"),), chain=unit.chain, role=role))
                    continue
                if ref is not None and _bare_tag_out_of_context(
                        ref, text, f"{unit.names} {self.roles.compared_names(node)}"):
                    ref = None
                if ref is not None and text not in seen:
                    seen.add(text)
                    rule = MODEL_ID if ref.meta_weights else ARCHITECTURE_ONLY
                    hits.append(_Pending(node, rule, text, ref, unit.context, chain=unit.chain,
                                         role=role))
                    continue
            if not skip_identifiers and spaced:
                simple = self._is_simple(unit) if simple is None else simple
                if simple:
                    hits.extend(self._token_hits(unit, text, seen))
        if TEMPLATE_NAME_IN_CODE not in (h.rule_id for h in hits):
            hits.extend(self._template_name_hits(unit, values[0].text))
        written = self._written(unit)
        host = next((h for h in self.tables.meta_only_hosts if h in written.lower()), None)
        if host is not None:
            hits.append(_Pending(node, META_ONLY_MODULE, host, None, unit.context,
                                 chain=unit.chain))
        marker = next((m for m in self.tables.strong_markers if m in written), None)
        if marker is not None:
            hits.append(_Pending(node, PROMPT_FORMAT, marker, None, unit.context, chain=unit.chain))
        else:
            context_marker = next((m for m in self.tables.context_markers if m in written), None)
            if context_marker is not None:
                self.context_marker_units.append(
                    _Pending(node, PROMPT_FORMAT, context_marker, None, unit.context,
                             chain=unit.chain))
        return hits

    def _is_simple(self, unit: StringUnit) -> bool:
        if not isinstance(unit.node, ast.Constant):
            return False
        pieces = literal_pieces(self.index.text, *self.locator.offsets(unit.node, unit.chain))
        return pieces is None or (len(pieces) == 1 and not pieces[0].is_f)

    def _template_name_hits(self, unit: StringUnit, text: str) -> list[_Pending]:
        """LA108: a Llama chat template chosen by name (``prompt_style="llama2"``)."""
        names = unit.names.split()
        if not names or not self.tables.template_values.fullmatch(text):
            return []
        name = names[-1]  # the nearest name: the keyword, parameter, target or key itself
        if not self.tables.template_names.search(_CAMEL_BOUNDARY.sub("_", name)):
            return []
        if not self._is_simple(unit):
            return []
        return [_Pending(unit.node, TEMPLATE_NAME_IN_CODE, text, None, unit.context,
                         (("key", name),), chain=unit.chain, role=Role.TEMPLATE_SELECTION)]

    def _written(self, unit: StringUnit) -> str:
        """The literal text written inside a string unit (names are not followed): markers
        count where they are typed, not where a variable holding them is used. Computed only
        when a marker or host can be in it (they contain no quote, brace or backslash, so one
        written in the literal is in its source text or in its processed text)."""
        leaves = _string_leaves(unit.node)
        processed = "".join(_processed(leaf) for leaf in leaves)
        start, end = self.locator.offsets(unit.node, unit.chain)
        source = self.index.text[start:end]
        if not (any(m in processed or m in source for m in self.markers) or any(
                h in processed.lower() or h in source.lower()
                for h in self.tables.meta_only_hosts)):
            return ""
        out: list[str] = []
        for leaf in leaves:
            a, b = self.locator.offsets(leaf, unit.chain)
            pieces = literal_pieces(self.index.text, a, b)
            out.append(written_text(self.index.text, pieces) if pieces is not None
                       else self.index.text[a:b])
        return "".join(out)

    def _token_hits(self, unit: StringUnit, text: str, seen: set[str]) -> list[_Pending]:
        """Identifiers inside a longer string (a shell command, a sentence): one hit each. A
        bare Ollama name counts only when the string or its name says "model" (``ollama pull
        llama3``, not "the `llama2` prompt style")."""
        hits: list[_Pending] = []
        start, end = self.locator.offsets(unit.node, unit.chain)
        raw = self.index.text[start:end]
        names = f"{unit.names} {text}"
        search_from = 0
        for _start, _end, token, ref in identify_tokens(text, self.ruleset):
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
            rule = MODEL_ID if ref.meta_weights else ARCHITECTURE_ONLY
            hits.append(_Pending(unit.node, rule, token, ref, unit.context, offset=offset,
                                 chain=unit.chain, role=self.roles.role_of(unit.node, unit.names)))
        return hits


def analyse_tree(tree: ast.Module, text: str, ruleset: RuleSet, *,
                 prune: bool = True) -> list[Hit]:
    """The hits of a parsed module (``text`` is its source). ``prune=False``: read every
    expression, not only live ones (see ``live``); for tests."""
    return _Analysis(tree, text, ruleset, prune).hits()


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MODEL_CONTEXT = re.compile(r"(?i)model|llm|ollama|tag|checkpoint|engine|deploy|name|repo|chat|"
                            r"generat|embed|pull|serve")
_NOT_MODEL_CONTEXT = re.compile(r"(?i)type|rope|arch|family|format|template|scaling|mapping")


def _bare_tag_out_of_context(ref: ModelRef, text: str, names: str) -> bool:
    """A bare Ollama name ("llama3") is a model only where the code says so: in a loader, or as
    the value of something named like a model. Elsewhere it is usually a format or type key."""
    if ref.runtime != "ollama" or ":" in text or "/" in text:
        return False
    return not _MODEL_CONTEXT.search(names) or bool(_NOT_MODEL_CONTEXT.search(names))


def _string_leaves(node: ast.AST) -> list[ast.AST]:
    """The string literals an expression is built of through operators, in source order."""
    leaves: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.BinOp):
            stack.extend((current.right, current.left))
        elif isinstance(current, ast.JoinedStr) or (
                isinstance(current, ast.Constant) and isinstance(current.value, (str, bytes))):
            leaves.append(current)
    return leaves


def _processed(leaf: ast.AST) -> str:
    if isinstance(leaf, ast.JoinedStr):
        return "".join(str(v.value) for v in leaf.values if isinstance(v, ast.Constant))
    value = leaf.value  # type: ignore[attr-defined]
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _first_literal(expr: ast.expr, literal_ids: set[int]) -> ast.AST | None:
    """The first of the given literals written inside ``expr`` (source order)."""
    if not literal_ids:
        return None
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if id(node) in literal_ids:
            return node
        if isinstance(node, (ast.Name, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _is_within(expr: ast.expr, literal_id: int) -> bool:
    """Was the literal written inside ``expr`` (not behind a name bound elsewhere)?"""
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if id(node) == literal_id:
            return True
        if isinstance(node, (ast.Name, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False
