"""What a parsed config document says about Llama: one pass over its positioned values.

Every structured format (YAML, JSON, TOML, INI, .env, .properties) is reduced to a list of
``ConfigValue``s (key path, scalar value, character span in the file); this module turns them
into hits with the same decisions for every format:

- a value ``identify`` accepts is a model reference (the document's rule: LA301 in settings,
  LA302 in infrastructure and Kubernetes manifests, LA401 in a training config), LA109 when
  the weights are Llama architecture but not Meta's;
- ``model_type: llama`` / ``LlamaForCausalLM`` values are architecture evidence (LA304);
- a chat template chosen by name (``chat_template: llama3``) is a prompt format (LA306);
- hand-written Llama chat markup is LA106, a Llama end/stop token id under an eos/stop key
  is LA107.

Model-ish keys (``base_model``, ``model_id``...) do not decide anything (``identify`` does)
but raise the recorded confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from auditor.details import Details
from auditor.identify.models import identify, is_directory_path
from auditor.ruleset.file_tables import FileTables, file_tables, normalise_key
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import (
    ARCHITECTURE_DECLARED,
    ARCHITECTURE_ONLY,
    FINE_TUNE,
    MODEL_IN_CONFIG,
    MODEL_IN_INFRA,
    PROMPT_FORMAT,
    SPECIAL_TOKEN_ID,
    TEMPLATE_BY_NAME,
)
from auditor.scan.roles import role_of_config_value
from auditor.scan.text.identifiers import identifiers_in, prompt_marker_in, shell_code_end
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, ModelRef

RULE_CONFIG = MODEL_IN_CONFIG
RULE_INFRA = MODEL_IN_INFRA
RULE_ARCHITECTURE = ARCHITECTURE_DECLARED
RULE_TEMPLATE = TEMPLATE_BY_NAME
RULE_FINE_TUNE = FINE_TUNE
RULE_NON_META = ARCHITECTURE_ONLY
RULE_MARKER = PROMPT_FORMAT
RULE_TOKEN_ID = SPECIAL_TOKEN_ID

_QUOTES = "\"'"
LIST_ITEM = "[]"


@dataclass(frozen=True)
class ConfigValue:
    """One scalar of a config document and where it is written (character offsets)."""

    path: tuple[str, ...]
    """Keys from the document root; ``[]`` for a list item."""
    value: str | int | float | bool | None
    start: int
    end: int
    is_key: bool = False
    """A mapping key that is itself worth identifying (``"meta-llama/x": {...}``)."""

    @property
    def key(self) -> str:
        """The nearest enclosing key, normalised (``modelId`` -> ``model_id``)."""
        for part in reversed(self.path):
            if part != LIST_ITEM:
                return normalise_key(part)
        return ""

    @property
    def context(self) -> str:
        text = ""
        for part in self.path:
            if part == LIST_ITEM:
                text += LIST_ITEM
            else:
                text += ("." if text else "") + part
        return text


@dataclass(frozen=True)
class ConfigDocument:
    values: Sequence[ConfigValue]
    keys: frozenset[str]
    """Every key of the document, normalised: tells a training config or a manifest."""
    root_keys: frozenset[str]


def make_document(values: Sequence[ConfigValue], keys: Iterable[str],
                  root_keys: Iterable[str]) -> ConfigDocument:
    return ConfigDocument(values, frozenset(normalise_key(k) for k in keys),
                          frozenset(normalise_key(k) for k in root_keys))


def document_rule(document: ConfigDocument, tables: FileTables, default_rule: str) -> str:
    """The rule a Llama identifier in this document fires."""
    if len(document.keys & tables.training_markers) >= tables.training_min_markers:
        return RULE_FINE_TUNE
    if {"api_version", "kind"} <= document.root_keys:
        return RULE_INFRA
    return default_rule


def document_hits(
    documents: Iterable[ConfigDocument],
    text: str,
    ruleset: RuleSet,
    *,
    default_rule: str,
    index: LineIndex | None = None,
    claimed: frozenset[int] = frozenset(),
    markers: bool = True,
    token_ids: bool = True,
) -> list[Hit]:
    """Hits for every value of every document.

    ``claimed``: start offsets of values an artefact rule already reported. ``markers`` and
    ``token_ids`` off: files that hold special tokens by nature (tokenizer and checkpoint
    configs) where each would be noise.
    """
    tables = file_tables(ruleset)
    index = index or LineIndex(text)
    hits: list[Hit] = []
    for document in documents:
        rule = document_rule(document, tables, default_rule)
        not_meta = _not_meta_model(document, tables, ruleset)
        for item in document.values:
            if item.start in claimed:
                continue
            if isinstance(item.value, int) and not token_ids:
                continue
            found = value_hits(item, text, ruleset, index=index, rule=rule, markers=markers)
            hits.extend(h for h in found if not (not_meta and h.rule_id == RULE_ARCHITECTURE))
    return hits


def _not_meta_model(document: ConfigDocument, tables: FileTables, ruleset: RuleSet) -> bool:
    """Is the document's model (a value under a model key) another family's, or Llama's
    architecture with weights Meta did not train (TinyLlama, reported as such)? Then a Llama
    tokenizer or class name in it is that model's architecture, not a Meta dependency."""
    for item in document.values:
        if item.is_key or not isinstance(item.value, str) or not tables.is_model_key(item.key):
            continue
        value = item.value.strip()
        ref = identify(value, ruleset)
        if ref is not None:
            if not ref.meta_weights:
                return True
            continue
        org = value.split("/", 1)[0].lower() if value.count("/") == 1 else ""
        if org in tables.not_llama_orgs:
            return True
    return False


def value_hits(item: ConfigValue, text: str, ruleset: RuleSet, *, index: LineIndex,
               rule: str, markers: bool = True) -> list[Hit]:
    """The hits of one value, each with its role (a model reference, a registry key, a
    dataset... see ``scan/roles.py``)."""
    hits = _value_hits(item, text, ruleset, index=index, rule=rule, markers=markers)
    if not any(h.model is not None for h in hits):
        return hits
    role = role_of_config_value(item.path, item.is_key, ruleset)
    return [replace(h, role=role) if h.model is not None else h for h in hits]


def _value_hits(item: ConfigValue, text: str, ruleset: RuleSet, *, index: LineIndex,
                rule: str, markers: bool = True) -> list[Hit]:
    tables = file_tables(ruleset)
    value = item.value
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return []
    if isinstance(value, int):
        return _token_id_hits(item, value, ruleset, index)
    if item.is_key:
        ref = identify(value, ruleset) if "/" in value else None
        if ref is None:
            return []
        return [_identifier_hit(item, text, index, value, ref, rule, tables)]
    stripped = value.strip()
    if item.key in tables.template_keys and tables.template_pattern.fullmatch(stripped):
        return [_simple_hit(RULE_TEMPLATE, item, text, index, stripped)]
    architecture = architecture_evidence(item.key, stripped, ruleset)
    if architecture:
        return [_simple_hit(RULE_ARCHITECTURE, item, text, index, stripped)]
    hits: list[Hit] = []
    names = " ".join(p for p in item.path[-2:] if p != LIST_ITEM)
    whole = identify(stripped, ruleset) if stripped and not any(
        c.isspace() for c in stripped) else None
    if whole is not None and tables.accepts(whole, stripped, names):
        if _names_a_model(item, stripped, whole, ruleset):
            hits.append(_identifier_hit(item, text, index, stripped, whole, rule, tables))
    elif whole is None:
        cursor = item.start
        command = item.key in tables.command_keys
        for token, ref in _tokens(value, command, f"{names} {value}", ruleset):
            if not _names_a_model(item, token, ref, ruleset):
                continue
            hit = _identifier_hit(item, text, index, token, ref, rule, tables, cursor)
            cursor = index.line_start(hit.line) + hit.end_column - 1
            hits.append(hit)
    marker = prompt_marker_in(value, ruleset) if markers else None
    if marker is not None:
        hits.append(_simple_hit(RULE_MARKER, item, text, index, marker.marker))
    return hits


def _names_a_model(item: ConfigValue, token: str, ref: ModelRef, ruleset: RuleSet) -> bool:
    """False for values named after a model without using it: where a job writes
    (``output_dir: saves/llama3-8b/sft``), a directory path whose key and parent key do not
    say "model" (``hostPath: {path: /data/llama3}``), and a bare model name under a key that
    labels an entry (``- name: llama3-8b``). ``checkpoint_dir:`` or ``tokenizer: {path: ...}``
    do say "model"; a weights file, a Hub id or a provider id counts under any key."""
    tables = file_tables(ruleset)
    if item.key in tables.output_keys:
        return False
    if item.key in tables.label_keys and _bare_name(token, ref):
        return False
    if not is_directory_path(token, ruleset):
        return True
    names = [p for p in item.path[-2:] if p != LIST_ITEM]
    return any(tables.is_model_key(name) for name in names) or bool(
        tables.bare_tag_context.search(" ".join(names)))


def _bare_name(token: str, ref: ModelRef) -> bool:
    """``llama3-8b``: no organisation, tag, provider or file, just a name."""
    return ref.runtime in ("model-name", "ollama") and ref.provider is None and not any(
        c in token for c in "/:\\") and not token.lower().endswith((".gguf", ".ggml", ".bin"))


def architecture_evidence(key: str, value: str, ruleset: RuleSet) -> bool:
    """``model_type: llama``, ``architectures: [LlamaForCausalLM]``, torchtune ``LLAMA3_2`` or
    ``torchtune.models.llama3_2.lora_llama3_2_1b``, ``rope_type: llama3``."""
    tables = file_tables(ruleset)
    lowered = value.lower()
    if key in tables.architecture_keys and lowered in tables.architecture_names:
        return True
    last = value.rsplit(".", 1)[-1]
    return last in python_tables(ruleset).llama_classes or bool(
        tables.component_pattern.match(value))


def _tokens(value: str, command: bool, context: str,
            ruleset: RuleSet) -> list[tuple[str, ModelRef]]:
    out: list[tuple[str, ModelRef]] = []
    for line in value.splitlines() or [value]:
        code = line[:shell_code_end(line)] if command else line
        out.extend((found.token, found.model)
                   for found in identifiers_in(code, ruleset, context=context))
    return out


def _identifier_hit(item: ConfigValue, text: str, index: LineIndex, token: str, ref: ModelRef,
                    rule: str, tables: FileTables, cursor: int | None = None) -> Hit:
    rule_id = rule if ref.meta_weights else RULE_NON_META
    confident = tables.is_model_key(item.key) or any(c in token for c in "/:") or \
        token.lower().endswith(".gguf")
    details: Details = (("key", item.context), ("confidence", "high" if confident else "medium"))
    start = locate(text, item, token, cursor)
    return _hit(rule_id, index, start, len(token), token, ref, item.context, details)


def _simple_hit(rule_id: str, item: ConfigValue, text: str, index: LineIndex,
                token: str) -> Hit:
    start = locate(text, item, token)
    return _hit(rule_id, index, start, len(token), token, None, item.context,
                (("key", item.context),))


def _token_id_hits(item: ConfigValue, value: int, ruleset: RuleSet,
                   index: LineIndex) -> list[Hit]:
    tables = python_tables(ruleset)
    if value not in tables.token_ids:
        return []
    names = " ".join(p for p in item.path[-3:] if p != LIST_ITEM)
    if not tables.token_context.search(names):
        return []
    return [_hit(RULE_TOKEN_ID, index, item.start, item.end - item.start, str(value), None,
                 item.context, (("key", item.context),))]


def locate(text: str, item: ConfigValue, token: str, cursor: int | None = None) -> int:
    """Offset of ``token`` inside the value's written form; the value start if not found
    (a token split by escapes or line folding)."""
    begin = item.start if cursor is None else max(item.start, cursor)
    at = text.find(token, begin, item.end)
    if at < 0 and cursor is not None:
        at = text.find(token, item.start, item.end)
    if at >= 0:
        return at
    if item.start < len(text) and text[item.start] in _QUOTES:
        return item.start + 1
    return item.start


def _hit(rule_id: str, index: LineIndex, start: int, length: int, token: str,
         ref: ModelRef | None, context: str, details: Details) -> Hit:
    line, column = index.position(start)
    end_line, end_column = index.position(start + length)
    if end_line != line:
        end_line, end_column = line, column + length
    return Hit(rule_id=rule_id, line=line, column=column, end_line=end_line,
               end_column=end_column, identifier=token, model=ref, context=context,
               details=details)

