"""Where each key and value of a TOML document sits in its text.

``tomllib`` gives values but no positions. This reads the same text once more, following the
TOML grammar for keys, tables, arrays of tables, arrays, inline tables and the four string
kinds, and records the offsets of every key and every value under its concrete path
(array indexes included), e.g. ``("package", 3, "name")`` or ``("project", "dependencies", 0)``.
It is only run on text that ``tomllib`` already accepted; the dependency scanners and the
config scanner both read positions from here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from auditor.errors import ScanError
from auditor.scan.text.positions import LineIndex
from auditor.types import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TomlPath = tuple[str | int, ...]
Offsets = tuple[int, int]
MAX_DEPTH = 100


class TomlLocateError(ScanError, ValueError):
    """The text is not TOML this locator understands (should not happen after tomllib)."""

    code = "parse-error"


@dataclass
class TomlPositions:
    index: LineIndex = field(default_factory=lambda: LineIndex(""))
    key_offsets: dict[TomlPath, Offsets] = field(default_factory=dict)
    """The last key segment naming each path (tables, arrays of tables, key/values);
    quoted keys without their quotes."""
    value_offsets: dict[TomlPath, Offsets] = field(default_factory=dict)
    """Each scalar value as written, strings with their quotes; in document order."""

    def key(self, path: TomlPath) -> Span | None:
        found = self.key_offsets.get(path)
        return self.index.span(*found) if found else None

    def value(self, path: TomlPath) -> Span | None:
        """The value's span; a non-empty single-line string without its quotes."""
        found = self.value_offsets.get(path)
        if found is None:
            return None
        start, end = found
        text = self.index.text
        char = text[start]
        if char in "\"'":
            quote = 3 if text.startswith(char * 3, start) else 1
            single_line = "\n" not in text[start:end] and "\r" not in text[start:end]
            if single_line and end - quote > start + quote:
                return self.index.span(start + quote, end - quote)
        return self.index.span(start, end)

    def last_line(self) -> int:
        """The line of the document's last key or value (1 when none was located)."""
        ends = [end for _, end in (*self.key_offsets.values(), *self.value_offsets.values())]
        return self.index.position(max(ends) - 1)[0] if ends else 1


_BARE_KEY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SCALAR_END = frozenset(",]}\n\r#")


def locate_toml(text: str) -> TomlPositions:
    """Offsets of every key and value in ``text``; TomlLocateError on text it cannot follow."""
    try:
        return _Locator(text).run()
    except (IndexError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise TomlLocateError(str(exc)) from exc


class _Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.found = TomlPositions(LineIndex(text))
        self.array_tables: dict[TomlPath, int] = {}

    # -- driver ---------------------------------------------------------------------------
    def run(self) -> TomlPositions:
        table: TomlPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self.i >= len(self.text):
                return self.found
            if self.text[self.i] == "[":
                table = self._header()
            else:
                self._key_value(table, 0)

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
        if array:
            concrete = (*self._resolve(names[:-1]), names[-1])
            count = self.array_tables.get(concrete, 0)
            self.array_tables[concrete] = count + 1
            path = (*concrete, count)
        else:
            path = self._resolve(names)
        self.found.key_offsets[path] = keys[-1][1]
        return path

    def _resolve(self, names: list[str]) -> TomlPath:
        """A header's key path with the current index of each array of tables on the way."""
        path: TomlPath = ()
        for name in names:
            path = (*path, name)
            if path in self.array_tables:
                path = (*path, self.array_tables[path] - 1)
        return path

    def _key_value(self, table: TomlPath, depth: int) -> None:
        keys = self._keys()
        self._skip_blank()
        if self.i >= len(self.text) or self.text[self.i] != "=":
            raise TomlLocateError(f"expected '=' at offset {self.i}")
        self.i += 1
        self._skip_blank()
        path = (*table, *(k for k, _ in keys))
        self.found.key_offsets[path] = keys[-1][1]
        self._value(path, depth)

    # -- keys -----------------------------------------------------------------------------
    def _keys(self) -> list[tuple[str, Offsets]]:
        keys = []
        while True:
            self._skip_blank()
            keys.append(self._key())
            self._skip_blank()
            if self.i < len(self.text) and self.text[self.i] == ".":
                self.i += 1
                continue
            return keys

    def _key(self) -> tuple[str, Offsets]:
        start = self.i
        char = self.text[start]
        if char in "\"'":
            end = self._string_end(start)
            name = tomllib.loads(f"k = {self.text[start:end]}")["k"]
            self.i = end
            if end - start > 2:  # the key's text, without its quotes
                return str(name), (start + 1, end - 1)
            return str(name), (start, end)
        end = start
        while end < len(self.text) and self.text[end] in _BARE_KEY:
            end += 1
        if end == start:
            raise TomlLocateError(f"expected a key at offset {start}")
        self.i = end
        return self.text[start:end], (start, end)

    # -- values ---------------------------------------------------------------------------
    def _value(self, path: TomlPath, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise TomlLocateError("TOML nested too deeply")
        char = self.text[self.i]
        start = self.i
        if char in "\"'":
            self.i = self._string_end(start)
        elif char == "[":
            self._array(path, depth)
            return
        elif char == "{":
            self._inline_table(path, depth)
            return
        else:
            end = start
            while end < len(self.text) and self.text[end] not in _SCALAR_END:
                end += 1
            while end > start and self.text[end - 1] in " \t":
                end -= 1
            if end == start:
                raise TomlLocateError(f"expected a value at offset {start}")
            self.i = end
        self.found.value_offsets[path] = (start, self.i)

    def _array(self, path: TomlPath, depth: int) -> None:
        self.i += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.i] == "]":
                self.i += 1
                return
            self._value((*path, index), depth + 1)
            index += 1
            self._skip_blank(newlines=True)
            if self.text[self.i] == ",":
                self.i += 1
            elif self.text[self.i] != "]":
                raise TomlLocateError(f"expected ',' or ']' at offset {self.i}")

    def _inline_table(self, path: TomlPath, depth: int) -> None:
        self.i += 1
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.i] == "}":
                self.i += 1
                return
            self._key_value(path, depth + 1)
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
