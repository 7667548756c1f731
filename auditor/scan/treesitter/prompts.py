"""Llama's prompt format in other languages, beyond hand-written markup (LA106, in the walker):
special token ids used as stop/end ids (LA107), chat templates selected by name (LA108:
a string such as ``promptFormat: "llama3"``, or a ``[[source_template]]`` call such as
node-llama-cpp's ``new Llama3ChatWrapper()``), and ``[INST]`` markup near a Llama 2 marker.

The same tables as Python: ``[special_tokens]``, ``[prompt_template_names]`` and
``[prompt_markers]`` of ``rules/python.toml``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tree_sitter import Node

from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import PROMPT_FORMAT, SPECIAL_TOKEN_ID, TEMPLATE_NAME_IN_CODE
from auditor.scan.treesitter.tables import TemplateRow
from auditor.types import Hit

if TYPE_CHECKING:
    from auditor.scan.treesitter.walker import Literal, Walk

_INTEGER = re.compile(r"(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)"
                      r"(?:[iu](?:8|16|32|64|128|size)|[lLnuU]|[uU][lL])?")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
TOKEN_NAME_DEPTH = 6
"""Parents searched for the name an id is given to (``StopTokens: []int{128009}`` in Go is five
levels up)."""


def integer_value(written: str, legacy_octal: bool = True) -> int | None:
    """The value of an integer literal as written in any of the languages (``128_009``,
    ``0x1F409``, ``128009u32``, ``128009L``, ``128009n``), or None. A leading ``0`` makes
    it octal where ``legacy_octal`` (Go, Java and JavaScript: ``0755``); Rust reads it as
    decimal."""
    found = _INTEGER.fullmatch(written.replace("_", ""))
    if found is None:
        return None
    digits = found.group(1)
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        octal = legacy_octal and all(c in "01234567" for c in digits)
        return int(digits, 8 if octal else 10)
    return int(digits, 0)


def token_id_hits(walk: Walk) -> list[Hit]:
    """LA107: an end/stop token id of Llama 3 or 4 where a name around it says stop, eos,
    end-of-turn or terminator (``const terminators = [128001, 128009]``)."""
    tables = python_tables(walk.ruleset)
    hits = []
    for node in walk.numbers:
        value = integer_value(walk.text(node), legacy_octal=walk.spec.name != "rust")
        if value is None or value not in tables.token_ids:
            continue
        names = " ".join(walk.names_around(node, TOKEN_NAME_DEPTH))
        if tables.token_context.search(_CAMEL_BOUNDARY.sub("_", names)):
            hits.append(walk.hit_at(SPECIAL_TOKEN_ID, node, str(value)))
    return hits


def template_string_hit(walk: Walk, literal: Literal) -> Hit | None:
    """LA108 for a string: its whole value names Llama's format and the nearest name it is
    given to (key, variable or callee, camelCase read as snake_case) selects a template, or it
    is an argument of a ``[[source_template]]`` call that names the template."""
    value = literal.value
    if literal.substituted or not value:
        return None
    tables = python_tables(walk.ruleset)
    row_key = _template_argument(walk, literal)
    if row_key is not None:
        row, key = row_key
        if tables.template_values.fullmatch(value) or value in row.values:
            return walk.hit_at(TEMPLATE_NAME_IN_CODE, literal.node, value, (("key", key),))
        return None
    name = walk.nearest_name(literal.node)
    if name is None or not tables.template_values.fullmatch(value):
        return None
    if not tables.template_names.search(_CAMEL_BOUNDARY.sub("_", name)):
        return None
    return walk.hit_at(TEMPLATE_NAME_IN_CODE, literal.node, value, (("key", name),))


def _template_argument(walk: Walk, literal: Literal) -> tuple[TemplateRow, str] | None:
    """The ``[[source_template]]`` row and key when the literal is one of the row's arguments."""
    parent = literal.node.parent
    for _ in range(4):
        if parent is None:
            return None
        if parent.type in walk.spec.calls:
            name, _callee, args = walk.callee(parent)
            row = walk.tables.templates.get((walk.spec.name, name))
            if row is None or row.by_class:
                return None
            arguments = walk.arguments(args)
            for expr in walk.candidates(arguments, row.args, row.keys):
                if expr.id == literal.node.id:
                    pair = next((walk.pair(a) for a in _ancestors(expr, parent)
                                 if walk.pair(a) is not None), None)
                    return row, pair[0] if pair is not None else name
            return None
        parent = parent.parent
    return None


def _ancestors(node: Node, stop: Node) -> list[Node]:
    out = []
    current = node.parent
    while current is not None and current.id != stop.id:
        out.append(current)
        current = current.parent
    return out


def template_call_hits(walk: Walk) -> list[Hit]:
    """LA108 for a call or construction of a class that formats prompts the Llama way
    (``chatWrapper: new Llama3_1ChatWrapper()``): the row's callee, at the callee's name."""
    hits = []
    for call in walk.calls:
        name, callee, _args = walk.callee(call)
        row = walk.tables.templates.get((walk.spec.name, name))
        if row is None or not row.by_class or callee is None:
            continue
        key = walk.nearest_name(call) or row.label
        hits.append(walk.hit_at(TEMPLATE_NAME_IN_CODE, callee, name, (("key", key),)))
    return hits


def context_marker_hits(walk: Walk, llama2_lines: list[int],
                        candidates: list[tuple[int, Node, str]]) -> list[Hit]:
    """``[INST]`` / ``[/INST]`` (shared with Mistral) count only within ``context_lines`` of a
    string holding a Llama 2 marker (``<<SYS>>``), as in Python."""
    window = python_tables(walk.ruleset).context_lines
    return [walk.hit_at(PROMPT_FORMAT, node, marker) for line, node, marker in candidates
            if any(abs(line - other) <= window for other in llama2_lines)]
