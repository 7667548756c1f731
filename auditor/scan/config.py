"""The config scanner: YAML, JSON, TOML, INI/cfg, ``.env`` and ``.properties`` files.

Each format is read into positioned values (see ``documents/values.py``), so a model id is reported
at the exact line and column of the value. A file its parser rejects gets a ``parse-error``
diagnostic and is read by the line scanner instead, so nothing in it is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from auditor.discover.filetypes import file_type
from auditor.errors import ScanError
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import META_ONLY_MODULE
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.documents.flat_values import env_document, ini_document, properties_document
from auditor.scan.documents.json_positions import (
    JArray,
    JNode,
    JObject,
    JScalar,
    JsonError,
    JString,
    Keep,
    parse_json,
)
from auditor.scan.documents.toml_values import TomlFailure, toml_document
from auditor.scan.documents.values import (
    LIST_ITEM,
    RULE_CONFIG,
    RULE_MARKER,
    RULE_NON_META,
    ConfigDocument,
    ConfigValue,
    document_hits,
    make_document,
)
from auditor.scan.documents.yaml_values import YamlFailure, yaml_documents
from auditor.scan.images import document_image_hits
from auditor.scan.text.lines import scan_lines
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, SourceFile


class ParseFailure(ScanError):
    def __init__(self, message: str, line: int | None, code: str = "parse-error") -> None:
        super().__init__(message)
        self.line = line
        self.code = code


def config_format(rel: str) -> str:
    """yaml, json, toml, ini, env, properties or text: the file's format in the
    ``discover.filetypes`` table, as one of the readers here (JSON with comments is JSON)."""
    fmt = file_type(rel).format
    fmt = "json" if fmt == "jsonc" else fmt
    return fmt if fmt in _READERS else "text"


def scan_config(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    return scan_structured(file.rel, text, ctx.ruleset, default_rule=RULE_CONFIG)


def scan_structured(rel: str, text: str, ruleset: RuleSet, *, default_rule: str,
                    fmt: str | None = None) -> ScanOutput:
    """Scan ``text`` as the structured format of ``rel`` (or ``fmt``), falling back to lines."""
    fmt = fmt or config_format(rel)
    reader = _READERS.get(fmt)
    if reader is None:
        return ScanOutput(hits=scan_lines(text, ruleset, rule_id=default_rule,
                                          marker_rule_id=RULE_MARKER,
                                          architecture_rule_id=RULE_NON_META))
    try:
        documents, problems = reader(text, rel)
    except ParseFailure as exc:
        hits = scan_lines(text, ruleset, rule_id=default_rule, marker_rule_id=RULE_MARKER,
                          architecture_rule_id=RULE_NON_META)
        note = "; identifiers found by the line scanner"
        if fmt == "yaml" and "{{" in text:
            note = " (a template, e.g. Helm or Jinja: not YAML until rendered)" + note
        return ScanOutput(hits=hits, problems=[Problem(exc.code, f"{exc}{note}", exc.line)],
                          parsed=False)
    index = LineIndex(text)
    hits = document_hits(documents, text, ruleset, default_rule=default_rule, index=index)
    hits.extend(host_hits(documents, text, ruleset, index))
    hits.extend(document_image_hits(documents, text, ruleset, index, rel))
    return ScanOutput(hits=hits, problems=problems)


_URL_HOST = re.compile(r"[a-zA-Z][\w+.-]*://([^/\s:?#'\"]+)")


def host_hits(documents: list[ConfigDocument], text: str, ruleset: RuleSet,
              index: LineIndex) -> list[Hit]:
    """LA104 on a setting whose value is a URL on a host that serves only Meta's models
    (``api_base: https://api.llama.com/v1``), as the Python scanner reports it in code."""
    hosts = python_tables(ruleset).meta_only_hosts
    hits: list[Hit] = []
    for document in documents:
        for item in document.values:
            if item.is_key or not isinstance(item.value, str):
                continue
            written = {m.group(1).lower() for m in _URL_HOST.finditer(item.value)}
            host = next((h for h in hosts for w in written
                         if w == h or w.endswith("." + h)), None)
            if host is None:
                continue
            at = text.lower().find(host, item.start, item.end)
            start = at if at >= 0 else item.start
            line, column = index.position(start)
            hits.append(Hit(rule_id=META_ONLY_MODULE, line=line, column=column, end_line=line,
                            end_column=column + len(host), identifier=host,
                            context=item.context))
    return hits


def _read_yaml(text: str, rel: str) -> tuple[list[ConfigDocument], list[Problem]]:
    try:
        return yaml_documents(text)
    except YamlFailure as exc:
        raise ParseFailure(str(exc), exc.line, exc.code) from exc


def _read_json(text: str, rel: str) -> tuple[list[ConfigDocument], list[Problem]]:
    root = read_json(text, rel)
    return [json_document(root)], []


def read_json(text: str, rel: str, keep: Keep = None) -> JNode:
    """Parse JSON (comments allowed in ``.jsonc``); ``ParseFailure`` with the line if not.
    ``keep``: only the values a reader needs (see ``json_positions.Keep``)."""
    try:
        return parse_json(text, comments=rel.lower().endswith((".jsonc", ".json5")), keep=keep)
    except JsonError as exc:
        line, column = LineIndex(text).position(exc.offset)
        raise ParseFailure(f"invalid JSON: {exc} at line {line} column {column}", line) from exc


def _read_toml(text: str, rel: str) -> tuple[list[ConfigDocument], list[Problem]]:
    try:
        return [toml_document(text)], []
    except TomlFailure as exc:
        raise ParseFailure(str(exc), exc.line) from exc
    except ValueError as exc:  # the position lexer disagreed with tomllib: read as lines
        raise ParseFailure(f"TOML positions could not be read ({exc})", None) from exc


def _flat(reader: Callable[[str], ConfigDocument]
          ) -> Callable[[str, str], tuple[list[ConfigDocument], list[Problem]]]:
    def read(text: str, rel: str) -> tuple[list[ConfigDocument], list[Problem]]:
        return [reader(text)], []
    return read


_READERS: dict[str, Callable[[str, str], tuple[list[ConfigDocument], list[Problem]]]] = {
    "yaml": _read_yaml,
    "json": _read_json,
    "toml": _read_toml,
    "ini": _flat(ini_document),
    "env": _flat(env_document),
    "properties": _flat(properties_document),
}


def json_document(root: JNode) -> ConfigDocument:
    values: list[ConfigValue] = []
    keys: list[str] = []
    stack: list[tuple[JNode, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, JObject):
            for key, child in reversed(node.members):
                name = key.value
                keys.append(name)
                if "/" in name:
                    values.append(ConfigValue((*path, name), name, key.start, key.end,
                                              is_key=True))
                stack.append((child, (*path, name)))
        elif isinstance(node, JArray):
            stack.extend((item, (*path, LIST_ITEM)) for item in reversed(node.items))
        elif isinstance(node, JString) or (
                isinstance(node, JScalar) and isinstance(node.value, int)
                and not isinstance(node.value, bool)):
            values.append(ConfigValue(path, node.value, node.start, node.end))
    root_keys = [k.value for k, _ in root.members] if isinstance(root, JObject) else []
    return make_document(values, keys, root_keys)
