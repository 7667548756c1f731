"""TOML documents as positioned values.

``tomllib`` validates the file and gives the keys, but no positions; a small lexer then walks
the (now known valid) text and records each string and integer with its key path and span.
Strings are decoded by ``tomllib`` itself so escapes follow the specification exactly.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from .config_values import LIST_ITEM, ConfigDocument, ConfigValue, make_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_SCALAR = re.compile(r"[^\s,\]}#]+")
_SPACE = re.compile(r"[ \t]*")
_SPACE_NL = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_INTEGER = re.compile(r"[+-]?(?:0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|\d[\d_]*)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCAL_TIME = re.compile(r" \d{2}:\d{2}[^\s,\]}#]*")
MAX_DEPTH = 100


class TomlFailure(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def toml_document(text: str) -> ConfigDocument:
    """Raises ``TomlFailure`` for invalid TOML."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"line (\d+)", message)
        raise TomlFailure(f"invalid TOML: {message}", int(found.group(1)) if found else None
                          ) from exc
    except RecursionError as exc:
        raise TomlFailure("TOML nested too deeply to read", None) from exc
    values = list(_Lexer(text).values())
    return make_document(values, _all_keys(data), data.keys())


def _all_keys(data: Any, depth: int = 0) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield str(key)
            yield from _all_keys(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _all_keys(item, depth + 1)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def values(self) -> Iterator[ConfigValue]:
        table: tuple[str, ...] = ()
        text = self.text
        while True:
            self._skip(_SPACE_NL)
            if self.pos >= len(text):
                return
            if text[self.pos] == "[":
                array = text.startswith("[[", self.pos)
                self.pos += 2 if array else 1
                self._skip(_SPACE)
                table = self._key()
                if array:
                    table = (*table, LIST_ITEM)
                self.pos = text.index("\n", self.pos) if "\n" in text[self.pos:] else len(text)
                continue
            key = self._key()
            self._equals()
            yield from self._value((*table, *key), 0)

    def _equals(self) -> None:
        self._skip(_SPACE)
        if not self.text.startswith("=", self.pos):
            raise ValueError(f"expected '=' at offset {self.pos}")
        self.pos += 1
        self._skip(_SPACE)

    def _skip(self, pattern: re.Pattern[str]) -> None:
        match = pattern.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def _key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self._skip(_SPACE)
            char = self.text[self.pos:self.pos + 1]
            if char == '"':
                match = _BASIC.match(self.text, self.pos)
                assert match is not None
                parts.append(_decode(match.group(0)))
            elif char == "'":
                match = _LITERAL.match(self.text, self.pos)
                assert match is not None
                parts.append(match.group(0)[1:-1])
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    raise ValueError(f"unexpected TOML key at offset {self.pos}")
                parts.append(match.group(0))
            self.pos = match.end()
            self._skip(_SPACE)
            if self.text.startswith(".", self.pos):
                self.pos += 1
                continue
            return tuple(parts)

    def _value(self, path: tuple[str, ...], depth: int) -> Iterator[ConfigValue]:
        if depth > MAX_DEPTH:
            raise ValueError("TOML nested too deeply")
        text = self.text
        start = self.pos
        for quote in ('"""', "'''"):
            if text.startswith(quote, start):
                end = self._multiline_end(quote, start + 3)
                self.pos = end
                yield ConfigValue(path, _decode(text[start:end]), start, end)
                return
        char = text[start:start + 1]
        if char in ('"', "'"):
            match = (_BASIC if char == '"' else _LITERAL).match(text, start)
            if match is None:
                raise ValueError(f"unterminated TOML string at offset {start}")
            self.pos = match.end()
            yield ConfigValue(path, _decode(match.group(0)), start, match.end())
            return
        if char == "[":
            self.pos += 1
            while True:
                self._skip(_SPACE_NL)
                if text.startswith("]", self.pos):
                    self.pos += 1
                    return
                yield from self._value((*path, LIST_ITEM), depth + 1)
                self._skip(_SPACE_NL)
                if text.startswith(",", self.pos):
                    self.pos += 1
            return
        if char == "{":
            self.pos += 1
            while True:
                self._skip(_SPACE)
                if text.startswith("}", self.pos):
                    self.pos += 1
                    return
                key = self._key()
                self._equals()
                yield from self._value((*path, *key), depth + 1)
                self._skip(_SPACE)
                if text.startswith(",", self.pos):
                    self.pos += 1
        match = _SCALAR.match(text, start)
        if match is None:
            raise ValueError(f"unexpected TOML value at offset {start}")
        self.pos = match.end()
        word = match.group(0)
        time = _LOCAL_TIME.match(text, self.pos) if _DATE.fullmatch(word) else None
        if time is not None:
            self.pos = time.end()  # "1979-05-27 07:32:00": a space may separate date and time
        if _INTEGER.fullmatch(word):
            yield ConfigValue(path, int(word.replace("_", ""), 0), start, match.end())

    def _multiline_end(self, quote: str, pos: int) -> int:
        text = self.text
        while True:
            at = text.find(quote, pos)
            if at < 0:
                raise ValueError("unterminated multi-line TOML string")
            if quote == '"""' and _escaped(text, at):
                pos = at + 1
                continue
            end = at + 3
            while text.startswith(quote[0], end) and end - at < 5:
                end += 1  # up to two quotes may close the content: """a""""
            return end


def _escaped(text: str, at: int) -> bool:
    backslashes = 0
    while at - backslashes - 1 >= 0 and text[at - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _decode(literal: str) -> str:
    value = tomllib.loads("v = " + literal)["v"]
    return str(value)
