"""Where each key and value of a TOML document sits in its text.

``tomllib`` gives values but no positions. This reads the same text once more, following the
TOML grammar for keys, tables, arrays of tables, arrays, inline tables and the four string
kinds, and records the span of every key and every value under its concrete path
(array indexes included), e.g. ``("package", 3, "name")`` or ``("project", "dependencies", 0)``.
It is only run on text that ``tomllib`` already accepted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .textpos import LineIndex, Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TomlPath = tuple[str | int, ...]


class TomlLocateError(ValueError):
    """The text is not TOML this locator understands (should not happen after tomllib)."""


@dataclass
class TomlSpans:
    keys: dict[TomlPath, Span] = field(default_factory=dict)
    """Span of the last key segment naming each path (tables, arrays of tables, key/values);
    quoted keys without their quotes."""
    values: dict[TomlPath, Span] = field(default_factory=dict)
    """Span of each scalar value; single-line strings without their quotes."""

    def value(self, path: TomlPath) -> Span | None:
        return self.values.get(path)

    def key(self, path: TomlPath) -> Span | None:
        return self.keys.get(path)


_BARE_KEY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SCALAR_END = frozenset(",]}\n\r#")


def locate_toml(text: str) -> TomlSpans:
    """Spans of every key and value in ``text``; raises TomlLocateError on text it cannot follow."""
    try:
        return _Locator(text).run()
    except (IndexError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise TomlLocateError(str(exc)) from exc


class _Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.index = LineIndex(text)
        self.spans = TomlSpans()
        self.array_tables: dict[TomlPath, int] = {}

    # -- driver ---------------------------------------------------------------------------
    def run(self) -> TomlSpans:
        table: TomlPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self.i >= len(self.text):
                return self.spans
            if self.text[self.i] == "[":
                table = self._header()
            else:
                self._key_value(table)

    def _header(self) -> TomlPath:
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        keys = self._keys()
        self._skip_blank()
        closing = "]]" if array else "]"
        if not self.text.startswith(closing, self.i):
            raise TomlLocateError(f"expected {closing!r} at offset {self.i}")
        self.i += len(closing)
        names = [k for k, _ in keys]
        last_span = keys[-1][1]
        if array:
            concrete = (*self._resolve(names[:-1]), names[-1])
            count = self.array_tables.get(concrete, 0)
            self.array_tables[concrete] = count + 1
            path = (*concrete, count)
        else:
            path = self._resolve(names)
        self.spans.keys[path] = last_span
        return path

    def _resolve(self, names: list[str]) -> TomlPath:
        """A header's key path with the current index of each array of tables on the way."""
        path: TomlPath = ()
        for name in names:
            path = (*path, name)
            if path in self.array_tables:
                path = (*path, self.array_tables[path] - 1)
        return path

    def _key_value(self, table: TomlPath) -> None:
        keys = self._keys()
        self._skip_blank()
        if self.i >= len(self.text) or self.text[self.i] != "=":
            raise TomlLocateError(f"expected '=' at offset {self.i}")
        self.i += 1
        self._skip_blank()
        path = (*table, *(k for k, _ in keys))
        self.spans.keys[path] = keys[-1][1]
        self._value(path)

    # -- keys -----------------------------------------------------------------------------
    def _keys(self) -> list[tuple[str, Span]]:
        keys = []
        while True:
            self._skip_blank()
            keys.append(self._key())
            self._skip_blank()
            if self.i < len(self.text) and self.text[self.i] == ".":
                self.i += 1
                continue
            return keys

    def _key(self) -> tuple[str, Span]:
        start = self.i
        char = self.text[start]
        if char in "\"'":
            end = self._string_end(start)
            token = self.text[start:end]
            name = tomllib.loads(f"k = {token}")["k"]
            self.i = end
            if end - start > 2:  # the key's text, without its quotes
                return str(name), self.index.span(start + 1, end - 1)
            return str(name), self.index.span(start, end)
        end = start
        while end < len(self.text) and self.text[end] in _BARE_KEY:
            end += 1
        if end == start:
            raise TomlLocateError(f"expected a key at offset {start}")
        self.i = end
        return self.text[start:end], self.index.span(start, end)

    # -- values ---------------------------------------------------------------------------
    def _value(self, path: TomlPath) -> None:
        char = self.text[self.i]
        if char in "\"'":
            start = self.i
            end = self._string_end(start)
            self.i = end
            quote = 3 if self.text.startswith(char * 3, start) else 1
            inner_start, inner_end = start + quote, end - quote
            single_line = "\n" not in self.text[start:end] and "\r" not in self.text[start:end]
            if single_line and inner_end > inner_start:
                self.spans.values[path] = self.index.span(inner_start, inner_end)
            else:
                self.spans.values[path] = self.index.span(start, end)
        elif char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        else:
            start = self.i
            end = start
            while end < len(self.text) and self.text[end] not in _SCALAR_END:
                end += 1
            while end > start and self.text[end - 1] in " \t":
                end -= 1
            if end == start:
                raise TomlLocateError(f"expected a value at offset {start}")
            self.i = end
            self.spans.values[path] = self.index.span(start, end)

    def _array(self, path: TomlPath) -> None:
        self.i += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.i] == "]":
                self.i += 1
                return
            self._value((*path, index))
            index += 1
            self._skip_blank(newlines=True)
            if self.text[self.i] == ",":
                self.i += 1
            elif self.text[self.i] != "]":
                raise TomlLocateError(f"expected ',' or ']' at offset {self.i}")

    def _inline_table(self, path: TomlPath) -> None:
        self.i += 1
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.i] == "}":
                self.i += 1
                return
            self._key_value(path)
            self._skip_blank(newlines=True)
            if self.text[self.i] == ",":
                self.i += 1
            elif self.text[self.i] != "}":
                raise TomlLocateError(f"expected ',' or '}}' at offset {self.i}")

    def _string_end(self, start: int) -> int:
        """Offset just past the string token starting at ``start``."""
        text = self.text
        quote = text[start]
        escapes = quote == '"'
        if text.startswith(quote * 3, start):
            j = start + 3
            while True:
                if escapes and text[j] == "\\":
                    j += 2
                elif text.startswith(quote * 3, j):
                    end = j + 3
                    extra = 0
                    while extra < 2 and end < len(text) and text[end] == quote:
                        end += 1
                        extra += 1
                    return end
                else:
                    j += 1
        j = start + 1
        while text[j] != quote:
            if text[j] in "\n\r":
                raise TomlLocateError(f"unterminated string at offset {start}")
            j += 2 if escapes and text[j] == "\\" else 1
        return j + 1

    def _skip_blank(self, newlines: bool = False) -> None:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t" or (newlines and char in "\r\n"):
                self.i += 1
            elif char == "#" and newlines:
                while self.i < len(text) and text[self.i] not in "\r\n":
                    self.i += 1
            else:
                return
