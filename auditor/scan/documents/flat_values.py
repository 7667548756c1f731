"""Line-oriented key/value formats as positioned values: INI/cfg, ``.env``, ``.properties``.

These formats have no nesting worth a parser, and ``configparser`` forgets positions, so each
is read line by line; nothing here can fail (a line that is not a key/value is skipped).
"""

from __future__ import annotations

import re

from auditor.scan.documents.values import ConfigDocument, ConfigValue, make_document

_INI_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*(?:[#;].*)?$")
_INI_PAIR = re.compile(r"^(?P<key>[^\s=:#;][^=:]*?)\s*[=:]\s*(?P<value>.*?)\s*$")
_ENV_PAIR = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][\w.\-]*)\s*=\s*(?P<value>.*?)\s*$")
_PROPERTIES_PAIR = re.compile(
    r"^\s*(?P<key>(?:[^\s=:\\]|\\.)+)\s*(?:[=:]\s*|\s+)(?P<value>.*?)\s*$")


def ini_document(text: str) -> ConfigDocument:
    values: list[ConfigValue] = []
    keys: list[str] = []
    section: tuple[str, ...] = ()
    last_key: tuple[str, ...] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        start = offset
        offset += len(line)
        if not stripped or stripped[0] in "#;":
            continue
        header = _INI_SECTION.match(body)
        if header:
            section = (header.group("name").strip(),)
            keys.append(section[0])
            last_key = None
            continue
        if body[:1].isspace() and last_key is not None:
            values.append(_value(last_key, body, start, stripped))
            continue
        pair = _INI_PAIR.match(body)
        if pair is None:
            continue
        key = pair.group("key").strip()
        keys.append(key)
        last_key = (*section, key)
        raw = _strip_inline_comment(pair.group("value"))
        if raw:
            values.append(_value(last_key, body, start + pair.start("value"), raw, relative=0))
    return make_document(values, keys, keys)


def env_document(text: str) -> ConfigDocument:
    values: list[ConfigValue] = []
    keys: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = offset
        offset += len(line)
        if body.lstrip().startswith("#"):
            continue
        pair = _ENV_PAIR.match(body)
        if pair is None:
            continue
        keys.append(pair.group("key"))
        raw = pair.group("value")
        value_start = start + pair.start("value")
        if raw[:1] in ("\"", "'") and raw.find(raw[0], 1) > 0:
            raw = raw[: raw.find(raw[0], 1) + 1]
        else:
            raw = _strip_inline_comment(raw)
        if raw:
            values.append(ConfigValue((pair.group("key"),), _unquote(raw), value_start,
                                      value_start + len(raw)))
    return make_document(values, keys, keys)


def properties_document(text: str) -> ConfigDocument:
    values: list[ConfigValue] = []
    keys: list[str] = []
    offset = 0
    continued: tuple[str, ...] | None = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = offset
        offset += len(line)
        stripped = body.strip()
        if continued is not None:
            if stripped:
                values.append(_value(continued, body, start, stripped.rstrip("\\").strip()))
            continued = continued if body.endswith("\\") else None
            continue
        if not stripped or stripped[0] in "#!":
            continue
        pair = _PROPERTIES_PAIR.match(body)
        if pair is None:
            continue
        key = pair.group("key")
        keys.append(key)
        raw = pair.group("value").rstrip("\\").strip()
        if raw:
            values.append(ConfigValue((key,), raw, start + pair.start("value"),
                                      start + pair.start("value") + len(raw)))
        continued = (key,) if body.endswith("\\") else None
    return make_document(values, keys, keys)


def _value(path: tuple[str, ...], body: str, start: int, raw: str,
           relative: int | None = None) -> ConfigValue:
    at = body.find(raw) if relative is None else relative
    begin = start + max(at, 0)
    return ConfigValue(path, _unquote(raw), begin, begin + len(raw))


def _strip_inline_comment(raw: str) -> str:
    match = re.search(r"\s[#;]", raw)
    return (raw[: match.start()] if match else raw).strip()


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw
