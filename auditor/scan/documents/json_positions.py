"""A small JSON parser that keeps the character offsets of every value.

The standard ``json`` module gives no positions, and findings in JSON files (configs, model
artefacts, notebooks) must point at the exact line and column of a value. Strings are matched
with one regular expression each and decoded lazily by ``json.loads`` on their raw text, so a
multi-megabyte notebook parses quickly. Optionally accepts ``//`` and ``/* */`` comments and
trailing commas (``.jsonc``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from auditor.errors import ScanError

MAX_DEPTH = 200

_WS = re.compile(r"[ \t\n\r]*")
# Unrolled loops ("normal* (special normal*)*"): a run of ordinary characters is one
# single-character repeat, which Python's regex engine matches in constant memory. The
# alternation form ``(?:[^"\\]|\\.)*`` keeps a backtracking frame per character: about 114
# bytes of memory per character of a long string (152 MB for one 1.3M-character image output
# in a notebook) and 20-50x the time.
_WS_COMMENTS = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/)*")
_STRING = re.compile(
    r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"')
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class JsonError(ScanError, ValueError):
    """Invalid JSON; ``offset`` is where the parser stopped."""

    code = "parse-error"

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
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


@dataclass
class JScalar:
    start: int
    end: int
    value: int | float | bool | None


@dataclass
class JArray:
    start: int
    end: int = 0
    items: list[JNode] = field(default_factory=list)


@dataclass
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


def parse_json(text: str, *, comments: bool = False) -> JNode:
    """Parse ``text``; raises ``JsonError`` with the offset of the first problem."""
    parser = _Parser(text, _WS_COMMENTS if comments else _WS, comments)
    parser.skip()
    node = parser.value(0)
    parser.skip()
    if parser.pos != len(text):
        raise JsonError("extra data after the JSON value", parser.pos)
    return node


class _Parser:
    def __init__(self, text: str, whitespace: re.Pattern[str], lenient: bool) -> None:
        self.text = text
        self.pos = 0
        self.whitespace = whitespace
        self.lenient = lenient

    def skip(self) -> None:
        match = self.whitespace.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def value(self, depth: int) -> JNode:
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH} levels", self.pos)
        char = self.text[self.pos:self.pos + 1]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            literal = number.group(0)
            parsed: int | float = (float(literal) if any(c in literal for c in ".eE")
                                   else int(literal))
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

    def object(self, depth: int) -> JObject:
        node = JObject(self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            if not self.text.startswith('"', self.pos):
                if self.lenient and self.text.startswith("}", self.pos) and node.members:
                    self.pos += 1
                    node.end = self.pos
                    return node
                raise JsonError("expected a quoted key", self.pos)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise JsonError("expected ':' after a key", self.pos)
            self.pos += 1
            self.skip()
            node.members.append((key, self.value(depth + 1)))
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

    def array(self, depth: int) -> JArray:
        node = JArray(self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            if self.lenient and self.text.startswith("]", self.pos) and node.items:
                self.pos += 1
                node.end = self.pos
                return node
            node.items.append(self.value(depth + 1))
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
