"""The common walker: one pass over a tree-sitter tree, the same findings for every language.

It collects string literals, file-level constants (a name given a string once), calls and
imports, then reports: a loader call given a Llama model (LA102, directly or through a
constant), every other Llama model id in a string (LA101 or the architecture-only rule),
hand-written Llama prompt markup (LA106) and imports of Llama-named modules (the class of their
``[[source_import]]`` row). Strings with substitutions (``${x}``, ``$x``) are not model ids.
Nothing is executed; the tree is only read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from auditor.errors import AuditError
from auditor.identify.models import identify
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import ARCHITECTURE_ONLY, MODEL_ID, MODEL_LOADER, PROMPT_FORMAT
from auditor.scan.text.lines import identify_tokens
from auditor.scan.treesitter.prompts import context_marker_hits, template_string_hit
from auditor.scan.treesitter.spec import LanguageSpec, field_or_child
from auditor.scan.treesitter.tables import SourceTables, source_tables
from auditor.types import Hit, ModelRef

_WRAPPERS = frozenset({"String", "StringPtr", "to_string", "to_owned", "into", "from", "of",
                       "valueOf", "Some", "trim"})
"""Calls whose value is their argument or receiver: ``aws.String(m)``, ``"x".to_string()``."""
_KOTLIN_TEMPLATE = re.compile(r"\$[A-Za-z_{]")
_MODEL_CONTEXT = re.compile(r"(?i)model|llm|ollama|tag|checkpoint|engine|deploy|name|repo|chat|"
                            r"generat|embed|pull|serve")
_NOT_MODEL_CONTEXT = re.compile(r"(?i)type|rope|arch|family|format|template|scaling|mapping")
_KEY_TRIM = "\"'`"
_TRANSPARENT = frozenset({"arguments", "argument_list", "value_argument", "value_arguments",
                          "call_suffix", "literal_element", "parenthesized_expression",
                          "expression_list"})
"""Nodes between a value and the key, declaration or call it is given to."""


MAX_DEPTH = 2000
"""Deeper trees are not read (``too-deep``): the deepest of 1,575 real files (LlamaIndexTS,
langchaingo, llama-cpp-rs, llamatutor, vllm's bundled JavaScript) is 62 levels."""


class TooDeep(AuditError):
    """The tree is nested deeper than ``MAX_DEPTH``; ``line`` is where it got too deep."""

    def __init__(self, line: int) -> None:
        super().__init__(f"nested more than {MAX_DEPTH:,} levels deep")
        self.line = line


@dataclass
class Literal:
    node: Node
    value: str
    start: int
    """Byte offset of the value's first character."""
    substituted: bool


class Positions:
    """Byte offsets to 1-based (line, column) in characters."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]

    def at(self, byte: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= byte:
                lo = mid
            else:
                hi = mid - 1
        prefix = self.data[self.starts[lo]:byte].decode("utf-8", errors="replace")
        return lo + 1, len(prefix) + 1


class Walk:
    def __init__(self, spec: LanguageSpec, data: bytes, ruleset: RuleSet) -> None:
        self.spec = spec
        self.data = data
        self.ruleset = ruleset
        self.tables: SourceTables = source_tables(ruleset)
        self.positions = Positions(data)
        self.literals: dict[int, Literal] = {}
        self.constants: dict[str, Literal | None] = {}
        self.calls: list[Node] = []
        self.imports: list[Node] = []
        self.numbers: list[Node] = []
        self.consumed: set[int] = set()
        self.hits: list[Hit] = []

    # -- collecting ---------------------------------------------------------------------------
    def collect(self, root: Node) -> None:
        spec = self.spec
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            kind = node.type
            if kind in spec.strings:
                self.literals[node.id] = self._literal(node)
                continue  # a string's children are its text
            if kind in spec.calls:
                self.calls.append(node)
            elif kind in spec.declarators:
                self._declare(node)
            elif kind in spec.imports:
                self.imports.append(node)
            elif kind in spec.numbers:
                self.numbers.append(node)
                continue
            if depth >= MAX_DEPTH:
                raise TooDeep(node.start_point[0] + 1)
            level = depth + 1
            stack.extend((child, level) for child in reversed(node.children))

    def _literal(self, node: Node) -> Literal:
        parts = [c for c in node.children if c.type in self.spec.content]
        substituted = any(c.type in self.spec.substitutions for c in node.children)
        if not parts:
            return Literal(node, "", node.start_byte, substituted)
        start, end = parts[0].start_byte, parts[-1].end_byte
        value = self.data[start:end].decode("utf-8", errors="replace")
        if self.spec.name == "kotlin" and _KOTLIN_TEMPLATE.search(value):
            substituted = True
        return Literal(node, value, start, substituted)

    def _declare(self, node: Node) -> None:
        name_field, value_field = self.spec.declarators[node.type]
        name = field_or_child(node, name_field, 0) if name_field else next(
            (c for c in node.named_children
             if c.type in ("variable_declaration", "identifier", "simple_identifier")), None)
        value = field_or_child(node, value_field, -1)
        while name is not None and name.named_child_count and "identifier" not in name.type:
            name = name.named_children[0]
        while value is not None and value.type == "expression_list" and value.named_child_count:
            value = value.named_children[0]
        if name is None or value is None or value.type not in self.spec.strings:
            return
        key = self.text(name)
        literal = self._literal(value)
        # a name given two different strings is not a constant
        self.constants[key] = literal if key not in self.constants else None

    def text(self, node: Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")

    # -- calls --------------------------------------------------------------------------------
    def callee(self, call: Node) -> tuple[str, Node | None, Node | None]:
        """(callee name, callee node, arguments node) of a call node."""
        callee_field, args_field = self.spec.calls[call.type]
        callee = field_or_child(call, callee_field, 0)
        args = field_or_child(call, args_field, -1)
        return self.last_name(callee), callee, args

    def last_name(self, node: Node | None) -> str:
        if node is None:
            return ""
        if node.type in self.spec.calls:
            return self.callee(node)[0] + "()"
        while node.named_child_count:
            named = [c for c in node.named_children if c.type not in ("type_arguments",
                                                                      "comment")]
            if not named:
                break
            node = named[-1]
        return self.text(node)

    def arguments(self, args: Node | None) -> list[Node]:
        if args is None:
            return []
        return [c for c in args.named_children if c.type not in ("comment", "line_comment",
                                                                  "block_comment")]

    def pair(self, node: Node) -> tuple[str, Node] | None:
        """(key, value) of a key/value node (object pair, keyed element, named argument)."""
        shape = self.spec.pairs.get(node.type)
        if shape is None:
            return None
        named = [c for c in node.named_children if c.type != "comment"]
        if len(named) <= max(shape):
            return None
        operators = self.spec.pair_operators.get(node.type)
        if operators is not None and (len(named) != 3 or self.text(named[1]) not in operators):
            return None
        return self.text(named[shape[0]]).strip(_KEY_TRIM), named[shape[1]]

    def candidates(self, args: list[Node], positions: tuple[int, ...],
                   keys: frozenset[str]) -> list[Node]:
        found: list[Node] = []
        positional = [a for a in args if self.pair(a) is None]
        found.extend(positional[i] for i in positions if i < len(positional))
        stack = list(args)
        while stack and keys:
            node = stack.pop()
            pair = self.pair(node)
            if pair is not None:
                if pair[0] in keys:
                    found.append(pair[1])
                continue
            if node.type in ("object", "literal_value", "field_initializer_list",
                             "unary_expression", "value_argument", "composite_literal"):
                stack.extend(node.named_children)
        return found

    def resolve(self, node: Node, depth: int = 0) -> list[Literal]:
        """The string literals an expression stands for, following constants and wrappers."""
        if depth > 4:
            return []
        if node.id in self.literals:
            return [self.literals[node.id]]
        if node.type in self.spec.strings:
            return [self._literal(node)]
        if "identifier" in node.type and not node.named_child_count:
            constant = self.constants.get(self.text(node))
            return [constant] if constant is not None else []
        if node.type in self.spec.calls:
            name, callee, args = self.callee(node)
            if name in _WRAPPERS:
                inner = self.arguments(args)[:1] or ([callee.named_children[0]]
                                                     if callee is not None and
                                                     callee.named_child_count else [])
                return [lit for n in inner for lit in self.resolve(n, depth + 1)]
            return []
        if node.type in ("value_argument", "parenthesized_expression", "unary_expression",
                         "literal_element", "arguments", "argument_list", "value_arguments",
                         "reference_expression", "binary_expression", "await_expression",
                         "as_expression", "non_null_expression", "expression_list"):
            return [lit for n in node.named_children for lit in self.resolve(n, depth + 1)]
        return []

    def loader_hits(self) -> None:
        language = self.spec.name
        for call in self.calls:
            name, callee, args = self.callee(call)
            rows = self.tables.loaders.get((language, name))
            if not rows:
                continue
            arguments = self.arguments(args)
            for row in rows:
                hit = self._loader_hit(call, callee, arguments, row.args, row.keys, row.label)
                if hit is not None:
                    self.hits.append(hit)
                    break

    def _loader_hit(self, call: Node, callee: Node | None, arguments: list[Node],
                    positions: tuple[int, ...], keys: frozenset[str], label: str) -> Hit | None:
        for expr in self.candidates(arguments, positions, keys):
            for literal in self.resolve(expr):
                if literal.substituted:
                    continue
                ref = identify(literal.value, self.ruleset)
                if ref is None or not ref.meta_weights:
                    continue
                if call.start_byte <= literal.node.start_byte < call.end_byte:
                    self.consumed.add(literal.node.id)
                end = callee.end_byte if callee is not None else call.end_byte
                return self._hit(MODEL_LOADER, call.start_byte, end,
                                 literal.value, ref, (("loader", label),))
        return None

    # -- strings and imports ------------------------------------------------------------------
    def string_hits(self) -> None:
        tables = python_tables(self.ruleset)
        llama2_lines: list[int] = []
        near_llama2: list[tuple[int, Node, str]] = []
        for literal in self.literals.values():
            node = literal.node
            written = self.text(node)
            marker = next((m for m in tables.strong_markers if m in written), None)
            if marker is not None:
                hit = self.hit_at(PROMPT_FORMAT, node, marker)
                self.hits.append(hit)
                if any(m in written for m in tables.llama2_markers):
                    llama2_lines.append(hit.line)
            else:
                shared = next((m for m in tables.context_markers if m in written), None)
                if shared is not None:
                    near_llama2.append((self.positions.at(node.start_byte)[0], node, shared))
            if literal.substituted or node.id in self.consumed or not literal.value:
                continue
            template = template_string_hit(self, literal)
            if template is not None:
                self.hits.append(template)
                continue
            value = literal.value
            if not any(c.isspace() for c in value):
                ref = identify(value, self.ruleset)
                if ref is not None and not self._bare_tag_out_of_context(ref, value, node):
                    rule = MODEL_ID if ref.meta_weights else ARCHITECTURE_ONLY
                    self.hits.append(self._hit(rule, node.start_byte, node.end_byte, value, ref))
                continue
            self._token_hits(literal)
        self.hits.extend(context_marker_hits(self, llama2_lines, near_llama2))

    def _token_hits(self, literal: Literal) -> None:
        names = f"{self._names(literal.node)} {literal.value}"
        raw = literal.value.encode("utf-8")
        search_from = 0
        for _start, _end, token, ref in identify_tokens(literal.value, self.ruleset):
            if self._bare_tag_out_of_context(ref, token, None, names):
                continue
            at = raw.find(token.encode("utf-8"), search_from)
            if at < 0:
                continue
            search_from = at + len(token.encode("utf-8"))
            rule = MODEL_ID if ref.meta_weights else ARCHITECTURE_ONLY
            begin = literal.start + at
            self.hits.append(self._hit(rule, begin, begin + len(token.encode("utf-8")), token,
                                       ref))

    def _names(self, node: Node) -> str:
        """Names around a literal: the key, variable or callee it is given to."""
        return " ".join(self.names_around(node, 4, up_to=4))

    def nearest_name(self, node: Node) -> str | None:
        """The name a node is directly given to: its key, its declared name or the callee it
        is an argument of (through argument lists and parentheses only); None when it sits
        elsewhere (a comparison, an array, a return)."""
        parent = node.parent
        while parent is not None and parent.type in _TRANSPARENT and self.pair(parent) is None:
            parent = parent.parent
        return None if parent is None else self._name_of(parent)

    def names_around(self, node: Node, count: int, up_to: int = 6) -> list[str]:
        """The first ``count`` names a node is given to, nearest first (a key, a declared
        name or a callee), looking at most ``up_to`` parents up."""
        out: list[str] = []
        current: Node | None = node.parent
        for _ in range(up_to):
            if current is None or len(out) >= count:
                break
            name = self._name_of(current)
            if name is not None:
                out.append(name)
            current = current.parent
        return out

    def _name_of(self, node: Node) -> str | None:
        """The name a key/value node, a declaration or a call gives its value; else None."""
        pair = self.pair(node)
        if pair is not None:
            return pair[0]
        if node.type in self.spec.declarators:
            name = field_or_child(node, self.spec.declarators[node.type][0], 0)
            return self.text(name) if name is not None else ""
        if node.type in self.spec.calls:
            return self.callee(node)[0]
        return None

    def _bare_tag_out_of_context(self, ref: ModelRef, text: str, node: Node | None,
                                 names: str | None = None) -> bool:
        if ref.runtime != "ollama" or ":" in text or "/" in text:
            return False
        names = self._names(node) if names is None and node is not None else (names or "")
        return not _MODEL_CONTEXT.search(names) or bool(_NOT_MODEL_CONTEXT.search(names))

    def import_hits(self, modules: list[tuple[str, int]]) -> None:
        for module, at in modules:
            row = self.tables.import_rule(self.spec.name, module)
            if row is not None:
                self.hits.append(self._hit(row.rule_id, at, at + len(module.encode("utf-8")),
                                           module, None))

    def hit_at(self, rule: str, node: Node, identifier: str,
               message_values: tuple[tuple[str, str], ...] = ()) -> Hit:
        return self._hit(rule, node.start_byte, node.end_byte, identifier, None, message_values)

    def _hit(self, rule: str, start: int, end: int, identifier: str, ref: ModelRef | None,
             message_values: tuple[tuple[str, str], ...] = ()) -> Hit:
        line, column = self.positions.at(start)
        end_line, end_column = self.positions.at(max(start + 1, end))
        return Hit(rule_id=rule, line=line, column=column, end_line=end_line,
                   end_column=end_column, identifier=identifier, model=ref,
                   message_values=message_values)
