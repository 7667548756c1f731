"""The keys a llama-audit configuration file may set: their types, defaults and validation,
with errors that name the file, the key and the expected type."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.policy import FAIL_ON_CHOICES
from auditor.policy.waivers import validate_pattern

CONFIG_FILE_NAME = ".llama-audit.toml"
PYPROJECT_NAME = "pyproject.toml"
TOOL_TABLE = "llama-audit"
PREFER_CHOICES = ("gemma", "qwen", "mistral")


@dataclass(frozen=True)
class _Key:
    name: str
    expected: str
    """Type as the user reads it in an error message."""
    default: object
    describe_default: str


KEYS: tuple[_Key, ...] = (
    _Key("root", "a boolean", False, "false"),
    _Key("exclude", "an array of strings (gitignore-style patterns)", (), "[]"),
    _Key("fail-on", f"a string, one of {', '.join(FAIL_ON_CHOICES)}", None, '"high"'),
    _Key("baseline", "a string (path to a baseline file)", None, "none"),
    _Key("rule-dirs", "an array of strings (directories of rule files)", (), "[]"),
    _Key("prefer", f"a string or an array of strings from {', '.join(PREFER_CHOICES)}", (),
         "[] (catalog order)"),
    _Key("waivers", "an array of tables ([[waivers]])", (), "[]"),
)
KEY_NAMES = tuple(k.name for k in KEYS)
WAIVER_KEYS = ("rule", "path", "reason", "identifier", "until")


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    """Absolute path of the file."""
    display: str
    """How messages name it (relative to the working directory when inside it)."""
    table: Mapping[str, Any]
    """Validated values, by key."""

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def label(self) -> str:
        if self.path.name == PYPROJECT_NAME:
            return f"{self.display} [tool.{TOOL_TABLE}]"
        return self.display


@dataclass(frozen=True)
class WaiverSpec:
    """A waiver as written, before its rule reference is checked against the rule set."""

    rule: str
    path: str
    reason: str
    identifier: str | None
    until: datetime.date | None
    file: ConfigFile
    index: int


def validate_table(table: Mapping[str, Any], where: str, file: ConfigFile) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEY_NAMES:
            close = difflib.get_close_matches(key, KEY_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}; known keys: "
                              f"{', '.join(KEY_NAMES)}")
        out[key] = _validate_value(key, value, where, file)
    return out


def _type_name(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
             dict: "table", datetime.date: "date", datetime.datetime: "date-time",
             datetime.time: "time"}
    return names.get(type(value), type(value).__name__)


def _wrong(where: str, key: str, value: object) -> ConfigError:
    expected = next(k.expected for k in KEYS if k.name == key)
    return ConfigError(f"{where}: {key!r} must be {expected}; got {_type_name(value)} "
                       f"{value!r}")


def _strings(value: object, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(where, key, value)
    return list(value)


def _validate_value(key: str, value: object, where: str, file: ConfigFile) -> object:
    directory = file.path.parent
    if key == "root":
        if not isinstance(value, bool):
            raise _wrong(where, key, value)
        return value
    if key == "fail-on":
        if not isinstance(value, str) or value not in FAIL_ON_CHOICES:
            raise _wrong(where, key, value)
        return value
    if key == "baseline":
        if not isinstance(value, str) or not value.strip():
            raise _wrong(where, key, value)
        return directory / value
    if key == "rule-dirs":
        return [directory / p for p in _strings(value, where, key)]
    if key == "exclude":
        patterns = _strings(value, where, key)
        for pattern in patterns:
            problem = validate_pattern(pattern)
            if problem is not None:
                raise ConfigError(f"{where}: 'exclude' pattern {pattern!r}: {problem}")
        return patterns
    if key == "prefer":
        families = [value] if isinstance(value, str) else value
        if not isinstance(families, list) or not all(
                isinstance(f, str) and f.lower() in PREFER_CHOICES for f in families):
            raise _wrong(where, key, value)
        return [f.lower() for f in families]
    if key == "waivers":
        if not isinstance(value, list):
            raise _wrong(where, key, value)
        return [_waiver(item, index, where, file) for index, item in enumerate(value)]
    raise AssertionError(key)  # pragma: no cover - KEYS and this function list the same keys


def _waiver(item: object, index: int, where: str, file: ConfigFile) -> WaiverSpec:
    at = f"{where}: waivers[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{at} must be a table with keys {', '.join(WAIVER_KEYS)}")
    unknown = sorted(set(item) - set(WAIVER_KEYS))
    if unknown:
        close = difflib.get_close_matches(unknown[0], WAIVER_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"{at}: unknown key {unknown[0]!r}{hint}; known keys: "
                          f"{', '.join(WAIVER_KEYS)}")
    for required in ("rule", "path", "reason"):
        if required not in item:
            raise ConfigError(f"{at}: missing {required!r} (a string)")
    for name in ("rule", "path", "reason", "identifier"):
        if name in item and (not isinstance(item[name], str) or not item[name].strip()):
            raise ConfigError(f"{at}.{name} must be a non-empty string, not "
                              f"{_type_name(item[name])} {item[name]!r}")
    problem = validate_pattern(item["path"])
    if problem is not None:
        raise ConfigError(f"{at}.path {item['path']!r}: {problem}")
    return WaiverSpec(rule=item["rule"].strip(), path=item["path"], reason=item["reason"].strip(),
                      identifier=item.get("identifier"), until=_date(item.get("until"), at),
                      file=file, index=index)


def _date(value: object, at: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, (datetime.date, str)):
        raise ConfigError(f"{at}.until must be a date such as 2027-01-31, not "
                          f"{_type_name(value)} {value!r}")
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{at}.until must be a date such as 2027-01-31, not {value!r}") from exc


def default_text(key: str) -> str:
    return next(k.describe_default for k in KEYS if k.name == key)


def config_keys() -> Iterable[str]:
    return KEY_NAMES
