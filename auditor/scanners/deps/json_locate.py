"""Where each key and value of a JSON document sits in its text (for ``Pipfile.lock``).

Run only on text ``json`` already accepted; records the span of every object key and every
scalar value under its concrete path, e.g. ``("default", "llama-models")``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .textpos import LineIndex, Span

JsonPath = tuple[str | int, ...]


class JsonLocateError(ValueError):
    """Text this locator cannot follow (should not happen after ``json.loads``)."""


@dataclass
class JsonSpans:
    keys: dict[JsonPath, Span] = field(default_factory=dict)
    values: dict[JsonPath, Span] = field(default_factory=dict)


_SCALAR_END = frozenset(",]} \t\r\n")


def locate_json(text: str) -> JsonSpans:
    try:
        return _Locator(text).run()
    except (IndexError, json.JSONDecodeError) as exc:
        raise JsonLocateError(str(exc)) from exc


class _Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.index = LineIndex(text)
        self.spans = JsonSpans()

    def run(self) -> JsonSpans:
        self._blank()
        self._value(())
        return self.spans

    def _value(self, path: JsonPath) -> None:
        char = self.text[self.i]
        if char == "{":
            self._object(path)
        elif char == "[":
            self._array(path)
        elif char == '"':
            start = self.i
            self.i = self._string_end(start)
            self.spans.values[path] = self.index.span(start, self.i)
        else:
            start = self.i
            while self.i < len(self.text) and self.text[self.i] not in _SCALAR_END:
                self.i += 1
            if self.i == start:
                raise JsonLocateError(f"expected a value at offset {start}")
            self.spans.values[path] = self.index.span(start, self.i)

    def _object(self, path: JsonPath) -> None:
        self.i += 1
        while True:
            self._blank()
            if self.text[self.i] == "}":
                self.i += 1
                return
            if self.text[self.i] == ",":
                self.i += 1
                continue
            start = self.i
            end = self._string_end(start)
            key = json.loads(self.text[start:end])
            self.i = end
            key_path = (*path, key)
            self.spans.keys[key_path] = self.index.span(start, end)
            self._blank()
            if self.text[self.i] != ":":
                raise JsonLocateError(f"expected ':' at offset {self.i}")
            self.i += 1
            self._blank()
            self._value((*path, key))

    def _array(self, path: JsonPath) -> None:
        self.i += 1
        index = 0
        while True:
            self._blank()
            if self.text[self.i] == "]":
                self.i += 1
                return
            if self.text[self.i] == ",":
                self.i += 1
                continue
            self._value((*path, index))
            index += 1

    def _string_end(self, start: int) -> int:
        if self.text[start] != '"':
            raise JsonLocateError(f"expected a string at offset {start}")
        j = start + 1
        while self.text[j] != '"':
            j += 2 if self.text[j] == "\\" else 1
        return j + 1

    def _blank(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t\r\n":
            self.i += 1
