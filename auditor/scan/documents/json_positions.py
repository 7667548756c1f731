"""A small JSON parser that keeps the character offsets of every value.

The standard ``json`` module gives no positions, and findings in JSON files (configs, model
artefacts, notebooks) must point at the exact line and column of a value. Strings are matched
with one regular expression each and decoded lazily by ``json.loads`` on their raw text, so a
multi-megabyte notebook parses quickly. Optionally accepts ``//`` and ``/* */`` comments and
trailing commas (``.jsonc``).

A reader that needs only some values passes a ``keep`` schema (see ``Keep``): every other
member value is consumed by the C ``json`` scanner, which gives its end offset without building
nodes. The result is exact: wherever the C scanner could disagree with this parser (it refuses
the value, accepts ``NaN``/``Infinity``, nests deeper than ``MAX_DEPTH`` allows, or the value
count could pass ``MAX_VALUES``), the whole document is parsed again without the schema, so
errors, messages and offsets are those of the full parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from auditor.errors import AuditError, ScanError

MAX_DEPTH = 200
"""Deeper values are refused (a diagnostic, then the line scanner). Values skipped by a
``keep`` schema are held to the same limit: their depth is bounded by the opening brackets in
their text and, past that bound, measured on the decoded value."""

_WS = re.compile(r"[ \t\n\r]*")
# Unrolled loops ("normal* (special normal*)*"): a run of ordinary characters is one
# single-character repeat, which Python's regex engine matches in constant memory. The
# alternation form ``(?:[^"\\]|\\.)*`` keeps a backtracking frame per character: about 114
# bytes of memory per character of a long string (152 MB for one 1.3M-character image output
# in a notebook) and 20-50x the time.
_WS_COMMENTS = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/)*")
_STRING_BODY = r'[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*'
"""What stands between a JSON string's quotes."""
_STRING = re.compile('"' + _STRING_BODY + '"')
_STRING_ITEM = re.compile('"(' + _STRING_BODY + ')"' + r"[ \t\n\r]*(?:(,)[ \t\n\r]*)?")
"""A string item of an array, the whitespace after it and a comma with its whitespace."""
_KEY = re.compile('"(' + _STRING_BODY + ')"' + r"[ \t\n\r]*:[ \t\n\r]*")
"""An object's key, its colon and the whitespace around it."""
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class JsonError(ScanError, ValueError):
    """Invalid JSON; ``offset`` is where the parser stopped."""

    code = "parse-error"

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(slots=True)
class JString:
    start: int
    """Offset of the opening quote."""
    end: int
    """Offset just after the closing quote."""
    raw: str
    """The text between the quotes, escapes as written."""

    @property
    def value(self) -> str:
        if "\\" not in self.raw:
            return self.raw
        decoded = json.loads('"' + self.raw + '"')
        assert isinstance(decoded, str)
        return decoded

    def raw_offsets(self) -> list[int]:
        """For each decoded character, its offset in the file; one extra entry for the end."""
        out: list[int] = []
        base = self.start + 1
        raw = self.raw
        i = 0
        while i < len(raw):
            out.append(base + i)
            if raw[i] != "\\":
                i += 1
                continue
            if raw[i + 1] != "u":
                i += 2
                continue
            code = int(raw[i + 2:i + 6], 16)
            i += 6
            if 0xD800 <= code < 0xDC00 and raw[i:i + 2] == "\\u":
                low = int(raw[i + 2:i + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    i += 6
        out.append(base + len(raw))
        return out


@dataclass(slots=True)
class JScalar:
    start: int
    end: int
    value: int | float | bool | None


@dataclass(slots=True)
class JArray:
    start: int
    end: int = 0
    items: list[JNode] = field(default_factory=list)


@dataclass(slots=True)
class JObject:
    start: int
    end: int = 0
    members: list[tuple[JString, JNode]] = field(default_factory=list)

    def get(self, key: str) -> JNode | None:
        for name, value in self.members:
            if name.value == key:
                return value
        return None


JNode = JString | JScalar | JArray | JObject


Keep: TypeAlias = "Mapping[str, Keep] | None"
"""Which values a reader needs. ``None``: the value and everything in it. A mapping: in an
object, only the members it names are kept (each with its own schema), the other members are
skipped (left out of ``members``, still checked to be valid JSON); every item of an array is
read with the same mapping; a string or scalar is kept as it is."""

MAX_INT_DIGITS = 4000
"""Below Python's int max str digits (4,300), so a huge integer never fails the parse."""
MAX_VALUES = 1_000_000
"""Each value is a node (~150 bytes): past this many, the document is not parsed (a
diagnostic, then the line scanner) instead of taking gigabytes. Values skipped by a ``keep``
schema count too: a skipped value counts as an upper bound of the values it holds (1 plus its
commas and opening brackets, those inside strings included); if that bound passes the limit,
the document is parsed again without the schema, which counts exactly."""


class _Unsure(AuditError):
    """The skip path cannot promise the full parse's result: parse again without it (never
    leaves ``parse_json``)."""


def _refuse_constant(name: str) -> float:
    raise _Unsure(name)


_DECODER = json.JSONDecoder(strict=True, parse_constant=_refuse_constant)
"""Its ``raw_decode`` runs the C scanner: ``(value, end offset)`` of the value at an offset."""


def parse_json(text: str, *, comments: bool = False, keep: Keep = None) -> JNode:
    """Parse ``text``; raises ``JsonError`` with the offset of the first problem. With
    ``keep``, only the values the schema names are built (positions as in the full parse)."""
    if keep is not None:
        try:
            return _parse(text, comments, keep)
        except _Unsure:
            pass
    return _parse(text, comments, None)


def _parse(text: str, comments: bool, keep: Keep) -> JNode:
    parser = _Parser(text, _WS_COMMENTS if comments else _WS, comments)
    parser.skip()
    node = parser.value(0, keep)
    parser.skip()
    if parser.pos != len(text):
        raise JsonError("extra data after the JSON value", parser.pos)
    return node


def _depth(value: object) -> int:
    """Nesting depth of a decoded value as this parser counts it (a scalar or an empty
    container 0, a container 1 more than its deepest item)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = (item.values() if isinstance(item, dict)
                    else item if isinstance(item, list) else ())
        for child in children:
            deepest = max(deepest, level + 1)
            if isinstance(child, (dict, list)):
                stack.append((child, level + 1))
    return deepest


class _Parser:
    def __init__(self, text: str, whitespace: re.Pattern[str], lenient: bool) -> None:
        self.text = text
        self.pos = 0
        self.whitespace = whitespace
        self.lenient = lenient
        self.values = 0
        self.estimated = False
        """``values`` includes upper bounds for skipped values."""

    def skip(self) -> None:
        match = self.whitespace.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def count(self, values: int) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            if self.estimated:
                raise _Unsure("value count")
            raise JsonError(f"more than {MAX_VALUES:,} values, not parsed", self.pos)

    def value(self, depth: int, keep: Keep = None) -> JNode:
        self.count(1)
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH} levels", self.pos)
        char = self.text[self.pos:self.pos + 1]
        if char == "{":
            return self.object(depth, keep)
        if char == "[":
            return self.array(depth, keep)
        if char == '"':
            return self.string()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            literal = number.group(0)
            # Python refuses int() of more than 4,300 digits: such a number is kept as a float.
            parsed: int | float = (float(literal) if any(c in literal for c in ".eE")
                                   or len(literal) > MAX_INT_DIGITS else int(literal))
            return JScalar(number.start(), number.end(), parsed)
        for word, literal_value in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                start = self.pos
                self.pos += len(word)
                return JScalar(start, self.pos, literal_value)
        if not char:
            raise JsonError("unexpected end of file", self.pos)
        raise JsonError(f"unexpected character {char!r}", self.pos)

    def string(self) -> JString:
        match = _STRING.match(self.text, self.pos)
        if match is None:
            raise JsonError("unterminated or invalid string", self.pos)
        self.pos = match.end()
        return JString(match.start(), match.end(), match.group(0)[1:-1])

    def skip_value(self, depth: int) -> None:
        """Consume the value at ``pos`` (a member value no schema names) with the C scanner."""
        start = self.pos
        self.count(1)
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH} levels", start)
        try:
            decoded, end = _DECODER.raw_decode(self.text, start)
        except (ValueError, RecursionError) as exc:
            raise _Unsure("the C scanner refused the value") from exc
        if isinstance(decoded, (dict, list)):
            text = self.text
            brackets = text.count("[", start, end) + text.count("{", start, end)
            if depth + brackets > MAX_DEPTH and depth + _depth(decoded) > MAX_DEPTH:
                raise _Unsure("nesting")
            self.estimated = True
            self.count(brackets + text.count(",", start, end))
        self.pos = end

    def object(self, depth: int, keep: Keep = None) -> JObject:
        node = JObject(self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        seen = False
        text = self.text
        while True:
            head = None if self.lenient else _KEY.match(text, self.pos)
            if head is not None:  # the common case: the key, its colon and whitespace
                key = JString(self.pos, head.end(1) + 1, head.group(1))
                self.pos = head.end()
            else:
                if not text.startswith('"', self.pos):
                    if self.lenient and text.startswith("}", self.pos) and seen:
                        self.pos += 1
                        node.end = self.pos
                        return node
                    raise JsonError("expected a quoted key", self.pos)
                key = self.string()
                self.skip()
                if not text.startswith(":", self.pos):
                    raise JsonError("expected ':' after a key", self.pos)
                self.pos += 1
                self.skip()
            seen = True
            if keep is None:
                node.members.append((key, self.value(depth + 1)))
            elif key.value in keep:
                node.members.append((key, self.value(depth + 1, keep[key.value])))
            else:
                self.skip_value(depth + 1)
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                self.skip()
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                node.end = self.pos
                return node
            raise JsonError("expected ',' or '}'", self.pos)

    def array(self, depth: int, keep: Keep = None) -> JArray:
        node = JArray(self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        text = self.text
        while True:
            if self.lenient and text.startswith("]", self.pos) and node.items:
                self.pos += 1
                node.end = self.pos
                return node
            if not self.lenient and depth < MAX_DEPTH and text.startswith('"', self.pos):
                # The common case (a notebook's lines): one match per string item.
                item = _STRING_ITEM.match(text, self.pos)
                if item is not None:
                    self.count(1)
                    node.items.append(JString(self.pos, item.end(1) + 1, item.group(1)))
                    self.pos = item.end()
                    if item.group(2):
                        continue
                    if text.startswith("]", self.pos):
                        self.pos += 1
                        node.end = self.pos
                        return node
                    raise JsonError("expected ',' or ']'", self.pos)
            node.items.append(self.value(depth + 1, keep))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                self.skip()
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                node.end = self.pos
                return node
            raise JsonError("expected ',' or ']'", self.pos)
