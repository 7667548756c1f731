"""TOML documents as positioned config values.

``tomllib`` validates the file and decodes every value (so escapes follow the specification
exactly); ``toml_positions`` says where each one is written. Strings and integers become
``ConfigValue``s, array indexes becoming ``[]`` in their key paths.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.errors import ScanError
from auditor.scan.documents.toml_positions import MAX_DEPTH, TomlPath, locate_toml
from auditor.scan.documents.values import LIST_ITEM, ConfigDocument, ConfigValue, make_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_MISSING = object()


class TomlFailure(ScanError):
    code = "parse-error"

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def toml_document(text: str) -> ConfigDocument:
    """Raises ``TomlFailure`` for invalid TOML, ``TomlLocateError`` (a ValueError) when the
    positions cannot be read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"line (\d+)", message)
        raise TomlFailure(f"invalid TOML: {message}", int(found.group(1)) if found else None
                          ) from exc
    except RecursionError as exc:
        raise TomlFailure("TOML nested too deeply to read", None) from exc
    values = []
    for path, (start, end) in locate_toml(text).value_offsets.items():
        value = _lookup(data, path)
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            config_path = tuple(LIST_ITEM if isinstance(p, int) else p for p in path)
            values.append(ConfigValue(config_path, value, start, end))
    return make_document(values, _all_keys(data), data.keys())


def _lookup(data: Any, path: TomlPath) -> Any:
    for part in path:
        in_list = isinstance(part, int) and isinstance(data, list) and part < len(data)
        if not (in_list or (isinstance(data, Mapping) and part in data)):
            return _MISSING
        data = data[part]
    return data


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
